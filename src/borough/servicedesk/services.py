"""Every change to a ticket goes through here: lifecycle rules, SLA clock, timeline,
audit and notifications, in one transaction on a locked row."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from borough.core import audit, notifications, services
from borough.core.models import AuditAction
from borough.servicedesk import elapsed, queries, sla
from borough.servicedesk.models import (
    DONE_STATUSES,
    PAUSED_STATUSES,
    Channel,
    DeskSettings,
    EntryKind,
    LinkKind,
    Satisfaction,
    Status,
    Ticket,
    TicketLink,
    TimelineEntry,
)

MAX_TEXT = 50_000

# Which statuses an agent may move a ticket to from each status.
TRANSITIONS = {
    Status.NEW: {Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER,
                 Status.AWAITING_THIRD_PARTY, Status.RESOLVED, Status.CANCELLED},
    Status.ASSIGNED: {Status.IN_PROGRESS, Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY,
                      Status.RESOLVED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.ASSIGNED, Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY,
                         Status.RESOLVED, Status.CANCELLED},
    Status.AWAITING_CUSTOMER: {Status.IN_PROGRESS, Status.ASSIGNED, Status.AWAITING_THIRD_PARTY,
                               Status.RESOLVED, Status.CANCELLED},
    Status.AWAITING_THIRD_PARTY: {Status.IN_PROGRESS, Status.ASSIGNED, Status.AWAITING_CUSTOMER,
                                  Status.RESOLVED, Status.CANCELLED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
}


def _require_worker(actor, ticket) -> None:
    if actor is not None and not actor.has_perm("servicedesk.work_tickets", ticket):
        raise PermissionDenied("Only service desk staff can do that.")


def _require_requester_or_worker(actor, ticket) -> None:
    if actor is None or actor.has_perm("servicedesk.work_tickets", ticket):
        return
    if ticket.requester.user_id != actor.pk:
        raise PermissionDenied("You can only do that on your own tickets.")


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Enter {label}."})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: f"{label.capitalize()} must be {MAX_TEXT:,} characters or fewer."})
    return value


def _lock(ticket: Ticket, expected_version: int | None = None) -> Ticket:
    # Lock the ticket row only: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join to sla_policy, and the requester's row needs no lock.
    locked = Ticket.objects.select_for_update(of=("self",)).select_related(
        "requester", "sla_policy").get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise services.StaleVersionError(
            locked, expected_version, services.changes_since(locked, expected_version)
        )
    return locked


def _entry(ticket: Ticket, kind: str, actor, body: str = "", /, *, sender=None,
           **data) -> TimelineEntry:
    # Positional-only, so `data` may carry a key named "kind" (a link's kind). `sender`:
    # the person an email came from, when no signed-in user wrote it.
    user = actor if getattr(actor, "pk", None) else None
    if user is not None:
        name = user.get_full_name() or user.username
    else:
        name = sender.full_name if sender is not None else "Borough"
    return TimelineEntry.objects.create(
        organisation_id=ticket.organisation_id, ticket=ticket, kind=kind, body=body,
        author=user, author_name=name, data=data, created_by=user,
    )


def _save(ticket: Ticket, actor, before: dict, note: str = "") -> Ticket:
    changes = audit.diff(before, audit.snapshot(ticket))
    if changes:
        ticket.version += 1
        ticket.updated_by = actor if getattr(actor, "pk", None) else None
        ticket.save()
        audit.record(ticket, AuditAction.UPDATE, actor=actor, changes=changes, note=note)
    return ticket


def ticket_url(ticket: Ticket) -> str:
    return reverse("servicedesk:ticket_detail", args=[ticket.pk])


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


# --- creating -------------------------------------------------------------------

def raise_ticket(
    organisation_id: int, *, actor, ticket_type: str, title: str, description: str,
    requester=None, channel: str = Channel.PORTAL, service_unit=None, site=None, category=None,
    impact: int = 3, urgency: int = 3, team=None, assignee=None, idempotency_key: str | None = None,
    desk=None, notify_requester: bool = True, then=None,
) -> Ticket:
    """Open an incident or request. A requester raises for themself; staff for anyone.
    `desk`: (organisation, DeskConfig) as queries.organisation_and_config gave them earlier
    in the same request (the staff form checks its choices against them), to save reading
    them again. `notify_requester` False: no acknowledgement by email (mail that a machine
    sent). `then(ticket)` runs in the same transaction once the ticket is saved."""
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
    )
    for name in ("requester", "service_unit", "site", "category", "team"):
        related = getattr(ticket, name)
        if related is not None and related.organisation_id != organisation_id:
            raise ValidationError({name: "Choose one from this organisation."})
    _apply_policy(ticket, now, restart=True, config=config)

    def opened(saved: Ticket) -> None:  # in create_record's transaction
        _entry(saved, EntryKind.STATUS, actor, "", new=saved.status)
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
    return services.create_record(ticket, actor=actor, idempotency_key=key, then=opened)


# --- working on a ticket ----------------------------------------------------------

def assign(ticket: Ticket, *, actor, team=None, assignee=None,
           expected_version: int | None = None) -> Ticket:
    _require_worker(actor, ticket)
    if team is not None and team.organisation_id != ticket.organisation_id:
        raise ValidationError({"team": "Choose a team from this organisation."})
    if assignee is not None and ticket.organisation_id not in assignee.organisation_permissions():
        raise ValidationError({"assignee": "Choose someone who works in this organisation."})
    with transaction.atomic():
        locked = _lock(ticket, expected_version)
        if locked.status in DONE_STATUSES:
            raise ValidationError("Reopen the ticket before assigning it.")
        before = audit.snapshot(locked)
        if (locked.team_id, locked.assignee_id) == (getattr(team, "pk", None),
                                                   getattr(assignee, "pk", None)):
            return locked
        locked.team, locked.assignee = team, assignee
        if assignee is not None and locked.status == Status.NEW:
            locked.status = Status.ASSIGNED
        _entry(locked, EntryKind.ASSIGNMENT, actor, "",
               team=str(team) if team else None, assignee=str(assignee) if assignee else None)
        _save(locked, actor, before)
        _notify_assignment(locked)
    return locked


def _notify_assignment(ticket: Ticket) -> None:
    recipients = [ticket.assignee] if ticket.assignee_id else queries.team_users(ticket.team)
    notifications.notify(
        recipients, organisation_id=ticket.organisation_id, event="ticket-assigned",
        subject=f"[{ticket.reference}] Assigned to you: {ticket.title}", url=ticket_url(ticket),
        thread=ticket,
    )


def reply(ticket: Ticket, *, actor, body: str, sender=None, by_email: bool = False
          ) -> TimelineEntry:
    """A public reply. Staff replies count as the response; a requester's reply to a
    ticket awaiting them puts it back in progress. `sender`: the requester's person
    record, for a reply that came by email from someone without a login."""
    _require_requester_or_worker(actor, ticket)
    body = _text(body, "body", "a reply")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.status in (Status.CLOSED, Status.CANCELLED):
            raise ValidationError("This ticket is closed. Raise a new one, quoting "
                                  f"{locked.reference}.")
        before = audit.snapshot(locked)
        is_worker = actor is not None and actor.has_perm("servicedesk.work_tickets", locked)
        entry = _entry(locked, EntryKind.REPLY, actor, body, sender=sender,
                       **({"channel": Channel.EMAIL} if by_email else {}))
        if is_worker and locked.responded_at is None:
            elapsed.record_response(locked, now)
            sla.record_breaches(locked, now)
        if not is_worker and locked.status == Status.AWAITING_CUSTOMER:
            _move(locked, Status.IN_PROGRESS, actor, now)
        _save(locked, actor, before)
        if is_worker:
            notifications.notify(
                [locked.requester.user], organisation_id=locked.organisation_id,
                event="ticket-reply", subject=f"[{locked.reference}] Reply: {locked.title}",
                body=body, url=ticket_url(locked), people=[locked.requester], thread=locked,
            )
        else:
            notifications.notify(
                [locked.assignee] if locked.assignee_id else queries.team_users(locked.team),
                organisation_id=locked.organisation_id, event="ticket-reply",
                subject=f"[{locked.reference}] The requester replied", body=body,
                url=ticket_url(locked), thread=locked,
            )
    return entry


def add_note(ticket: Ticket, *, actor, body: str) -> TimelineEntry:
    _require_worker(actor, ticket)
    body = _text(body, "body", "a note")
    with transaction.atomic():
        locked = _lock(ticket)
        return _entry(locked, EntryKind.NOTE, actor, body)


def _move(ticket: Ticket, status: str, actor, now, note: str = "") -> None:
    """Change status and run the SLA clock to match (no checks: callers check)."""
    old = ticket.status
    clock = queries.clock_for(ticket, ticket.sla_policy)
    sla.record_breaches(ticket, now)
    if status in PAUSED_STATUSES or status in DONE_STATUSES:
        sla.pause(ticket, clock, now)
    else:
        sla.resume(ticket, clock, now)
    ticket.status = status
    _entry(ticket, EntryKind.STATUS, actor, note, old=old, new=status)


def change_status(ticket: Ticket, *, actor, expected_version: int | None = None, status: str,
                  note: str = "") -> Ticket:
    if status == Status.RESOLVED:
        return resolve(ticket, note=note, actor=actor, expected_version=expected_version)
    if status == Status.CLOSED:
        return close(ticket, actor=actor, expected_version=expected_version)
    if status == Status.CANCELLED:
        return cancel(ticket, reason=note, actor=actor, expected_version=expected_version)
    _require_worker(actor, ticket)
    if status not in Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    with transaction.atomic():
        locked = _lock(ticket, expected_version)
        if status == locked.status:
            return locked
        if locked.status == Status.RESOLVED and status == Status.IN_PROGRESS:
            return _reopen(locked, actor, note or "Reopened by the service desk.")
        if status not in TRANSITIONS[locked.status]:
            raise ValidationError({"status": f"A ticket that is {locked.get_status_display().lower()} "
                                   f"cannot become {Status(status).label.lower()}."})
        before = audit.snapshot(locked)
        _move(locked, status, actor, timezone.now(), note)
        return _save(locked, actor, before)


def change_priority(ticket: Ticket, *, actor, impact: int, urgency: int, reason: str = "",
                    expected_version: int | None = None) -> Ticket:
    _require_worker(actor, ticket)
    with transaction.atomic():
        locked = _lock(ticket, expected_version)
        before = audit.snapshot(locked)
        priority = queries.priority_for(locked.organisation_id, impact, urgency)
        if (locked.impact, locked.urgency) == (int(impact), int(urgency)):
            return locked
        old = locked.priority
        locked.impact, locked.urgency, locked.priority = impact, urgency, priority
        if priority != old:
            sla.record_breaches(locked, timezone.now())
            _apply_policy(locked, timezone.now(), restart=False)
            _entry(locked, EntryKind.PRIORITY, actor, reason, old=old, new=priority)
        return _save(locked, actor, before)


def resolve(ticket: Ticket, *, actor, note: str, expected_version: int | None = None) -> Ticket:
    _require_worker(actor, ticket)
    note = _text(note, "note", "how it was resolved")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(ticket, expected_version)
        if locked.status not in TRANSITIONS or Status.RESOLVED not in TRANSITIONS[locked.status]:
            raise ValidationError(f"{locked.reference} is already {locked.get_status_display().lower()}.")
        before = audit.snapshot(locked)
        elapsed.record_response(locked, now)
        _move(locked, Status.RESOLVED, actor, now, note)
        elapsed.record_resolution(locked, now)
        locked.resolution_note = note
        locked.first_contact_resolution = (
            locked.reopen_count == 0 and locked.channel in (Channel.PHONE, Channel.WALK_IN)
            and (now - locked.created_at) <= timedelta(minutes=30)
        )
        _save(locked, actor, before)
        notifications.notify(
            [locked.requester.user], organisation_id=locked.organisation_id,
            event="ticket-resolved", subject=f"[{locked.reference}] Resolved: {locked.title}",
            body=note + "\n\nIf this is not fixed, reopen the ticket. Tell us how we did.",
            url=ticket_url(locked), people=[locked.requester], thread=locked,
        )
        for child in locked.children.exclude(status__in=DONE_STATUSES):
            resolve(child, actor=actor,
                    note=f"Resolved with major incident {locked.reference}: {note}")
    return locked


def close(ticket: Ticket, *, actor, expected_version: int | None = None) -> Ticket:
    """Staff close a resolved ticket; a requester closes it by confirming the fix."""
    _require_requester_or_worker(actor, ticket)
    with transaction.atomic():
        locked = _lock(ticket, expected_version)
        if locked.status != Status.RESOLVED:
            raise ValidationError(f"Only a resolved ticket can be closed; {locked.reference} is "
                                  f"{locked.get_status_display().lower()}.")
        before = audit.snapshot(locked)
        _move(locked, Status.CLOSED, actor, timezone.now())
        locked.closed_at = timezone.now()
        return _save(locked, actor, before)


def confirm_resolution(ticket: Ticket, *, actor) -> Ticket:
    return close(ticket, actor=actor)


def within_reopen_window(ticket: Ticket, now=None) -> bool:
    window = desk_settings(ticket.organisation_id).reopen_days
    now = now or timezone.now()
    return not ticket.resolved_at or now - ticket.resolved_at <= timedelta(days=window)


def _reopen(locked: Ticket, actor, reason: str) -> Ticket:
    if not within_reopen_window(locked):
        window = desk_settings(locked.organisation_id).reopen_days
        raise ValidationError(f"Tickets can be reopened for {window} days after they are resolved. "
                              "Raise a new one instead.")
    before = audit.snapshot(locked)
    _move(locked, Status.IN_PROGRESS, actor, timezone.now(), reason)
    locked.reopen_count += 1
    elapsed.clear_resolution(locked)
    locked.first_contact_resolution = False
    _save(locked, actor, before)
    notifications.notify(
        [locked.assignee] if locked.assignee_id else queries.team_users(locked.team),
        organisation_id=locked.organisation_id, event="ticket-reopened",
        subject=f"[{locked.reference}] Reopened: {locked.title}", body=reason,
        url=ticket_url(locked), thread=locked,
    )
    return locked


def reopen(ticket: Ticket, *, actor, reason: str, sender=None, by_email: bool = False
           ) -> Ticket:
    _require_requester_or_worker(actor, ticket)
    reason = _text(reason, "reason", "why it is not fixed")
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.status != Status.RESOLVED:
            raise ValidationError(f"Only a resolved ticket can be reopened; {locked.reference} is "
                                  f"{locked.get_status_display().lower()}.")
        _entry(locked, EntryKind.REPLY, actor, reason, sender=sender,
               **({"channel": Channel.EMAIL} if by_email else {}))
        return _reopen(locked, actor, reason)


def cancel(ticket: Ticket, *, actor, reason: str, expected_version: int | None = None) -> Ticket:
    _require_requester_or_worker(actor, ticket)
    reason = _text(reason, "reason", "why it is cancelled")
    with transaction.atomic():
        locked = _lock(ticket, expected_version)
        if Status.CANCELLED not in TRANSITIONS[locked.status]:
            raise ValidationError(f"{locked.reference} is {locked.get_status_display().lower()} "
                                  "and cannot be cancelled.")
        before = audit.snapshot(locked)
        _move(locked, Status.CANCELLED, actor, timezone.now(), reason)
        return _save(locked, actor, before)


def rate(ticket: Ticket, *, actor, score: int, comment: str = "", sender=None) -> Satisfaction:
    """`sender`: the requester's person record, rating through the signed link of an
    email (no login)."""
    by_link = actor is None and sender is not None and sender.pk == ticket.requester_id
    if not by_link and (actor is None or ticket.requester.user_id != actor.pk):
        raise PermissionDenied("Only the person who raised the ticket can rate it.")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    with transaction.atomic():
        locked = _lock(ticket)
        if locked.status not in (Status.RESOLVED, Status.CLOSED):
            raise ValidationError("You can rate a ticket once it is resolved.")
        rating, created = Satisfaction.objects.update_or_create(
            ticket=locked, defaults={"organisation_id": locked.organisation_id, "score": score,
                                     "comment": (comment or "")[:5000], "created_by": actor,
                                     "updated_by": actor},
        )
        _entry(locked, EntryKind.SATISFACTION, actor, comment or "", sender=sender, score=score)
    return rating


def link(ticket: Ticket, *, actor, other: Ticket, kind: str) -> TicketLink:
    _require_worker(actor, ticket)
    if other.organisation_id != ticket.organisation_id:
        raise ValidationError({"to_ticket": "Choose a ticket from this organisation."})
    if kind not in LinkKind.values:
        raise ValidationError({"kind": "Choose how the tickets are linked."})
    with transaction.atomic():
        locked = _lock(ticket)
        created = services.create_record(
            TicketLink(organisation_id=locked.organisation_id, from_ticket=locked,
                       to_ticket=other, kind=kind), actor=actor)
        if kind == LinkKind.CHILD_OF:
            if not other.is_major_incident:
                raise ValidationError({"to_ticket": f"{other.reference} is not a major incident."})
            before = audit.snapshot(locked)
            locked.parent = other
            _save(locked, actor, before)
        _entry(locked, EntryKind.LINK, actor, "", kind=kind, other=other.reference)
    return created


def set_major_incident(ticket: Ticket, *, actor, value: bool = True) -> Ticket:
    _require_worker(actor, ticket)
    with transaction.atomic():
        locked = _lock(ticket)
        before = audit.snapshot(locked)
        locked.is_major_incident = value
        return _save(locked, actor, before)


# --- bulk and periodic ------------------------------------------------------------

def bulk_assign(tickets, *, actor, team=None, assignee=None) -> int:
    done = 0
    for ticket in tickets:
        assign(ticket, actor=actor, team=team, assignee=assignee)
        done += 1
    return done


def bulk_close(tickets, *, actor) -> tuple[int, list[str]]:
    closed, refused = 0, []
    for ticket in tickets:
        try:
            close(ticket, actor=actor)
            closed += 1
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    return closed, refused


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
                _entry(locked, EntryKind.SLA, None, f"SLA {' and '.join(breaches)} target breached",
                       breaches=breaches)
                notifications.notify(
                    recipients, organisation_id=locked.organisation_id, event="sla-breach",
                    subject=f"[{locked.reference}] SLA breached: {locked.title}",
                    url=ticket_url(locked), thread=locked)
            elif locked.warning_sent_at is None and share * 100 >= settings_.warning_percent:
                locked.warning_sent_at = now
                counts["warnings"] += 1
                _entry(locked, EntryKind.SLA, None,
                       f"{settings_.warning_percent}% of the resolution target used")
                notifications.notify(
                    recipients, organisation_id=locked.organisation_id, event="sla-warning",
                    subject=f"[{locked.reference}] SLA warning: {locked.title}",
                    url=ticket_url(locked), thread=locked)
            _save(locked, None, before)
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
