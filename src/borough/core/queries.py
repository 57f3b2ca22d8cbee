"""Reads shared by the generic views: detail rows, history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst

from borough.core import restricted
from borough.core.models import Attachment, AuditEvent, Comment
from borough.core.money import format_pounds
from borough.core.perf.precompiled import PrecompiledAnnotations


def detail_rows(obj: models.Model, field_names: tuple[str, ...]) -> list[tuple[str, object]]:
    rows = []
    for name in field_names:
        field = obj._meta.get_field(name)
        label = capfirst(str(getattr(field, "verbose_name", name)))
        if getattr(field, "many_to_many", False) or getattr(field, "one_to_many", False):
            value = ", ".join(str(o) for o in getattr(obj, name).all()) or "None"
        elif getattr(field, "choices", None):
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            elif value in (None, ""):
                value = "Not set"
            elif getattr(field, "is_money", False):
                value = format_pounds(value)
        rows.append((label, value))
    return rows


def detail_relations(model: type[models.Model], field_names: tuple[str, ...]) -> list[str]:
    """The detail rows' fields that name one related record (a foreign key or one to one),
    for select_related: detail_rows reads each."""
    found = []
    for name in field_names:
        field = model._meta.get_field(name)
        if field.concrete and (field.many_to_one or field.one_to_one):
            found.append(name)
    return found


# By (model, comments shown, attachments shown): made when a page first asks.
_record_extras: dict[tuple, PrecompiledAnnotations] = {}


def with_record_extras(queryset, *, comments: bool = False, attachments: bool = False):
    """A record page's own read of its record, annotated with whether any comment or
    attachment hangs off it (when the page shows them) and with what the model's detail
    panels ask (core.registry.DetailPanel.annotations): each is an EXISTS over every row,
    whoever may see it, so a section with nothing recorded asks no query of its own
    (none_recorded), and one with rows reads them through visible_to(user) as before.
    Most records have no comments, contracts or documents: a CI's page made eight such
    queries, each compiled by the ORM on every view. Compiled once per process."""
    key = (queryset.model, comments, attachments)
    extras = _record_extras.get(key)
    if extras is None:
        extras = _record_extras[key] = PrecompiledAnnotations(
            queryset.model, lambda: _record_expressions(*key))
    return queryset.annotate(**extras.on(queryset))


def _record_expressions(model, comments: bool, attachments: bool) -> dict:
    from borough.core.registry import registry

    found = {}
    opts = model._meta.concrete_model._meta  # as ContentType.objects.get_for_model
    for name, shown, kind in (("record_has_comments", comments, Comment),
                              ("record_has_attachments", attachments, Attachment)):
        if shown:
            # By the content type's names, not its id: the SQL is kept for the process's
            # life, and a test database's flush gives the content types new ids.
            found[name] = models.Exists(kind.objects.filter(
                content_type__app_label=opts.app_label, content_type__model=opts.model_name,
                object_id=models.OuterRef("pk")))
    return {**found, **registry.detail_annotations(model)}


def none_recorded(record, name: str) -> bool:
    """Whether `record` was read with the extra `name` (with_record_extras) and it says no
    such row exists at all: then none is visible either, and no query is needed."""
    value = getattr(record, name, None)
    return value is not None and not value


def history_for(obj: models.Model, user, limit: int = 200) -> list[AuditEvent]:
    """History the user's role may read (requesters, for one, see none), less the changes
    of fields the user may not see on the record (core.restricted)."""
    events = list(AuditEvent.objects.visible_to(user).for_object(obj)
                  .select_related("actor")[:limit])
    hidden = restricted.hidden_on(obj, user)
    for event in events if hidden else ():
        if isinstance(event.changes, dict):
            event.changes = {k: v for k, v in event.changes.items() if k not in hidden}
    return events


def attachments_for(obj: models.Model, user) -> list[Attachment]:
    if none_recorded(obj, "record_has_attachments"):
        return []
    return list(
        Attachment.objects.visible_to(user)
        .filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)
        .select_related("created_by")
    )
