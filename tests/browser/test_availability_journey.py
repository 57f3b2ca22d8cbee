"""An ICT manager records the outage of a major incident from its page, reads the
benefits service's availability on its page and the availability report for a month and
for twelve, on a desk and on a phone. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borough.availability.models import Kind, Outage, Source
from borough.core import roles
from borough.servicedesk import services
from borough.servicedesk.models import TicketType
from tests.availability.factories import OutageFactory
from tests.browser.signing_in import sign_in
from tests.catalogue.factories import BusinessServiceFactory
from tests.conftest import make_member
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_ict_manager_reads_a_services_availability(page, axe, desk):  # noqa: F811
    manager = make_member(desk.org, roles.ICT_MANAGER, "ictmanager")
    benefits = BusinessServiceFactory(organisation=desk.org, name="Benefits",
                                      service_hours="24x7")
    BusinessServiceFactory(organisation=desk.org, name="Email", service_hours="24x7")
    earlier = timezone.now() - timedelta(days=40)
    OutageFactory(organisation=desk.org, service=benefits, started_at=earlier,
                  ended_at=earlier + timedelta(hours=9), cause="Storage controller failed")
    ticket = services.raise_ticket(desk.org.pk, actor=desk.agent,
                                   ticket_type=TicketType.INCIDENT,
                                   requester=desk.requester_person, service=benefits,
                                   title="Benefits system down",
                                   description="Assessors cannot open claims.")
    services.set_major_incident(ticket, actor=desk.agent)
    sign_in(page, manager.username)

    page.goto(f"/service-desk/tickets/{ticket.pk}/")
    page.get_by_role("heading", name="Outages").wait_for()
    axe(page, "a major incident with no outage")
    page.get_by_role("button", name="Record unplanned outages").click()
    page.get_by_text("Outages recorded for Benefits.").wait_for()
    outage = Outage.objects.get(source=Source.MAJOR_INCIDENT)
    assert outage.kind == Kind.UNPLANNED and outage.ended_at is None
    axe(page, "the major incident with its outage")

    page.goto(f"/catalogue/services/{benefits.pk}/")
    page.get_by_role("heading", name="Availability", exact=True).wait_for()
    panel = page.locator("table", has_text="MTBF")
    expect(panel.get_by_text("Missed").first).to_be_visible()  # 9 hours down against 99.5%
    expect(page.get_by_text("Storage controller failed")).to_be_visible()
    axe(page, "the service's availability")

    page.get_by_role("link", name="Availability report").click()
    page.get_by_role("heading", name="Availability", exact=True).wait_for()
    expect(page.get_by_role("link", name="Benefits").first).to_be_visible()
    axe(page, "the availability report for this month")
    page.get_by_label("12 months to it").check()
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Each service, month by month").wait_for()
    page.get_by_text("Show the data").first.click()
    axe(page, "the availability report for twelve months")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/catalogue/services/{benefits.pk}/")
    page.get_by_role("heading", name="Availability", exact=True).wait_for()
    axe(page, "the service's availability on a phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert not page.csp_errors, page.csp_errors
