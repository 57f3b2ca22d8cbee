"""Each licence model's consumption and compliance, priced to the exact penny; the
entitlements in and out of force; counts entered by hand; and the rules a licence keeps."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from borough.cmdb.models import CIClass
from borough.core import services
from borough.licences import models as m
from borough.licences import queries
from borough.licences.queries import Status
from tests.cmdb.factories import CIClassFactory, ConfigurationItemFactory, RelationshipFactory
from tests.licences.factories import (
    ApplicationFactory,
    ConsumptionCountFactory,
    EntitlementFactory,
    LicenceFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def bought(licence, quantity, cost, start=datetime.date(2026, 4, 1),
           end=datetime.date(2027, 3, 31)):
    return EntitlementFactory(organisation=licence.organisation, licence=licence,
                              quantity=quantity, cost=Decimal(cost), term_start=start,
                              term_end=end)


def at(licence, day=DAY):
    return queries.position_of(m.Licence.objects.get(pk=licence.pk), day)


def item(org, code, name, **attributes):
    ci_class = (CIClass.objects.filter(organisation=org, code=code).first()
                or CIClassFactory(organisation=org, code=code, name=code.title(),
                                  attribute_schema=[{"name": "cpu_cores", "label": "Cores",
                                                     "type": "integer"}]))
    return ConfigurationItemFactory(organisation=org, ci_class=ci_class, name=name,
                                    attributes=attributes)


# --- named users, from the systems catalogue ---------------------------------------------

def test_named_users_over_used_are_short_and_priced_at_the_unit_cost_to_the_penny(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 5})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 3, "100.00")  # £33.333… each
    position = at(licence)
    assert (position.entitled, position.used, position.status) == (3, 5, Status.OVER)
    assert position.shortfall == 2
    # 2 × £100/3 = £66.666… → £66.67, not 2 × £33.33 = £66.66.
    assert position.true_up_cost == Decimal("66.67")
    assert position.saving == Decimal("0.00")
    assert "Over-used by 2 named users: 5 used of 3" in position.summary()
    assert position.consumption.figures[0].adds == 5
    assert position.consumption.figures[0].url == f"/configuration/systems/{app.pk}/"


def test_named_users_under_used_is_the_money_to_save(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 2})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 3, "100.00")
    position = at(licence)
    assert (position.status, position.unused, position.shortfall) == (Status.UNDER, 1, 0)
    assert position.saving == Decimal("33.33")
    assert position.true_up_cost == Decimal("0.00")


def test_exactly_used_is_compliant(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 50})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 50, "4250.00")
    position = at(licence)
    assert position.status == Status.COMPLIANT
    assert position.unit_cost == Decimal("85")
    assert position.summary() == "Compliant: 50 used of 50."


def test_no_number_of_users_recorded_is_not_known(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 10, "10.00")
    position = at(licence)
    assert position.used is None and position.status == Status.UNKNOWN
    assert "records no number of users" in position.summary()


# --- entitlements in and out of force ------------------------------------------------------

def test_only_entitlements_in_force_on_the_day_count_and_they_add_up(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 0})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 10, "100.00", DAY - datetime.timedelta(days=365), DAY)  # ends today
    bought(licence, 5, "100.00", DAY, None)  # perpetual, starts today
    bought(licence, 7, "100.00", DAY + datetime.timedelta(days=1), None)  # not yet
    bought(licence, 20, "100.00", datetime.date(2020, 1, 1), DAY - datetime.timedelta(days=1))
    assert at(licence).entitled == 15
    assert at(licence, DAY + datetime.timedelta(days=1)).entitled == 12


def test_the_price_is_that_of_the_entitlement_in_force_that_started_last(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 12})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 5, "50.00", datetime.date(2025, 4, 1), None)  # £10 each
    last = bought(licence, 5, "60.00", datetime.date(2026, 4, 1), None)  # £12 each
    position = at(licence)
    assert position.priced_by == last
    assert (position.shortfall, position.true_up_cost) == (2, Decimal("24.00"))


def test_with_nothing_in_force_every_use_is_short_at_the_last_price_paid(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 4})
    licence = LicenceFactory(organisation=org_a, software=app)
    bought(licence, 10, "25.00", datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    position = at(licence)
    assert (position.entitled, position.shortfall) == (0, 4)
    assert position.true_up_cost == Decimal("10.00")


def test_never_bought_is_over_used_with_no_price(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 4})
    licence = LicenceFactory(organisation=org_a, software=app)
    position = at(licence)
    assert position.status == Status.OVER and position.true_up_cost is None
    assert "no entitlement gives a price" in position.summary()


# --- per device: installations, every device, a standard build ---------------------------

def test_per_device_counted_from_installations_lists_the_items(org_a, admin_a):
    app = ApplicationFactory(organisation=org_a)
    licence = LicenceFactory(organisation=org_a, software=app,
                             licence_model=m.LicenceModel.DEVICE,
                             counted_from=m.CountedFrom.INSTALLATIONS)
    bought(licence, 1, "300.00")
    pcs = [item(org_a, "end-user-device", f"PC-{n}") for n in range(3)]
    for pc in pcs:
        RelationshipFactory(organisation=org_a, source=pc, target=app, relationship_type="uses")
    services.update_record(pcs[2], actor=None, data={"status": "retired"},
                           expected_version=None)
    position = at(licence)
    assert (position.used, position.shortfall, position.true_up_cost) == (2, 1,
                                                                          Decimal("300.00"))
    admin_a.active_organisation_id = org_a.pk
    listed, total = queries.items_behind(position, admin_a)
    assert total == 2 and [i.name for i in listed] == ["PC-0", "PC-1"]


def test_per_device_counted_from_devices_of_a_standard_build(org_a):
    build = item(org_a, "standard-build", "Desktop 2026.1")
    other = item(org_a, "standard-build", "Desktop 2024.2")
    devices = [item(org_a, "end-user-device", f"PC-{n}") for n in range(5)]
    for n, device in enumerate(devices):
        RelationshipFactory(organisation=org_a, source=device, target=build if n < 3 else other,
                            relationship_type="uses")
    whole = LicenceFactory(organisation=org_a, licence_model=m.LicenceModel.DEVICE,
                           counted_from=m.CountedFrom.DEVICES)
    on_build = LicenceFactory(organisation=org_a, licence_model=m.LicenceModel.DEVICE,
                              counted_from=m.CountedFrom.DEVICES, standard_build=build)
    bought(whole, 4, "40.00")
    bought(on_build, 4, "40.00")
    assert at(whole).used == 5 and at(whole).status == Status.OVER
    assert at(on_build).used == 3 and at(on_build).saving == Decimal("10.00")


# --- per core ----------------------------------------------------------------------------

def test_per_core_sums_the_cores_of_the_servers_it_runs_on(org_a):
    app = ApplicationFactory(organisation=org_a)
    licence = LicenceFactory(organisation=org_a, software=app,
                             licence_model=m.LicenceModel.CORE, counted_from=m.CountedFrom.CORES)
    bought(licence, 16, "16000.00")
    for name, cores in (("APP01", 8), ("APP02", 12)):
        RelationshipFactory(organisation=org_a, source=app,
                            target=item(org_a, "virtual-server", name, cpu_cores=cores),
                            relationship_type="runs_on")
    position = at(licence)
    assert (position.used, position.shortfall, position.true_up_cost) == (
        20, 4, Decimal("4000.00"))
    assert [(f.label.split(" ", 1)[1], f.adds) for f in position.consumption.figures] == [
        ("APP01", 8), ("APP02", 12)]


def test_per_core_with_a_server_missing_its_cores_is_not_known(org_a):
    app = ApplicationFactory(organisation=org_a)
    licence = LicenceFactory(organisation=org_a, software=app,
                             licence_model=m.LicenceModel.CORE, counted_from=m.CountedFrom.CORES)
    RelationshipFactory(organisation=org_a, source=app,
                        target=item(org_a, "physical-server", "HOST01"),
                        relationship_type="runs_on")
    position = at(licence)
    assert position.status == Status.UNKNOWN
    assert "1 of its servers have no CPU cores recorded (HOST01)" in position.summary()


# --- concurrent users: entered by hand ---------------------------------------------------

def test_concurrent_users_use_the_latest_count_entered_by_the_day(org_a):
    licence = LicenceFactory(organisation=org_a, licence_model=m.LicenceModel.CONCURRENT,
                             counted_from=m.CountedFrom.ENTERED)
    bought(licence, 20, "2000.00")
    ConsumptionCountFactory(organisation=org_a, licence=licence, count=25,
                            counted_on=datetime.date(2026, 3, 1))
    latest = ConsumptionCountFactory(organisation=org_a, licence=licence, count=18,
                                     counted_on=datetime.date(2026, 5, 20))
    position = at(licence)
    assert position.consumption.entered == latest
    assert (position.status, position.unused, position.saving) == (Status.UNDER, 2,
                                                                    Decimal("200.00"))
    assert f"by {latest.counted_by}" in position.consumption.method
    earlier = at(licence, datetime.date(2026, 4, 1))
    assert (earlier.used, earlier.true_up_cost) == (25, Decimal("500.00"))
    assert at(licence, datetime.date(2026, 2, 1)).status == Status.UNKNOWN


# --- site licences and subscriptions -----------------------------------------------------

def test_a_site_licence_in_force_covers_any_use(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 900})
    licence = LicenceFactory(organisation=org_a, software=app, licence_model=m.LicenceModel.SITE)
    bought(licence, 1, "12000.00")
    position = at(licence)
    assert (position.status, position.shortfall, position.saving) == (
        Status.COMPLIANT, 0, Decimal("0.00"))
    assert position.summary() == "Covered by a site licence in force."
    lapsed = at(licence, datetime.date(2027, 4, 1))
    assert (lapsed.status, lapsed.shortfall, lapsed.true_up_cost) == (
        Status.OVER, 1, Decimal("12000.00"))


def test_a_subscription_counted_from_users(org_a):
    app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": 7})
    licence = LicenceFactory(organisation=org_a, software=app,
                             licence_model=m.LicenceModel.SUBSCRIPTION)
    bought(licence, 10, "1234.56")  # £123.456 each
    position = at(licence)
    assert (position.unused, position.saving) == (3, Decimal("370.37"))


# --- the compliance list ------------------------------------------------------------------

def test_compliance_lists_the_largest_risk_first_then_unknown_then_savings(org_a, admin_a):
    def licence_with(name, users, quantity, cost):
        app = ApplicationFactory(organisation=org_a, attributes=(
            {"number_of_users": users} if users is not None else {}))
        licence = LicenceFactory(organisation=org_a, software=app, name=name)
        bought(licence, quantity, cost)
        return licence

    licence_with("Small risk", 11, 10, "100.00")
    licence_with("Big risk", 20, 10, "1000.00")
    licence_with("Saving", 5, 10, "100.00")
    licence_with("Unknown", None, 10, "100.00")
    licence_with("Even", 10, 10, "100.00")
    admin_a.active_organisation_id = org_a.pk
    found = queries.compliance(queries.licences_for(admin_a), day=DAY)
    assert [p.licence.name for p in found.positions] == [
        "Big risk", "Small risk", "Unknown", "Saving", "Even"]
    assert found.risk == Decimal("1010.00") and found.savings == Decimal("50.00")
    assert found.counts() == {"over": 2, "unknown": 1, "under": 1, "compliant": 1}
    only = queries.compliance(queries.licences_for(admin_a), status=Status.UNDER, day=DAY)
    assert [p.licence.name for p in only.positions] == ["Saving"]


def test_positions_of_many_licences_take_a_fixed_number_of_queries(org_a,
                                                                   django_assert_max_num_queries):
    for n in range(12):
        app = ApplicationFactory(organisation=org_a, attributes={"number_of_users": n})
        bought(LicenceFactory(organisation=org_a, software=app), 5, "50.00")
        licence = LicenceFactory(organisation=org_a, licence_model=m.LicenceModel.CONCURRENT,
                                 counted_from=m.CountedFrom.ENTERED)
        ConsumptionCountFactory(organisation=org_a, licence=licence, counted_on=DAY)
    licences = m.Licence.objects.select_related("software__ci_class", "standard_build")
    with django_assert_max_num_queries(6):
        found = queries.positions(licences, DAY)
    assert len(found) == 24


# --- rules a licence, an entitlement and a count keep --------------------------------------

def test_the_software_must_be_an_application(org_a):
    server = item(org_a, "virtual-server", "APP01")
    licence = LicenceFactory.build(organisation=org_a, software=server,
                                   supplier=LicenceFactory(organisation=org_a).supplier)
    with pytest.raises(ValidationError) as error:
        licence.full_clean()
    assert "choose an application" in str(error.value)


@pytest.mark.parametrize(("model", "counted", "allowed"), [
    (m.LicenceModel.CONCURRENT, m.CountedFrom.USERS, False),
    (m.LicenceModel.CONCURRENT, m.CountedFrom.ENTERED, True),
    (m.LicenceModel.CORE, m.CountedFrom.DEVICES, False),
    (m.LicenceModel.CORE, m.CountedFrom.CORES, True),
    (m.LicenceModel.NAMED_USER, m.CountedFrom.CORES, False),
    (m.LicenceModel.DEVICE, m.CountedFrom.INSTALLATIONS, True),
    (m.LicenceModel.SUBSCRIPTION, m.CountedFrom.CORES, True),
])
def test_each_licence_model_is_counted_only_in_ways_that_fit(org_a, model, counted, allowed):
    licence = LicenceFactory(organisation=org_a)
    licence.licence_model, licence.counted_from = model, counted
    if allowed:
        licence.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            licence.full_clean()
        assert "counted_from" in error.value.message_dict


def test_a_standard_build_narrows_only_a_count_of_devices(org_a):
    licence = LicenceFactory(organisation=org_a)
    licence.standard_build = item(org_a, "standard-build", "Build 1")
    with pytest.raises(ValidationError) as error:
        licence.full_clean()
    assert "standard_build" in error.value.message_dict


def test_a_term_cannot_end_before_it_starts(org_a):
    entitlement = EntitlementFactory.build(organisation=org_a,
                                           licence=LicenceFactory(organisation=org_a),
                                           term_start=DAY, term_end=DAY - datetime.timedelta(1))
    with pytest.raises(ValidationError) as error:
        entitlement.full_clean()
    assert "term_end" in error.value.message_dict


def test_a_count_is_refused_for_a_licence_counted_from_records_and_for_the_future(org_a):
    counted = LicenceFactory(organisation=org_a)
    count = ConsumptionCountFactory.build(organisation=org_a, licence=counted,
                                          counted_on=DAY, counted_by=None)
    with pytest.raises(ValidationError) as error:
        count.full_clean()
    assert "would not be used" in str(error.value)
    entered = LicenceFactory(organisation=org_a, licence_model=m.LicenceModel.CONCURRENT,
                             counted_from=m.CountedFrom.ENTERED)
    future = ConsumptionCountFactory.build(
        organisation=org_a, licence=entered,
        counted_on=datetime.date.today() + datetime.timedelta(days=2), counted_by=None)
    with pytest.raises(ValidationError) as error:
        future.full_clean()
    assert "counted_on" in error.value.message_dict


def test_a_licence_of_another_organisation_is_refused(org_a, org_b):
    theirs = ApplicationFactory(organisation=org_b)
    licence = LicenceFactory(organisation=org_a)
    licence.software = theirs
    with pytest.raises(ValidationError) as error:
        licence.full_clean()
    assert error.value.message_dict["software"] == ["Choose one from this organisation."]
