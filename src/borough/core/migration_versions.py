"""For data migrations that start keeping a model's versions (core.temporal): each record
saved before gets one version, its state now, valid from its last change.

Written for historical models (`apps.get_model`), over whatever fields they have when the
migration runs, with the display values core.audit would give (the related record's
reference and name, the choice's label, JSON with its keys sorted). Kept apart from
core.temporal, which works on the real models, so that it can stay as migrations need it:
change it only in ways that give the same versions.
"""

from __future__ import annotations

import json

NOT_VERSIONED = {"id", "organisation", "created_by", "created_at", "updated_at",
                 "updated_by", "version"}


def _named(related):
    if related is None:
        return None
    if getattr(related, "reference", "") and hasattr(related, "name"):
        return f"{related.reference} {related.name}"
    for attribute in ("full_name", "name"):
        if hasattr(related, attribute):
            return getattr(related, attribute)
    return str(related.pk)


def _json(value):
    if value is None or isinstance(value, bool | int | float | str | dict | list):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def captured(record, skip: set[str]) -> tuple[dict, dict]:
    values, display = {}, {}
    for field in record._meta.concrete_fields:
        if field.name in skip:
            continue
        value = getattr(record, field.attname)
        values[field.attname] = _json(value)
        if value is None:
            display[field.name] = None
        elif field.is_relation:
            display[field.name] = _named(getattr(record, field.name))
        elif field.choices:
            display[field.name] = str(dict(field.flatchoices).get(value, value))
        elif isinstance(value, dict | list):
            display[field.name] = json.dumps(value, sort_keys=True, ensure_ascii=False,
                                             default=str)
        elif isinstance(value, bool | int | float | str):
            display[field.name] = value
        else:
            display[field.name] = str(value)
    return values, display


def keep_current_states(apps, app_label: str, mirrored: dict[str, tuple[str, ...]], *,
                        also_skip: tuple[str, ...] = ()) -> None:
    """One version for each record of each model named in `mirrored` (model name -> the
    columns its version model copies), in `<Model>Version`."""
    skip = NOT_VERSIONED | set(also_skip)
    for name, columns in mirrored.items():
        model = apps.get_model(app_label, name)
        version_model = apps.get_model(app_label, f"{name}Version")
        related = [f.name for f in model._meta.concrete_fields
                   if f.is_relation and f.name not in skip]
        rows = []
        for record in model.objects.select_related(*related).iterator(2000):
            values, display = captured(record, skip)
            rows.append(version_model(
                organisation_id=record.organisation_id, record_id=record.pk,
                record_version=record.version, valid_from=record.updated_at, values=values,
                display=display, **{c: getattr(record, c) for c in columns}))
        version_model.objects.bulk_create(rows, batch_size=2000)
