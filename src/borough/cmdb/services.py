"""Writes for the CMDB. Classes, items and relationships are created, changed and deleted
through core.services (audit, versions, permissions); their rules are in the models'
clean(), so the pages, the API and imports check the same things."""

from __future__ import annotations

from django.db import transaction

from borough.cmdb.defaults import DEFAULT_CLASSES
from borough.cmdb.models import CIClass
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
