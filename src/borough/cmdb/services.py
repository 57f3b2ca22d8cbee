"""Writes for the CMDB. Classes, items and relationships are created, changed and deleted
through core.services (audit, versions, permissions); their rules are in the models'
clean(), so the pages, the API and imports check the same things."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from borough.cmdb import baselines
from borough.cmdb.defaults import DEFAULT_CLASSES
from borough.cmdb.models import Baseline, BaselineScope, CIClass, ConfigurationItem
from borough.core import services


def install_default_classes(organisation_id: int, *, actor=None) -> list[CIClass]:
    """Give an organisation the shipped CI classes it does not have yet (by code), so it
    is safe to run again and never overwrites attributes an administrator added.
    `actor` None: Borough itself (a new organisation, the demo)."""
    made = []
    with transaction.atomic():
        have = set(CIClass.objects.filter(organisation_id=organisation_id)
                   .values_list("code", flat=True))
        for code, name, description, schema in DEFAULT_CLASSES:
            if code in have:
                continue
            made.append(services.create_record(
                CIClass(organisation_id=organisation_id, code=code, name=name,
                        description=description, attribute_schema=schema),
                actor=actor, note="A class Borough ships with."))
    return made


def set_up_organisation(organisation, *, actor=None) -> None:
    """What the CMDB gives a new organisation (registry.organisation_setup)."""
    install_default_classes(organisation.pk, actor=None)


def take_baseline(organisation_id: int, *, actor, name: str, description: str = "",
                  scope: str = BaselineScope.LIVE, ci_class: CIClass | None = None,
                  items=(), idempotency_key: str | None = None) -> Baseline:
    """Freeze the scope's configuration items and their relationships as they are now.

    `items` (records or ids) are the chosen ones, for the "chosen" scope, and must all be
    visible to `actor`. Audited as the baseline's creation; the items and relationships
    are written in the same transaction (docs/cmdb.md, "Baselines")."""
    baseline = Baseline(organisation_id=organisation_id, name=name, description=description,
                        scope=scope, ci_class=ci_class, taken_at=timezone.now(),
                        taken_by=actor if getattr(actor, "pk", None) else None)
    services.require(actor, "add", Baseline, organisation_id)
    with transaction.atomic():
        chosen = _baseline_items(baseline, actor, items)
        return services.create_record(baseline, actor=actor, idempotency_key=idempotency_key,
                                      then=lambda made: baselines.freeze(made, chosen))


def _baseline_items(baseline: Baseline, actor, items):
    scoped = (ConfigurationItem.objects.visible_to(actor) if actor is not None
              else ConfigurationItem.objects.all()).filter(
        organisation_id=baseline.organisation_id)
    if baseline.scope != BaselineScope.CHOSEN:
        if items:
            raise ValidationError({"items": "Choose items only for a baseline of chosen items."})
        return scoped.filter(baselines.scope_filter(baseline.scope, baseline.ci_class_id))
    ids = {getattr(i, "pk", i) for i in items}
    if not ids:
        raise ValidationError({"items": "Choose at least one configuration item to freeze."})
    found = set(scoped.filter(pk__in=ids).values_list("pk", flat=True))
    if missing := sorted(ids - found, key=str):
        raise ValidationError({"items": "These configuration items were not found: "
                               + ", ".join(map(str, missing)) + "."})
    return scoped.filter(pk__in=found)
