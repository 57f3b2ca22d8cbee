"""The CMDB's evidence rules, each met and not met, with the edges: nothing recorded,
exactly at the threshold, records made after the date checked, and another
organisation's records."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from borough.cmdb import models as m
from borough.cmdb import services
from borough.core.registry import registry
from tests.factories import (
    ConfigurationItemFactory,
    PersonFactory,
    RelationshipFactory,
    SiteFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
AS_OF = datetime(2026, 7, 1, 12, 0, tzinfo=LONDON)
BEFORE, AFTER = datetime(2026, 5, 1, tzinfo=LONDON), datetime(2026, 8, 1, tzinfo=LONDON)
IW = m.RelationshipType.INTERFACES_WITH


def run(name, organisation, **params):
    return registry.evidence_rules[name].run(organisation, params, AS_OF)


def dated(record, when=BEFORE):
    type(record).objects.filter(pk=record.pk).update(created_at=when)
    return record


@pytest.fixture
def classes(org_a):
    services.install_default_classes(org_a.pk)
    return {c.code: c for c in m.CIClass.objects.filter(organisation=org_a)}


def item(org, cls, name, when=BEFORE, **fields):
    attrs = {"hostname": name.lower()} if cls.code.endswith("server") else {}
    return dated(ConfigurationItemFactory(organisation=org, ci_class=cls, name=name,
                                          attributes=attrs, **fields), when)


def link(org, source, target, kind=IW, when=BEFORE):
    return dated(RelationshipFactory(organisation=org, source=source, target=target,
                                     relationship_type=kind), when)


# --- applications owned ------------------------------------------------------------------

def test_every_application_owned_and_supported_is_met(org_a, classes):
    owner, team = PersonFactory(organisation=org_a), TeamFactory(organisation=org_a)
    for name in ("Payroll", "Revenues"):
        item(org_a, classes["application"], name, owner=owner, support_team=team)
    result = run("cmdb.applications-owned", org_a, min_applications=2)
    assert result.met and result.figures["live_applications"] == 2
    assert not run("cmdb.applications-owned", org_a, min_applications=3).met


def test_an_application_without_owner_or_team_is_named(org_a, classes):
    team = TeamFactory(organisation=org_a)
    item(org_a, classes["application"], "Payroll", support_team=team)
    item(org_a, classes["application"], "Planning", owner=PersonFactory(organisation=org_a))
    result = run("cmdb.applications-owned", org_a)
    assert not result.met
    assert "1 without a business owner (Payroll)" in result.summary
    assert "1 without an ICT support team (Planning)" in result.summary


def test_applications_added_later_retired_or_elsewhere_do_not_count(org_a, org_b, classes):
    item(org_a, classes["application"], "Later", when=AFTER)
    item(org_a, classes["application"], "Old", status=m.Status.RETIRED)
    services.install_default_classes(org_b.pk)
    item(org_b, m.CIClass.objects.get(organisation=org_b, code="application"), "Theirs")
    result = run("cmdb.applications-owned", org_a)
    assert not result.met and result.figures["live_applications"] == 0


# --- servers placed and used -------------------------------------------------------------

def test_servers_at_a_site_and_in_use_is_met(org_a, classes):
    site = SiteFactory(organisation=org_a)
    host = item(org_a, classes["physical-server"], "HOST01", site=site)
    vm = item(org_a, classes["virtual-server"], "VM01", site=site)
    app = item(org_a, classes["application"], "Payroll")
    link(org_a, vm, host, m.RelationshipType.RUNS_ON)
    link(org_a, app, vm, m.RelationshipType.RUNS_ON)
    result = run("cmdb.servers-placed-and-used", org_a)
    assert result.met, result.summary
    assert result.figures == {"live_servers": 2, "without_site": 0, "supporting_nothing": 0}


def test_a_server_with_no_site_or_nothing_on_it_is_named(org_a, classes):
    site = SiteFactory(organisation=org_a)
    idle = item(org_a, classes["physical-server"], "IDLE01", site=site)
    nowhere = item(org_a, classes["virtual-server"], "VM02")
    link(org_a, item(org_a, classes["application"], "Payroll"), nowhere,
         m.RelationshipType.RUNS_ON)
    # A backup points at the idle server, but nothing runs on it.
    link(org_a, item(org_a, classes["database"], "DB"), idle, m.RelationshipType.BACKED_UP_TO)
    result = run("cmdb.servers-placed-and-used", org_a)
    assert not result.met
    assert "1 have no site (VM02)" in result.summary
    assert "1 support nothing recorded (IDLE01)" in result.summary


def test_a_relationship_made_after_the_date_does_not_count(org_a, classes):
    host = item(org_a, classes["physical-server"], "HOST01", site=SiteFactory(organisation=org_a))
    link(org_a, item(org_a, classes["application"], "Payroll"), host,
         m.RelationshipType.RUNS_ON, when=AFTER)
    assert run("cmdb.servers-placed-and-used", org_a).figures["supporting_nothing"] == 1


def test_no_servers_is_not_met(org_a, classes):
    result = run("cmdb.servers-placed-and-used", org_a)
    assert not result.met and "No live servers" in result.summary


# --- architecture mapped -----------------------------------------------------------------

def test_systems_joined_directly_or_through_an_interface_item_are_mapped(org_a, classes):
    app = classes["application"]
    ctax, benefits, ledger = (item(org_a, app, n) for n in ("Council Tax", "Benefits",
                                                             "Financials"))
    nightly = item(org_a, classes["interface"], "Nightly file")
    link(org_a, ctax, benefits)
    link(org_a, ctax, nightly)
    link(org_a, ledger, nightly)
    result = run("cmdb.architecture-mapped", org_a, max_unconnected_percent=0, min_systems=3)
    assert result.met, result.summary
    assert result.figures["systems_without_interfaces"] == 0


def test_a_loose_interface_or_too_many_unconnected_systems_is_not_met(org_a, classes):
    app = classes["application"]
    ctax, benefits, uniform, idox = (item(org_a, app, n) for n in (
        "Council Tax", "Benefits", "Uniform", "Idox"))
    link(org_a, ctax, benefits)
    # 2 of 4 unconnected is 50%: met at a 50% limit, exactly at the threshold.
    assert run("cmdb.architecture-mapped", org_a, max_unconnected_percent=50).met
    assert not run("cmdb.architecture-mapped", org_a, max_unconnected_percent=49.9).met
    portal = item(org_a, classes["interface"], "Portal feed")
    link(org_a, uniform, portal)
    result = run("cmdb.architecture-mapped", org_a, max_unconnected_percent=100)
    assert not result.met and result.figures["loose_interfaces"] == 1
    assert "1 interface does not reach two systems" in result.summary


def test_no_systems_is_not_met(org_a, classes):
    assert not run("cmdb.architecture-mapped", org_a).met


# --- populated ---------------------------------------------------------------------------

def test_a_populated_related_cmdb_is_met_at_the_threshold(org_a, org_b, classes):
    app = classes["application"]
    a, b, c, d = (item(org_a, app, n) for n in "ABCD")
    link(org_a, a, b)
    link(org_a, c, d)
    item(org_a, app, "E")  # 4 of 5 related: 80%
    result = run("cmdb.populated", org_a, min_items=5, min_related_percent=80)
    assert result.met, result.summary
    assert result.figures["related_percent"] == 80.0 and result.figures["relationships"] == 2
    assert not run("cmdb.populated", org_a, min_items=6, min_related_percent=80).met
    assert not run("cmdb.populated", org_a, min_items=5, min_related_percent=81).met
    assert not run("cmdb.populated", org_b, min_items=1, min_related_percent=0).met
