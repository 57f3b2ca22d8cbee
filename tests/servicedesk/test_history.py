"""A ticket's past, imported (services.import_history), is what the services would have
left had the same things been done at those times: the same SLA figures, the same
timeline, an audit trail dated in the past, and statistics that count it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from borough.core.models import AuditEvent
from borough.servicedesk import services
from borough.servicedesk.models import (
    Channel,
    EntryKind,
    Satisfaction,
    Status,
    Ticket,
    TicketType,
    TimelineEntry,
)

MONDAY = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
COMPARED = ("status", "priority", "sla_policy_id", "team_id", "assignee_id", "response_due_at",
            "resolution_due_at", "responded_at", "resolved_at", "closed_at", "clock_started_at",
            "clock_paused_at", "banked_minutes", "minutes_to_respond", "minutes_to_resolve",
            "response_breached_at", "resolution_breached_at", "first_contact_resolution",
            "reopen_count", "resolution_note", "created_by_id")


def _steps(desk):
    """One working life: logged by phone, assigned, answered, waiting on the caller for a
    day, answered by the caller (the clock runs again), resolved, closed, rated."""
    at = MONDAY
    return [
        (at, "create", {"actor": desk.agent, "status": Status.NEW}),
        (at + timedelta(minutes=10), "assign",
         {"actor": desk.lead, "team": desk.team, "assignee": desk.agent}),
        (at + timedelta(minutes=40), "reply", {"actor": desk.agent, "body": "Looking now."}),
        (at + timedelta(minutes=41), "change_status",
         {"actor": desk.agent, "status": Status.IN_PROGRESS}),
        (at + timedelta(hours=2), "change_status",
         {"actor": desk.agent, "status": Status.AWAITING_CUSTOMER, "note": "Which printer?"}),
        (at + timedelta(days=1, hours=1), "reply",
         {"requester": desk.requester_person, "body": "The one by the lifts."}),
        (at + timedelta(days=1, hours=3), "resolve", {"actor": desk.agent, "note": "Driver."}),
        (at + timedelta(days=1, hours=4), "close", {"actor": desk.requester}),
        (at + timedelta(days=1, hours=5), "rate",
         {"requester": desk.requester_person, "score": 4, "comment": "Thanks."}),
    ]


def _unsaved(desk) -> Ticket:
    ticket = Ticket(organisation=desk.org, ticket_type=TicketType.INCIDENT, title="Printer",
                    description="Letters vanish.", requester=desk.requester_person,
                    channel=Channel.PHONE, impact=3, urgency=3)
    ticket.created_at = MONDAY
    return ticket


def _live(desk) -> Ticket:
    """The same life, done through the services at those times."""
    ticket = None
    for at, operation, kwargs in _steps(desk):
        with time_machine.travel(at, tick=False):
            if operation == "create":
                ticket = services.raise_ticket(
                    desk.org.pk, actor=kwargs["actor"], ticket_type=TicketType.INCIDENT,
                    title="Printer", description="Letters vanish.",
                    requester=desk.requester_person, channel=Channel.PHONE, impact=3, urgency=3)
                continue
            ticket = Ticket.objects.get(pk=ticket.pk)
            if "requester" in kwargs:
                person = kwargs.pop("requester")
                kwargs["actor"] = person.user
            if operation == "rate":
                services.rate(ticket, actor=kwargs["actor"], score=kwargs["score"],
                              comment=kwargs["comment"])
            elif operation == "resolve":
                services.resolve(ticket, actor=kwargs["actor"], note=kwargs["note"])
            else:
                getattr(services, operation)(ticket, **kwargs)
    return Ticket.objects.get(pk=ticket.pk)


def test_an_imported_life_matches_the_same_life_lived(desk):
    live = _live(desk)
    imported_count = services.import_history(desk.org, [(_unsaved(desk), _steps(desk))],
                                             now=MONDAY + timedelta(days=30))
    assert imported_count == 1
    imported = Ticket.objects.exclude(pk=live.pk).get()

    assert {name: getattr(imported, name) for name in COMPARED} == {
        name: getattr(live, name) for name in COMPARED}
    assert imported.status == Status.CLOSED
    assert imported.created_at == MONDAY
    assert imported.reference == "INC-000002"  # the counter carries on from the live one

    def timeline(ticket):
        return [(e.kind, e.body, e.author_id, e.data)
                for e in TimelineEntry.objects.filter(ticket=ticket).order_by("created_at", "pk")]

    assert timeline(imported) == timeline(live)
    first = TimelineEntry.objects.filter(ticket=imported).order_by("created_at").first()
    assert first.created_at == MONDAY

    events = AuditEvent.objects.filter(object_id=imported.pk,
                                       content_type__model="ticket").order_by("at", "pk")
    assert events.first().action == "create" and events.first().at == MONDAY
    assert events.last().at <= MONDAY + timedelta(days=1, hours=5)
    assert Satisfaction.objects.get(ticket=imported).score == 4


def test_the_sweep_the_import_stands_in_for_records_breaches_and_warnings(desk):
    ticket = _unsaved(desk)
    ticket.impact = ticket.urgency = 1  # P1: answered within 30 working minutes, resolved within 240
    now = MONDAY + timedelta(days=7)
    services.import_history(desk.org, iter([(ticket, [
        (MONDAY, "create", {"actor": desk.agent, "status": Status.NEW}),
    ])]), now=now)

    left_open = Ticket.objects.get()
    assert left_open.status == Status.NEW
    assert left_open.response_breached_at == left_open.response_due_at
    assert left_open.resolution_breached_at == left_open.resolution_due_at
    assert left_open.warning_sent_at is not None
    assert left_open.warning_sent_at < left_open.resolution_due_at
    sla_entries = list(TimelineEntry.objects.filter(ticket=left_open, kind=EntryKind.SLA)
                       .order_by("created_at").values_list("body", flat=True))
    # In time order: no answer within 30 minutes, 75% of the 4 hours used, then 4 hours.
    assert sla_entries == ["SLA response target breached", "75% of the resolution target used",
                           "SLA resolution target breached"]


def test_a_life_still_to_come_is_cut_at_now(desk):
    now = MONDAY + timedelta(hours=1)
    services.import_history(desk.org, [(_unsaved(desk), _steps(desk))], now=now)

    ticket = Ticket.objects.get()
    assert ticket.status == Status.IN_PROGRESS  # answered, not yet waiting on the caller
    assert ticket.resolved_at is None
    assert not TimelineEntry.objects.filter(ticket=ticket, created_at__gt=now).exists()
    assert not Satisfaction.objects.filter(ticket=ticket).exists()


def test_a_life_that_is_not_one_is_refused_before_anything_is_written(desk):
    import pytest

    with pytest.raises(ValueError, match="Unknown operation sweep_until"):
        services.import_history(desk.org, [(_unsaved(desk), [
            (MONDAY, "create", {"actor": desk.agent, "status": Status.NEW}),
            (MONDAY + timedelta(hours=1), "sweep_until", {})])], now=MONDAY + timedelta(days=1))
    with pytest.raises(ValueError, match="starts with its ticket's create"):
        services.import_history(desk.org, [(_unsaved(desk), _steps(desk)[1:])],
                                now=MONDAY + timedelta(days=1))
    assert not Ticket.objects.exists()
