"""Writes for change management (docs/changes.md). A change's moves are record actions on
its lifecycle (`lifecycle.CHANGE`): submit, schedule a standard change, assess, send to
the board, vote, authorise, reject, send back, reschedule, start, record the outcome,
close with the review, cancel. A meeting's agenda is generated from the changes waiting
for its board (`generate_agenda`). Everything else is core.services' create, change and
delete.

For other apps: `change_scheduled`, `change_rescheduled`, `change_started` and
`change_ended` (Django signals, sent in the moving transaction) and
`queries.scheduled_changes_for` are how planned changes become service announcements."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from borough.changes import forms, queries
from borough.changes.lifecycle import (
    CHANGE,
    MANAGERS,
    OWNER,
    SEAT,
    is_chair,
    seat_of,
)
from borough.changes.models import (
    OPEN_FOR_EDIT,
    AgendaItem,
    CabVote,
    CausedIncident,
    Change,
    ChangeTemplate,
    ChangeType,
    Level,
    Meeting,
    MeetingStatus,
    Outcome,
    RiskQuestion,
    ScheduleFeed,
    Status,
    VoteChannel,
    VoteDecision,
    moment_errors,
)
from borough.changes.signals import (
    change_ended,  # noqa: F401 - for other apps (the service status pages)
    change_rescheduled,
    change_scheduled,  # noqa: F401
    change_started,  # noqa: F401
)
from borough.core import audit, feeds, services
from borough.core.actions import Actions
from borough.core.lifecycle import Who
from borough.core.models import AuditAction
from borough.servicedesk import services as desk
from borough.servicedesk.models import Channel, TicketType

__all__ = ["CHANGE_ACTIONS", "MEETING_ACTIONS", "change_ended", "change_rescheduled",
           "change_scheduled", "change_started", "create_feed", "feed_reader",
           "generate_agenda", "link_caused_incident", "raise_standard", "revoke_feed"]


def _lock(change: Change) -> Change:
    return (Change.objects.select_for_update(of=("self",))
            .select_related("board__chair", "board__chair_deputy", "template", "owner",
                            "requester")
            .get(pk=change.pk))


CHANGE_ACTIONS = Actions(Change, lifecycle=CHANGE, lock=_lock)

submit = CHANGE_ACTIONS.add(
    "submit", label="Submit for assessment", transition="submit",
    success=lambda c: f"{c.reference} is submitted for assessment.")

schedule_standard = CHANGE_ACTIONS.add(
    "schedule-standard", label="Schedule (standard change)", transition="schedule-standard",
    success=lambda c: f"{c.reference} is scheduled as a standard change.")


def risk_from(answers: dict[int, bool], questions: list[RiskQuestion]) -> tuple[str, list]:
    """The risk level the answers give (the highest a "yes" raises it to; low when none),
    and the answers as kept on the change, with each question's words."""
    order = list(Level.values)
    level = Level.LOW
    kept = []
    for question in questions:
        if question.pk not in answers:
            raise ValidationError({f"q{question.pk}": f"Answer “{question.question}”."})
        answer = bool(answers[question.pk])
        kept.append({"id": question.pk, "question": question.question, "answer": answer,
                     "raises_to": question.raises_to})
        if answer and order.index(question.raises_to) > order.index(level):
            level = question.raises_to
    return level, kept


@CHANGE_ACTIONS.action("assess", label="Assess risk and impact", form=forms.AssessForm,
                       who=MANAGERS, states=OPEN_FOR_EDIT,
                       success=lambda c: f"{c.reference} is assessed: "
                                         f"{c.get_risk_level_display().lower()} risk.")
def assess(change: Change, *, actor, impact_level: str, answers: dict | None = None,
           impact: str = "") -> None:
    """Answer the council's risk questions (the risk level follows from the answers),
    give the impact, and keep the CMDB's impact analysis as it stands."""
    if impact_level not in Level.values:
        raise ValidationError({"impact_level": "Choose the impact from the list."})
    questions = list(RiskQuestion.objects.filter(organisation_id=change.organisation_id,
                                                 is_active=True))
    change.risk_level, change.risk_answers = risk_from(
        {int(k): v for k, v in (answers or {}).items()}, questions)
    change.impact_level, change.impact = impact_level, (impact or "").strip()
    change.impact_snapshot = queries.impact_snapshot(change)


request_authorisation = CHANGE_ACTIONS.add(
    "request-authorisation", label="Send to the board", transition="request-authorisation",
    success=lambda c: f"{c.reference} is with the {c.board}.")


@CHANGE_ACTIONS.action("vote", label="Vote", form=forms.VoteForm, permission="view",
                       who=SEAT, states=(Status.AUTHORISATION,), returns=CabVote,
                       success="Your vote is recorded.")
def vote(change: Change, *, actor, decision: str, note: str = "",
         channel: str = VoteChannel.PAGE) -> CabVote:
    """A seat's vote in this round: by its member, or by the deputy when the member has
    not voted. One vote per seat; the chair decides once the quorum has voted."""
    if decision not in VoteDecision.values:
        raise ValidationError({"decision": "Choose approve, reject or abstain."})
    if actor is None:
        raise ValidationError("Only a person can vote.")
    seat = seat_of(actor, change)
    if seat is None:
        raise SEAT.refuse(change, "vote")
    already = CabVote.objects.filter(change=change, seat=seat, round=change.round).first()
    if already is not None:
        voter = seat.deputy if already.as_deputy and seat.deputy_id else seat.member
        who = "You have" if already.voter_id == actor.pk else f"{voter.full_name} has"
        raise ValidationError(f"{who} already voted for {seat.member.full_name}'s seat on "
                              f"{change.reference}: each seat votes once.")
    as_deputy = seat.member.user_id != actor.pk
    cast = CabVote.objects.create(
        organisation_id=change.organisation_id, change=change, seat=seat, round=change.round,
        voter=actor, as_deputy=as_deputy, decision=decision, note=(note or "").strip(),
        channel=channel, created_by=actor, updated_by=actor)
    counted = CabVote.objects.filter(change=change, round=change.round).count()
    audit.record(change, AuditAction.EVENT, actor=actor, changes={"vote": [
        None, f"{VoteDecision(decision).label} ({counted} of {change.board.quorum} for the "
              f"quorum)"]},
        note=f"Vote {VoteChannel(channel).label.lower()}"
             f"{' as deputy for ' + seat.member.full_name if as_deputy else ''}.")
    if counted == change.board.quorum:
        _tell_chair_quorum(change, actor)
    return cast


def _tell_chair_quorum(change: Change, actor) -> None:
    from borough.changes.lifecycle import tell

    board = change.board
    users = [p.user for p in (board.chair, board.chair_deputy)
             if p is not None and p.user_id and p.user.is_active]
    tell(change, users, actor, event="change-quorum-reached",
         subject=f"has its quorum of votes: {change.title}",
         body=f"{board.quorum} seats of the {board} have voted on {change.reference}. As "
              "chair, authorise it, reject it or send it back.",
         context={"board": board, "quorum": board.quorum})


authorise = CHANGE_ACTIONS.add(
    "authorise", label="Authorise", transition="authorise", form=forms.NoteForm,
    permission="view", success=lambda c: f"{c.reference} is authorised and scheduled.")


@CHANGE_ACTIONS.action("reject", label="Reject", transition="reject", form=forms.ReasonForm,
                       permission="view", danger=True,
                       success=lambda c: f"{c.reference} is rejected.")
def reject(change: Change, *, actor, note: str) -> None:
    """The chair rejects it, with the reason the change's owner reads."""
    _required(note, "note", "Give the reason: its owner reads it.")


@CHANGE_ACTIONS.action("send-back", label="Send back for assessment", transition="send-back",
                       form=forms.ReasonForm, permission="view",
                       success=lambda c: f"{c.reference} is sent back for assessment.")
def send_back(change: Change, *, actor, note: str) -> None:
    """Back to assessment with what to look at again; it returns to the board for a new
    round of votes."""
    _required(note, "note", "Say what to assess again.")


def _required(value: str, name: str, message: str) -> None:
    if not (value or "").strip():
        raise ValidationError({name: message})


BEFORE_START = (Status.DRAFT, Status.ASSESSMENT, Status.AUTHORISATION, Status.SCHEDULED)


@CHANGE_ACTIONS.action("reschedule", label="Reschedule", form=forms.RescheduleForm,
                       who=MANAGERS | OWNER, states=BEFORE_START,
                       success=lambda c: f"{c.reference} is rescheduled.")
def reschedule(change: Change, *, actor, planned_start, planned_end, note: str = "") -> None:
    """Move its window. A scheduled change stays authorised, but may not move into a
    blackout or freeze (unless an emergency); the schedule's conflicts are shown again."""
    if planned_start is None or planned_end is None or planned_end <= planned_start:
        raise ValidationError({"planned_end": "The window must end after it starts."})
    change.planned_start, change.planned_end = planned_start, planned_end
    if (problems := moment_errors(change, "planned_start", "planned_end")):
        raise ValidationError(problems)
    if planned_end - planned_start > timedelta(days=31):
        raise ValidationError({"planned_end": "A change's window is at most 31 days: split "
                                              "a longer piece of work into changes."})
    change.planned_start, change.planned_end = planned_start, planned_end
    if change.status == Status.SCHEDULED:
        refusal = queries.window_refusal(change)
        if refusal:
            raise ValidationError(refusal)
        change_rescheduled.send(Change, change=change, now=timezone.now(), actor=actor)


start = CHANGE_ACTIONS.add("start", label="Start implementing", transition="start",
                           permission="view",
                           success=lambda c: f"{c.reference} is being implemented.")


@CHANGE_ACTIONS.action("complete", label="Record the outcome", transition="complete",
                       form=forms.OutcomeForm, permission="view",
                       success=lambda c: f"{c.reference}: outcome recorded. Its review is next.")
def complete(change: Change, *, actor, outcome: str, note: str) -> None:
    """Implemented: successful, failed or backed out, with what happened."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose successful, failed or backed out."})
    _required(note, "note", "Say what happened.")


@CHANGE_ACTIONS.action("close", label="Close after review", transition="close",
                       form=forms.ReviewForm, permission="view",
                       success=lambda c: f"{c.reference} is closed.")
def close(change: Change, *, actor, review: str = "") -> None:
    """The post-implementation review, then closed. Every normal and emergency change has
    one, and so does a standard change that did not succeed."""
    if not (review or "").strip() and not (
            change.change_type == ChangeType.STANDARD and change.outcome == Outcome.SUCCESSFUL):
        raise ValidationError({"review": "Write the post-implementation review: did it meet "
                                         "its objectives, what went well or badly, what "
                                         "to do differently."})


@CHANGE_ACTIONS.action("cancel", label="Cancel", transition="cancel", form=forms.ReasonForm,
                       danger=True, success=lambda c: f"{c.reference} is cancelled.")
def cancel(change: Change, *, actor, note: str) -> None:
    """Cancelled before it started, with the reason."""
    _required(note, "note", "Give the reason.")


# --- standard changes --------------------------------------------------------------------

def raise_standard(template: ChangeTemplate, *, actor, title: str = "", planned_start=None,
                   planned_end=None, items=(), services_=(), owner=None, requester=None,
                   idempotency_key: str | None = None) -> Change:
    """A draft standard change from a template: its plans and risk copied, its window
    the template's usual length when no end is given."""
    if not template.is_active:
        raise ValidationError({"template": f"“{template.name}” is no longer in use."})
    if planned_start is not None and planned_end is None:
        planned_end = planned_start + timedelta(minutes=template.usual_minutes)
    change = Change(organisation_id=template.organisation_id, title=title or template.name,
                    change_type=ChangeType.STANDARD, template=template,
                    description=template.description or template.name,
                    implementation_plan=template.implementation_plan,
                    test_plan=template.test_plan, backout_plan=template.backout_plan,
                    impact_level=Level.LOW, planned_start=planned_start,
                    planned_end=planned_end, owner=owner, requester=requester)
    return services.create_record(
        change, actor=actor, idempotency_key=idempotency_key,
        many_to_many={"configuration_items": list(items), "services": list(services_)},
        note=f"From the standard change template “{template.name}”.")


# --- changes Borough proposes ----------------------------------------------------------------

def propose_change(change: Change, *, actor, items=(), services_=(), note: str = "",
                   idempotency_key: str | None = None) -> Change:
    """Save a new change (unsaved `change`, its origin set by the caller) as a draft: a
    proposal a person then completes and submits. For changes Borough raises itself (a
    capacity forecast's), with the items and services it concerns."""
    change.status = Status.DRAFT
    return services.create_record(
        change, actor=actor, idempotency_key=idempotency_key, note=note,
        many_to_many={"configuration_items": list(items), "services": list(services_)})


# --- incidents a change caused -------------------------------------------------------------

def link_caused_incident(change: Change, *, actor, ticket=None, title: str = "",
                         description: str = "", note: str = "",
                         idempotency_key: str | None = None) -> CausedIncident:
    """Link an incident the change caused: `ticket` (an incident), or a new one raised
    now by `actor` (`title`, `description`) on the change's first business service, in
    the same transaction as the link."""
    with transaction.atomic():
        if ticket is None:
            first = change.services.order_by("pk").first()
            ticket = desk.raise_ticket(
                change.organisation_id, actor=actor, ticket_type=TicketType.INCIDENT,
                title=title, description=description, channel=Channel.PHONE, service=first,
                notify_requester=False,
                idempotency_key=f"{idempotency_key}:ticket" if idempotency_key else None)
            note = note or f"Raised from {change.reference}."
        return services.create_record(
            CausedIncident(organisation_id=change.organisation_id, change=change,
                           ticket=ticket, note=(note or "").strip()[:300]),
            actor=actor, idempotency_key=idempotency_key)


# --- meetings ----------------------------------------------------------------------------

def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update(of=("self",)).select_related("board").get(
        pk=meeting.pk)


MEETING_ACTIONS = Actions(Meeting, lock=_lock_meeting)
MANAGES_MEETINGS = MANAGERS | Who("its chair", lambda actor, meeting: is_chair(
    actor, meeting.board))


@MEETING_ACTIONS.action("generate-agenda", label="Generate the agenda", who=MANAGES_MEETINGS,
                        permission="view",
                        success="The agenda lists the changes awaiting the board.")
def generate_agenda(meeting: Meeting, *, actor) -> None:
    """Add to the agenda, in the order of their windows, every change of the meeting's
    board awaiting authorisation that is not on it yet."""
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(f"The meeting is {meeting.get_status_display().lower()}: only "
                              "a planned meeting's agenda is generated.")
    waiting = Change.objects.filter(organisation_id=meeting.organisation_id,
                                    board=meeting.board, status=Status.AUTHORISATION
                                    ).exclude(agenda_items__meeting=meeting).order_by(
        "planned_start", "pk")
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0)
    added = []
    with transaction.atomic():
        for change in waiting:
            position += 1
            added.append(AgendaItem.objects.create(
                organisation_id=meeting.organisation_id, meeting=meeting, change=change,
                position=position, created_by=_user(actor), updated_by=_user(actor)))
    if added:
        audit.record(meeting, AuditAction.EVENT, actor=actor,
                     changes={"agenda": [None, ", ".join(i.change.reference for i in added)]},
                     note="Agenda generated.")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None



# --- the schedule's calendar addresses ------------------------------------------------------

def create_feed(user, organisation_id: int, *, actor, service=None,
                idempotency_key: str | None = None) -> tuple[ScheduleFeed | None, str | None]:
    """A new secret address of the schedule as iCalendar for `user` (every change they
    may read, or one service's) and its secret: core.feeds.create."""
    if service is not None and service.organisation_id != organisation_id:
        raise ValidationError({"service": "Choose one of this council's services."})
    return feeds.create(ScheduleFeed, user, organisation_id, actor=actor, reads=Change,
                        idempotency_key=idempotency_key,
                        service=service)


def revoke_feed(feed: ScheduleFeed, *, actor) -> ScheduleFeed:
    return feeds.revoke(feed, actor=actor)


def feed_reader(raw: str):
    """(the user a calendar address reads as, its feed), or None (core.feeds.reader)."""
    feed = feeds.reader(ScheduleFeed, raw, reads=Change, related=("service",))
    return None if feed is None else (feed.user, feed)
