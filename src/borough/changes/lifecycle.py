"""A change's lifecycle (docs/changes.md, docs/lifecycles/changes-change.md):

    draft → assessment → authorisation → scheduled → implementing → review → closed

A standard change goes from draft straight to scheduled (its template was approved
once). A normal change is authorised by the change advisory board, an emergency one by
the emergency board: the seats vote (services.vote), and once enough have voted (the
board's quorum) the chair decides. It may be rejected there, sent back for more
assessment, or cancelled before it starts."""

from __future__ import annotations

from django.urls import reverse

from borough.accounts import queries as accounts
from borough.accounts.models import Membership
from borough.changes import queries, signals
from borough.changes.models import (
    MANAGE,
    Board,
    BoardKind,
    BoardMember,
    CabVote,
    Change,
    ChangeType,
    Outcome,
    Status,
)
from borough.core import notifications, roles
from borough.core.lifecycle import Lifecycle, Move, Transition, Who, model_permission, permission

# --- who ---------------------------------------------------------------------------------

RAISERS = model_permission("change", "those who raise changes",
                           refusal="Your role does not allow you to change changes.")
MANAGERS = permission(MANAGE, "change management",
                      refusal="Only change management (the change manager, the ICT "
                              "manager) can do that.")


def _is(person_field: str):
    def test(actor, change: Change) -> bool:
        person = getattr(change, person_field) if getattr(change, f"{person_field}_id") else None
        return person is not None and person.user_id == actor.pk
    return test


OWNER = Who("its owner", _is("owner"))


def seat_of(actor, change: Change) -> BoardMember | None:
    """The active seat on the change's board that `actor` sits in, as member or deputy
    (a member's own seat first)."""
    if actor is None or not change.board_id:
        return None
    seats = list(BoardMember.objects.filter(board_id=change.board_id, is_active=True).filter(
        member__user=actor).select_related("member"))
    seats = seats or list(BoardMember.objects.filter(
        board_id=change.board_id, is_active=True, deputy__user=actor).select_related(
        "member", "deputy"))
    return seats[0] if seats else None


def _not_auditor(actor, organisation_id: int) -> bool:
    # The auditor changes nothing, seated or not (SECURITY.md rule 6).
    return not Membership.objects.filter(user=actor, organisation_id=organisation_id,
                                         is_active=True, role__name=roles.AUDITOR).exists()


SEAT = Who("a member of its board, or a member's deputy",
           lambda actor, change: change.status != Status.AUTHORISATION or (
               seat_of(actor, change) is not None
               and _not_auditor(actor, change.organisation_id)),
           refusal="Only the members of the board deciding this change, or their deputies, "
                   "can vote on it.")


def is_chair(actor, board: Board | None) -> bool:
    if actor is None or board is None:
        return False
    people = [p for p in (board.chair, board.chair_deputy) if p is not None]
    return any(p.user_id == actor.pk for p in people)


CHAIR = Who("the chair of its board (or the chair's deputy)",
            lambda actor, change: change.status != Status.AUTHORISATION or (
                is_chair(actor, change.board)
                and _not_auditor(actor, change.organisation_id)),
            refusal="Only the chair of the board deciding this change, or the chair's "
                    "deputy, can decide it.")
NOBODY = Who("Borough", lambda actor, change: False)


# --- guards ------------------------------------------------------------------------------

def _needs(change: Change, *what: str) -> str | None:
    missing = [w for w in what if w]
    if not missing:
        return None
    return f"{change.reference} cannot move on yet: " + " ".join(missing)


def ready_to_submit(change: Change, actor) -> str | None:
    return _needs(
        change,
        "" if change.change_type != ChangeType.STANDARD else
        "A standard change is scheduled from its template, not assessed.",
        "" if (change.configuration_items.exists() or change.services.exists()) else
        "Name the configuration items or services it changes.",
        "" if change.description.strip() else "Say what will be done.")


def ready_for_board(change: Change, actor) -> str | None:
    return _needs(
        change,
        "" if change.risk_level else "Assess its risk (answer the risk questions).",
        "" if change.impact_level else "Give its impact.",
        "" if change.implementation_plan.strip() else "Write the implementation plan.",
        "" if change.test_plan.strip() else "Write the test plan.",
        "" if change.backout_plan.strip() else "Write the back-out plan.",
        "" if change.planned_start and change.planned_end else "Give its window.",
        "" if board_for(change) is not None else
        f"The council has no {'emergency ' if change.is_emergency else ''}change advisory "
        "board with members yet: set one up (Changes, Boards).")


def ready_as_standard(change: Change, actor) -> str | None:
    template = change.template if change.template_id else None
    return _needs(
        change,
        "" if change.change_type == ChangeType.STANDARD else
        "Only a standard change is scheduled without the board.",
        "" if template is not None and template.is_active else
        "Its template is no longer in use: raise it as a normal change.",
        "" if change.planned_start and change.planned_end else "Give its window.",
        queries.window_refusal(change) or "")


def quorum_reached(change: Change, actor) -> str | None:
    board = change.board
    voted = CabVote.objects.filter(change=change, round=change.round).count()
    if board is None or voted >= board.quorum:
        return None
    return (f"{change.reference} has {voted} vote{'' if voted == 1 else 's'} of the "
            f"{board.quorum} the board's quorum needs before its chair can decide.")


def outside_freeze(change: Change, actor) -> str | None:
    return queries.window_refusal(change)


def authorised(change: Change, actor) -> str | None:
    if change.authorised_at is None:
        return (f"{change.reference} has not been authorised: a change is made only after "
                "its board (or, for a standard change, its template) authorises it.")
    return None


# --- effects -----------------------------------------------------------------------------

def board_for(change: Change) -> Board | None:
    kind = BoardKind.EMERGENCY if change.is_emergency else BoardKind.CAB
    # The first of that kind with a member sitting (a council normally has one of each).
    return (Board.objects.filter(organisation_id=change.organisation_id, kind=kind,
                                 members__is_active=True)
            .select_related("chair", "chair_deputy").order_by("pk").first())


def url_of(change: Change) -> str:
    return reverse("changes:change_detail", args=[change.pk])


def _users(people) -> list:
    return [p.user for p in people if p is not None and p.user_id and p.user.is_active]


def tell(change: Change, users, actor, *, event: str, subject: str, body: str,
         context: dict | None = None) -> None:
    users = [u for u in users if u.pk != getattr(actor, "pk", None)]
    notifications.notify(users, organisation_id=change.organisation_id, event=event,
                         subject=f"{change.reference} {subject}", body=body,
                         url=url_of(change), thread=change, context=context)


def _its_people(change: Change) -> list:
    return _users([change.owner if change.owner_id else None,
                   change.requester if change.requester_id else None])


def submitted(move: Move) -> None:
    change = move.record
    change.submitted_at = move.now
    managers = accounts.members_in_role(change.organisation_id, roles.CHANGE_MANAGER)
    tell(change, managers, move.actor, event="change-submitted",
         subject=f"needs assessment: {change.title}",
         body=f"{change.get_change_type_display()} change {change.reference} was submitted "
              "for assessment: its risk, impact and plans, then the board.",
         context={"change_type": change.get_change_type_display()})


def to_the_board(move: Move) -> None:
    """To its board: a new round of votes, the impact analysis kept as it stands, and
    each seat (member and deputy) told, with a code to answer by email."""
    from borough.changes import approval_mail

    change = move.record
    change.board = board_for(change)
    change.round += 1
    change.impact_snapshot = queries.impact_snapshot(change)
    for seat in change.board.members.filter(is_active=True).select_related("member__user",
                                                                          "deputy__user"):
        for person in (seat.member, seat.deputy):
            if person is not None and person.user_id and person.user.is_active:
                approval_mail.ask(change, person.user, seat, actor=move.actor)


def decided(move: Move) -> None:
    change = move.record
    change.decision_note = move.note
    change.conflicts_at_decision = queries.conflicts_of(change)
    if move.new == Status.SCHEDULED:
        change.authorised_at = move.now
        change.authorised_by = move.actor if getattr(move.actor, "pk", None) else None
    _record_on_agenda(change, move)
    if move.new == Status.SCHEDULED:
        signals.change_scheduled.send(Change, change=change, now=move.now, actor=move.actor)
    words = {Status.SCHEDULED: "is authorised", Status.REJECTED: "is rejected",
             Status.ASSESSMENT: "is sent back for more assessment"}[move.new]
    reason = f" The chair's note: {move.note}" if move.note else ""
    tell(change, _its_people(change), move.actor, event="change-decided",
         subject=f"{words}: {change.title}",
         body=f"The {change.board} decided on {change.reference}: it {words}.{reason}",
         context={"board": change.board, "decision": words, "note": move.note})


def _record_on_agenda(change: Change, move: Move) -> None:
    item = change.agenda_items.filter(meeting__status="planned").order_by(
        "-meeting__starts_at").first() or change.agenda_items.order_by(
        "-meeting__starts_at").first()
    if item is not None:
        item.decision = f"{move.transition.label}{': ' + move.note if move.note else ''}"[:200]
        item.save(update_fields=["decision", "updated_at"])


def scheduled_standard(move: Move) -> None:
    change = move.record
    template = change.template
    change.authorised_at = move.now
    change.authorised_by = move.actor if getattr(move.actor, "pk", None) else None
    change.risk_level = change.risk_level or template.risk_level
    change.decision_note = f"Pre-approved as the standard change “{template.name}”."
    for name in ("implementation_plan", "test_plan", "backout_plan"):
        if not getattr(change, name).strip():
            setattr(change, name, getattr(template, name))
    signals.change_scheduled.send(Change, change=change, now=move.now, actor=move.actor)


def started(move: Move) -> None:
    move.record.actual_start = move.now
    signals.change_started.send(Change, change=move.record, now=move.now,
                               actor=move.actor)


def completed(move: Move) -> None:
    change = move.record
    change.actual_end = move.now
    change.outcome = move.fields.get("outcome") or ""
    change.outcome_note = move.note
    managers = accounts.members_in_role(change.organisation_id, roles.CHANGE_MANAGER)
    tell(change, [*managers, *_its_people(change)], move.actor, event="change-implemented",
         subject=f"was {Outcome(change.outcome).label.lower()}: {change.title}",
         body=f"{change.reference} was implemented: {Outcome(change.outcome).label.lower()}."
              f" {move.note}\n\nIts post-implementation review is next.",
         context={"outcome": Outcome(change.outcome).label.lower(), "note": move.note})
    signals.change_ended.send(Change, change=change, now=move.now, actor=move.actor)


def closed(move: Move) -> None:
    change = move.record
    change.review = move.fields.get("review") or change.review
    change.reviewed_at = move.now
    change.closed_at = move.now


def cancelled(move: Move) -> None:
    change = move.record
    if move.old == Status.SCHEDULED:
        signals.change_ended.send(Change, change=change, now=move.now, actor=move.actor)
    if move.old == Status.AUTHORISATION and change.board_id:
        seats = BoardMember.objects.filter(board_id=change.board_id, is_active=True
                                           ).select_related("member__user", "deputy__user")
        users = _users([p for s in seats for p in (s.member, s.deputy)])
        tell(change, users, move.actor, event="change-cancelled",
             subject=f"was cancelled and no longer waits for your vote: {change.title}",
             body=move.note or "It was cancelled before the board decided.",
             context={"note": move.note})


BEFORE_START = (Status.DRAFT, Status.ASSESSMENT, Status.AUTHORISATION, Status.SCHEDULED)

CHANGE = Lifecycle(Change, "status", transitions=[
    Transition("submit", "Submit for assessment", (Status.DRAFT,), Status.ASSESSMENT,
               who=RAISERS, guards=(ready_to_submit,), after=(submitted,),
               refusal="Only a draft can be submitted; {reference} is {state}.",
               conditions="a normal or emergency change, with what it changes and what "
                          "will be done"),
    Transition("schedule-standard", "Schedule (standard change)", (Status.DRAFT,),
               Status.SCHEDULED, who=RAISERS, guards=(ready_as_standard,),
               after=(scheduled_standard,),
               refusal="Only a draft standard change can be scheduled this way; "
                       "{reference} is {state}.",
               conditions="a standard change from a template in use, with a window outside "
                          "blackouts and freezes"),
    Transition("request-authorisation", "Send to the board", (Status.ASSESSMENT,),
               Status.AUTHORISATION, who=MANAGERS, guards=(ready_for_board,),
               after=(to_the_board,),
               refusal="Only a change in assessment can go to the board; {reference} is "
                       "{state}.",
               conditions="risk and impact assessed, the three plans written, a window, "
                          "and a board with members"),
    Transition("authorise", "Authorise", (Status.AUTHORISATION,), Status.SCHEDULED,
               who=CHAIR, guards=(quorum_reached, outside_freeze), after=(decided,),
               refusal="Only a change awaiting authorisation can be authorised; "
                       "{reference} is {state}.",
               conditions="the board's quorum has voted; not in a blackout or freeze unless "
                          "an emergency"),
    Transition("reject", "Reject", (Status.AUTHORISATION,), Status.REJECTED, who=CHAIR,
               guards=(quorum_reached,), after=(decided,),
               refusal="Only a change awaiting authorisation can be rejected; {reference} "
                       "is {state}.",
               conditions="the board's quorum has voted; with the reason"),
    Transition("send-back", "Send back for assessment", (Status.AUTHORISATION,),
               Status.ASSESSMENT, who=CHAIR, after=(decided,),
               refusal="Only a change awaiting authorisation can be sent back; {reference} "
                       "is {state}.",
               conditions="with what to assess again; a new round of votes follows"),
    Transition("start", "Start implementing", (Status.SCHEDULED,), Status.IMPLEMENTING,
               who=MANAGERS | OWNER, guards=(authorised,), after=(started,),
               refusal="Only a scheduled change can be started; {reference} is {state}.",
               conditions="authorised by its board or its template"),
    Transition("complete", "Record the outcome", (Status.IMPLEMENTING,), Status.REVIEW,
               who=MANAGERS | OWNER, after=(completed,),
               refusal="Only a change being implemented can be completed; {reference} is "
                       "{state}.",
               conditions="successful, failed or backed out, with what happened"),
    Transition("close", "Close after review", (Status.REVIEW,), Status.CLOSED, who=MANAGERS,
               after=(closed,),
               refusal="Only a change in review can be closed; {reference} is {state}.",
               conditions="with the post-implementation review (optional only for a "
                          "successful standard change)"),
    Transition("cancel", "Cancel", BEFORE_START, Status.CANCELLED, who=RAISERS,
               after=(cancelled,),
               refusal="{reference} is {state}: only a change not yet started can be "
                       "cancelled.",
               conditions="with the reason"),
])

