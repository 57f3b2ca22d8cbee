"""Service status pages and API: the status page and the portal for a requester, the
home page, subscribing, announcing a major incident from its page, an announcement's
page and actions, the API with an incident; nothing of another council."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.core import roles
from borough.mail.models import OutboundEmail
from borough.servicedesk import services as desk_services
from borough.servicedesk.models import TicketType
from borough.status import services
from borough.status.models import Announcement, Kind, State, Subscription
from tests.conftest import make_member
from tests.factories import AnnouncementFactory, BusinessServiceFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def announce(status, **extra):
    fields = {"title": "Email is down", "kind": Kind.OUTAGE, "services": [status.email],
              "description": "Use Teams meanwhile."} | extra
    return services.announce(status.org.pk, actor=status.agent, **fields)


def major_incident(status):
    ticket = desk_services.raise_ticket(
        status.org.pk, actor=status.agent, ticket_type=TicketType.INCIDENT,
        title="Nobody can send email", description="Outlook says the server is down.",
        requester=status.requester_person, service=status.email)
    return desk_services.set_major_incident(ticket, actor=status.agent)


def test_a_requester_reads_what_is_down_on_the_portal_and_the_status_page(status, signed_in):
    current = announce(status)
    services.post_update(current, actor=status.agent, body="Engineers are on site.")
    announce(status, title="Payroll upgrade", kind=Kind.PLANNED, services=[status.payroll],
             starts_at=timezone.now() + timedelta(days=2))
    client = signed_in(status.requester)

    portal = client.get(reverse("servicedesk:portal_home")).content.decode()
    assert "Email is down" in portal and "Engineers are on site." in portal
    assert "Payroll upgrade" in portal and "Coming up" in portal

    page = client.get(reverse("status:page")).content.decode()
    assert "Email is down" in page and "Outage" in page
    assert "Payroll upgrade" in page and "Working normally" in page  # payroll is fine now
    assert "Subscribe<span class=\"govuk-visually-hidden\"> to Email" in page
    assert "Make an announcement" not in page  # a requester cannot

    detail = client.get(current.get_absolute_url())
    assert detail.status_code == 200 and "Engineers are on site." in detail.content.decode()
    assert "Resolve" not in detail.content.decode()


def test_the_home_page_shows_status_only_while_something_happens(status, signed_in):
    client = signed_in(status.requester)
    assert 'id="status-now"' not in client.get("/").content.decode()
    announce(status)
    home = client.get("/").content.decode()
    assert 'id="status-now"' in home and "Email is down" in home


def test_subscribing_and_unsubscribing_from_the_status_page(status, signed_in):
    client = signed_in(status.requester)
    response = client.post(reverse("status:subscribe", args=[status.email.pk]))
    assert response.status_code == 302
    assert Subscription.objects.filter(user=status.requester, service=status.email).exists()
    assert "Unsubscribe<span" in client.get(reverse("status:page")).content.decode()
    announce(status)
    assert OutboundEmail.objects.filter(event="status-opened",
                                        recipient=status.requester.email).count() == 1
    client.post(reverse("status:unsubscribe", args=[status.email.pk]))
    assert not Subscription.objects.filter(user=status.requester).exists()
    # A GET changes nothing; the auditor may not subscribe.
    assert client.get(reverse("status:subscribe", args=[status.email.pk])).status_code == 405
    auditor = signed_in(status.auditor)
    assert auditor.post(reverse("status:subscribe", args=[status.email.pk])).status_code == 403
    assert not Subscription.objects.exists()


def test_another_councils_service_and_announcements_stay_out_of_sight(status, signed_in):
    other_org = OrganisationFactory(code="edc")
    theirs = BusinessServiceFactory(organisation=other_org, name="Their secret service")
    hidden = AnnouncementFactory(organisation=other_org, title="Their outage")
    client = signed_in(status.requester)
    assert client.post(reverse("status:subscribe", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("status:page")).content.decode()
    assert "Their secret service" not in page and "Their outage" not in page
    assert client.get(hidden.get_absolute_url()).status_code == 404
    api = signed_in(status.requester, api=True)
    assert api.post("/api/status/subscriptions/", {"service": theirs.pk},
                    format="json").status_code == 400
    assert not Subscription.objects.exists()


def test_an_agent_announces_a_major_incident_from_its_page(status, signed_in):
    ticket = major_incident(status)
    client = signed_in(status.agent)
    page = client.get(reverse("servicedesk:ticket_detail", args=[ticket.pk])).content.decode()
    url = reverse("status:announce_outage", args=[ticket.pk])
    assert "Announce outage" in page and url in page

    form = client.get(url).content.decode()
    assert ticket.title in form
    response = client.post(url, {"title": "Email is down", "kind": "outage",
                                 "services": [status.email.pk],
                                 "description": "Use Teams.", "expected_end_at": ""})
    announcement = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == announcement.get_absolute_url()
    assert announcement.source == ticket

    page = client.get(reverse("servicedesk:ticket_detail", args=[ticket.pk])).content.decode()
    assert announcement.reference in page and "Announce outage" not in page
    again = client.post(url, {"title": "Again", "kind": "outage"})
    assert again.status_code == 400 and "already announced" in again.content.decode()
    assert Announcement.objects.count() == 1
    # A requester cannot announce; an ordinary ticket has no status section.
    assert signed_in(status.requester).get(url).status_code == 403


def test_the_announcement_page_offers_its_actions(status, signed_in):
    announcement = announce(status)
    client = signed_in(status.agent)
    page = client.get(announcement.get_absolute_url()).content.decode()
    for name in ("post_update", "resolve", "cancel"):
        assert reverse(f"status:announcement_{name}", args=[announcement.pk]) in page
    response = client.post(reverse("status:announcement_post_update", args=[announcement.pk]),
                           {"body": "Engineers are on site."})
    assert response.status_code == 302
    response = client.post(reverse("status:announcement_post_update", args=[announcement.pk]),
                           {"body": ""})
    assert response.status_code == 400 and "Enter the update" in response.content.decode()
    client.post(reverse("status:announcement_resolve", args=[announcement.pk]),
                {"version": announcement.version + 0, "note": "Fixed."})
    announcement.refresh_from_db()
    assert announcement.state == State.RESOLVED


def test_the_add_page_opens_an_announcement_and_emails_subscribers(status, signed_in):
    services.subscribe(status.payroll, actor=status.requester)
    client = signed_in(status.manager)
    response = client.post(reverse("status:announcement_add"), {
        "title": "Payroll patch", "kind": "planned", "services": [status.payroll.pk],
        "description": "", "starts_at": "2030-03-14T18:00", "expected_end_at": "2030-03-14T20:00"})
    assert response.status_code == 302, response.content.decode()
    announcement = Announcement.objects.get()
    assert announcement.starts_at == datetime(2030, 3, 14, 18, 0, tzinfo=UTC)  # GMT in March
    assert OutboundEmail.objects.filter(event="status-opened").count() == 1
    bad = client.post(reverse("status:announcement_add"), {
        "title": "Bad", "kind": "planned", "starts_at": "2030-03-14T18:00",
        "expected_end_at": "2030-03-14T17:00"})
    assert bad.status_code == 400 and "after the start" in bad.content.decode()


def test_the_api_announces_an_incident_and_takes_its_actions(status, signed_in):
    ticket = major_incident(status)
    api = signed_in(status.agent, api=True)
    response = api.post("/api/status/announcements/", {"incident": ticket.pk, "title": "",
                                                       "kind": "outage"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == ticket.title and data["services"] == [status.email.pk]
    assert data["source_type"].endswith("ticket") and data["source_text"] == str(ticket)
    pk = data["id"]
    update = api.post(f"/api/status/announcements/{pk}/post-update/",
                      {"body": "On site."}, format="json")
    assert update.status_code in (200, 201), update.content
    ordinary = desk_services.raise_ticket(
        status.org.pk, actor=status.agent, ticket_type=TicketType.INCIDENT, title="Mouse",
        description="Broken.", requester=status.requester_person)
    refused = api.post("/api/status/announcements/", {"incident": ordinary.pk, "title": "x",
                                                      "kind": "outage"}, format="json")
    assert refused.status_code == 400
    # A requester reads but cannot announce.
    reader = signed_in(status.requester, api=True)
    assert reader.get(f"/api/status/announcements/{pk}/").json()["updates"][0]["body"] == "On site."
    assert reader.post("/api/status/announcements/", {"title": "x", "kind": "outage"},
                       format="json").status_code == 403


def test_a_requester_lists_only_their_own_subscriptions(status, signed_in):
    services.subscribe(status.email, actor=status.requester)
    services.subscribe(status.email, actor=status.agent)
    other = make_member(status.org, roles.REQUESTER, "other-requester")
    other.active_organisation_id = status.org.pk
    services.subscribe(status.payroll, actor=other)
    mine = signed_in(status.requester, api=True).get("/api/status/subscriptions/").json()
    assert [r["service"] for r in mine["results"]] == [status.email.pk]
    everyone = signed_in(status.manager, api=True).get("/api/status/subscriptions/").json()
    assert everyone["count"] == 3
    # The agent reads everyone's but may remove only their own.
    theirs = Subscription.objects.get(user=other)
    agent = signed_in(status.agent)
    assert agent.post(reverse("status:subscription_delete", args=[theirs.pk])).status_code == 404
    assert Subscription.objects.filter(pk=theirs.pk).exists()
