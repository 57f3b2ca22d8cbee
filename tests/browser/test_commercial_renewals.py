"""An ICT manager reads the renewals page, opens the contract whose last day for notice
is coming, gives notice on it and makes a calendar address for the dates — at 1280 and
390 pixels, with axe-core on every page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from borough.commercial.models import Contract
from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.commercial.factories import ContractCoverFactory, ContractFactory, SupplierFactory
from tests.conftest import make_member
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_read_the_renewals_and_give_notice(page, axe, org_a, width):
    user = make_member(org_a, roles.ICT_MANAGER)
    owner = PersonFactory(organisation=org_a, full_name="Alex Moresby", user=user)
    today = timezone.localdate()
    end = today + relativedelta(months=4)  # notice by a month from now
    unit4 = SupplierFactory(organisation=org_a, name="Unit4")
    contract = ContractFactory(organisation=org_a, supplier=unit4, owner=owner,
                               title="Financials support", annual_value=Decimal("48500"),
                               start_date=today - timedelta(days=700), end_date=end,
                               notice_period=3)
    ContractCoverFactory(organisation=org_a, contract=contract,
                         configuration_item__name="Financials")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/commercial/renewals/")
    page.get_by_role("heading", name="Renewals", exact=True).wait_for()
    axe(page, "the renewals page")
    fits(page, width)
    expect(page.get_by_text("£48,500.00 a year at stake in all")).to_be_visible()
    month = page.locator(f"#month-{end:%Y-%m}")
    expect(month.get_by_text("Ends")).to_be_visible()

    page.locator(f"#month-{(end - relativedelta(months=3)):%Y-%m}").get_by_role(
        "link", name=f"{contract.reference} Financials support").click()
    page.get_by_role("heading", name="Dates").wait_for()
    axe(page, "the contract")
    fits(page, width)
    page.get_by_role("link", name="Give notice").click()
    page.get_by_label("Notice given on").wait_for()
    axe(page, "giving notice")
    page.get_by_label("Notice given on").fill((today + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Give notice").click()
    page.locator(".govuk-error-summary").wait_for()  # a date to come is refused
    axe(page, "giving notice with an error")
    page.get_by_label("Notice given on").fill(today.isoformat())
    page.get_by_role("button", name="Give notice").click()
    page.get_by_text(f"Notice on {contract.reference} recorded").wait_for()
    axe(page, "the contract after notice")
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.notice_given_on == today and contract.notice_given_by == user
    expect(page.get_by_text(f"Notice given on {today:%-d %B %Y}").first).to_be_visible()

    page.goto(unit4.get_absolute_url())
    page.get_by_role("heading", name="Reviews").wait_for()
    axe(page, "the supplier's page")
    fits(page, width)
    page.get_by_role("link", name="Record a review").click()
    page.get_by_role("heading", name="Record a review").wait_for()
    axe(page, "recording a review")
    page.get_by_role("button", name="Record the review").click()
    page.get_by_text("Review recorded.").wait_for()
    axe(page, "the supplier after its review")

    page.goto("/commercial/renewals/calendar/")
    axe(page, "calendar addresses")
    page.get_by_role("button", name="Make a new calendar address").click()
    address = page.get_by_label("Calendar address").input_value()
    axe(page, "a new calendar address")
    fits(page, width)
    feed = page.request.get(address)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "Financials support" in feed.text()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_big_councils_month_is_read_a_page_at_a_time(page, axe, screenshot, org_a, width):
    """More dates than a page holds: the page lists one month, a hundred dates at a time,
    with GOV.UK pagination to the rest."""
    user = make_member(org_a, roles.ICT_MANAGER)
    end = timezone.localdate() + relativedelta(months=4)
    capita = SupplierFactory(organisation=org_a, name="Capita")
    for n in range(130):
        ContractFactory(organisation=org_a, supplier=capita, title=f"Contract {n:03d}",
                        annual_value=Decimal("100.00"), end_date=end, notice_period=3)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto(f"/commercial/renewals/?month={end:%Y-%m}")
    page.get_by_role("heading", name="Renewals", exact=True).wait_for()
    expect(page.get_by_text("1 to 100 of 130").first).to_be_visible()
    axe(page, "a big council's month, first page")
    fits(page, width)
    pages = page.get_by_role("navigation", name="Pages of the month’s dates")
    pages.get_by_role("link", name=re.compile("Next")).click()
    expect(page.get_by_text("101 to 130 of 130").first).to_be_visible()
    expect(page.get_by_text("Contract 129").first).to_be_visible()
    axe(page, "a big council's month, last page")
    fits(page, width)
    screenshot(f"renewals-big-month-{width}")
