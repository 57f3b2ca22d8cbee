"""A requester reads a status announcement on the portal, opens it, and subscribes to the
service on the status page; an agent announces a major incident's outage from its page —
at 1280 and 390 pixels, with axe-core on every page and screenshots to look at."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borough.core import roles
from borough.servicedesk import services as desk
from borough.servicedesk.models import TicketType
from borough.status import services
from borough.status.models import Announcement, Kind, Subscription
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import BusinessServiceFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def council(org_a):
    agent = make_member(org_a, roles.AGENT, "agent")
    requester = make_member(org_a, roles.REQUESTER, "requester")
    agent.active_organisation_id = requester.active_organisation_id = org_a.pk
    person = PersonFactory(organisation=org_a, user=requester, full_name="Rita Requester")
    PersonFactory(organisation=org_a, user=agent, full_name="Alex Agent")
    email = BusinessServiceFactory(organisation=org_a, name="Email")
    payroll = BusinessServiceFactory(organisation=org_a, name="Payroll")
    BusinessServiceFactory(organisation=org_a, name="Council Tax")
    return type("Council", (), {"org": org_a, "agent": agent, "requester": requester,
                                "person": person, "email": email, "payroll": payroll})


@pytest.mark.parametrize("width", [1280, 390])
def test_a_requester_reads_an_announcement_on_the_portal(page, axe, screenshot, council,
                                                         width):
    outage = services.announce(
        council.org.pk, actor=council.agent, title="Email is not working", kind=Kind.OUTAGE,
        services=[council.email], description="Use Teams or the telephone meanwhile.")
    services.post_update(outage, actor=council.agent,
                         body="Engineers are clearing space on the mail server.")
    starts = (timezone.now() + timedelta(days=3)).replace(hour=18, minute=0)
    services.announce(council.org.pk, actor=council.agent, title="Payroll upgrade",
                      kind=Kind.PLANNED, services=[council.payroll], starts_at=starts,
                      expected_end_at=starts + timedelta(hours=3))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, council.requester.username, axe=axe)
    expect(page.locator("#status-now")).to_be_visible()

    page.goto("/service-desk/portal/")
    page.get_by_role("heading", name="Service status").wait_for()
    axe(page, "the portal's home")
    fits(page, width)
    screenshot(f"portal-{width}")
    expect(page.get_by_text("Engineers are clearing space on the mail server.")).to_be_visible()

    page.get_by_role("link", name="Email is not working").first.click()
    page.get_by_role("heading", name="Updates").wait_for()
    axe(page, "the announcement")
    fits(page, width)
    expect(page.get_by_text("Use Teams or the telephone meanwhile.")).to_be_visible()
    assert page.get_by_role("link", name="Resolve").count() == 0

    page.get_by_role("link", name="Every service's status").click()
    page.get_by_role("heading", name="Service status", level=1).wait_for()
    axe(page, "the status page")
    fits(page, width)
    screenshot(f"status-{width}")
    page.get_by_role("button", name="Subscribe to Email").click()
    page.get_by_text("You will be emailed when Email has an announcement.").wait_for()
    axe(page, "the status page after subscribing")
    assert Subscription.objects.filter(user=council.requester, service=council.email).exists()
    expect(page.get_by_role("button", name="Unsubscribe from Email")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_announces_a_major_incident(page, axe, screenshot, council, width):
    ticket = desk.raise_ticket(
        council.org.pk, actor=council.agent, ticket_type=TicketType.INCIDENT,
        title="Nobody can send email", description="Outlook says the server is down.",
        requester=council.person, service=council.email)
    desk.set_major_incident(ticket, actor=council.agent)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, council.agent.username)
    page.goto(f"/service-desk/tickets/{ticket.pk}/")
    page.get_by_role("link", name="Announce outage").click()
    page.get_by_role("heading", name="Announce outage").wait_for()
    axe(page, "announce outage")
    fits(page, width)
    page.get_by_label("Title").fill("Email is not working")
    page.get_by_label("What people should know").fill("Use Teams meanwhile.")
    page.get_by_role("button", name="Announce").click()
    page.get_by_role("heading", name="Updates").wait_for()
    axe(page, "the new announcement")
    announcement = Announcement.objects.get()
    assert announcement.source == ticket and list(announcement.services.all()) == [council.email]
    page.get_by_role("link", name=re.compile(ticket.reference)).click()
    page.get_by_role("heading", name="Service status").wait_for()
    axe(page, "the incident with its announcement")
    screenshot(f"ticket-{width}")
