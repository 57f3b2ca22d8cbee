"""The one door for generic writes. Domain apps call these (or wrap them) so every
create, change and delete is validated, permission-checked, versioned and audited
in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from borough.core import audit, references, scope
from borough.core.models import AuditAction, AuditEvent, SubmissionKey
from borough.core.perf import stamps


@dataclass(frozen=True)
class OtherChange:
    who: str
    at: object
    field: str
    before: object
    after: object


class StaleVersionError(Exception):
    """Someone saved the record after the caller loaded it."""

    def __init__(self, current: models.Model, expected: int, changes: list[OtherChange]):
        self.current = current
        self.expected = expected
        self.changes = changes
        names = ", ".join(sorted({c.field for c in changes})) or "the record"
        who = ", ".join(sorted({c.who for c in changes})) or "someone else"
        super().__init__(
            f"{who} changed {names} after you opened this {current._meta.verbose_name}. "
            "Your changes were not saved: review theirs and try again."
        )


def require(actor, action: str, model: type[models.Model], organisation_id: int | None) -> None:
    """Refuse unless `actor` holds the role permission; `actor=None` is the system itself."""
    if actor is None:
        return
    if actor.is_active and actor.is_superuser:
        return  # the platform's own administrators, e.g. creating the first council
    if not scope.can(actor, action, model, organisation_id):
        raise PermissionDenied(
            f"You do not have permission to {action} {model._meta.verbose_name_plural}."
        )


def _organisation_id(instance: models.Model) -> int | None:
    return getattr(instance, "organisation_id", None) or (
        instance.pk if instance._meta.label == _org_label() else None
    )


def _org_label():
    from django.conf import settings

    return settings.BOROUGH_ORGANISATION_MODEL


def changes_since(instance: models.Model, version: int) -> list[OtherChange]:
    events = AuditEvent.objects.for_object(instance).filter(version__gt=version).order_by("at")
    return [
        OtherChange(e.actor_repr, e.at, field, before, after)
        for e in events
        for field, (before, after) in e.changes.items()
    ]


def create_record(
    instance: models.Model,
    *,
    actor,
    idempotency_key: str | None = None,
    many_to_many: dict[str, object] | None = None,
    note: str = "",
    then=None,
    savepoint: bool = True,
) -> models.Model:
    """Validate, save and audit a new record (and its many-to-many values) in one
    transaction. A repeated idempotency key returns the record the first call made.

    `then(record)`, if given, runs in the same transaction after a new record is saved
    (not on a repeated key): what a domain service adds to a creation, with no
    transaction (and savepoint) of its own around this one.

    `savepoint=False`, for a caller inside a transaction that it rolls back whole on any
    error (an import): no savepoint of its own, two statements fewer. An error then
    leaves the caller's transaction unusable until it is rolled back."""
    model = type(instance)
    require(actor, "add", model, _organisation_id(instance))
    key = idempotency_key[:100] if idempotency_key and actor is not None else None
    with transaction.atomic(savepoint=savepoint):
        claim = claim_submission(actor, key, model) if key else None
        if key and claim is None:
            return earlier_submission(actor, key, model)
        prefix = getattr(instance, "reference_prefix", None)
        if prefix and not getattr(instance, "reference", ""):
            instance.reference = references.allocate(instance.organisation_id, prefix)
        if hasattr(instance, "created_by_id"):
            instance.created_by = actor
            instance.updated_by = actor
        instance.full_clean()
        if many_to_many:
            clean_related(instance, many_to_many)
        instance.save()
        changes = audit.diff({}, audit.snapshot(instance))
        for name, values in (many_to_many or {}).items():
            getattr(instance, name).set(values)
            if values:
                changes[name] = [None, sorted(str(v) for v in values)]
        audit.record(instance, AuditAction.CREATE, actor=actor, changes=changes, note=note)
        stamps.written(instance)
        _part_written(instance, actor=actor)
        if claim is not None:
            SubmissionKey.objects.filter(pk=claim).update(object_id=instance.pk)
        if then is not None:
            then(instance)
    return instance


def claim_submission(actor, key: str, model: type[models.Model]) -> int | None:
    """Record that `actor` used `key` for a `model`, in the caller's transaction; None if
    the key was used before. Inserting first (INSERT … ON CONFLICT DO NOTHING, PostgreSQL
    and SQLite alike) makes a concurrent second use wait for the first to commit and then
    find its record, with no SELECT beforehand and no savepoint around it."""
    # Raw SQL: the ORM's bulk_create(ignore_conflicts=True) cannot say whether it inserted.
    meta = SubmissionKey._meta
    connection = transaction.get_connection(router.db_for_write(SubmissionKey))
    quote = connection.ops.quote_name
    columns = [quote(meta.get_field(name).column)
               for name in ("key", "user", "content_type", "object_id", "created_at")]
    conflict = ", ".join(quote(meta.get_field(name).column)
                         for name in ("user", "content_type", "key"))
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - metadata
           f"VALUES (%s, %s, %s, NULL, %s) ON CONFLICT ({conflict}) DO NOTHING RETURNING "
           f"{quote(meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, actor.pk, ContentType.objects.get_for_model(model).pk,
                             timezone.now()])
        row = cursor.fetchone()
    return row[0] if row else None


def earlier_submission(actor, key: str, model: type[models.Model]):
    # Keyed by model too: a key reused on another endpoint must never return a
    # record of another type (whose id could belong to another organisation).
    earlier = SubmissionKey.objects.filter(
        user=actor, key=key, content_type=ContentType.objects.get_for_model(model)
    ).first()
    if earlier is None:
        return None
    return model._default_manager.filter(pk=earlier.object_id).first()


def update_record(
    instance: models.Model,
    *,
    actor,
    data: dict[str, object],
    expected_version: int | None,
    note: str = "",
    savepoint: bool = True,
) -> models.Model:
    """Apply `data` to the locked row unless its version moved on; audit what changed.

    `expected_version` None skips the check, for system writers that hold the lock anyway.
    `savepoint=False`: as for create_record.
    """
    model = type(instance)
    require(actor, "change", model, _organisation_id(instance))
    with transaction.atomic(savepoint=savepoint):
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersionError(locked, expected_version, changes_since(locked, expected_version))
        before = audit.snapshot(locked)
        whole_before = _whole_of(locked)
        many_to_many = {}
        for name, value in data.items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many_to_many[name] = value
            else:
                setattr(locked, name, value)
        locked.full_clean()
        changes = audit.diff(before, audit.snapshot(locked))
        related = {}
        for name, values in many_to_many.items():
            current = {str(o) for o in getattr(locked, name).all()}
            wanted = {str(o) for o in values}
            if current != wanted:
                related[name] = (values, [sorted(current), sorted(wanted)])
        if ((changes or related) and (lifecycle := _lifecycle_of(model)) is not None
                and lifecycle.on_edit):
            # An edit of what a state vouches for takes its transition (an agreed SLA's
            # targets changed: back to draft), in this write and its audit event. Its
            # many-to-many fields count too (a business case's objectives).
            said = lifecycle.after_edit(locked, set(changes) | set(related), actor=actor)
            if said:
                changes = audit.diff(before, audit.snapshot(locked))
                note = f"{said} {note}".strip()
        if related:
            clean_related(locked, {name: values for name, (values, _) in related.items()})
        for name, (values, change) in related.items():
            getattr(locked, name).set(values)
            changes[name] = change
        if changes:
            locked.version += 1
            if hasattr(locked, "updated_by_id"):
                locked.updated_by = actor
            locked.save()
            audit.record(locked, AuditAction.UPDATE, actor=actor, changes=changes, note=note)
            stamps.written(locked)
            _part_written(locked, actor=actor, also=whole_before)
    return locked


def _whole_of(instance: models.Model) -> int | None:
    """The id of the record `instance` is part of (registry.part_of), if it is one."""
    from borough.core.registry import registry

    found = registry.parts.get(type(instance))
    return getattr(instance, f"{found[0]}_id") if found else None


def _part_written(instance: models.Model, *, actor, also: int | None = None) -> None:
    """A part of another record's content (registry.part_of: a plan's contacts) was
    written: that record's lifecycle takes what its on_edit names for the part (an
    approved plan returns to draft), in this transaction, audited on that record. `also`:
    the record it was part of before a change moved it."""
    from borough.core.registry import registry

    found = registry.parts.get(type(instance))
    if found is None:
        return
    name, part = found
    whole = type(instance)._meta.get_field(name).related_model
    for whole_id in dict.fromkeys((also, getattr(instance, f"{name}_id"))):
        if whole_id is not None:
            record_parts_changed(whole(pk=whole_id), {part}, actor=actor,
                                 note=f"{type(instance)._meta.verbose_name.capitalize()} "
                                      f"“{instance}”.")


def record_parts_changed(instance: models.Model, parts: set[str], *, actor,
                         note: str = "") -> models.Model:
    """Rows kept apart from the record but part of what its state vouches for (a business
    case's options) changed: take the transition its lifecycle's `on_edit` names for
    `parts` (EditTakes fields may name such parts), in the caller's transaction, saved
    and audited like an edit of its fields. Nothing when its state vouches for none."""
    model = type(instance)
    lifecycle = _lifecycle_of(model)
    if lifecycle is None or not lifecycle.on_edit:
        return instance
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        before = audit.snapshot(locked)
        said = lifecycle.after_edit(locked, set(parts), actor=actor)
        if not said:
            return locked
        locked.version += 1
        if hasattr(locked, "updated_by_id"):
            locked.updated_by = actor
        locked.save()
        audit.record(locked, AuditAction.UPDATE, actor=actor,
                     changes=audit.diff(before, audit.snapshot(locked)),
                     note=f"{said} {note}".strip())
        stamps.written(locked)
    return locked


def _lifecycle_of(model: type[models.Model]):
    from borough.core.registry import registry

    actions = registry.record_actions.get(model)
    return getattr(actions, "lifecycle", None)


def protected_relations(instance: models.Model) -> list[models.Model]:
    """Records that stop `instance` from being deleted."""
    collector = Collector(using=instance._state.db or "default")
    try:
        collector.collect([instance])
    except (ProtectedError, RestrictedError) as exc:
        objs = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
        return list(objs)[:50]
    return []


def removed_with(instance: models.Model) -> list[models.Model]:
    """The records of registered models that deleting `instance` deletes with it, by
    cascade (a CI's relationships, a service's components), read with their related
    records for the audit. The delete records each one (audit.record_removed_with)."""
    from borough.core.registry import registry

    collector = Collector(using=instance._state.db or "default")
    try:
        collector.collect([instance])
    except (ProtectedError, RestrictedError):
        return []
    ids: dict[type[models.Model], set] = {}
    for model, objs in collector.data.items():
        ids.setdefault(model, set()).update(o.pk for o in objs)
    for queryset in collector.fast_deletes:
        # Only registered models' rows are recorded: a metric's million raw points are
        # deleted with it unread.
        if queryset.model in registry.entries:
            ids.setdefault(queryset.model, set()).update(queryset.values_list("pk",
                                                                              flat=True))
    ids.get(type(instance), set()).discard(instance.pk)
    found = []
    for model, pks in ids.items():
        if model not in registry.entries or not pks:
            continue
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        found.extend(model._default_manager.filter(pk__in=pks).select_related(*related)
                     .order_by("pk"))
    return found


def clean_related(instance: models.Model, many_to_many: dict[str, object]) -> None:
    """The model's check of the many-to-many values a write sets (`clean_related`, if it
    has one), inside the write's transaction: a rule across records (a change in at most
    one open release) is checked with what it reads locked, so two writers cannot both
    pass it. A form's or serializer's check of the same rule gives the message early; this
    one holds."""
    check = getattr(instance, "clean_related", None)
    if check is not None:
        check(many_to_many)


def deletion_refusal(instance: models.Model) -> str | None:
    """Why `instance` may not be deleted as it stands (its model's own rule), or None."""
    refusal = getattr(instance, "deletion_refusal", None)
    return refusal() if refusal is not None else None


def delete_record(
    instance: models.Model, *, actor, expected_version: int | None, note: str = ""
) -> None:
    model = type(instance)
    require(actor, "delete", model, _organisation_id(instance))
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        if expected_version is not None and getattr(locked, "version", expected_version) != expected_version:
            raise StaleVersionError(locked, expected_version, changes_since(locked, expected_version))
        if (refusal := deletion_refusal(locked)) is not None:
            raise ValidationError(refusal)
        blockers = protected_relations(locked)
        if blockers:
            listed = "; ".join(f"{b._meta.verbose_name} {b}" for b in blockers[:10])
            raise ValidationError(
                f"This {model._meta.verbose_name} cannot be deleted because other records "
                f"use it: {listed}."
            )
        # What goes with it by cascade is audited too, each on its own history and on
        # the records it joined ("Relationship removed: …" on both CIs).
        audit.record_removed_with(locked, removed_with(locked), actor=actor)
        audit.record(locked, AuditAction.DELETE, actor=actor,
                     changes={k: [v, None] for k, v in audit.snapshot(locked).items() if v is not None},
                     note=note)
        locked.delete()
        stamps.written(locked)
        _part_written(locked, actor=actor)
