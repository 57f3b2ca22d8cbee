"""A system's total cost, and every system's and service's, read off the dependency graph
the process keeps (cmdb.graphcache) are the figures the old way gave: the closure read
from the database and the whole graph read and walked per page, compared part for part
on a generated estate (shared servers, storage and switches, chains and cycles, a
retired system), again after writes that move the graph or only a system's status, and
for two councils' estates side by side."""

from __future__ import annotations

import datetime
import random
from collections import deque
from decimal import Decimal

import pytest

from borough.cmdb import queries as cmdb_queries
from borough.cmdb import rules
from borough.cmdb.models import ConfigurationItem, Relationship, Status
from borough.core.money import allocate
from borough.finance import costs
from borough.finance.years import FinancialYear
from tests.factories import (
    BusinessServiceFactory,
    ContractCoverFactory,
    ContractFactory,
    ServiceComponentFactory,
)
from tests.finance.factories import CostCentreFactory, CostLineFactory

pytestmark = pytest.mark.django_db

YEAR = FinancialYear(2025)


def read_systems_depending_on_each(organisation_id: int, item_ids, graph=None):
    """The old way (until 7 December 2026): every dependency read with its source's class
    and status, a bit per item carried up to everything above it."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    dependents: dict[int, list[int]] = {}
    live_systems: set[int] = set()
    for source, target, code, status in (
            Relationship.objects.filter(organisation_id=organisation_id,
                                        relationship_type__in=sorted(rules.SOURCE_DEPENDS))
            .order_by().values_list("source_id", "target_id", "source__ci_class__code",
                                    "source__status")):
        dependents.setdefault(target, []).append(source)
        if code == rules.APPLICATION and status != Status.RETIRED:
            live_systems.add(source)
    masks = {pk: 1 << bit for bit, pk in enumerate(ids)}
    waiting, queued = deque(ids), set(ids)
    while waiting:
        node = waiting.popleft()
        queued.discard(node)
        mask = masks[node]
        for source in dependents.get(node, ()):
            had = masks.get(source, 0)
            if had | mask != had:
                masks[source] = had | mask
                if source not in queued:
                    queued.add(source)
                    waiting.append(source)
    found: dict[int, list[int]] = {pk: [] for pk in ids}
    for system in sorted(live_systems):
        mask = masks.get(system, 0)
        while mask:
            lowest = mask & -mask
            pk = ids[lowest.bit_length() - 1]
            if system != pk:
                found[pk].append(system)
            mask ^= lowest
    return found


def old_system_cost(system, year):
    """costs.system_cost as it was: the closure read from the database, every system
    that depends on each item listed and the item's cost shared among them all."""
    closure = cmdb_queries.DatabaseGraph(system.organisation_id).closure(system.pk)
    below = {edge.dependency for edge in closure} - {system.pk}
    found = costs.direct_costs(system.organisation_id, year, item_ids={system.pk, *below})
    total = costs.TotalCost()
    total.parts.extend(found.get((costs.ITEM, system.pk), costs.TotalCost()).parts)
    infrastructure = {key: value for key, value in found.items()
                      if key[0] == costs.ITEM and key[1] != system.pk}
    items = {pk: item for pk, item in costs._infrastructure(infrastructure).items()
             if infrastructure[(costs.ITEM, pk)].total != 0}
    depending = read_systems_depending_on_each(system.organisation_id, items)
    for pk, item in items.items():
        systems = depending[pk]
        if not systems:
            continue
        label = (f"{item.reference} {item.name} (shared by the {len(systems)} systems that "
                 "depend on it)" if len(systems) > 1 else
                 f"{item.reference} {item.name} (the only system that depends on it)")
        shares = allocate(infrastructure[(costs.ITEM, pk)].total, [1] * len(systems))
        for other, amount in zip(systems, shares, strict=True):
            if other == system.pk:
                total.parts.append(costs.Part(costs.INFRASTRUCTURE, label, amount,
                                              item.get_absolute_url()))
    return total


@pytest.fixture
def old_way(monkeypatch):
    """Run `fn` with share_infrastructure reading the graph as it used to."""
    def run(fn, *args):
        with monkeypatch.context() as patch:
            patch.setattr(costs.cmdb_queries, "systems_depending_on_each",
                          read_systems_depending_on_each)
            return fn(*args)
    return run


def costed_estate(organisation, seed_value=7, items=400, relationships=1_800):
    """bench/cmdb's generated estate with cost lines on a third of its items, contracts
    covering some, a cycle between two infrastructure items, a retired system and a
    service of two systems."""
    from bench.cmdb import seed

    seed.seed(organisation, items, relationships, seed_value)
    rng = random.Random(seed_value)
    everything = ConfigurationItem.objects.filter(organisation=organisation)
    systems = list(everything.filter(ci_class__code=rules.APPLICATION).order_by("pk"))
    infrastructure = list(everything.exclude(ci_class__code=rules.APPLICATION)
                          .exclude(ci_class__code="end-user-device").order_by("pk"))
    systems[1].status = Status.RETIRED
    systems[1].save()
    below = [r.target_id for r in Relationship.objects.filter(
        organisation=organisation, source=systems[0]).order_by("pk")[:1]]
    if below:  # the system's server and another item depend on each other
        Relationship.objects.create(organisation=organisation, source_id=below[0],
                                    target=infrastructure[-1], relationship_type="depends_on")
        Relationship.objects.create(organisation=organisation, source=infrastructure[-1],
                                    target_id=below[0], relationship_type="depends_on")
    centre = CostCentreFactory(organisation=organisation)
    for item in rng.sample(infrastructure, len(infrastructure) // 3) + systems[::4]:
        CostLineFactory(organisation=organisation, cost_centre=centre, configuration_item=item,
                        date=datetime.date(2025, 9, 1),
                        amount=Decimal(rng.randint(1, 10**7)) / 100)
    for n in range(6):
        contract = ContractFactory(organisation=organisation,
                                   annual_value=Decimal(rng.randint(100, 10**6)) / 100,
                                   start_date=datetime.date(2024, 4, 1),
                                   end_date=datetime.date(2027, 3, 31))
        for item in rng.sample(infrastructure + systems, 1 + n % 3):
            ContractCoverFactory(organisation=organisation, contract=contract,
                                 configuration_item=item)
    service = BusinessServiceFactory(organisation=organisation, status="live")
    for system in systems[:2]:
        ServiceComponentFactory(organisation=organisation, service=service,
                                configuration_item=system)
    return systems, infrastructure


def assert_same_figures(organisation, systems, old_way):
    checked = 0
    for system in systems:
        new = costs.system_cost(system, YEAR)
        old = old_system_cost(system, YEAR)
        assert new.parts == old.parts, system.pk
        checked += bool(new.by_kind(costs.INFRASTRUCTURE))
    assert checked > 5  # shared infrastructure was compared
    new_all = costs.organisation_costs(organisation.pk, YEAR)
    old_all = old_way(costs.organisation_costs, organisation.pk, YEAR)
    assert {k: v.parts for k, v in new_all.systems.items()} == \
        {k: v.parts for k, v in old_all.systems.items()}
    assert {k: v.parts for k, v in new_all.services.items()} == \
        {k: v.parts for k, v in old_all.services.items()}
    assert new_all.unshared == old_all.unshared


def test_system_costs_from_the_kept_graph_are_the_old_figures(org_a, old_way):
    systems, infrastructure = costed_estate(org_a)
    assert_same_figures(org_a, systems, old_way)
    ids = [item.pk for item in infrastructure] + [s.pk for s in systems]
    assert cmdb_queries.systems_depending_on_each(org_a.pk, ids) == \
        read_systems_depending_on_each(org_a.pk, ids)


def test_the_figures_follow_writes_to_the_graph_and_to_systems(org_a, old_way):
    systems, infrastructure = costed_estate(org_a, seed_value=11, items=300,
                                            relationships=1_200)
    costs.system_cost(systems[0], YEAR)  # the graph kept
    # A system retired, another brought back: no relationship written.
    systems[2].status = Status.RETIRED
    systems[2].save()
    systems[1].status = Status.LIVE
    systems[1].save()
    assert_same_figures(org_a, systems[:40], old_way)
    # Relationships added and removed, in bulk and one by one.
    rng = random.Random(3)
    Relationship.objects.bulk_create([
        Relationship(organisation=org_a, source=system, target=rng.choice(infrastructure),
                     relationship_type="uses") for system in systems[5:15]],
        ignore_conflicts=True)
    Relationship.objects.filter(organisation=org_a, source=systems[3]).delete()
    Relationship.objects.filter(organisation=org_a, target=infrastructure[0]).first().delete()
    assert_same_figures(org_a, systems[:40], old_way)


def test_two_councils_estates_each_get_their_own(org_a, org_b, old_way):
    systems_a, _ = costed_estate(org_a, seed_value=5, items=200, relationships=800)
    systems_b, _ = costed_estate(org_b, seed_value=6, items=250, relationships=900)
    for _ in range(2):  # each council's graph kept, read in turn
        assert_same_figures(org_a, systems_a[:30], old_way)
        assert_same_figures(org_b, systems_b[:30], old_way)
