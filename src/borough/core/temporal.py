"""Temporal versions: what a record was at any past moment.

A model opts in with a version model, a concrete subclass of `Version` in its own app,
and one line in its `entries.py`: `registry.keep_versions(Model, ModelVersion)`. From
then on every create, change and delete that is audited (core.services, record actions,
`audit.record_bulk`) also writes the record's version in the same transaction: a row
holding the record's values, valid from that moment until the next change (`valid_to`
NULL while it is current). A delete closes the record's row and those of the records the
delete cascades to.

Why not replay the audit history: audit events keep what a person saw (the related
record's name, the choice's label), never ids, and a cascaded delete writes none, so
"which relationships did this item have on 3 March" cannot be answered from them.

A version model may add columns named like the record's fields (`status`,
`ci_class_id`, `source_id`): they are copied from the record, so queries about a past
moment can filter and join on them with an index instead of reading JSON.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import uuid
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.db import models, router
from django.db.models import Q
from django.db.models.deletion import Collector
from django.utils import timezone

# Fields of no interest in a version: bookkeeping, and the owner, which never changes.
NOT_VERSIONED = {"organisation", "created_by", "created_at", "updated_at", "updated_by",
                 "version"}


class Version(models.Model):
    """One state of one record, valid from `valid_from` until `valid_to` (NULL: now)."""

    organisation = models.ForeignKey(settings.BOROUGH_ORGANISATION_MODEL,
                                     on_delete=models.CASCADE, related_name="+")
    # The record's id; not a foreign key, since the versions outlive a deleted record.
    record_id = models.BigIntegerField()
    record_version = models.PositiveIntegerField(null=True, blank=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    # field attname -> stored value as JSON (ids for relations, codes for choices).
    values = models.JSONField(default=dict)
    # field name -> what a person saw then (core.audit's display value: names, labels).
    display = models.JSONField(default=dict)

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self):
        until = self.valid_to.isoformat() if self.valid_to else "now"
        return f"{self.display.get('name', self.record_id)} ({self.valid_from.isoformat()} to {until})"

    @classmethod
    def mirrored(cls) -> list[str]:
        """Columns copied from the record, named by the record's attname."""
        own = {f.attname for f in Version._meta.concrete_fields} | {"id"}
        return [f.attname for f in cls._meta.concrete_fields if f.attname not in own]


def version_indexes(prefix: str) -> list[models.Index]:
    """The indexes every version model needs (a record's versions by time; an
    organisation's versions in force); `prefix` keeps their names within 30 characters."""
    return [models.Index(fields=["record_id", "valid_from"], name=f"{prefix}_record"),
            models.Index(fields=["organisation", "valid_to", "valid_from"],
                         name=f"{prefix}_in_force")]


def json_value(value):
    """A field's stored value as JSON: ids and codes as they are, dates as ISO text,
    decimals as text (never floats)."""
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return str(value)


@cache  # a model's fields are fixed for the process's life; captures run per record
def versioned_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    from borough.core.audit import tracked_fields

    return tuple(f for f in tracked_fields(model) if f.name not in NOT_VERSIONED)


def capture(instance: models.Model) -> tuple[dict, dict]:
    """(values, display) of a record as it is in memory. Display values of relations read
    the related records: select_related them when capturing many."""
    from borough.core.audit import display_value

    fields = versioned_fields(type(instance))
    values = {f.attname: json_value(getattr(instance, f.attname)) for f in fields}
    display = {f.name: display_value(instance, f) for f in fields}
    return values, display


def version_model(model: type[models.Model]) -> type[Version] | None:
    from borough.core.registry import registry

    return registry.versioned.get(model)


def _row(version_cls: type[Version], instance: models.Model, at) -> Version:
    values, display = capture(instance)
    mirrored = {name: getattr(instance, name) for name in version_cls.mirrored()}
    return version_cls(organisation_id=instance.organisation_id, record_id=instance.pk,
                       record_version=getattr(instance, "version", None), valid_from=at,
                       values=values, display=display, **mirrored)


def opened(instances: Iterable[models.Model], *, at=None) -> None:
    """New records: their first versions."""
    _write(list(instances), at or timezone.now(), close=False)


def changed(instances: Iterable[models.Model], *, at=None) -> None:
    """Changed records: close their current versions and open new ones."""
    _write(list(instances), at or timezone.now(), close=True)


def _write(instances: list[models.Model], at, *, close: bool) -> None:
    if not instances or (version_cls := version_model(type(instances[0]))) is None:
        return
    if close:
        _close(version_cls, Q(record_id__in=[i.pk for i in instances]), at)
    version_cls.objects.bulk_create([_row(version_cls, i, at) for i in instances],
                                    batch_size=1000)


def closed(instances: Iterable[models.Model], *, at=None) -> None:
    """Records about to be deleted: close their versions and those of every versioned
    record the delete cascades to (a CI's relationships). Call before deleting."""
    instances = list(instances)
    if not instances:
        return
    at = at or timezone.now()
    from borough.core.registry import registry

    if not registry.versioned:
        return
    collector = Collector(using=router.db_for_write(type(instances[0])))
    collector.collect(instances)
    for model, objs in collector.data.items():
        if (version_cls := registry.versioned.get(model)) is not None:
            _close(version_cls, Q(record_id__in=[o.pk for o in objs]), at)
    for queryset in collector.fast_deletes:
        if (version_cls := registry.versioned.get(queryset.model)) is not None:
            _close(version_cls, Q(record_id__in=queryset.values("pk")), at)


def _close(version_cls: type[Version], which: Q, at) -> None:
    version_cls.objects.filter(which, valid_to__isnull=True).update(valid_to=at)


def valid_at(version_cls: type[Version], at) -> models.QuerySet:
    """The versions in force at `at` (one per record that existed then)."""
    return version_cls.objects.filter(valid_from__lte=at).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=at))


def current(version_cls: type[Version]) -> models.QuerySet:
    return version_cls.objects.filter(valid_to__isnull=True)


# While set (remembering()), changed_since answers each (model, organisation, moment) once:
# many evidence rules read the same kinds of record at the same moment on one page.
_remembered: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "temporal_remembered", default=None)


@contextlib.contextmanager
def remembering(store: dict):
    """Within, `changed_since` keeps its answers in `store` (one evaluation of many rules
    at one moment: nothing is written meanwhile)."""
    token = _remembered.set(store)
    try:
        yield
    finally:
        _remembered.reset(token)


def changed_since(version_cls: type[Version], organisation, at) -> bool:
    """Whether any of the organisation's records of this kind was created, changed or
    deleted through the audited paths after `at`: if not, the records as they are now
    are exactly what they were then (apart from records created after `at`)."""
    store = _remembered.get()
    key = (version_cls, getattr(organisation, "pk", organisation), at)
    if store is not None and key in store:
        return store[key]
    # A version opened after `at` is current (valid_to NULL) or closed after it.
    answer = version_cls.objects.filter(organisation=organisation).filter(
        Q(valid_to__gt=at) | Q(valid_to__isnull=True, valid_from__gt=at)).exists()
    if store is not None:
        store[key] = answer
    return answer


def states_at(version_cls: type[Version], model: type[models.Model], organisation, at, *,
              fields: Iterable[str], where: dict | None = None) -> list[dict]:
    """The organisation's records of `model` as they stood at `at`, as dicts of `id` and
    the given field attnames, for the records that existed then (deleted ones included).

    A record's state is its version in force at `at`. Records made before versions were
    kept (or written without them, as benchmark seeds are) have no version then: for
    one created by `at` the earliest version known stands in, and for one with no version
    at all its current values do. `where` filters on columns the version model mirrors
    (named as on the record, so the same filter applies to both)."""
    fields = list(fields)
    where = where or {}
    mirrored = set(version_cls.mirrored())
    direct = [f for f in fields if f in mirrored]
    in_json = [f for f in fields if f not in mirrored]
    versions = version_cls.objects.filter(organisation=organisation)
    existed = model.objects.for_organisation(organisation).filter(created_at__lte=at)
    if not changed_since(version_cls, organisation, at):
        return list(existed.filter(**where).values("id", *fields).order_by())

    # Stored JSON back to the field's type (dates, decimals), as the records give them.
    parse = {name: model._meta.get_field(name).to_python for name in in_json}

    def from_versions(queryset) -> list[dict]:
        columns = ["record_id", *direct, *(["values"] if in_json else [])]
        rows = []
        for row in queryset.filter(**where).values(*columns).order_by():
            values = row.pop("values", None) or {}
            row["id"] = row.pop("record_id")
            row.update({name: parse[name](values.get(name)) for name in in_json})
            rows.append(row)
        return rows

    in_force = valid_at(version_cls, at).filter(organisation=organisation)
    before_history = existed.exclude(pk__in=in_force.values("record_id"))
    earlier = version_cls.objects.filter(record_id=models.OuterRef("record_id"),
                                         valid_from__lt=models.OuterRef("valid_from"))
    earliest = versions.filter(record_id__in=before_history.values("pk"),
                               valid_from__gt=at).exclude(models.Exists(earlier))
    unversioned = before_history.exclude(pk__in=versions.values("record_id"))
    rows = from_versions(in_force) + from_versions(earliest)
    rows += list(unversioned.filter(**where).values("id", *fields).order_by())
    return rows


__all__ = ["Version", "capture", "changed", "changed_since", "closed", "current",
           "json_value", "opened", "remembering", "states_at", "valid_at", "version_indexes",
           "version_model", "versioned_fields"]
