"""Change of email address from the profile page: ask, see it pending, cancel — with
axe-core on each page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from borough.accounts.models import EmailChange
from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_ask_see_pending_and_cancel(page, axe, screenshot, org_a):
    user = UserFactory(username="jo", email="jo@copeland.gov.uk")
    MembershipFactory(user=user, organisation=org_a, role=Group.objects.get(name=roles.AGENT))
    sign_in(page, "jo")

    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Change your email address").click()
    page.get_by_label("New email address").fill("jo.new@copeland.gov.uk")
    page.get_by_role("textbox", name="Password").fill("correct horse battery")
    page.get_by_role("button", name="Send confirmation link").click()
    page.wait_for_url("**/accounts/profile/")
    pending = page.locator("#pending-email-change")
    assert "jo.new@copeland.gov.uk" in pending.inner_text()
    axe(page, "profile with a pending change")
    screenshot("pending")

    pending.get_by_role("button", name="Cancel the change").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.locator("#pending-email-change").count() == 0
    assert "is cancelled" in page.locator("main").inner_text()
    axe(page, "profile after cancelling")
    assert EmailChange.objects.get().cancelled_at is not None
