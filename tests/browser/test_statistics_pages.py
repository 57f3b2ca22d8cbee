"""The service desk statistics page in headless Chromium with axe-core: the figures with
their data tables, and a refused filter with its error summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_statistics_page_and_its_error_summary_are_accessible(page, axe, screenshot,
                                                              live_server):
    from borough.core import roles
    from borough.servicedesk import services
    from borough.servicedesk.models import TicketType
    from tests.conftest import make_member
    from tests.factories import OrganisationFactory, PersonFactory

    org = OrganisationFactory(name="Copeland Borough Council", code="cbc")
    manager = make_member(org, roles.ICT_MANAGER, "manager")
    manager.active_organisation_id = org.pk
    person = PersonFactory(organisation=org, full_name="Rita Requester")
    for title in ("Printer jammed", "Monitor flickers", "Cannot print payslips"):
        ticket = services.raise_ticket(org.pk, actor=manager, ticket_type=TicketType.INCIDENT,
                                       requester=person, title=title, description="Reported by phone.")
        if title != "Cannot print payslips":
            services.resolve(ticket, actor=manager, note="Fixed.")

    sign_in(page, "manager")
    page.goto("/service-desk/statistics/")
    expect(page.get_by_role("heading", name="Service desk statistics")).to_be_visible()
    expect(page.get_by_text("Tickets resolved").first).to_be_visible()
    # Each figure is a section of its own, opened one at a time (or all at once).
    sections = page.locator("button.govuk-accordion__section-button")
    assert sections.count() == 9
    expect(page.get_by_role("button", name="Show all sections")).to_be_visible()
    assert not page.get_by_role("table").first.is_visible()
    sections.first.focus()
    page.keyboard.press("Enter")
    # Every chart has its table of numbers, behind "Show the data"; it opens by keyboard.
    toggles = page.locator("summary.govuk-details__summary")
    assert toggles.count() == 9
    toggles.first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("table").first).to_be_visible()
    axe(page, "statistics")
    screenshot("statistics")

    page.get_by_role("textbox", name="From (optional)").fill("2025-03-16")
    page.get_by_role("textbox", name="To (optional)").fill("2025-02-24")
    page.get_by_role("button", name="Show statistics").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "The end date must be the same as or after the start date." in summary.inner_text()
    axe(page, "statistics with a refused period")
    screenshot("refused-period")


@pytest.mark.parametrize("width", [1280, 390])
def test_availability_against_target_is_accessible(page, axe, live_server, width):
    """The availability section with a service met and one missed, its table and its
    chart's data, at desktop and phone widths; no sideways scroll on a phone."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from borough.catalogue.models import ServiceHours
    from borough.core import roles
    from tests.availability.factories import OutageFactory
    from tests.catalogue.factories import BusinessServiceFactory
    from tests.conftest import make_member
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Copeland Borough Council", code="cbc")
    make_member(org, roles.ICT_MANAGER, "manager")
    start = timezone.now() - datetime.timedelta(days=3)
    for name, hours in (("Benefits", 1), ("Council tax and business rates", 30)):
        service = BusinessServiceFactory(organisation=org, name=name,
                                         service_hours=ServiceHours.ALWAYS,
                                         availability_target=Decimal("99.50"))
        OutageFactory(organisation=org, service=service, started_at=start,
                      ended_at=start + datetime.timedelta(hours=hours))

    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "manager")
    page.goto("/service-desk/statistics/")
    page.get_by_role("heading", name="Availability against target").wait_for()
    expect(page.get_by_text("Missed").first).to_be_visible()
    page.locator("#chart-availability summary").click()
    axe(page, f"availability in the statistics at {width} px")
    if width == 390:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"the page scrolls sideways on a phone ({scroll}px)"
    assert not page.csp_errors, page.csp_errors
