"""Sign in, switch organisation, search, sign out — with axe-core on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from borough.core import roles
from tests.factories import MembershipFactory, ServiceUnitFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_switch_search_sign_out(page, axe, screenshot, org_a, org_b):
    user = UserFactory(username="jo", first_name="Jo", last_name="Bloggs")
    MembershipFactory(user=user, organisation=org_a, role=Group.objects.get(name=roles.ICT_MANAGER),
                      is_default=True)
    MembershipFactory(user=user, organisation=org_b, role=Group.objects.get(name=roles.AUDITOR),
                      is_default=False)
    ServiceUnitFactory(organisation=org_a, name="Revenues and Benefits")
    ServiceUnitFactory(organisation=org_b, name="Harbour Services")

    page.goto("/")
    assert "/accounts/login/" in page.url
    axe(page, "sign-in page")
    screenshot("login")
    page.get_by_label("Username").fill("jo")
    page.get_by_role("textbox", name="Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).inner_text() == org_a.name
    axe(page, "home")
    screenshot("home")

    page.goto("/organisation/service-units/")
    expect(page.get_by_role("link", name="Revenues and Benefits")).to_be_visible()
    assert page.get_by_text("Harbour Services").count() == 0
    axe(page, "service units")
    screenshot("list")

    # Keyboard: the switcher is a labelled select with a real submit button.
    page.get_by_label("Organisation").select_option(str(org_b.pk))
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"You are now working in {org_b.name}")).to_be_visible()
    page.goto("/organisation/service-units/")
    expect(page.get_by_role("link", name="Harbour Services")).to_be_visible()
    assert page.get_by_text("Revenues and Benefits").count() == 0
    axe(page, "service units after switching")

    page.get_by_label("Search").first.fill("Harbour")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=Harbour")
    expect(page.get_by_role("link", name="Harbour Services")).to_be_visible()
    axe(page, "search results")
    screenshot("search")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/organisation/service-units/")
    assert "/accounts/login/" in page.url
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
