"""Record actions scheduled for later: "close this ticket on Friday", "approve the change
at the start of its window". The action is checked when it is scheduled (the person may
do it now) and done when due by the periodic job `core-run-scheduled-actions`, as the
person who scheduled it, through the action itself — so every check is made again then,
and a refusal (the record moved on, the person lost the role) is recorded, not raised."""

from __future__ import annotations

import json
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from borough.core import services
from borough.core.actions import RecordAction
from borough.core.models import ScheduledAction, ScheduledStatus
from borough.core.registry import registry

log = logging.getLogger(__name__)


def schedule(record_action: RecordAction, record, *, actor, due_at, **fields) -> ScheduledAction:
    """Keep `record_action` to do to `record` at `due_at`, with `fields` (plain values)."""
    record_action.require(actor, record)
    if due_at is None or timezone.is_naive(due_at):
        raise ValidationError({"due_at": "Give the date and time it is due, with its zone."})
    try:
        json.dumps(fields)
    except (TypeError, ValueError):
        raise ValidationError("A scheduled action keeps plain values only (text, numbers, "
                              "true/false).") from None
    scheduled = ScheduledAction(
        organisation_id=record.organisation_id,
        content_type=ContentType.objects.get_for_model(record_action.model), object_id=record.pk,
        action=record_action.name, fields=fields, due_at=due_at)
    return services.create_record(scheduled, actor=actor)


def cancel(scheduled: ScheduledAction, *, actor) -> ScheduledAction:
    with transaction.atomic():
        locked = ScheduledAction.objects.select_for_update().get(pk=scheduled.pk)
        if locked.status != ScheduledStatus.PENDING:
            raise ValidationError(f"It is {locked.get_status_display().lower()}: only a "
                                  "waiting action can be cancelled.")
        return services.update_record(locked, actor=actor, expected_version=None,
                                      data={"status": ScheduledStatus.CANCELLED})


def run_due(now=None) -> dict[str, int]:
    """Do every scheduled action that is due. Each is claimed first (one run does it, even
    with two workers), then done in its own transaction."""
    now = now or timezone.now()
    counts = {"done": 0, "refused": 0}
    due = ScheduledAction.objects.filter(status=ScheduledStatus.PENDING, due_at__lte=now)
    for pk in due.order_by("due_at", "pk").values_list("pk", flat=True)[:500]:
        claimed = ScheduledAction.objects.filter(pk=pk, status=ScheduledStatus.PENDING).update(
            status=ScheduledStatus.RUNNING)
        if claimed:
            outcome = _run(ScheduledAction.objects.select_related("created_by").get(pk=pk))
            counts[outcome] += 1
    return counts


def _run(scheduled: ScheduledAction) -> str:
    model = scheduled.content_type.model_class()
    actions = registry.record_actions.get(model)
    record = model._default_manager.filter(pk=scheduled.object_id).first() if model else None
    actor = scheduled.created_by
    try:
        if actions is None or scheduled.action not in actions:
            raise ValidationError(f"{scheduled.action} is no longer an action of this record.")
        if record is None:
            raise ValidationError("The record no longer exists.")
        if actor is not None and not actor.is_active:
            raise PermissionDenied("The person who scheduled it can no longer sign in.")
        actions[scheduled.action](record, actor=actor, **scheduled.fields)
    except (ValidationError, PermissionDenied, services.StaleVersionError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(scheduled, ScheduledStatus.REFUSED, reason)
        log.info("scheduled action %s refused: %s", scheduled.pk, reason)
        return "refused"
    _finish(scheduled, ScheduledStatus.DONE, "Done.")
    return "done"


def _finish(scheduled: ScheduledAction, status: str, outcome: str) -> None:
    ScheduledAction.objects.filter(pk=scheduled.pk).update(
        status=status, outcome=outcome[:2000], done_at=timezone.now(),
        version=scheduled.version + 1)
