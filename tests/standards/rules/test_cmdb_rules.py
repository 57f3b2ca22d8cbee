"""The CMDB's evidence rules, each met and not met, with the edges: nothing recorded,
exactly at the threshold, records made after the date checked, and another
organisation's records."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borough.cmdb import models as m
from borough.cmdb import services
from borough.core import services as core_services
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


# --- as it stood then: the CMDB's history is replayed ------------------------------------

def on(day: int) -> datetime:
    return datetime(2026, 6, day, 12, 0, tzinfo=LONDON)


def check_on(name, organisation, day, **params):
    return registry.evidence_rules[name].run(organisation, params, on(day))


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


def test_a_past_date_reads_owners_status_and_sites_as_they_were(org_a, classes):
    owner, team = PersonFactory(organisation=org_a), TeamFactory(organisation=org_a)
    payroll = create(m.ConfigurationItem(organisation=org_a, ci_class=classes["application"],
                                         name="Payroll", owner=owner, support_team=team,
                                         status=m.Status.LIVE), 1)
    change(payroll, 3, owner=None)
    rule = "cmdb.applications-owned"
    assert check_on(rule, org_a, 2).met
    assert "1 without a business owner (Payroll)" in check_on(rule, org_a, 4).summary
    change(payroll, 5, status=m.Status.RETIRED)
    assert check_on(rule, org_a, 4).figures["live_applications"] == 1
    assert check_on(rule, org_a, 6).figures["live_applications"] == 0
    # The record itself now says retired with no owner; the 2nd still reads as met.
    assert check_on(rule, org_a, 2).met


def test_a_deleted_relationship_and_item_count_until_they_went(org_a, classes):
    site = SiteFactory(organisation=org_a)
    host = create(m.ConfigurationItem(organisation=org_a, ci_class=classes["physical-server"],
                                      name="HOST01", site=site, status=m.Status.LIVE,
                                      attributes={"hostname": "host01"}), 1)
    app = create(m.ConfigurationItem(organisation=org_a, ci_class=classes["application"],
                                     name="Payroll", status=m.Status.LIVE), 1)
    runs_on = create(m.Relationship(organisation=org_a, source=app, target=host,
                                    relationship_type=m.RelationshipType.RUNS_ON), 2)
    rule = "cmdb.servers-placed-and-used"
    assert not check_on(rule, org_a, 1).met  # nothing on it yet
    delete(runs_on, 4)
    assert check_on(rule, org_a, 3).met
    assert check_on(rule, org_a, 5).figures["supporting_nothing"] == 1
    populated = check_on("cmdb.populated", org_a, 3, min_items=2, min_related_percent=100)
    assert populated.met and populated.figures["relationships"] == 1
    delete(host, 6)
    assert check_on(rule, org_a, 5).figures["live_servers"] == 1
    assert check_on(rule, org_a, 7).figures["live_servers"] == 0
    assert check_on("cmdb.populated", org_a, 3, min_items=2, min_related_percent=100).met
    later = check_on("cmdb.populated", org_a, 7, min_items=1, min_related_percent=0)
    assert later.figures["items"] == 1 and later.figures["relationships"] == 0


def test_an_interface_removed_later_still_mapped_then(org_a, classes):
    app = classes["application"]
    ctax, benefits = (create(m.ConfigurationItem(organisation=org_a, ci_class=app, name=n,
                                                 status=m.Status.LIVE), 1)
                      for n in ("Council Tax", "Benefits"))
    feed = create(m.Relationship(organisation=org_a, source=ctax, target=benefits,
                                 relationship_type=IW), 2)
    delete(feed, 4)
    rule = "cmdb.architecture-mapped"
    assert check_on(rule, org_a, 3, max_unconnected_percent=0, min_systems=2).met
    assert not check_on(rule, org_a, 5, max_unconnected_percent=0, min_systems=2).met


def test_items_from_before_their_history_was_kept_read_as_their_earliest_state(org_a,
                                                                               classes):
    """An item written without versions (a seed, or before the CMDB kept history) and
    changed later: before the change, its first known state stands in."""
    owner = PersonFactory(organisation=org_a)
    old = item(org_a, classes["application"], "Legacy", owner=owner,
               support_team=TeamFactory(organisation=org_a), when=on(1))
    assert check_on("cmdb.applications-owned", org_a, 2).met
    change(old, 5, owner=None)
    # Only the state after the change is known: it stands in for the 2nd.
    assert check_on("cmdb.applications-owned", org_a, 2).figures["without_owner"] == 1
    assert check_on("cmdb.applications-owned", org_a, 6).figures["without_owner"] == 1
    assert check_on("cmdb.applications-owned", org_a, 1).figures["live_applications"] == 1
