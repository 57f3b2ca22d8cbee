"""The action plan's writes: actions, their progress notes, reviews of reports, and the
daily reminder to owners. Each checks permission, validates, writes audit history in
the same transaction, and refuses a stale version.

Who may do what (role grants in standards/entries.py):
- ICT Managers and Administrators create and change actions, record reviews;
- an action's owner (the Person linked to the signed-in user) may add progress notes
  to it, whatever their staff role, if the role may add progress notes at all;
- everyone else on the staff reads; Requesters see nothing.

Every change of an action's status or RAG leaves an `ActionUpdate` (the progress note
that reported it, or one written for the change), so the plan's history of statuses and
RAG ratings can be read back at any date (`status_on`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from borough.core import notifications, scope, services
from borough.core.actions import Actions
from borough.core.lifecycle import Who
from borough.standards.actions import forms
from borough.standards.actions.queries import REPORTS, newest_frameworks, report_label, standards_choices
from borough.standards.models import (
    OPEN_ACTION_STATUSES,
    RAG,
    Action,
    ActionStatus,
    ActionUpdate,
    ReportReview,
)
from borough.standards.validation import clean_text

__all__ = ["REPORTS", "newest_frameworks", "report_label", "standards_choices"]

# How far ahead a due date may be, and how often an owner is reminded of one action.
MAX_YEARS_AHEAD = 10
REMIND_WITHIN_DAYS = 14
REMIND_EVERY = timedelta(days=7)
EARLIEST_REVIEW_YEARS = 5

ACTION_FIELDS = ("title", "description", "theme", "owner", "due_on", "status", "rag", "cycle",
                 "standards", "objectives", "targets")
MANY = ("standards", "objectives", "targets")


def today() -> date:
    return timezone.localdate()


def is_overdue(action: Action, on: date | None = None) -> bool:
    on = on or today()
    return action.status in OPEN_ACTION_STATUSES and action.due_on is not None and action.due_on < on


def can_add_update(user, action: Action) -> bool:
    """Managers may note progress on any action; others only on actions they own."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or scope.can(user, "change", Action, action.organisation_id):
        return True
    return (scope.can(user, "add", ActionUpdate, action.organisation_id)
            and action.owner_id is not None and action.owner.user_id == user.pk)


# --- validation --------------------------------------------------------------------

def _validate(organisation_id: int, data: dict, *, due_changed: bool, by_person: bool) -> None:
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    for name in ("owner", "cycle"):
        related = data.get(name)
        if related is not None and related.organisation_id != organisation_id:
            error(name, "Choose one from this organisation.")
    for name, label in (("objectives", "corporate plan objectives"),
                        ("targets", "targets")):
        if any(o.organisation_id != organisation_id for o in data.get(name) or ()):
            error(name, f"Choose {label} of this organisation.")
    if data.get("status") not in ActionStatus.values:
        error("status", "Choose a status from the list.")
    if data.get("rag") not in RAG.values:
        error("rag", "Choose red, amber or green.")

    standards = list(data.get("standards") or ())
    frameworks = {s.framework_id for s in standards}
    if len(frameworks) > 1:
        error("standards", "Choose standards from one framework.")
    theme, cycle = data.get("theme"), data.get("cycle")
    framework_ids = frameworks | ({theme.framework_id} if theme is not None else set())
    if theme is not None and frameworks and theme.framework_id not in frameworks:
        error("theme", "Choose a theme of the same framework as the standards.")
    if cycle is not None and framework_ids:
        from borough.standards.models import Framework

        codes = set(Framework.objects.filter(pk__in=framework_ids).values_list("code", flat=True))
        if codes != {cycle.framework.code}:
            error("standards" if frameworks else "theme",
                  f"Choose from the framework the review used ({cycle.framework.name}).")

    due = data.get("due_on")
    if due is not None:
        now = today()
        if due < date(2000, 1, 1) or due > now.replace(year=now.year + MAX_YEARS_AHEAD):
            error("due_on", f"Enter a due date between 2000 and {now.year + MAX_YEARS_AHEAD}.")
        elif by_person and due_changed and due < now:
            error("due_on", "The due date cannot be in the past.")
        elif cycle is not None and due < cycle.starts_on:
            error("due_on", f"The due date must be on or after the review's start "
                            f"({cycle.starts_on:%-d %B %Y}).")
    if errors:
        raise ValidationError(errors)


def _clean_data(data: dict) -> dict:
    cleaned = {name: data[name] for name in ACTION_FIELDS if name in data}
    if "title" in cleaned:
        cleaned["title"] = clean_text(cleaned["title"], "title", "a title", required=True, limit=300)
    if "description" in cleaned:
        cleaned["description"] = clean_text(cleaned["description"], "description", "the description")
    for name in MANY:
        if name in cleaned:
            cleaned[name] = list(cleaned[name] or ())
    return cleaned


def _status_words(status: str, rag: str) -> str:
    return f"{ActionStatus(status).label}, {RAG(rag).label}"


def _write_update(action: Action, *, actor, note: str, status: str, rag: str) -> ActionUpdate:
    update = ActionUpdate(organisation_id=action.organisation_id, action=action, note=note,
                          status=status, rag=rag)
    if actor is not None and not can_add_update(actor, action):
        raise PermissionDenied("You can only add progress notes to actions you own.")
    return services.create_record(update, actor=actor)


# --- actions ----------------------------------------------------------------------

def create_action(organisation_id: int, *, actor, idempotency_key: str | None = None,
                  **data) -> Action:
    """Add an action to the plan, with its first entry in the status history."""
    services.require(actor, "add", Action, organisation_id)
    cleaned = _clean_data(data)
    cleaned.setdefault("status", ActionStatus.NOT_STARTED)
    cleaned.setdefault("rag", RAG.GREEN)
    _validate(organisation_id, cleaned, due_changed=True, by_person=actor is not None)
    many = {name: cleaned.pop(name) for name in MANY if name in cleaned}
    action = Action(organisation_id=organisation_id, **cleaned)
    if cleaned["status"] == ActionStatus.DONE:
        action.completed_on = today()
    with transaction.atomic():
        saved = services.create_record(action, actor=actor, idempotency_key=idempotency_key,
                                       many_to_many=many)
        if saved is action:  # not a repeated submission
            _write_update(saved, actor=actor, note="Added to the action plan.",
                          status=saved.status, rag=saved.rag)
    return saved


def update_action(action: Action, *, actor, expected_version: int | None = None, note: str = "",
                  **data) -> Action:
    """Change an action. A change of status or RAG is also written to its progress notes
    (with `note`, or a sentence saying what changed); done sets `completed_on`."""
    services.require(actor, "change", Action, action.organisation_id)
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if expected_version is not None and locked.version != expected_version:
            raise services.StaleVersionError(
                locked, expected_version, services.changes_since(locked, expected_version))
        cleaned = _clean_data(data)
        merged = {name: getattr(locked, name) for name in ACTION_FIELDS if name not in MANY}
        merged |= {name: list(getattr(locked, name).all()) for name in MANY}
        merged |= cleaned
        _validate(locked.organisation_id, merged,
                  due_changed="due_on" in cleaned and cleaned["due_on"] != locked.due_on,
                  by_person=actor is not None)
        before = (locked.status, locked.rag)
        status = merged["status"]
        if status == ActionStatus.DONE and locked.status != ActionStatus.DONE:
            cleaned["completed_on"] = today()
        elif status != ActionStatus.DONE and locked.completed_on is not None:
            cleaned["completed_on"] = None
        saved = services.update_record(locked, actor=actor, data=cleaned,
                                       expected_version=expected_version, note=note)
        if (saved.status, saved.rag) != before:
            text = clean_text(note, "note", "the note") or (
                f"Changed from {_status_words(*before)} to {_status_words(saved.status, saved.rag)}.")
            _write_update(saved, actor=actor, note=text, status=saved.status, rag=saved.rag)
    return saved


ACTION_ACTIONS = Actions(Action)
OWNER_OR_MANAGER = Who("the action's owner or an ICT manager", can_add_update,
                       "You can only add progress notes to actions you own.")


@ACTION_ACTIONS.action("progress", label="Add progress note", form=forms.ActionUpdateForm,
                       permission="view", who=OWNER_OR_MANAGER, returns=ActionUpdate,
                       audit_note="Progress note",
                       success=lambda u: f"Progress note added to {u.action.reference}.")
def add_action_update(action: Action, *, actor, note: str, rag: str, status: str
                      ) -> ActionUpdate:
    """A progress note from the owner or a manager, with the RAG and status it reports;
    the action takes them on."""
    note = clean_text(note, "note", "a progress note", required=True)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if rag not in RAG.values:
        raise ValidationError({"rag": "Choose red, amber or green."})
    update = _write_update(action, actor=actor, note=note, status=status, rag=rag)
    action.status, action.rag = status, rag
    if status == ActionStatus.DONE and action.completed_on is None:
        action.completed_on = today()
    elif status != ActionStatus.DONE:
        action.completed_on = None
    return update


def status_on(action: Action, moment: datetime) -> str:
    """The action's status at `moment`, from its progress notes (the latest written by
    then); an action with no notes by then has its present status."""
    updates = [u for u in action.updates.all() if u.created_at <= moment]
    if updates:
        return max(updates, key=lambda u: (u.created_at, u.pk)).status
    return action.status


def done_on(action: Action, moment: datetime) -> date | None:
    """The local day the action was finished, if it stood done at `moment`: when the
    progress notes' closing run of "done" began, or, with no notes, its last change."""
    if status_on(action, moment) != ActionStatus.DONE:
        return None
    updates = sorted((u for u in action.updates.all() if u.created_at <= moment),
                     key=lambda u: (u.created_at, u.pk))
    finished = None
    for update in updates:
        if update.status != ActionStatus.DONE:
            finished = None
        elif finished is None:
            finished = update.created_at
    if not updates:
        finished = action.updated_at if action.updated_at <= moment else None
    return timezone.localdate(finished) if finished is not None else None


# --- reviews ------------------------------------------------------------------------

def record_review(organisation_id: int, *, actor, report: str, reviewed_on: date,
                  meeting: str = "", note: str = "",
                  idempotency_key: str | None = None) -> ReportReview:
    """Record that management reviewed a report (evidence for `standards.report-reviewed`)."""
    services.require(actor, "add", ReportReview, organisation_id)
    review = ReportReview(organisation_id=organisation_id, report=report, reviewed_on=reviewed_on,
                          meeting=clean_text(meeting, "meeting", "the meeting", limit=200),
                          note=clean_text(note, "note", "the note"))
    validate_review(review)
    return services.create_record(review, actor=actor, idempotency_key=idempotency_key)


def validate_review(review: ReportReview) -> None:
    if review.report not in REPORTS:
        raise ValidationError({"report": "Choose a report from the list."})
    now = today()
    if review.reviewed_on is None:
        raise ValidationError({"reviewed_on": "Enter the date of the review."})
    if review.reviewed_on > now:
        raise ValidationError({"reviewed_on": "The review date cannot be in the future."})
    if review.reviewed_on < now.replace(year=now.year - EARLIEST_REVIEW_YEARS):
        raise ValidationError({"reviewed_on": f"Enter a date in the last {EARLIEST_REVIEW_YEARS} "
                                              "years."})


# --- reminders ----------------------------------------------------------------------

def remind_action_owners(now: datetime | None = None) -> int:
    """Daily: tell each owner (in Borough) about their open actions due within 14 days or
    overdue, at most once every 7 days per action. Returns how many reminders were sent.

    Safe to run twice or in two workers at once: each action is claimed with a conditional
    update of `reminded_at`, so only one run reminds about it."""
    now = now or timezone.now()
    on = timezone.localdate(now)
    due = (Action.objects.open()
           .filter(due_on__isnull=False, due_on__lte=on + timedelta(days=REMIND_WITHIN_DAYS),
                   owner__user__isnull=False, owner__user__is_active=True)
           .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY))
           .select_related("owner__user"))
    view = scope.permission_name(Action, "view")
    users: dict[int, object] = {}  # one instance per owner, so their roles are read once
    # One transaction: an action is marked reminded only with its email queued; the
    # emails are written together, in one insert.
    with transaction.atomic(), notifications.batch():
        return _remind(due, users, view, on, now)


def _remind(due, users, view, on, now) -> int:
    sent = 0
    for action in due:
        user = users.setdefault(action.owner.user_id, action.owner.user)
        if action.organisation_id not in scope.organisation_ids(user, view):
            continue  # no longer works in that organisation
        claimed = Action.objects.filter(pk=action.pk).filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY)
        ).update(reminded_at=now)
        if not claimed:
            continue
        if action.due_on < on:
            days = (on - action.due_on).days
            subject = (f"{action.reference} is overdue by {days} day{'' if days == 1 else 's'}: "
                       f"{action.title}")
        else:
            subject = f"{action.reference} is due on {action.due_on:%-d %B %Y}: {action.title}"
        notifications.notify(
            [user], organisation_id=action.organisation_id, event="action-reminder",
            context={"due": f"{action.due_on:%-d %B %Y}",
                     "days_overdue": max((on - action.due_on).days, 0)},
            subject=subject,
            body=("You own this action in the ICT action plan. Add a progress note, or ask "
                  "the ICT manager to change its due date."),
            url=reverse("standards:action_detail", args=[action.pk]), thread=action)
        sent += 1
    return sent


def update_review(review: ReportReview, *, actor, expected_version: int | None = None,
                  **data) -> ReportReview:
    """Change a recorded review, with the same checks as recording one."""
    services.require(actor, "change", ReportReview, review.organisation_id)
    probe = ReportReview(**{name: data.get(name, getattr(review, name))
                            for name in ("report", "reviewed_on", "meeting", "note")})
    validate_review(probe)
    return services.update_record(review, actor=actor, data=data,
                                  expected_version=expected_version)
