"""Reads shared by the generic views: detail rows, history."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst

from borough.core import restricted
from borough.core.models import Attachment, AuditEvent
from borough.core.money import format_pounds


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
    return list(
        Attachment.objects.visible_to(user)
        .filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)
        .select_related("created_by")
    )
