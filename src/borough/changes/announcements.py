"""Planned changes as service announcements (docs/changes.md, docs/status.md): receivers of
the change's own signals (changes.signals, sent in the transaction that moves the change)
that open, move and close its planned-work announcement through status.services. The
status app sits below changes (core/checks.py LAYERS), so it cannot listen itself: the
changes app connects these in entries.register.

- scheduled (by its board, or a standard change whose template says users notice it),
  with business services named: one announcement naming them all, over its window, from
  the change (its reference is the announcement's "from"); subscribers emailed;
- rescheduled: the same announcement's times move (an update, emailed); never a second;
- started outside the announced window: the announcement moves to now;
- implemented (successful, failed, backed out): resolved with the outcome in words;
  cancelled: cancelled ("no longer going ahead").

Each is done as the person who moved the change when they may publish announcements,
else as Borough (a CAB member who authorises, an owner who starts it)."""

from __future__ import annotations

from borough.changes.models import Change, ChangeType, Outcome, Status
from borough.changes.signals import (
    change_ended,
    change_rescheduled,
    change_scheduled,
    change_started,
)
from borough.core import scope
from borough.status import services as status
from borough.status.models import Announcement

OUTCOME_WORDS = {
    Outcome.SUCCESSFUL: "The planned work is finished: {reference} was made successfully.",
    Outcome.FAILED: "The planned work is finished, but {reference} did not go as planned: "
                    "report anything that is not working to the service desk.",
    Outcome.BACKED_OUT: "The planned work was stopped: {reference} was backed out and the "
                        "service is as it was before.",
}


def is_announced(change: Change) -> bool:
    """Whether the change is announced as planned work: a normal or emergency change, or
    a standard change whose template says users notice it; with business services named
    (an announcement naming none would be about everything)."""
    if change.change_type == ChangeType.STANDARD and not (
            change.template_id and change.template.announce):
        return False
    return change.services.exists()


def _by(actor, organisation_id: int):
    """The actor, when they may publish announcements; else None (Borough)."""
    if actor is not None and all(scope.can(actor, action, Announcement, organisation_id)
                                 for action in ("add", "change")):
        return actor
    return None


def _description(change: Change) -> str:
    impact = (change.impact or "").strip()
    return f"Planned change {change.reference}." + (f" {impact}" if impact else "")


def announce(sender, *, change: Change, actor=None, **kwargs) -> None:
    """Scheduled or rescheduled: open its announcement, or move the open one."""
    if not is_announced(change):
        return
    status.announce_planned(change.organisation_id, list(change.services.all()),
                            change.planned_start, change.planned_end, change.title,
                            source=change, by=_by(actor, change.organisation_id),
                            description=_description(change))


def started(sender, *, change: Change, now, actor=None, **kwargs) -> None:
    """Begun before its announced start, or after its announced end: the announcement
    moves to now, for the window's length, so the status page says it is happening."""
    length = change.planned_end - change.planned_start
    for announcement in status.open_for(change):
        end = announcement.expected_end_at
        if announcement.starts_at <= now and (end is None or now < end):
            continue
        status.reschedule(announcement, services=list(announcement.services.all()),
                          starts=now, ends=now + length, title=announcement.title,
                          by=_by(actor, change.organisation_id))


def ended(sender, *, change: Change, actor=None, **kwargs) -> None:
    """Implemented: its announcement resolved with the outcome; cancelled: cancelled."""
    cancelled = change.status == Status.CANCELLED
    if cancelled:
        note = f"Cancelled: {change.reference} is not going ahead as planned."
    else:
        note = OUTCOME_WORDS.get(change.outcome, OUTCOME_WORDS[Outcome.SUCCESSFUL]).format(
            reference=change.reference)
    status.close_for(change, by=_by(actor, change.organisation_id), note=note,
                     cancelled=cancelled)


def connect() -> None:
    """Connect the receivers (once, however often the registry is built)."""
    change_scheduled.connect(announce, sender=Change, dispatch_uid="changes-announce")
    change_rescheduled.connect(announce, sender=Change, dispatch_uid="changes-reannounce")
    change_started.connect(started, sender=Change, dispatch_uid="changes-announce-start")
    change_ended.connect(ended, sender=Change, dispatch_uid="changes-announce-end")
