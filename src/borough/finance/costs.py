"""The total cost of each system and business service in a financial year
(docs/finance.md, "Total cost"), from four sources, each counted once:

1. Contracts: a contract's cost in the year is the cost lines allocated to it in that
   year if there are any, else its annual value if it is current in the year (started by
   the year's end, its term not ended before the year's start). That cost is shared
   equally (to the penny) among everything the contract covers.
2. Cost lines allocated to the system, item or service directly.
3. Infrastructure: the cost of an item that is not a system (a server, storage, the
   network: 1 and 2 above) is shared equally among the live systems that depend on it,
   directly or through others (the CMDB's dependencies: runs on, depends on, uses…). An
   item no system depends on passes its cost to the services it is a component of.
4. A service's components: each system's total (1-3) is shared equally among the
   business services that list it as a component.

Amounts are not pro-rated for part years. Licences and staff time are not counted yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from borough.catalogue.models import BusinessService, ServiceComponent
from borough.cmdb import queries as cmdb_queries
from borough.cmdb.models import ConfigurationItem, Status
from borough.cmdb.queries import APPLICATION
from borough.commercial.models import ContractCover
from borough.core.money import allocate, pence
from borough.finance.models import CostLine
from borough.finance.years import FinancialYear

ZERO = Decimal("0.00")
CONTRACT, LINES, INFRASTRUCTURE, COMPONENT = "contract", "lines", "infrastructure", "component"
KIND_LABELS = {CONTRACT: "Contract", LINES: "Cost lines", INFRASTRUCTURE: "Infrastructure",
               COMPONENT: "System"}


@dataclass(frozen=True)
class Part:
    kind: str
    label: str
    amount: Decimal
    url: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class TotalCost:
    parts: list[Part] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.parts), ZERO)

    def by_kind(self, kind: str) -> Decimal:
        return sum((p.amount for p in self.parts if p.kind == kind), ZERO)


ITEM, SERVICE = "item", "service"


def _contract_cost(contract, year: FinancialYear, actual: dict[int, Decimal]) -> Decimal:
    if contract.pk in actual:
        return actual[contract.pk]
    if contract.annual_value is None or contract.start_date > year.end:
        return ZERO
    try:
        end = contract.term_end(year.start)
    except (TypeError, ValueError):
        end = contract.end_date
    if end is not None and end < year.start:
        return ZERO
    return pence(contract.annual_value)


def direct_costs(organisation_id: int, year: FinancialYear, *, item_ids=None,
                 service_ids=None) -> dict[tuple[str, int], TotalCost]:
    """Sources 1 and 2 for items and services (all of the council's, or those given)."""
    found: dict[tuple[str, int], TotalCost] = defaultdict(TotalCost)
    lines = CostLine.objects.filter(organisation_id=organisation_id, year=year.start_year)
    covers = ContractCover.objects.filter(organisation_id=organisation_id)
    if item_ids is not None or service_ids is not None:
        wanted = covers.filter(configuration_item_id__in=list(item_ids or ())) | covers.filter(
            service_id__in=list(service_ids or ()))
        covers = covers.filter(contract_id__in=wanted.values("contract_id"))
    covers = list(covers.select_related("contract").order_by("contract_id", "pk"))
    actual = dict(lines.filter(contract_id__in={c.contract_id for c in covers})
                  .values_list("contract_id").annotate(total=Sum("amount")).order_by())
    by_contract = defaultdict(list)
    for cover in covers:
        by_contract[cover.contract_id].append(cover)
    for group in by_contract.values():
        contract = group[0].contract
        cost = _contract_cost(contract, year, actual)
        if cost == 0:
            continue
        shared = f", shared by the {len(group)} things it covers" if len(group) > 1 else ""
        basis = "cost lines" if contract.pk in actual else "annual value"
        for cover, amount in zip(group, allocate(cost, [1] * len(group)), strict=True):
            key = ((ITEM, cover.configuration_item_id) if cover.configuration_item_id
                   else (SERVICE, cover.service_id))
            found[key].parts.append(Part(CONTRACT, f"{contract} ({basis}{shared})", amount,
                                         contract.get_absolute_url()))
    item_lines = lines.filter(configuration_item__isnull=False)
    service_lines = lines.filter(service__isnull=False)
    if item_ids is not None or service_ids is not None:
        item_lines = item_lines.filter(configuration_item_id__in=list(item_ids or ()))
        service_lines = service_lines.filter(service_id__in=list(service_ids or ()))
    for kind, rows in ((ITEM, item_lines.values_list("configuration_item_id")),
                       (SERVICE, service_lines.values_list("service_id"))):
        for pk, total, count in rows.annotate(total=Sum("amount"),
                                              count=Count("pk")).order_by():
            found[(kind, pk)].parts.append(Part(
                LINES, f"{count} cost line{'s' if count != 1 else ''} allocated to it", total))
    return found


def _live_systems(ids) -> list[int]:
    return list(ConfigurationItem.objects.filter(pk__in=ids, ci_class__code=APPLICATION)
                .exclude(status=Status.RETIRED).values_list("pk", flat=True))


def _infrastructure(costs: dict[tuple[str, int], TotalCost]) -> dict[int, ConfigurationItem]:
    """The items with a cost of their own that are not systems."""
    ids = [pk for kind, pk in costs if kind == ITEM]
    return {ci.pk: ci for ci in ConfigurationItem.objects.filter(pk__in=ids).exclude(
        ci_class__code=APPLICATION).only("pk", "organisation_id", "name", "reference")}


def share_infrastructure(costs: dict[tuple[str, int], TotalCost], totals: dict[int, TotalCost],
                         only_system: int | None = None) -> dict[int, Decimal]:
    """Source 3: each infrastructure item's cost shared among the systems depending on
    it, added to `totals` (system id -> TotalCost); returns what no system depends on."""
    unshared: dict[int, Decimal] = {}
    items = {pk: item for pk, item in _infrastructure(costs).items()
             if costs[(ITEM, pk)].total != 0}
    organisation_id = next(iter(items.values())).organisation_id if items else None
    depending = cmdb_queries.systems_depending_on_each(organisation_id, items)
    for pk, item in items.items():
        cost = costs[(ITEM, pk)].total
        systems = depending[pk]
        if not systems:
            unshared[pk] = cost
            continue
        label = (f"{item.reference} {item.name} (shared by the {len(systems)} systems that "
                 "depend on it)" if len(systems) > 1 else
                 f"{item.reference} {item.name} (the only system that depends on it)")
        for system, amount in zip(systems, allocate(cost, [1] * len(systems)), strict=True):
            if only_system is None or system == only_system:
                totals[system].parts.append(Part(INFRASTRUCTURE, label, amount,
                                                 item.get_absolute_url()))
    return unshared


def system_cost(system: ConfigurationItem, year: FinancialYear) -> TotalCost:
    """One system's total cost: its own sources and its share of what it depends on."""
    closure = cmdb_queries.DatabaseGraph(system.organisation_id).closure(system.pk)
    below = {edge.dependency for edge in closure} - {system.pk}
    costs = direct_costs(system.organisation_id, year, item_ids={system.pk, *below})
    totals: dict[int, TotalCost] = defaultdict(TotalCost)
    totals[system.pk].parts.extend(costs.get((ITEM, system.pk), TotalCost()).parts)
    infrastructure = {key: value for key, value in costs.items()
                      if key[0] == ITEM and key[1] != system.pk}
    share_infrastructure(infrastructure, totals, only_system=system.pk)
    return totals[system.pk]


@dataclass
class Costs:
    year: FinancialYear
    systems: dict[int, TotalCost]
    services: dict[int, TotalCost]
    # Infrastructure cost no system and no service takes (item id -> amount).
    unshared: dict[int, Decimal]


def organisation_costs(organisation_id: int, year: FinancialYear) -> Costs:
    """Every system's and service's total cost in the year (sources 1-4)."""
    costs = direct_costs(organisation_id, year)
    systems: dict[int, TotalCost] = defaultdict(TotalCost)
    for pk in _live_systems([pk for kind, pk in costs if kind == ITEM]):
        systems[pk].parts.extend(costs[(ITEM, pk)].parts)
    unshared = share_infrastructure(costs, systems)
    services: dict[int, TotalCost] = defaultdict(TotalCost)
    for (kind, pk), total in costs.items():
        if kind == SERVICE:
            services[pk].parts.extend(total.parts)
    components = defaultdict(list)
    for service_id, item_id in (ServiceComponent.objects
                                .filter(organisation_id=organisation_id)
                                .values_list("service_id", "configuration_item_id")):
        components[item_id].append(service_id)
    names = dict(ConfigurationItem.objects.filter(
        pk__in=[pk for pk in components if pk in systems or pk in unshared])
        .values_list("pk", "name"))
    for item_id, service_ids in components.items():
        if item_id in systems:
            cost, kind = systems[item_id].total, COMPONENT
        elif item_id in unshared:
            cost, kind = unshared.pop(item_id), INFRASTRUCTURE
        else:
            continue
        if cost == 0:
            continue
        service_ids = sorted(service_ids)
        shared = (f" (shared by the {len(service_ids)} services it delivers)"
                  if len(service_ids) > 1 else "")
        for service_id, amount in zip(service_ids, allocate(cost, [1] * len(service_ids)),
                                      strict=True):
            services[service_id].parts.append(Part(kind, f"{names[item_id]}{shared}", amount))
    return Costs(year, dict(systems), dict(services), unshared)


def service_cost(service: BusinessService, year: FinancialYear) -> TotalCost:
    """One service's total: read from the whole council's costs (a component's share
    depends on every service it delivers)."""
    return organisation_costs(service.organisation_id, year).services.get(service.pk,
                                                                           TotalCost())
