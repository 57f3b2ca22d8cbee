"""An ICT manager opens the licence compliance page, finds the over-used licence first,
and opens it to see the figures behind its count: at 1280 and 390 pixels, with axe-core
on every page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.licences.factories import ApplicationFactory, EntitlementFactory, LicenceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_ict_manager_finds_the_over_used_licence_and_what_it_would_cost(page, axe, org_a,
                                                                            width):
    user = make_member(org_a, roles.ICT_MANAGER)
    today = datetime.date.today()
    for name, users, quantity, cost in (("Financials users", 85, 80, "9600.00"),
                                        ("GIS seats", 50, 60, "15000.00")):
        app = ApplicationFactory(organisation=org_a, name=name.split()[0],
                                 attributes={"number_of_users": users})
        licence = LicenceFactory(organisation=org_a, name=name, software=app)
        EntitlementFactory(organisation=org_a, licence=licence, quantity=quantity,
                           cost=Decimal(cost), term_start=today - datetime.timedelta(days=5),
                           term_end=today + datetime.timedelta(days=360))

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)
    page.goto("/commercial/licence-compliance/")
    page.get_by_role("heading", name="Licence compliance").wait_for()
    rows = page.locator("tbody tr")
    assert "Financials users" in rows.nth(0).inner_text()
    assert "£600.00" in rows.nth(0).inner_text()
    assert "£2,500.00" in rows.nth(1).inner_text()
    axe(page, "licence compliance")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_label("Position").select_option("over")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Financials users").wait_for()
    assert page.get_by_role("link", name="GIS seats").count() == 0
    axe(page, "over-used licences")

    page.get_by_role("link", name="Financials users").click()
    page.get_by_role("heading", name="Where it stands").wait_for()
    expect(page.get_by_text("Over-used by 5 named users: 85 used of 80")).to_be_visible()
    expect(page.get_by_role("link", name="Financials in the systems catalogue")).to_be_visible()
    axe(page, "the over-used licence")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
