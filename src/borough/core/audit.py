"""Writing history: one AuditEvent per change, in the caller's transaction."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import models

from borough.core import temporal
from borough.core.models import AuditAction, AuditEvent


def _display(instance: models.Model, field: models.Field):
    value = getattr(instance, field.attname)
    if value is None:
        return None
    if field.is_relation:
        related = getattr(instance, field.name, None)
        return str(related) if related is not None else None
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict | list):
        # JSON with its keys sorted: PostgreSQL's jsonb gives keys back in its own order,
        # and str() of the dict would read that as a change on every save.
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        # One instant, one text: a moment read back from the database (UTC) and the same
        # moment as a form or the API gave it (+01:00 in summer) must not read as a change.
        return str(value.astimezone(datetime.UTC))
    return str(value)


display_value = _display  # what a person sees of one field's value (core.temporal uses it)


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    exclude = set(getattr(model, "audit_exclude", ()))
    return [
        f for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in exclude
    ]


def snapshot(instance: models.Model) -> dict[str, object]:
    return {f.name: _display(instance, f) for f in tracked_fields(type(instance))}


def diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _actor_repr(actor) -> str:
    if actor is None:
        return "system"
    return actor.get_full_name() or actor.get_username()


# Events kept by `deferred()` to be written together: (instance, action, event) in order.
_deferred: contextvars.ContextVar[list | None] = contextvars.ContextVar("audit_deferred",
                                                                        default=None)
DEFERRED_BATCH = 250


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Inside, `record()` keeps each event and writes them in bulk: every DEFERRED_BATCH
    events and when the block ends, with the records' versions (core.temporal), in the
    order they were recorded. For a writer of many records in one transaction (an
    import: two inserts for 250 rows instead of one or two a row; a small batch keeps
    the memory held small). Events are never lost: the block is inside the caller's
    transaction, and leaving it by an exception writes nothing because that transaction
    is rolled back. An event read back in the block (AuditEvent queries) is not there
    yet."""
    buffer: list = []
    token = _deferred.set(buffer)
    try:
        yield
        _flush(buffer)
    finally:
        _deferred.reset(token)


def _flush(buffer: list) -> None:
    if not buffer:
        return
    events = AuditEvent.objects.bulk_create([event for _, _, event in buffer])
    at = events[0].at
    # Versions by runs of the same model and action, so a record created then changed
    # in one block gets its versions in that order.
    run: list = []
    for instance, action, _event in buffer:
        if run and (type(run[0][0]), run[0][1]) != (type(instance), action):
            _keep_versions([i for i, _ in run], run[0][1], at)
            run = []
        run.append((instance, action))
    if run:
        _keep_versions([i for i, _ in run], run[0][1], at)
    buffer.clear()


def record(
    instance: models.Model,
    action: str,
    *,
    actor,
    changes: dict | None = None,
    note: str = "",
) -> AuditEvent:
    fields = _event_fields(instance, action, actor, changes, note)
    buffer = _deferred.get()
    if buffer is not None:
        event = AuditEvent(**fields)
        buffer.append((instance, action, event))
        if len(buffer) >= DEFERRED_BATCH:
            _flush(buffer)
        return event
    event = AuditEvent.objects.create(**fields)
    _keep_versions([instance], action, event.at)
    return event


def record_bulk(
    instances: Iterable[models.Model], action: str, *, actor, changes_for=None, note: str = ""
) -> list[AuditEvent]:
    """The bulk variant: one insert for many changed rows (bulk assign, imports)."""
    instances = list(instances)
    events = [
        AuditEvent(**_event_fields(obj, action, actor, changes_for(obj) if changes_for else {}, note))
        for obj in instances
    ]
    events = AuditEvent.objects.bulk_create(events)
    if events:
        _keep_versions(instances, action, events[0].at)
    return events


def record_removed_with(root: models.Model, removed: Iterable[models.Model], *,
                        actor) -> list[AuditEvent]:
    """Records deleted by cascade with `root` (core.services.removed_with): each gets its
    deletion event, with its values and why ("Deleted with the configuration item
    “CI-000012 PAYSRV01”"), and each registered record it pointed to (both ends of a
    relationship, the deleted one included) an event in its own history saying what was
    removed. Called before `root`'s own deletion is recorded, which closes every version
    the cascade ends (temporal.closed), so these write no versions themselves."""
    from borough.core.registry import registry

    root_name = f"{root._meta.verbose_name} “{root}”"
    events = []
    for obj in removed:
        what = f"{obj._meta.verbose_name}".capitalize()
        events.append(AuditEvent(**_event_fields(
            obj, AuditAction.DELETE, actor,
            {k: [v, None] for k, v in snapshot(obj).items() if v is not None},
            f"Deleted with the {root_name}.")))
        for field in type(obj)._meta.concrete_fields:
            if not field.many_to_one or field.related_model not in registry.entries \
                    or field.name == "organisation":
                continue
            other = getattr(obj, field.name, None)
            if other is None:
                continue
            this = "this" if other == root else "the"
            events.append(AuditEvent(**_event_fields(
                other, AuditAction.EVENT, actor, {},
                f"{what} removed: “{obj}”, deleted with {this} {root_name}.")))
    return AuditEvent.objects.bulk_create(events) if events else []


# What each audited action does to a versioned model's versions (core.temporal): the
# version is written with the audit event, so no writer that audits can skip it.
_VERSIONING = {AuditAction.CREATE: temporal.opened, AuditAction.UPDATE: temporal.changed,
               AuditAction.DELETE: temporal.closed}


def _keep_versions(instances, action: str, at) -> None:
    keep = _VERSIONING.get(action)
    instances = [i for i in instances if i.pk is not None]
    if keep is not None and instances and temporal.version_model(type(instances[0])):
        keep(instances, at=at)


def _event_fields(instance, action, actor, changes, note):
    organisation_id = getattr(instance, "organisation_id", None)
    if organisation_id is None and instance._meta.label == _organisation_label():
        organisation_id = instance.pk
    return {
        "organisation_id": organisation_id,
        "content_type": ContentType.objects.get_for_model(type(instance)),
        "object_id": instance.pk,
        "object_repr": str(instance)[:300],
        "action": action,
        "actor": actor if getattr(actor, "pk", None) else None,
        "actor_repr": _actor_repr(actor)[:200],
        "changes": changes or {},
        "version": getattr(instance, "version", None),
        "note": note,
    }


def _organisation_label() -> str:
    from django.conf import settings

    return settings.BOROUGH_ORGANISATION_MODEL


__all__ = ["AuditAction", "deferred", "diff", "record", "record_bulk", "record_removed_with",
           "snapshot", "tracked_fields"]
