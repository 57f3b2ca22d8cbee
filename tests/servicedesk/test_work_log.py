"""Time logged on tickets (the work log): added by agents from the ticket page and the
API, refused in words, audited, shown with its total, hidden from requesters and from
other councils."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from borough.core import roles
from borough.core.models import AuditEvent
from borough.servicedesk import queries, services
from borough.servicedesk.models import Ticket, TicketType, WorkLog
from tests.conftest import make_member

pytestmark = pytest.mark.django_db
LONDON_NOON = datetime.datetime(2026, 6, 10, 11, 0, tzinfo=datetime.UTC)


def raise_incident(desk, **extra) -> Ticket:
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                 requester=desk.requester_person, title="Printer jammed",
                                 description="Every page.", **extra)


def test_an_agent_logs_time_which_is_audited_and_totalled(desk):
    with time_machine.travel(LONDON_NOON):
        ticket = raise_incident(desk, team=desk.team)
        first = services.log_time(ticket, actor=desk.agent, minutes=45, note="Cleared jam")
        services.log_time(ticket, actor=desk.lead, minutes=80,
                          worked_on=datetime.date(2026, 6, 10))
    assert first.worked_by == desk.agent and first.worked_on == datetime.date(2026, 6, 10)
    assert first.team == desk.team  # the ticket's team prices the time
    summary = queries.work_log(ticket, desk.agent)
    assert summary.total_minutes == 125 and summary.total_label == "2 h 5 min"
    assert [e.minutes for e in summary.entries] == [80, 45]
    created = AuditEvent.objects.filter(object_id=first.pk,
                                        content_type__model="worklog").get()
    assert created.action == "create" and created.actor == desk.agent


def test_bad_time_is_refused_in_words(desk):
    with time_machine.travel(LONDON_NOON):
        ticket = raise_incident(desk)
        with pytest.raises(ValidationError, match="in the future"):
            services.log_time(ticket, actor=desk.agent, minutes=10,
                              worked_on=datetime.date(2026, 6, 11))
        with pytest.raises(ValidationError, match="before the ticket was raised"):
            services.log_time(ticket, actor=desk.agent, minutes=10,
                              worked_on=datetime.date(2026, 6, 9))
        for minutes in (0, -5, 1441):
            with pytest.raises(ValidationError, match="minutes"):
                services.log_time(ticket, actor=desk.agent, minutes=minutes)
    assert not WorkLog.objects.exists()


def test_requesters_and_read_only_roles_may_not_log_time(desk, member):
    ticket = raise_incident(desk)
    with pytest.raises(PermissionDenied):
        services.log_time(ticket, actor=desk.requester, minutes=10)
    auditor = member(roles.AUDITOR)
    with pytest.raises(PermissionDenied):
        services.log_time(ticket, actor=auditor, minutes=10)
    assert not WorkLog.objects.exists()


def test_the_ticket_page_logs_time_and_shows_the_total(desk, signed_in):
    ticket = raise_incident(desk)
    client = signed_in(desk.agent)
    page = client.get(reverse("servicedesk:ticket_detail", args=[ticket.pk])).content.decode()
    assert "Log time" in page and "No time logged yet." in page
    url = reverse("servicedesk:ticket_log_time", args=[ticket.pk])
    refused = client.post(url, {"minutes": "lots"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert "whole number of minutes" in refused.content.decode()
    done = client.post(url, {"minutes": "95", "note": "Rebuilt the <b>queue</b>"},
                       HTTP_HX_REQUEST="true")
    assert done.status_code == 200, done.content.decode()[:500]
    body = done.content.decode()
    assert "95 minutes logged." in body and "1 h 35 min" in body
    assert "Rebuilt the &lt;b&gt;queue&lt;/b&gt;" in body  # escaped
    # Without JavaScript: a plain post comes back to the page.
    plain = client.post(url, {"minutes": "5"})
    assert plain.status_code == 302
    page = client.get(reverse("servicedesk:ticket_detail", args=[ticket.pk])).content.decode()
    assert "1 h 40 min" in page


def test_the_api_logs_and_lists_time_for_staff_only(desk, signed_in, member):
    ticket = raise_incident(desk)
    api = signed_in(desk.agent, api=True)
    base = f"/api/servicedesk/tickets/{ticket.pk}/"
    made = api.post(base + "log-time/", {"minutes": 30, "worked_on": str(timezone.localdate()),
                                         "note": "Phoned the user"}, format="json")
    assert made.status_code in (200, 201), made.content
    assert made.json()["minutes"] == 30 and made.json()["worked_by"] == desk.agent.pk
    # On behalf of another of the desk's workers; someone who is not one is refused.
    other = api.post(base + "log-time/", {"minutes": 15, "worked_by": desk.lead.pk},
                     format="json")
    assert other.status_code in (200, 201) and other.json()["worked_by"] == desk.lead.pk
    stranger = api.post(base + "log-time/", {"minutes": 15, "worked_by": desk.requester.pk},
                        format="json")
    assert stranger.status_code == 400 and "works tickets" in stranger.content.decode()
    bad = api.post(base + "log-time/", {"minutes": "soon"}, format="json")
    assert bad.status_code == 400 and "minutes" in bad.json()
    listed = api.get(base + "work-log/").json()
    assert listed["total_minutes"] == 45 and len(listed["entries"]) == 2
    # The requester reads none of it, and cannot add to it.
    requester = signed_in(desk.requester, api=True)
    assert requester.get(base + "work-log/").status_code in (403, 404)
    assert requester.post(base + "log-time/", {"minutes": 5},
                          format="json").status_code in (403, 404)
    auditor = signed_in(member(roles.AUDITOR), api=True)
    assert auditor.post(base + "log-time/", {"minutes": 5}, format="json").status_code == 403
    assert WorkLog.objects.count() == 2


def test_the_work_log_is_invisible_to_another_council_and_to_requesters(desk, org_b, signed_in):
    ticket = raise_incident(desk)
    services.log_time(ticket, actor=desk.agent, minutes=20)
    outsider = make_member(org_b, roles.ADMINISTRATOR, "outsider")
    assert not WorkLog.objects.visible_to(outsider).exists()
    assert not WorkLog.objects.visible_to(desk.requester).exists()
    assert WorkLog.objects.visible_to(desk.agent).count() == 1
    api = signed_in(outsider, api=True)
    assert api.get(f"/api/servicedesk/tickets/{ticket.pk}/work-log/").status_code == 404
    assert api.post(f"/api/servicedesk/tickets/{ticket.pk}/log-time/", {"minutes": 5},
                    format="json").status_code == 404
    portal = signed_in(desk.requester).get(reverse("servicedesk:portal_ticket",
                                                   args=[ticket.pk])).content.decode()
    assert "Time logged" not in portal and "20 min" not in portal


def test_time_logged_for_finance_goes_to_the_ci_else_the_service(desk):
    from tests.factories import BusinessServiceFactory, ConfigurationItemFactory

    item = ConfigurationItemFactory(organisation=desk.org)
    service = BusinessServiceFactory(organisation=desk.org)
    both = raise_incident(desk, ci=item, service=service)
    only_service = raise_incident(desk, service=service)
    neither = raise_incident(desk)
    for ticket, minutes in ((both, 60), (only_service, 30), (neither, 99)):
        services.log_time(ticket, actor=desk.agent, minutes=minutes)
    today = timezone.localdate()
    found = queries.time_logged(desk.org.pk, today, today)
    assert {(r["kind"], r["target"], r["minutes"]) for r in found} == {
        ("item", item.pk, 60), ("service", service.pk, 30)}
    assert queries.time_logged(desk.org.pk, today + datetime.timedelta(days=1),
                               today + datetime.timedelta(days=9)) == []
