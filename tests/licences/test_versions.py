"""Licences and entitlements keep their versions (core.temporal), a migration gives those
saved before one version each, and the evidence rule replays them: the licences and
entitlements as they stood on the day checked, not as they are now."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borough.core import services as core_services
from borough.core.registry import registry
from borough.licences import models as m
from tests.commercial.factories import SupplierFactory
from tests.licences.factories import ApplicationFactory
from tests.migrating import database_at, made, migrate, organisation

LONDON = ZoneInfo("Europe/London")
RULE = "licences.compliant"


def on(day: int) -> datetime:
    return datetime(2026, 6, day, 12, 0, tzinfo=LONDON)


def check_on(organisation, day: int, **params):
    return registry.evidence_rules[RULE].run(organisation, params, on(day))


def create(record, day):
    with time_machine.travel(on(day), tick=False):
        return core_services.create_record(record, actor=None)


def change(record, day, **data):
    with time_machine.travel(on(day), tick=False):
        return core_services.update_record(record, actor=None, data=data,
                                           expected_version=None)


def delete(record, day):
    with time_machine.travel(on(day), tick=False):
        core_services.delete_record(record, actor=None, expected_version=None)


def licence(org, day, users=10, **fields):
    software = ApplicationFactory(organisation=org, attributes={"number_of_users": users})
    supplier = SupplierFactory(organisation=org)
    return create(m.Licence(organisation=org, name=fields.pop("name", "Financials"),
                            software=software, supplier=supplier, **fields), day)


def entitlement(org, found, day, quantity):
    return create(m.Entitlement(organisation=org, licence=found, quantity=quantity,
                                term_start=date(2026, 4, 1), term_end=date(2027, 3, 31),
                                cost=Decimal("1000.00")), day)


@pytest.mark.django_db
def test_every_change_keeps_a_version(org_a):
    found = licence(org_a, 1)
    bought = entitlement(org_a, found, 1, 10)
    change(bought, 3, quantity=8)
    change(found, 4, name="Financials named users")
    versions = m.EntitlementVersion.objects.filter(record_id=bought.pk).order_by("valid_from")
    assert [v.values["quantity"] for v in versions] == [10, 8]
    assert versions[0].valid_to == versions[1].valid_from and versions[1].valid_to is None
    assert versions[0].licence_id == found.pk
    names = m.LicenceVersion.objects.filter(record_id=found.pk).order_by("valid_from")
    assert [v.values["name"] for v in names] == ["Financials", "Financials named users"]
    delete(found, 5)  # cascades to its entitlement: both closed
    assert not m.LicenceVersion.objects.filter(valid_to__isnull=True).exists()
    assert not m.EntitlementVersion.objects.filter(valid_to__isnull=True).exists()


@pytest.mark.django_db
def test_the_rule_reads_entitlements_as_they_stood(org_a):
    found = licence(org_a, 1, users=10)
    bought = entitlement(org_a, found, 1, 10)
    assert check_on(org_a, 2).met  # 10 used of 10
    change(bought, 3, quantity=8)  # the quantity corrected down: over-used from now on
    assert check_on(org_a, 2).met, "the 2nd reads the quantity of the 2nd"
    later = check_on(org_a, 4)
    assert not later.met and later.figures["over_used"] == [found.reference]
    delete(bought, 5)
    assert check_on(org_a, 2).met and not check_on(org_a, 4).met
    assert not check_on(org_a, 6).met


@pytest.mark.django_db
def test_the_rule_reads_licences_as_they_stood_deleted_ones_included(org_a):
    found = licence(org_a, 1, users=10)
    entitlement(org_a, found, 1, 10)
    # Counted from a count entered by hand from the 3rd, with none entered: not known.
    change(found, 3, counted_from=m.CountedFrom.ENTERED)
    assert check_on(org_a, 2).met
    assert check_on(org_a, 4).figures["not_known"] == [found.reference]
    delete(found, 5)
    assert check_on(org_a, 4).figures["licences"] == 1  # it existed then
    assert check_on(org_a, 6).figures["licences"] == 0
    # Not there before it was made either.
    before = registry.evidence_rules[RULE].run(org_a, {}, datetime(2026, 5, 1, tzinfo=LONDON))
    assert before.figures["licences"] == 0


@pytest.mark.django_db
def test_another_councils_versions_are_not_read(org_a, org_b):
    found = licence(org_b, 1, users=12)
    entitlement(org_b, found, 1, 10)
    assert check_on(org_a, 2).figures["licences"] == 0
    assert not check_on(org_b, 2).met


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_record_saved_before_one_version():
    with database_at(("licences", "0001_licences_entitlements_counts")) as old:
        # Made without versions, as records were before this migration.
        org = organisation(old)
        application = made(old, "cmdb.CIClass", organisation_id=org, code="application",
                           name="Software system")
        software = made(old, "cmdb.ConfigurationItem", organisation_id=org, reference="CI-000001",
                        ci_class_id=application, name="Revenues")
        supplier = made(old, "commercial.Supplier", organisation_id=org, reference="SUP-000001",
                        name="Civica")
        kept = made(old, "licences.Licence", organisation_id=org, reference="LIC-000001",
                    name="Old licence", software_id=software, supplier_id=supplier)
        bought = made(old, "licences.Entitlement", organisation_id=org, licence_id=kept,
                      quantity=7, term_start=date(2026, 4, 1), cost=Decimal("4250.00"))

        then = migrate(("licences", "0002_versions"))

        version = then.get_model("licences", "LicenceVersion").objects.get(record_id=kept)
        assert version.values["name"] == "Old licence" and version.valid_to is None
        assert version.software_id == software
        assert version.display["licence_model"] == "Per named user"
        held = then.get_model("licences", "EntitlementVersion").objects.get(record_id=bought)
        assert held.values["quantity"] == 7 and held.licence_id == kept
        assert held.values["cost"] == "4250.00"
