"""A ticket's lifecycle, declared once (core.lifecycle): its statuses, the moves between
them, who may make each, the conditions and what each move does besides.

Every move runs the SLA clock (`run_the_clock`: breaches recorded first, paused while the
ticket waits for someone or is done, resumed otherwise) and leaves a status entry on the
ticket's timeline. The record actions that make these moves are in services.py; the
diagram is generated from this declaration (docs/servicedesk-lifecycle.svg,
`borough lifecycles`).
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from borough.core import notifications
from borough.core.lifecycle import Lifecycle, Move, Transition, Who, permission
from borough.servicedesk import elapsed, queries, sla
from borough.servicedesk.models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    PAUSED_STATUSES,
    Channel,
    EntryKind,
    Status,
    Ticket,
    TimelineEntry,
)

STAFF = permission("servicedesk.work_tickets", "service desk staff",
                   refusal="Only service desk staff can do that.")
REQUESTER = Who("the person who raised it",
                lambda actor, ticket: ticket.requester.user_id == actor.pk,
                refusal="You can only do that on your own tickets.")
STAFF_OR_REQUESTER = STAFF | REQUESTER

WORKING = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER,
           Status.AWAITING_THIRD_PARTY)


def ticket_url(ticket: Ticket) -> str:
    return reverse("servicedesk:ticket_detail", args=[ticket.pk])


def entry(ticket: Ticket, kind: str, actor, body: str = "", /, *, sender=None,
          **data) -> TimelineEntry:
    """A timeline entry by `actor` (or `sender`, the person an email came from, when no
    signed-in user wrote it). Positional-only, so `data` may carry a key named "kind"."""
    user = actor if getattr(actor, "pk", None) else None
    if user is not None:
        name = user.get_full_name() or user.username
    else:
        name = sender.full_name if sender is not None else "Borough"
    return TimelineEntry.objects.create(
        organisation_id=ticket.organisation_id, ticket=ticket, kind=kind, body=body,
        author=user, author_name=name, data=data, created_by=user)


def run_the_clock(move: Move) -> None:
    """Every move: breaches recorded before the clock stops, the clock paused or resumed
    for the new status, and the move on the timeline."""
    ticket = move.record
    clock = queries.clock_for(ticket, ticket.sla_policy)
    sla.record_breaches(ticket, move.now)
    if move.new in PAUSED_STATUSES or move.new in DONE_STATUSES:
        sla.pause(ticket, clock, move.now)
    else:
        sla.resume(ticket, clock, move.now)
    entry(ticket, EntryKind.STATUS, move.actor, move.note, old=move.old, new=move.new)


# --- what particular moves do ---------------------------------------------------------------

def respond_now(move: Move) -> None:
    """Resolving is a response, if there was none yet."""
    elapsed.record_response(move.record, move.now)


def stamp_resolution(move: Move) -> None:
    ticket = move.record
    elapsed.record_resolution(ticket, move.now)
    ticket.resolution_note = move.note
    ticket.resolution_code = move.fields.get("code") or ""
    ticket.first_contact_resolution = (
        ticket.reopen_count == 0 and ticket.channel in (Channel.PHONE, Channel.WALK_IN)
        and (move.now - ticket.created_at) <= timedelta(minutes=30))


def tell_requester_resolved(move: Move) -> None:
    ticket = move.record
    notifications.notify(
        [ticket.requester.user], organisation_id=ticket.organisation_id,
        event="ticket-resolved", subject=f"[{ticket.reference}] Resolved: {ticket.title}",
        body=move.note + "\n\nIf this is not fixed, reopen the ticket. Tell us how we did.",
        url=ticket_url(ticket), people=[ticket.requester], thread=ticket)


def resolve_children(move: Move) -> None:
    """A major incident resolved resolves the incidents linked to it."""
    from borough.servicedesk import services

    ticket = move.record
    for child in ticket.children.exclude(status__in=DONE_STATUSES):
        services.resolve(child, actor=move.actor,
                         note=f"Resolved with major incident {ticket.reference}: {move.note}",
                         code=ticket.resolution_code, code_required=False)


def stamp_closed(move: Move) -> None:
    move.record.closed_at = move.now


def count_reopening(move: Move) -> None:
    ticket = move.record
    ticket.reopen_count += 1
    elapsed.clear_resolution(ticket)
    ticket.resolution_code = ""  # the next resolution says how, again
    ticket.first_contact_resolution = False


def tell_workers_reopened(move: Move) -> None:
    ticket = move.record
    notifications.notify(
        [ticket.assignee] if ticket.assignee_id else queries.team_users(ticket.team),
        organisation_id=ticket.organisation_id, event="ticket-reopened",
        subject=f"[{ticket.reference}] Reopened: {ticket.title}", body=move.note,
        url=ticket_url(ticket), thread=ticket)


def within_reopen_window(ticket: Ticket, now=None) -> bool:
    window = queries.reopen_days(ticket.organisation_id)
    now = now or timezone.now()
    return not ticket.resolved_at or now - ticket.resolved_at <= timedelta(days=window)


def reopen_window_open(ticket: Ticket, actor) -> str | None:
    if within_reopen_window(ticket):
        return None
    window = queries.reopen_days(ticket.organisation_id)
    return (f"Tickets can be reopened for {window} days after they are resolved. "
            "Raise a new one instead.")


TICKET = Lifecycle(Ticket, "status", on_move=run_the_clock, transitions=[
    Transition("mark-assigned", "Mark as assigned",
               (Status.NEW, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER,
                Status.AWAITING_THIRD_PARTY), Status.ASSIGNED, who=STAFF),
    Transition("start", "Start work",
               (Status.NEW, Status.ASSIGNED, Status.AWAITING_CUSTOMER,
                Status.AWAITING_THIRD_PARTY), Status.IN_PROGRESS, who=STAFF),
    Transition("await-customer", "Wait for the requester",
               (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_THIRD_PARTY),
               Status.AWAITING_CUSTOMER, who=STAFF,
               conditions="the SLA clock pauses while waiting"),
    Transition("await-third-party", "Wait for a supplier",
               (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER),
               Status.AWAITING_THIRD_PARTY, who=STAFF,
               conditions="the SLA clock pauses while waiting"),
    Transition("requester-replied", "The requester replies", (Status.AWAITING_CUSTOMER,),
               Status.IN_PROGRESS, who=REQUESTER,
               conditions="made by the requester's reply, on the page or by email"),
    Transition("resolve", "Resolve", WORKING, Status.RESOLVED, who=STAFF,
               before=(respond_now,),
               after=(stamp_resolution, tell_requester_resolved, resolve_children),
               refusal="{reference} is already {state}.",
               conditions="with a note of how it was resolved; a major incident resolves "
                          "its linked incidents"),
    Transition("close", "Close", (Status.RESOLVED,), Status.CLOSED, who=STAFF_OR_REQUESTER,
               after=(stamp_closed,),
               refusal="Only a resolved ticket can be closed; {reference} is {state}.",
               conditions="the requester confirms the fix, staff close it, or it closes "
                          "itself after the desk's auto-close days"),
    Transition("reopen", "Reopen", (Status.RESOLVED,), Status.IN_PROGRESS,
               who=STAFF_OR_REQUESTER, guards=(reopen_window_open,),
               after=(count_reopening, tell_workers_reopened),
               refusal="Only a resolved ticket can be reopened; {reference} is {state}.",
               conditions="within the desk's reopen days of the resolution"),
    Transition("cancel", "Cancel", WORKING, Status.CANCELLED, who=STAFF_OR_REQUESTER,
               refusal="{reference} is {state} and cannot be cancelled.",
               conditions="with the reason"),
])

assert {*WORKING} == set(OPEN_STATUSES)  # the open statuses are the ones work happens in
