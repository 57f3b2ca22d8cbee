"""Migration 0007 gives organisations made before the CMDB the shipped classes, as a new
organisation gets them, without touching a class an organisation already has."""

from __future__ import annotations

import pytest

from borough.cmdb.defaults import DEFAULT_CLASSES
from tests.migrating import database_at, migrate, organisation

BEFORE = ("cmdb", "0006_application_return_attributes")
AFTER = ("cmdb", "0007_default_classes_for_existing_organisations")


@pytest.mark.django_db(transaction=True)
def test_organisations_without_classes_get_the_shipped_ones_and_others_keep_theirs():
    with database_at(BEFORE) as old:
        bare, tailored = organisation(old, "Allerdale", "abc"), organisation(old)
        OldClass = old.get_model("cmdb", "CIClass")  # noqa: N806
        own_schema = [{"name": "licence_key", "label": "Licence key", "type": "text",
                       "required": False, "choices": [], "help": ""}]
        OldClass.objects.create(organisation_id=tailored, code="application",
                                name="Software system", attribute_schema=own_schema)
        # A class of another code already called "Storage": not made twice under that name.
        OldClass.objects.create(organisation_id=tailored, code="san", name="storage",
                                attribute_schema=[])

        classes = migrate(AFTER).get_model("cmdb", "CIClass").objects

        shipped = {code for code, *_ in DEFAULT_CLASSES}
        assert set(classes.filter(organisation=bare).values_list("code", flat=True)) \
            == shipped
        mine = {c.code: c for c in classes.filter(organisation=tailored)}
        assert mine["application"].name == "Software system"
        assert mine["application"].attribute_schema == own_schema
        assert "storage" not in mine and mine["san"].name == "storage"
        assert set(mine) == (shipped - {"storage"}) | {"san"}
        # Made as the service makes them: schemas complete, each class active.
        server = classes.get(organisation=bare, code="physical-server")
        assert server.is_active and {"hostname"} <= {a["name"] for a in server.attribute_schema}
