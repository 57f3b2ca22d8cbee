"""Migration 0007 gives organisations made before the CMDB the shipped classes, as a new
organisation gets them, without touching a class an organisation already has."""

from __future__ import annotations

import pytest

from borough.cmdb.defaults import DEFAULT_CLASSES
from borough.cmdb.models import CIClass
from tests.factories import OrganisationFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = ("cmdb", "0006_application_return_attributes")
AFTER = ("cmdb", "0007_default_classes_for_existing_organisations")


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_organisations_without_classes_get_the_shipped_ones_and_others_keep_theirs():
    bare, tailored = OrganisationFactory(), OrganisationFactory()
    CIClass.objects.filter(organisation__in=[bare, tailored]).delete()
    old = migrate(BEFORE)
    OldClass = old.get_model("cmdb", "CIClass")  # noqa: N806
    own_schema = [{"name": "licence_key", "label": "Licence key", "type": "text",
                   "required": False, "choices": [], "help": ""}]
    OldClass.objects.create(organisation_id=tailored.pk, code="application",
                            name="Software system", attribute_schema=own_schema)
    # A class of another code already called "Storage": not made twice under that name.
    OldClass.objects.create(organisation_id=tailored.pk, code="san", name="storage",
                            attribute_schema=[])

    migrate(AFTER)

    shipped = {code for code, *_ in DEFAULT_CLASSES}
    assert set(CIClass.objects.filter(organisation=bare).values_list("code", flat=True)) \
        == shipped
    mine = {c.code: c for c in CIClass.objects.filter(organisation=tailored)}
    assert mine["application"].name == "Software system"
    assert mine["application"].attribute_schema == own_schema
    assert "storage" not in mine and mine["san"].name == "storage"
    assert set(mine) == (shipped - {"storage"}) | {"san"}
    # Made as the service makes them: schemas complete, each class active.
    server = CIClass.objects.get(organisation=bare, code="physical-server")
    assert server.is_active and {"hostname"} <= {a["name"] for a in server.attribute_schema}
