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


# --- corrections ---------------------------------------------------------------------------


def test_whoever_logged_time_corrects_it_with_a_reason_kept_on_the_timeline(desk):
    from borough.servicedesk.models import EntryKind, TimelineEntry

    with time_machine.travel(LONDON_NOON):
        ticket = raise_incident(desk, team=desk.team)
        log = services.log_time(ticket, actor=desk.agent, minutes=600, note="Cleared jam")
        corrected = services.correct_time(ticket, actor=desk.agent, time_entry=log,
                                          minutes=60, reason="Typed a zero too many")
    assert corrected.pk == log.pk and corrected.minutes == 60
    assert corrected.note == "Cleared jam" and corrected.worked_on == log.worked_on  # kept
    assert queries.work_log(ticket, desk.agent).total_minutes == 60
    change = AuditEvent.objects.filter(object_id=log.pk, content_type__model="worklog",
                                       action="update").get()
    assert change.changes["minutes"] == [600, 60] and "zero too many" in change.note
    said = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.NOTE).get().body
    assert "600 min" in said and "60 min" in said and "zero too many" in said


def test_only_team_leads_and_managers_correct_time_someone_else_logged(desk, member):
    with time_machine.travel(LONDON_NOON):
        ticket = raise_incident(desk)
        leads = services.log_time(ticket, actor=desk.lead, minutes=30)
        agents = services.log_time(ticket, actor=desk.agent, minutes=45)
        other_agent = member(roles.AGENT)
        with pytest.raises(PermissionDenied, match="only the time you logged"):
            services.correct_time(ticket, actor=desk.agent, time_entry=leads, minutes=5,
                                  reason="Wrong")
        with pytest.raises(PermissionDenied):
            services.remove_time(ticket, actor=other_agent, time_entry=agents, reason="Wrong")
        # The agent is offered only their own entry; the team lead both.
        assert [e.pk for e in queries.correctable_time(ticket, desk.agent)] == [agents.pk]
        assert {e.pk for e in queries.correctable_time(ticket, desk.lead)} == {leads.pk,
                                                                              agents.pk}
        services.correct_time(ticket, actor=desk.lead, time_entry=agents, minutes=40,
                              reason="Agreed with Ann")
        with pytest.raises(PermissionDenied):
            services.correct_time(ticket, actor=member(roles.AUDITOR), time_entry=agents,
                                  minutes=41, reason="Looks wrong")
    assert WorkLog.objects.get(pk=agents.pk).minutes == 40
    assert WorkLog.objects.get(pk=leads.pk).minutes == 30


def test_a_bad_correction_is_refused_in_words_and_changes_nothing(desk):
    with time_machine.travel(LONDON_NOON):
        ticket = raise_incident(desk)
        log = services.log_time(ticket, actor=desk.agent, minutes=45)
        for minutes in (0, 1441):
            with pytest.raises(ValidationError, match="minutes"):
                services.correct_time(ticket, actor=desk.agent, time_entry=log,
                                      minutes=minutes, reason="Typo")
        with pytest.raises(ValidationError, match="in the future"):
            services.correct_time(ticket, actor=desk.agent, time_entry=log, minutes=40,
                                  worked_on=datetime.date(2026, 6, 11), reason="Typo")
        with pytest.raises(ValidationError, match="Say why"):
            services.correct_time(ticket, actor=desk.agent, time_entry=log, minutes=40,
                                  reason="  ")
        other = raise_incident(desk)
        with pytest.raises(ValidationError, match="of this ticket"):
            services.remove_time(other, actor=desk.agent, time_entry=log, reason="Typo")
    assert WorkLog.objects.get(pk=log.pk).minutes == 45
    assert WorkLog.objects.get(pk=log.pk).version == 1
    assert not AuditEvent.objects.filter(content_type__model="worklog",
                                         action__in=["update", "delete"]).exists()


def test_time_not_spent_on_the_ticket_is_removed_with_its_reason(desk):
    from borough.servicedesk.models import EntryKind, TimelineEntry

    with time_machine.travel(LONDON_NOON):
        ticket = raise_incident(desk)
        log = services.log_time(ticket, actor=desk.agent, minutes=45)
        services.remove_time(ticket, actor=desk.agent, time_entry=log,
                             reason="Logged on the wrong ticket")
    assert not WorkLog.objects.filter(pk=log.pk).exists()
    gone = AuditEvent.objects.filter(object_id=log.pk, content_type__model="worklog",
                                     action="delete").get()
    assert gone.note == "Logged on the wrong ticket"
    said = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.NOTE).get().body
    assert "removed" in said and "45 min" in said and "wrong ticket" in said


def test_the_ticket_page_links_each_entry_to_its_correction_filled_in(desk, signed_in):
    ticket = raise_incident(desk)
    mine = services.log_time(ticket, actor=desk.agent, minutes=600, note="Reinstalled")
    services.log_time(ticket, actor=desk.lead, minutes=30)
    client = signed_in(desk.agent)
    page = client.get(reverse("servicedesk:ticket_detail", args=[ticket.pk])).content.decode()
    url = reverse("servicedesk:ticket_correct_time", args=[ticket.pk])
    assert f"{url}?time_entry={mine.pk}" in page
    assert page.count("?time_entry=") == 2  # correct and remove, on the agent's own only
    form = client.get(f"{url}?time_entry={mine.pk}").content.decode()
    assert 'value="600"' in form and 'value="Reinstalled"' in form
    assert f'<option value="{mine.pk}" selected' in form
    refused = client.post(url, {"time_entry": mine.pk, "minutes": "ten", "reason": ""})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "whole number of minutes" in text and "Say why" in text
    done = client.post(url, {"time_entry": mine.pk, "minutes": "60", "worked_on": "",
                             "note": "Reinstalled", "reason": "Typo"})
    assert done.status_code == 302
    assert WorkLog.objects.get(pk=mine.pk).minutes == 60


def test_the_api_corrects_and_removes_time_within_the_same_rules(desk, org_b, signed_in):
    ticket = raise_incident(desk)
    mine = services.log_time(ticket, actor=desk.agent, minutes=600, note="Reinstalled")
    leads = services.log_time(ticket, actor=desk.lead, minutes=30)
    api = signed_in(desk.agent, api=True)
    base = f"/api/servicedesk/tickets/{ticket.pk}/"
    corrected = api.post(base + "correct-time/", {"time_entry": mine.pk, "minutes": 60,
                                                  "reason": "Typo"}, format="json")
    assert corrected.status_code == 201, corrected.content
    assert corrected.json()["minutes"] == 60 and corrected.json()["note"] == "Reinstalled"
    refused = api.post(base + "correct-time/", {"time_entry": leads.pk, "minutes": 5,
                                                "reason": "Typo"}, format="json")
    assert refused.status_code == 400 and "time_entry" in refused.json()
    removed = api.post(base + "remove-time/", {"time_entry": mine.pk, "reason": "Wrong ticket"},
                       format="json")
    assert removed.status_code == 200 and removed.json()["id"] == ticket.pk
    outsider = signed_in(make_member(org_b, roles.ADMINISTRATOR, "outsider"), api=True)
    assert outsider.post(base + "remove-time/", {"time_entry": leads.pk, "reason": "x"},
                         format="json").status_code == 404
    assert list(WorkLog.objects.values_list("pk", flat=True)) == [leads.pk]
