"""Every change to a ticket goes through here: raising one, editing its description, and
its record actions (core.actions) — assign, reply, note, status, priority, resolve,
close, reopen, cancel, rate, link, major incident. Each runs in one transaction on the
locked row, moves the ticket through its declared lifecycle (servicedesk.lifecycle: the
SLA clock and the status timeline ride on every move), writes the audit event, and keeps
the daily totals behind the statistics (servicedesk.daily) in step as it saves.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core import attachments, audit, notifications, services
from borough.core.actions import Actions
from borough.core.lifecycle import Who
from borough.servicedesk import daily, elapsed, forms, history, queries, sla
from borough.servicedesk.lifecycle import (
    REQUESTER,
    STAFF,
    STAFF_OR_REQUESTER,
    TICKET,
    WORKING,
    entry,
    ticket_url,
    within_reopen_window,
)
from borough.servicedesk.models import (
    DONE_STATUSES,
    MAX_LOGGED_MINUTES,
    Channel,
    DeskSettings,
    EntryKind,
    LinkKind,
    ResolutionCode,
    Satisfaction,
    Status,
    Ticket,
    TicketLink,
    TimelineEntry,
    WorkLog,
)

MAX_TEXT = 50_000

__all__ = ["ticket_url", "within_reopen_window"]


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Enter {label}."})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: f"{label.capitalize()} must be {MAX_TEXT:,} characters or fewer."})
    return value


def _lock(ticket: Ticket) -> Ticket:
    # Lock the ticket row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to sla_policy, and the requester's row needs no lock. The organisation's
    # row comes with it: its config stamp keys the calendar and the desk's configuration,
    # which the clock and the stamps read (one query, not one each).
    return Ticket.objects.select_for_update(of=("self",)).select_related(
        "requester", "sla_policy", "organisation").get(pk=ticket.pk)


def save_ticket(ticket: Ticket) -> None:
    """Save a ticket and move the daily totals with it, in the caller's transaction: what
    the stored row counted comes out, what the ticket counts now goes in."""
    before = daily.stored(ticket.pk)
    ticket.save()
    daily.move(before, daily.of_ticket(ticket))


TICKET_ACTIONS = Actions(Ticket, lifecycle=TICKET, lock=_lock, save=save_ticket)
RATER = Who(REQUESTER.text, REQUESTER.test, "Only the person who raised the ticket can rate it.")


def desk_settings(organisation_id: int) -> DeskSettings:
    found = DeskSettings.objects.filter(organisation_id=organisation_id).first()
    if found is None:
        found, _ = DeskSettings.objects.get_or_create(organisation_id=organisation_id)
    return found


def _apply_policy(ticket: Ticket, now, *, restart: bool, config=None) -> None:
    config = config or queries.desk_config(ticket.organisation_id)
    policy = queries.policy_for(ticket, config)
    clock = queries.clock_for(ticket, policy, config)
    if restart or ticket.clock_started_at is None:
        sla.start(ticket, policy, clock, now)
    else:
        ticket.sla_policy = policy
        if ticket.clock_paused_at is None:
            # Re-base the running stretch so banked minutes stay exact under the new targets.
            sla.pause(ticket, clock, now)
            sla.resume(ticket, clock, now)


# --- creating and editing ---------------------------------------------------------------

def raise_ticket(
    organisation_id: int, *, actor, ticket_type: str, title: str, description: str,
    requester=None, channel: str = Channel.PORTAL, service_unit=None, site=None, category=None,
    impact: int = 3, urgency: int = 3, team=None, assignee=None, idempotency_key: str | None = None,
    desk=None, notify_requester: bool = True, files=(), then=None, ci=None, service=None,
    configuration_item: str = "", business_service: str = "",
) -> Ticket:
    """Open an incident or request. A requester raises for themself; staff for anyone.
    `desk`: (organisation, DeskConfig) as queries.organisation_and_config gave them earlier
    in the same request (the staff form checks its choices against them), to save reading
    them again. `notify_requester` False: no acknowledgement by email (mail that a machine
    sent). `files`: uploads attached in the same transaction, so a refused one (errors
    under "attachments") leaves no ticket. `then(ticket)` runs in that transaction too,
    once the ticket is saved. `ci`, `service`: the configuration item and business
    service it concerns (the staff form's and the API's choice among what the actor can
    see; the portal's among the requester's unit's systems); `configuration_item`,
    `business_service`: what the requester called them, kept as text."""
    if requester is None:
        requester = queries.person_for(actor, organisation_id)
        if requester is None:
            raise ValidationError({"requester": "Choose who the ticket is for."})
    is_worker = actor is None or actor.has_perm("servicedesk.work_tickets")
    if not is_worker and requester.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("You can only raise tickets for yourself.")
    now = timezone.now()
    # The organisation object, not only its id, comes with the desk's configuration in
    # one query: validation and the audit event's text then need no query of their own.
    organisation, config = (desk if desk is not None and desk[0] is not None
                            and desk[0].pk == organisation_id
                            else queries.organisation_and_config(organisation_id))
    if organisation is None:
        raise ValidationError("Choose an organisation.")
    ticket = Ticket(
        organisation=organisation, ticket_type=ticket_type,
        title=_text(title, "title", "a short summary"),
        description=_text(description, "description", "a description"),
        requester=requester, channel=channel, service_unit=service_unit or requester.service_unit,
        site=site or requester.site, category=category, impact=impact, urgency=urgency,
        priority=queries.priority_for(organisation_id, impact, urgency, config),
        team=team if is_worker else None, assignee=assignee if is_worker else None,
        status=Status.ASSIGNED if (is_worker and assignee) else Status.NEW,
        ci=ci, service=service, configuration_item=(configuration_item or "").strip()[:200],
        business_service=(business_service or "").strip()[:200],
    )
    for name in ("requester", "service_unit", "site", "category", "team", *Ticket.CONCERNS):
        related = getattr(ticket, name)
        if related is not None and related.organisation_id != organisation_id:
            raise ValidationError({name: "Choose one from this organisation."})
    _apply_policy(ticket, now, restart=True, config=config)

    def opened(saved: Ticket) -> None:  # in create_record's transaction
        daily.move(None, daily.of_ticket(saved))
        entry(saved, EntryKind.STATUS, actor, "", new=saved.status)
        for upload in files:
            try:
                stored.append(attachments.add_attachment(saved, upload, actor=actor).stored_name)
            except ValidationError as exc:
                raise ValidationError({"attachments": exc.messages}) from None
        if then is not None:
            then(saved)  # before the acknowledgement, which may thread on what it records
        with notifications.batch():
            notifications.notify(
                [requester.user], organisation_id=organisation_id, event="ticket-created",
                subject=f"[{saved.reference}] We have received: {saved.title}",
                body="We have logged your request and will be in touch.",
                url=ticket_url(saved), people=[requester] if notify_requester else [],
                thread=saved,
            )
            if saved.assignee_id:
                _notify_assignment(saved)

    # Keys are looked up by user and key only: scope them to tickets, so a key first
    # used for another model can never return that model's id as a ticket. A repeated
    # key returns the first ticket, which `opened` already followed up.
    key = f"servicedesk.ticket:{idempotency_key}" if idempotency_key else None
    stored: list[str] = []
    try:
        return services.create_record(ticket, actor=actor, idempotency_key=key, then=opened)
    except BaseException:
        attachments.discard(stored)  # their rows were rolled back with the ticket
        raise


def update_ticket(ticket: Ticket, *, actor, expected_version: int | None = None, **fields
                  ) -> Ticket:
    """Correct a ticket's description fields (title, description, unit, site, category…);
    status, assignment and priority have their own actions."""
    with transaction.atomic():
        before = daily.stored(ticket.pk)
        updated = services.update_record(ticket, actor=actor, data=fields,
                                         expected_version=expected_version)
        daily.move(before, daily.of_ticket(updated))
    return updated


# --- the record actions --------------------------------------------------------------------

@TICKET_ACTIONS.action("assign", label="Save assignment", form=forms.AssignForm, who=STAFF,
                       states=WORKING, success="Assignment saved.")
def assign(ticket: Ticket, *, actor, team=None, assignee=None) -> None:
    """Give the ticket to a team and/or a person; a new ticket given to someone is
    assigned."""
    if team is not None and team.organisation_id != ticket.organisation_id:
        raise ValidationError({"team": "Choose a team from this organisation."})
    if assignee is not None and ticket.organisation_id not in assignee.organisation_permissions():
        raise ValidationError({"assignee": "Choose someone who works in this organisation."})
    if ticket.status in DONE_STATUSES:
        raise ValidationError("Reopen the ticket before assigning it.")
    if (ticket.team_id, ticket.assignee_id) == (getattr(team, "pk", None),
                                               getattr(assignee, "pk", None)):
        return
    ticket.team, ticket.assignee = team, assignee
    if assignee is not None and ticket.status == Status.NEW:
        TICKET.apply(ticket, "mark-assigned", actor=actor)
    entry(ticket, EntryKind.ASSIGNMENT, actor, "",
          team=str(team) if team else None, assignee=str(assignee) if assignee else None)
    _notify_assignment(ticket)


def _notify_assignment(ticket: Ticket) -> None:
    recipients = [ticket.assignee] if ticket.assignee_id else queries.team_users(ticket.team)
    notifications.notify(
        recipients, organisation_id=ticket.organisation_id, event="ticket-assigned",
        subject=f"[{ticket.reference}] Assigned to you: {ticket.title}", url=ticket_url(ticket),
        thread=ticket,
    )


@TICKET_ACTIONS.action("reply", label="Send reply", form=forms.ReplyForm, permission="add",
                       who=STAFF_OR_REQUESTER, states=(*WORKING, Status.RESOLVED),
                       returns=TimelineEntry, success="Reply sent.")
def reply(ticket: Ticket, *, actor, body: str, sender=None, by_email: bool = False,
          files=()) -> TimelineEntry:
    """A public reply. Staff replies count as the response; a requester's reply to a
    ticket awaiting them puts it back in progress. `sender`: the requester's person
    record, for a reply that came by email from someone without a login. `files`:
    uploads attached to the ticket in the same transaction (as raise_ticket does), so a
    refused one (errors under "attachments") leaves no reply and no file."""
    body = _text(body, "body", "a reply")
    if ticket.status in (Status.CLOSED, Status.CANCELLED):
        raise ValidationError(f"This ticket is closed. Raise a new one, quoting "
                              f"{ticket.reference}.")
    now = timezone.now()
    is_worker = actor is not None and actor.has_perm("servicedesk.work_tickets", ticket)
    reply_entry = entry(ticket, EntryKind.REPLY, actor, body, sender=sender,
                        **({"channel": Channel.EMAIL} if by_email else {}))
    _attach_files(reply_entry, ticket, files, actor)
    if is_worker and ticket.responded_at is None:
        elapsed.record_response(ticket, now)
        sla.record_breaches(ticket, now)
    if not is_worker and ticket.status == Status.AWAITING_CUSTOMER:
        TICKET.apply(ticket, "requester-replied", actor=actor, checked=True, now=now)
    if is_worker:
        notifications.notify(
            [ticket.requester.user], organisation_id=ticket.organisation_id,
            event="ticket-reply", subject=f"[{ticket.reference}] Reply: {ticket.title}",
            body=body, url=ticket_url(ticket), people=[ticket.requester], thread=ticket)
    else:
        notifications.notify(
            [ticket.assignee] if ticket.assignee_id else queries.team_users(ticket.team),
            organisation_id=ticket.organisation_id, event="ticket-reply",
            subject=f"[{ticket.reference}] The requester replied", body=body,
            url=ticket_url(ticket), thread=ticket)
    return reply_entry


@TICKET_ACTIONS.action("note", label="Add note", form=forms.NoteForm, who=STAFF,
                       returns=TimelineEntry, success="Note added.")
def add_note(ticket: Ticket, *, actor, body: str, files=()) -> TimelineEntry:
    """An internal note: staff see it, the requester does not. Its `files` hang off the
    note itself, not the ticket, so they are as hidden from the requester as the note
    (the download checks the note's visibility); all or nothing, as for a reply."""
    note = entry(ticket, EntryKind.NOTE, actor, _text(body, "body", "a note"))
    _attach_files(note, note, files, actor)
    return note


def _attach_files(timeline_entry: TimelineEntry, target, files, actor) -> None:
    """Store `files` against `target` in the caller's transaction and name them on the
    timeline entry. A refused file raises (under "attachments") after deleting those
    already stored, whose rows the rollback takes with it."""
    if not files:
        return
    stored, named = [], []
    try:
        for upload in files:
            attachment = attachments.add_attachment(target, upload, actor=actor)
            stored.append(attachment.stored_name)
            named.append([attachment.pk, attachment.original_name])
    except ValidationError as exc:
        attachments.discard(stored)
        raise ValidationError({"attachments": exc.messages}) from None
    except BaseException:
        attachments.discard(stored)
        raise
    timeline_entry.data = {**timeline_entry.data, "files": named}
    timeline_entry.save(update_fields=["data"])


@TICKET_ACTIONS.action("status", label="Change status", form=forms.StatusForm, who=STAFF,
                       states=WORKING, success=lambda t: f"Status is now {t.get_status_display().lower()}.")
def change_status(ticket: Ticket, *, actor, status: str, note: str = "") -> Ticket:
    """Move the ticket to `status` by the lifecycle's transition that goes there (resolving
    needs a note; reopening keeps to the reopen window)."""
    if status == ticket.status and status in WORKING:
        return ticket
    transition = TICKET.to(ticket, status, actor)
    if transition.name == "resolve":
        note = _text(note, "note", "how it was resolved")
        if queries.requires_resolution_code(ticket.organisation_id):
            # The status list has no code to give: the Resolve action asks for it.
            raise ValidationError({"status": f"{CHOOSE_RESOLUTION}: use Resolve."})
    elif transition.name == "cancel":
        note = _text(note, "note", "why it is cancelled")
    elif transition.name == "reopen":
        note = note or "Reopened by the service desk."
    TICKET.apply(ticket, transition.name, actor=actor, note=note)
    return ticket


@TICKET_ACTIONS.action("priority", label="Change priority", form=forms.PriorityForm, who=STAFF,
                       states=WORKING, success=lambda t: f"Priority is now P{t.priority}.")
def change_priority(ticket: Ticket, *, actor, impact: int, urgency: int, reason: str = ""
                    ) -> Ticket:
    """New impact and urgency; a new priority re-targets the SLA clock."""
    if (ticket.impact, ticket.urgency) == (int(impact), int(urgency)):
        return ticket
    old = ticket.priority
    priority = queries.priority_for(ticket.organisation_id, impact, urgency)
    ticket.impact, ticket.urgency, ticket.priority = impact, urgency, priority
    if priority != old:
        sla.record_breaches(ticket, timezone.now())
        _apply_policy(ticket, timezone.now(), restart=False)
        entry(ticket, EntryKind.PRIORITY, actor, reason, old=old, new=priority)
    return ticket


KEEP = object()  # a link left as it is


@TICKET_ACTIONS.action("concerns", label="Set service and configuration item",
                       form=forms.ConcernsForm, who=STAFF,
                       success="Service and configuration item saved.")
def set_concerns(ticket: Ticket, *, actor, ci=KEEP, service=KEEP) -> Ticket:
    """What the ticket is about: its configuration item and business service (None
    clears one; one left out is kept). Another organisation's is refused; the choice is
    the caller's, among the records the actor can see (the forms and the API look them up
    with visible_to)."""
    if ci is not KEEP:
        ticket.ci = ci
    new_service = service is not KEEP and getattr(service, "pk", None) != ticket.service_id
    if service is not KEEP:
        ticket.service = service
    errors = {}
    for name in Ticket.CONCERNS:
        related = getattr(ticket, name) if getattr(ticket, f"{name}_id") else None
        if related is not None and related.organisation_id != ticket.organisation_id:
            errors[name] = "Choose one from this organisation."
    if errors:
        raise ValidationError(errors)
    if new_service and ticket.status not in DONE_STATUSES:
        # A service may have SLA targets of its own (SLAPolicy.business_service).
        _apply_policy(ticket, timezone.now(), restart=False)
    return ticket


def _updated(ticket: Ticket) -> str:
    changed = getattr(ticket, "updated", None)
    if not changed:
        return "Nothing to update: the ticket already reads like that."
    words = changed[0] if len(changed) == 1 else f"{', '.join(changed[:-1])} and {changed[-1]}"
    return f"Ticket updated: {words}."


@TICKET_ACTIONS.action("update", label="Update ticket", form=forms.UpdateForm, who=STAFF,
                       states=WORKING, api=False, success=_updated)
def update(ticket: Ticket, *, actor, status: str, impact: int, urgency: int, team=None,
           assignee=None, note: str = "", **concerns) -> Ticket | None:
    """The ticket page's one form for team, assignee, status and priority: only what
    differs from the ticket as read is applied, each through its own action (so each is
    its own audit event and timeline entry, with its own checks), all in this action's
    transaction after its one version check. A refusal undoes everything, and its message
    names what was refused. The note goes with the status change, else the priority's;
    on its own it is an internal note. (The API has the single actions instead.)"""
    steps = []
    if (ticket.team_id, ticket.assignee_id) != (getattr(team, "pk", None),
                                               getattr(assignee, "pk", None)):
        steps.append(("assignment", assign, {"team": team, "assignee": assignee}))
    changed = {name: record for name, record in concerns.items()
               if name in Ticket.CONCERNS
               and getattr(ticket, f"{name}_id") != getattr(record, "pk", None)}
    if changed:
        steps.append(("service and configuration item", set_concerns, changed))
    note = (note or "").strip()
    new_status = status != ticket.status
    new_priority = (ticket.impact, ticket.urgency) != (int(impact), int(urgency))
    if new_priority:
        steps.append(("priority", change_priority, {
            "impact": int(impact), "urgency": int(urgency),
            "reason": "" if new_status else note}))
    if new_status:
        steps.append(("status", change_status, {"status": status, "note": note}))
    elif note and not new_priority:
        steps.append(("note", add_note, {"body": note}))
    current, done = ticket, []
    for what, action, fields in steps:
        try:
            result = action(current, actor=actor, **fields)
        except ValidationError as exc:
            raise _refused(what, exc) from None
        except PermissionDenied as exc:
            raise ValidationError(f"Nothing was changed: the {what} was refused. {exc}") from None
        if isinstance(result, Ticket):  # a note returns its entry; the ticket is as it was
            current = result
        done.append(what)
    if not done:
        return None
    current.updated = done
    return current


def _refused(what: str, exc: ValidationError) -> ValidationError:
    """One step's refusal, saying which, for the whole form: its field messages stay
    beside their fields; the summary names the step."""
    messages = " ".join(exc.messages)
    summary = f"Nothing was changed: the {what} was refused. {messages}"
    if hasattr(exc, "error_dict"):
        fields = {("note" if name in ("reason", "body") else name): errors
                  for name, errors in exc.error_dict.items() if name != "__all__"}
        return ValidationError({"__all__": [summary], **fields})
    return ValidationError(summary)


@TICKET_ACTIONS.action("resolve", label="Resolve", form=forms.ResolveForm, transition="resolve",
                       success="Ticket resolved.")
def resolve(ticket: Ticket, *, actor, note: str, code: str = "",
            code_required: bool | None = None) -> None:
    """Resolved, with how (the note, and a resolution code, which the desk's settings may
    require): the requester is told, the response and resolution times are stamped, and a
    major incident's linked incidents are resolved with it. `code_required` False: for
    callers with no way to choose one (an agent's `#resolve` by email, a major incident's
    linked incidents, which take its code)."""
    _text(note, "note", "how it was resolved")
    _resolution_code(ticket, code, code_required)


CHOOSE_RESOLUTION = "Choose how the ticket was resolved"


def _resolution_code(ticket: Ticket, code: str, required: bool | None) -> str:
    if code and code not in ResolutionCode.values:
        raise ValidationError({"code": f"{CHOOSE_RESOLUTION} from the list."})
    if required is None:
        required = queries.requires_resolution_code(ticket.organisation_id)
    if not code and required:
        raise ValidationError({"code": f"{CHOOSE_RESOLUTION}."})
    return code


close = TICKET_ACTIONS.add("close", label="Close", transition="close", permission="add",
                           success="Ticket closed.")
confirm_resolution = TICKET_ACTIONS.add(
    "confirm", label="Yes, it is fixed", transition="close", permission="add", who=REQUESTER,
    success="Thank you for confirming. The ticket is closed.")


@TICKET_ACTIONS.action("reopen", label="Reopen", form=forms.ReopenForm, transition="reopen",
                       permission="add", success="We have reopened the ticket.")
def reopen(ticket: Ticket, *, actor, reason: str, sender=None, by_email: bool = False) -> None:
    """Not fixed after all (the requester, or staff): within the reopen window. The reason
    is also a reply on the ticket."""
    reason = _text(reason, "reason", "why it is not fixed")
    entry(ticket, EntryKind.REPLY, actor, reason, sender=sender,
          **({"channel": Channel.EMAIL} if by_email else {}))


@TICKET_ACTIONS.action("cancel", label="Cancel ticket", form=forms.CancelForm,
                       transition="cancel", permission="add", danger=True,
                       success="Ticket cancelled.")
def cancel(ticket: Ticket, *, actor, reason: str) -> None:
    """Not needed any more (raised twice, solved elsewhere), with the reason."""
    _text(reason, "reason", "why it is cancelled")


@TICKET_ACTIONS.action("rate", label="Send feedback", form=forms.RateForm, permission="add",
                       who=RATER, states=(Status.RESOLVED, Status.CLOSED),
                       success="Thank you for your feedback.")
def rate(ticket: Ticket, *, actor, score: int, comment: str = "", sender=None) -> Satisfaction:
    """The requester's satisfaction with a resolved ticket, 1 to 5. `sender`: the
    requester's person record, rating through the signed link of an email (no login)."""
    by_link = actor is None and sender is not None and sender.pk == ticket.requester_id
    if not by_link and (actor is None or ticket.requester.user_id != actor.pk):
        raise PermissionDenied("Only the person who raised the ticket can rate it.")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError("You can rate a ticket once it is resolved.")
    rating, _ = Satisfaction.objects.update_or_create(
        ticket=ticket, defaults={"organisation_id": ticket.organisation_id, "score": score,
                                 "comment": (comment or "")[:5000], "created_by": actor,
                                 "updated_by": actor})
    entry(ticket, EntryKind.SATISFACTION, actor, comment or "", sender=sender, score=score)
    return rating


@TICKET_ACTIONS.action("link", label="Link", form=forms.LinkForm, who=STAFF,
                       states=WORKING, returns=TicketLink,
                       success=lambda link: f"Linked to {link.to_ticket.reference}.")
def link(ticket: Ticket, *, actor, other: Ticket, kind: str) -> TicketLink:
    """Link to another ticket of the same council: a duplicate, related, or an incident of
    a major incident (which then resolves it)."""
    if other.organisation_id != ticket.organisation_id:
        raise ValidationError({"to_ticket": "Choose a ticket from this organisation."})
    if kind not in LinkKind.values:
        raise ValidationError({"kind": "Choose how the tickets are linked."})
    if kind == LinkKind.CHILD_OF and not other.is_major_incident:
        raise ValidationError({"to_ticket": f"{other.reference} is not a major incident."})
    created = services.create_record(
        TicketLink(organisation_id=ticket.organisation_id, from_ticket=ticket, to_ticket=other,
                   kind=kind), actor=actor)
    if kind == LinkKind.CHILD_OF:
        ticket.parent = other
    entry(ticket, EntryKind.LINK, actor, "", kind=kind, other=other.reference)
    return created


@TICKET_ACTIONS.action("major", label="Save major incident flag", form=forms.MajorForm, who=STAFF,
                       states=WORKING, success="Major incident flag saved.")
def set_major_incident(ticket: Ticket, *, actor, value: bool = True) -> None:
    """Flag (or unflag) a major incident, to which other incidents can be linked."""
    ticket.is_major_incident = value


@TICKET_ACTIONS.action("log-time", label="Log time", form=forms.LogTimeForm, who=STAFF,
                       returns=WorkLog,
                       success=lambda log: f"{log.minutes} minutes logged.")
def log_time(ticket: Ticket, *, actor, minutes: int, worked_on=None, note: str = "",
             worked_by=None) -> WorkLog:
    """Record time spent working the ticket (the work log): by `worked_by` (the actor by
    default), on `worked_on` (today by default; not to come, not before the ticket was
    raised). The ticket's team is kept with it: its staff cost rate prices the time
    (finance). Audited as the work log's creation; allowed in any status, since work
    after resolving is work too."""
    worked_on = worked_on or timezone.localdate()
    _check_time(ticket, minutes, worked_on)
    worker = worked_by or actor
    if worker is None:
        raise ValidationError({"worked_by": "Say who did the work."})
    return services.create_record(
        WorkLog(organisation_id=ticket.organisation_id, ticket=ticket, worked_by=worker,
                worked_on=worked_on, minutes=minutes, note=(note or "").strip()[:300],
                team_id=ticket.team_id), actor=actor)


@TICKET_ACTIONS.action("correct-time", label="Correct time logged",
                       form=forms.CorrectTimeForm, who=STAFF, returns=WorkLog,
                       on_record_page=False,
                       success=lambda log: f"Time corrected: {log.minutes} minutes.")
def correct_time(ticket: Ticket, *, actor, time_entry: WorkLog, reason: str, minutes: int,
                 worked_on=None, note: str | None = None) -> WorkLog:
    """Correct an entry of the ticket's work log (a typo in minutes would otherwise stay
    in what the system costs): its minutes, and its day and note unless left out. The
    same limits as logging. The reason goes on the ticket's timeline as an internal note
    and on the entry's audited change."""
    found = _time_to_change(ticket, time_entry, actor, reason)
    worked_on = worked_on or found.worked_on
    _check_time(ticket, minutes, worked_on)
    was = _time_label(found)
    data = {"minutes": minutes, "worked_on": worked_on}
    if note is not None:
        data["note"] = note.strip()[:300]
    corrected = services.update_record(found, actor=actor, data=data, expected_version=None,
                                       note=reason.strip())
    entry(ticket, EntryKind.NOTE, actor, f"Time logged by {found.worked_by} corrected from "
                                         f"{was} to {_time_label(corrected)}: {reason.strip()}")
    return corrected


@TICKET_ACTIONS.action("remove-time", label="Remove time logged", form=forms.TimeEntryForm,
                       who=STAFF, danger=True, on_record_page=False,
                       success="Time entry removed.")
def remove_time(ticket: Ticket, *, actor, time_entry: WorkLog, reason: str) -> None:
    """Remove an entry of the ticket's work log (time not spent on this ticket). The
    reason goes on the ticket's timeline and on the entry's audited deletion."""
    found = _time_to_change(ticket, time_entry, actor, reason)
    services.delete_record(found, actor=actor, expected_version=None, note=reason.strip())
    entry(ticket, EntryKind.NOTE, actor, f"Time logged by {found.worked_by} removed "
                                         f"({_time_label(found)}): {reason.strip()}")


def _time_to_change(ticket: Ticket, time_entry, actor, reason: str) -> WorkLog:
    """The entry, locked, once it is on this ticket, the actor may change it
    (queries.may_correct) and a reason is given."""
    found = WorkLog.objects.select_for_update().filter(
        pk=getattr(time_entry, "pk", None), ticket=ticket).select_related("worked_by").first()
    if found is None:
        raise ValidationError({"time_entry": "Choose a time entry of this ticket."})
    if not queries.may_correct(found, actor):
        raise PermissionDenied("You may change only the time you logged yourself.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the time logged is changed."})
    return found


def _time_label(log: WorkLog) -> str:
    return f"{log.minutes} min on {log.worked_on:%-d %b %Y}"


def _check_time(ticket: Ticket, minutes, worked_on) -> None:
    """The limits on a day's time logged on a ticket (logging and correcting)."""
    if worked_on > timezone.localdate():
        raise ValidationError({"worked_on": "The day worked cannot be in the future."})
    if ticket.created_at and worked_on < timezone.localdate(ticket.created_at):
        raise ValidationError({"worked_on": "The day worked cannot be before the ticket was "
                                            "raised."})
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not (
            1 <= minutes <= MAX_LOGGED_MINUTES):
        raise ValidationError({"minutes": "Enter the time spent as a whole number of minutes "
                                          "from 1 to 1,440."})


# --- periodic -----------------------------------------------------------------------------

def sweep_sla(now=None) -> dict[str, int]:
    """Record breaches and send warnings for running clocks; safe to run repeatedly."""
    now = now or timezone.now()
    counts = {"warnings": 0, "breaches": 0}
    for ticket_id in queries.tickets_needing_sla_check(now):
        with transaction.atomic():
            locked = _lock(Ticket(pk=ticket_id))
            if locked.status in DONE_STATUSES or locked.clock_paused_at is not None:
                continue
            before = audit.snapshot(locked)
            breaches = sla.record_breaches(locked, now)
            settings_ = desk_settings(locked.organisation_id)
            clock = queries.clock_for(locked, locked.sla_policy)
            share = sla.share_used(locked, clock, now)
            recipients = queries.escalation_users(locked)
            if breaches:
                counts["breaches"] += len(breaches)
                if "resolution" in breaches and locked.warning_sent_at is None:
                    # Past the warning too: a later sweep must not warn after the breach.
                    locked.warning_sent_at = now
                entry(locked, EntryKind.SLA, None, f"SLA {' and '.join(breaches)} target breached",
                      breaches=breaches)
                notifications.notify(
                    recipients, organisation_id=locked.organisation_id, event="sla-breach",
                    subject=f"[{locked.reference}] SLA breached: {locked.title}",
                    url=ticket_url(locked), thread=locked)
            elif locked.warning_sent_at is None and share * 100 >= settings_.warning_percent:
                locked.warning_sent_at = now
                counts["warnings"] += 1
                entry(locked, EntryKind.SLA, None,
                      f"{settings_.warning_percent}% of the resolution target used")
                notifications.notify(
                    recipients, organisation_id=locked.organisation_id, event="sla-warning",
                    subject=f"[{locked.reference}] SLA warning: {locked.title}",
                    url=ticket_url(locked), thread=locked)
            TICKET_ACTIONS.save_changes(locked, None, before)
    return counts


def auto_close_resolved(now=None) -> int:
    """Close tickets resolved longer ago than the organisation's auto-close days."""
    now = now or timezone.now()
    closed = 0
    for desk in DeskSettings.objects.all():
        cutoff = now - timedelta(days=desk.auto_close_days)
        for ticket in Ticket.objects.filter(organisation_id=desk.organisation_id,
                                            status=Status.RESOLVED, resolved_at__lt=cutoff):
            try:
                close(ticket, actor=None)
                closed += 1
            except ValidationError:
                continue  # reopened meanwhile
    return closed


# --- history ------------------------------------------------------------------------------

def import_history(organisation, lives, *, now=None, seed: str = "") -> int:
    """Tickets from before Borough (a former helpdesk's, or the demo's), written in bulk as
    they stood at `now`: each life is an unsaved ticket and its dated operations, played by
    the desk's own rules (servicedesk.history). `lives` may be a generator: each is played
    as it is drawn. Run inside one transaction; returns the number of tickets written."""
    now = now or timezone.now()
    rules = history.Rules(organisation)
    rng = random.Random(seed or f"history-{organisation.pk}")
    stories = [history.simulate(rules, ticket, events, rng, now) for ticket, events in lives]
    with transaction.atomic():
        return history.write(organisation, stories, now)
