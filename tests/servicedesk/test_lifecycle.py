"""The status lifecycle through the services: what is allowed, what is refused and why,
reopening, replies, resolution, major incidents, bulk actions, resubmission and races."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from borough.accounts.models import User
from borough.core.models import AuditEvent, Notification
from borough.servicedesk import services
from borough.servicedesk.models import (
    DeskSettings,
    EntryKind,
    LinkKind,
    Status,
    Ticket,
    TicketLink,
    TicketType,
    TimelineEntry,
)
from tests.factories import PersonFactory
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db

# A Tuesday morning in June: no bank holiday, no DST change, inside working hours.
TUESDAY = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)


def raise_incident(desk, *, actor=None, requester=None, **extra) -> Ticket:
    fields = {"title": "Printer jammed", "description": "The Finance printer jams on every page."}
    fields.update(extra)
    return services.raise_ticket(
        desk.org.pk, actor=actor or desk.agent, ticket_type=fields.pop("ticket_type", TicketType.INCIDENT),
        requester=requester if requester is not None else desk.requester_person, **fields)


def statuses(ticket) -> list[tuple[str | None, str]]:
    return [(e.data.get("old"), e.data["new"])
            for e in TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.STATUS)]


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return " ".join(caught.value.messages)


# --- allowed and refused transitions -------------------------------------------------


def test_an_agent_takes_a_ticket_through_every_working_status(desk):
    ticket = raise_incident(desk)
    assert ticket.status == Status.NEW and ticket.reference == "INC-000001"
    ticket = services.assign(ticket, actor=desk.agent, team=desk.team, assignee=desk.agent)
    assert ticket.status == Status.ASSIGNED
    for status in (Status.IN_PROGRESS, Status.AWAITING_THIRD_PARTY, Status.IN_PROGRESS,
                   Status.AWAITING_CUSTOMER, Status.IN_PROGRESS):
        ticket = services.change_status(ticket, status=status, actor=desk.agent)
        assert ticket.status == status
    ticket = services.resolve(ticket, actor=desk.agent, note="Replaced the fuser.")
    ticket = services.close(ticket, actor=desk.agent)
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    assert statuses(ticket) == [
        (None, "new"), ("new", "assigned"), ("assigned", "in-progress"),
        ("in-progress", "awaiting-third-party"),
        ("awaiting-third-party", "in-progress"), ("in-progress", "awaiting-customer"),
        ("awaiting-customer", "in-progress"), ("in-progress", "resolved"),
        ("resolved", "closed"),
    ]


@pytest.mark.parametrize(("setup", "target", "message"), [
    ([], Status.CLOSED, "Only a resolved ticket can be closed; INC-000001 is new."),
    (["resolve", "close"], Status.IN_PROGRESS,
     "A ticket that is closed cannot become in progress."),
    (["resolve", "close"], Status.AWAITING_CUSTOMER,
     "A ticket that is closed cannot become awaiting customer."),
    (["cancel"], Status.IN_PROGRESS, "A ticket that is cancelled cannot become in progress."),
    (["cancel"], Status.RESOLVED, "INC-000001 is already cancelled."),
    (["cancel"], Status.CLOSED, "Only a resolved ticket can be closed; INC-000001 is cancelled."),
    (["resolve", "close"], Status.CANCELLED, "INC-000001 is closed and cannot be cancelled."),
    (["resolve"], Status.AWAITING_CUSTOMER,
     "A ticket that is resolved cannot become awaiting customer."),
    (["resolve"], Status.RESOLVED, "INC-000001 is already resolved."),
    ([], "on-fire", "Choose a status from the list."),
])
def test_refused_transitions_say_why_and_change_nothing(desk, setup, target, message):
    ticket = raise_incident(desk)
    for step in setup:
        if step == "resolve":
            ticket = services.resolve(ticket, actor=desk.agent, note="Fixed.")
        elif step == "close":
            ticket = services.close(ticket, actor=desk.agent)
        elif step == "cancel":
            ticket = services.cancel(ticket, actor=desk.agent, reason="Raised twice.")
    before = (ticket.status, ticket.version, TimelineEntry.objects.count())
    assert refused(services.change_status, ticket, status=target, actor=desk.agent,
                   note="A note") == message
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, TimelineEntry.objects.count()) == before


def test_cancelling_needs_a_reason(desk):
    ticket = raise_incident(desk)
    assert refused(services.cancel, ticket, actor=desk.agent, reason=" ") == "Enter why it is cancelled."
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_closed_and_cancelled_tickets_are_final(desk):
    closed = raise_incident(desk)
    services.resolve(closed, actor=desk.agent, note="Fixed.")
    services.close(closed, actor=desk.agent)
    cancelled = raise_incident(desk, title="Duplicate")
    services.cancel(cancelled, actor=desk.agent, reason="Raised twice.")

    assert refused(services.reply, closed, body="Still broken", actor=desk.requester) == (
        "This ticket is closed. Raise a new one, quoting INC-000001.")
    assert refused(services.reply, cancelled, body="Hello?", actor=desk.agent) == (
        "This ticket is closed. Raise a new one, quoting INC-000002.")
    assert refused(services.reopen, closed, actor=desk.requester, reason="Broken again") == (
        "Only a resolved ticket can be reopened; INC-000001 is closed.")
    assert refused(services.assign, cancelled, actor=desk.agent, assignee=desk.agent) == (
        "Reopen the ticket before assigning it.")
    for ticket, status in ((closed, Status.CLOSED), (cancelled, Status.CANCELLED)):
        ticket.refresh_from_db()
        assert ticket.status == status


# --- reopening ------------------------------------------------------------------------


def test_the_requester_reopens_within_the_window_and_not_after(desk):
    DeskSettings.objects.create(organisation=desk.org, reopen_days=3)
    with time_machine.travel(TUESDAY, tick=False):
        early = raise_incident(desk)
        late = raise_incident(desk, title="Monitor flickers")
        for ticket in (early, late):
            services.resolve(ticket, actor=desk.agent, note="Reseated the cable.")

    with time_machine.travel(TUESDAY + timedelta(days=2, hours=23), tick=False):
        reopened = services.reopen(early, actor=desk.requester, reason="It flickers again.")
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.reopen_count == 1 and reopened.resolved_at is None
    assert reopened.clock_paused_at is None  # the SLA clock runs again

    with time_machine.travel(TUESDAY + timedelta(days=3, minutes=1), tick=False):
        message = refused(services.reopen, late, actor=desk.requester, reason="Again.")
        assert message == ("Tickets can be reopened for 3 days after they are resolved. "
                           "Raise a new one instead.")
        # Staff reopening through the status change meets the same window.
        assert refused(services.change_status, late, status=Status.IN_PROGRESS,
                       actor=desk.agent) == message
    late.refresh_from_db()
    assert late.status == Status.RESOLVED and late.reopen_count == 0


def test_working_minutes_to_respond_and_resolve_are_stamped_as_they_happen(desk):
    """Office hours 08:30 to 17:00 UK time, Monday to Friday; TUESDAY is 10:00 BST."""
    with time_machine.travel(TUESDAY, tick=False):
        ticket = raise_incident(desk)
    assert (ticket.minutes_to_respond, ticket.minutes_to_resolve) == (None, None)
    with time_machine.travel(TUESDAY + timedelta(minutes=20), tick=False):
        services.reply(ticket, body="Looking now.", actor=desk.agent)
    with time_machine.travel(TUESDAY + timedelta(hours=4), tick=False):
        services.resolve(ticket, actor=desk.agent, note="Reseated the cable.")
    ticket.refresh_from_db()
    assert (ticket.minutes_to_respond, ticket.minutes_to_resolve) == (20.0, 240.0)

    with time_machine.travel(TUESDAY + timedelta(days=1), tick=False):
        services.reopen(ticket, actor=desk.requester, reason="It flickers again.")
    ticket.refresh_from_db()
    assert (ticket.minutes_to_respond, ticket.minutes_to_resolve) == (20.0, None)
    # Resolved again on Monday at 09:30 BST: Tuesday 420 + 3 x 510 + Monday 60.
    with time_machine.travel(datetime(2026, 6, 8, 8, 30, tzinfo=UTC), tick=False):
        services.resolve(ticket, actor=desk.agent, note="Replaced the monitor.")
    ticket.refresh_from_db()
    assert (ticket.minutes_to_respond, ticket.minutes_to_resolve) == (20.0, 2010.0)


def test_the_database_refuses_a_resolution_without_its_working_minutes(desk):
    ticket = raise_incident(desk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(resolved_at=TUESDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(minutes_to_respond=5.0)


def test_staff_reopen_a_resolved_ticket_by_moving_it_back_in_progress(desk):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    ticket = services.change_status(ticket, status=Status.IN_PROGRESS, actor=desk.agent)
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1
    assert statuses(ticket)[-1] == ("resolved", "in-progress")


def test_a_reopen_needs_a_reason(desk):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    assert refused(services.reopen, ticket, actor=desk.requester, reason="") == (
        "Enter why it is not fixed.")


# --- replies ---------------------------------------------------------------------------


def test_a_requester_reply_while_awaiting_them_puts_it_back_in_progress(desk):
    ticket = raise_incident(desk)
    services.change_status(ticket, status=Status.AWAITING_CUSTOMER, actor=desk.agent,
                           note="Which floor are you on?")
    ticket.refresh_from_db()
    assert ticket.clock_paused_at is not None
    services.reply(ticket, body="Second floor, by the lifts.", actor=desk.requester)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.clock_paused_at is None
    assert ticket.responded_at is None  # the requester's words are not our response
    assert statuses(ticket)[-1] == ("awaiting-customer", "in-progress")


def test_a_requester_reply_otherwise_leaves_the_status_alone(desk):
    ticket = raise_incident(desk)
    services.change_status(ticket, status=Status.AWAITING_THIRD_PARTY, actor=desk.agent)
    services.reply(ticket, body="Any news?", actor=desk.requester)
    ticket.refresh_from_db()
    assert ticket.status == Status.AWAITING_THIRD_PARTY


def test_the_first_public_staff_reply_is_the_response(desk):
    with time_machine.travel(TUESDAY, tick=False):
        ticket = raise_incident(desk)
    with time_machine.travel(TUESDAY + timedelta(minutes=5), tick=False):
        services.add_note(ticket, body="Probably the fuser.", actor=desk.agent)
    ticket.refresh_from_db()
    assert ticket.responded_at is None  # an internal note is not a response
    with time_machine.travel(TUESDAY + timedelta(minutes=20), tick=False):
        services.reply(ticket, body="On my way.", actor=desk.agent)
    with time_machine.travel(TUESDAY + timedelta(minutes=40), tick=False):
        services.reply(ticket, body="Fixed the tray.", actor=desk.lead)
    ticket.refresh_from_db()
    assert ticket.responded_at == TUESDAY + timedelta(minutes=20)
    assert ticket.response_breached_at is None


def test_empty_and_oversized_replies_are_refused(desk):
    ticket = raise_incident(desk)
    assert refused(services.reply, ticket, body="   ", actor=desk.agent) == "Enter a reply."
    assert refused(services.reply, ticket, body="x" * 50_001, actor=desk.agent) == (
        "A reply must be 50,000 characters or fewer.")
    assert not TimelineEntry.objects.filter(kind=EntryKind.REPLY).exists()


# --- resolving -------------------------------------------------------------------------


def test_resolving_needs_a_note(desk):
    ticket = raise_incident(desk)
    with pytest.raises(ValidationError) as caught:
        services.resolve(ticket, actor=desk.agent, note="  ")
    assert caught.value.message_dict == {"note": ["Enter how it was resolved."]}
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.resolved_at is None


def test_resolving_records_when_and_how_and_tells_the_requester(
    desk, django_capture_on_commit_callbacks
):
    with time_machine.travel(TUESDAY, tick=False):
        ticket = raise_incident(desk)
    with (time_machine.travel(TUESDAY + timedelta(hours=2), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        services.resolve(ticket, actor=desk.agent, note="Cleared the paper path.")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert ticket.resolved_at == TUESDAY + timedelta(hours=2)
    assert ticket.resolution_note == "Cleared the paper path."
    assert ticket.responded_at == ticket.resolved_at  # resolving is a response too
    assert ticket.clock_paused_at is not None  # the clock stops
    told = Notification.objects.get(event="ticket-resolved")
    assert told.recipient == desk.requester and "INC-000001" in told.subject


def test_a_requester_cannot_resolve_assign_or_note(desk):
    ticket = raise_incident(desk, actor=desk.requester, requester=None)
    for call, kwargs in ((services.resolve, {"note": "Fixed it myself"}),
                         (services.assign, {"assignee": desk.agent}),
                         (services.change_status, {"status": Status.IN_PROGRESS})):
        with pytest.raises(PermissionDenied, match="Only service desk staff can do that."):
            call(ticket, actor=desk.requester, **kwargs)
    with pytest.raises(PermissionDenied):
        services.add_note(ticket, body="psst", actor=desk.requester)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.version == 1


# --- major incidents -------------------------------------------------------------------


def test_resolving_a_major_incident_resolves_its_open_children(desk):
    parent = raise_incident(desk, title="Email is down for everyone")
    parent = services.set_major_incident(parent, actor=desk.agent)
    other = PersonFactory(organisation=desk.org, full_name="Omar Other")
    children = [raise_incident(desk, title=f"No email {n}", requester=other) for n in range(2)]
    cancelled = raise_incident(desk, title="No email either")
    for child in (*children, cancelled):
        services.link(child, other=parent, kind=LinkKind.CHILD_OF, actor=desk.agent)
    services.cancel(cancelled, actor=desk.agent, reason="Same person raised it twice.")
    unrelated = raise_incident(desk, title="Mouse broken")

    parent.refresh_from_db()
    assert {c.pk for c in parent.children.all()} == {c.pk for c in (*children, cancelled)}
    services.resolve(parent, actor=desk.agent, note="Mail server restarted.")

    for child in children:
        child.refresh_from_db()
        assert child.status == Status.RESOLVED and child.resolved_at is not None
        assert child.resolution_note == (
            f"Resolved with major incident {parent.reference}: Mail server restarted.")
    cancelled.refresh_from_db()
    unrelated.refresh_from_db()
    assert cancelled.status == Status.CANCELLED
    assert unrelated.status == Status.NEW


def test_only_a_major_incident_can_be_a_parent(desk):
    parent = raise_incident(desk, title="Just one printer")
    child = raise_incident(desk, title="Me too")
    message = refused(services.link, child, other=parent, kind=LinkKind.CHILD_OF, actor=desk.agent)
    assert message == f"{parent.reference} is not a major incident."
    child.refresh_from_db()
    assert child.parent_id is None and not TicketLink.objects.exists()
    # Other kinds of link need no major incident.
    services.link(child, other=parent, kind=LinkKind.RELATED_TO, actor=desk.agent)
    assert TicketLink.objects.get().kind == LinkKind.RELATED_TO


# --- bulk actions ----------------------------------------------------------------------


def test_bulk_assign_assigns_every_selected_ticket(desk):
    tickets = [raise_incident(desk, title=f"Ticket {n}") for n in range(3)]
    done, refused = services.assign.many(tickets[:2], actor=desk.agent, team=desk.team)
    assert (len(done), refused) == (2, [])
    assert [t.team_id for t in Ticket.objects.order_by("pk")] == [desk.team.pk, desk.team.pk, None]
    assert TimelineEntry.objects.filter(kind=EntryKind.ASSIGNMENT).count() == 2


def test_bulk_close_closes_resolved_tickets_and_says_which_it_refused(desk):
    resolved = [raise_incident(desk, title=f"Ticket {n}") for n in range(2)]
    still_open = raise_incident(desk, title="Still open")
    for ticket in resolved:
        services.resolve(ticket, actor=desk.agent, note="Fixed.")
    closed, refusals = services.close.many([*resolved, still_open], actor=desk.agent)
    assert len(closed) == 2
    assert refusals == [(still_open, "Only a resolved ticket can be closed; INC-000003 is new.")]
    assert sorted(Ticket.objects.values_list("status", flat=True)) == [
        Status.CLOSED, Status.CLOSED, Status.NEW]


def test_bulk_actions_from_the_queue_page(desk, client):
    tickets = [raise_incident(desk, title=f"Ticket {n}") for n in range(2)]
    services.resolve(tickets[1], actor=desk.agent, note="Fixed.")
    client.force_login(desk.agent)
    response = client.post("/service-desk/tickets/bulk/", {
        "ticket": [t.pk for t in tickets], "action": "assign", "team": desk.team.pk,
        "queue": "unassigned"})
    assert response.status_code == 302
    assert response["Location"] == "/service-desk/tickets/?queue=unassigned"
    # The resolved one cannot be assigned: the page says why, and nothing was half-done.
    page = client.get(response["Location"]).content.decode()
    assert "Reopen the ticket before assigning it." in page
    response = client.post("/service-desk/tickets/bulk/", {
        "ticket": [t.pk for t in tickets], "action": "close", "queue": "all"}, follow=True)
    page = response.content.decode()
    assert "1 ticket closed." in page
    assert "1 not closed: Only a resolved ticket can be closed; INC-000001" in page


# --- resubmission ----------------------------------------------------------------------


def test_the_same_idempotency_key_raises_one_ticket(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = raise_incident(desk, actor=desk.requester, requester=None,
                               idempotency_key="form-7f3a")
        again = raise_incident(desk, actor=desk.requester, requester=None,
                               idempotency_key="form-7f3a")
        other = raise_incident(desk, actor=desk.requester, requester=None,
                               idempotency_key="form-8b21")
    assert again.pk == first.pk != other.pk
    assert Ticket.objects.count() == 2
    assert TimelineEntry.objects.filter(ticket=first).count() == 1
    assert Notification.objects.filter(event="ticket-created").count() == 2


# --- races (SECURITY.md rule 25) ------------------------------------------------------




@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_resolves_make_one_transition(desk):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("in-memory SQLite is one connection; concurrency runs on a file or PostgreSQL")
    ticket = raise_incident(desk)
    audit_before = AuditEvent.objects.filter(object_id=ticket.pk, action="update").count()

    def resolve(index):
        agent = User.objects.get(pk=desk.agent.pk)
        agent.active_organisation_id = desk.org.pk
        return services.resolve(Ticket.objects.get(pk=ticket.pk), actor=agent,
                                note=f"Fixed by attempt {index}.")

    results, errors = run_in_threads(resolve, 20)
    assert len(results) == 1, errors
    assert len(errors) == 19
    assert all(isinstance(e, ValidationError) and e.messages == ["INC-000001 is already resolved."]
               for e in errors), errors
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.version == 2
    assert [s for s in statuses(ticket) if s[1] == "resolved"] == [("new", "resolved")]
    assert Notification.objects.filter(event="ticket-resolved").count() == 1
    assert AuditEvent.objects.filter(object_id=ticket.pk, action="update").count() == (
        audit_before + 1)
