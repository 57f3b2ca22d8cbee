"""The total cost of each system and business service in a financial year
(docs/finance.md, "Total cost"), from six sources, each counted once:

1. Contracts: a contract's cost in the year is the cost lines allocated to it in that
   year if there are any, else its annual value pro-rated to the days of its term that
   fall in the year (365 or 366 days; the whole value for the whole year). That cost is
   shared equally (to the penny) among everything the contract covers.
2. Cost lines allocated to the system, item or service directly.
3. Licences: each entitlement's share of the year (its cost in proportion to the days of
   its term in the year; a perpetual one in the year bought), against the system the
   licence is for, unless it was bought under a contract whose cost is counted in the
   year (1): then it is part of that cost, listed at £0 with the contract named.
4. Staff time: the minutes logged in the year on tickets about the item (else the
   service), at the hourly staff cost of the team the time was logged under, else the
   council's (finance settings).
5. Infrastructure: the cost of an item that is not a system (a server, storage, the
   network: 1, 2 and 4 above) is shared equally among the live systems that depend on
   it, directly or through others (the CMDB's dependencies: runs on, depends on, uses…).
   An item no system depends on passes its cost to the services it is a component of.
6. A service's components: each system's total (1-5) is shared equally among the
   business services that list it as a component.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from borough.catalogue.models import BusinessService, ServiceComponent
from borough.cmdb import queries as cmdb_queries
from borough.cmdb.models import ConfigurationItem, Status
from borough.cmdb.queries import APPLICATION
from borough.commercial.models import Contract, ContractCover
from borough.core.money import allocate, equal_share, format_pounds, pence
from borough.finance.models import CostLine, FinanceSettings, TeamStaffRate
from borough.finance.years import FinancialYear
from borough.licences import queries as licence_queries
from borough.servicedesk import queries as desk_queries

ZERO = Decimal("0.00")
CONTRACT, LINES, INFRASTRUCTURE, COMPONENT = "contract", "lines", "infrastructure", "component"
LICENCE, STAFF = "licence", "staff"
KIND_LABELS = {CONTRACT: "Contract", LINES: "Cost lines", LICENCE: "Licences",
               STAFF: "Staff time", INFRASTRUCTURE: "Infrastructure", COMPONENT: "System"}


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


def contract_days(contract, year: FinancialYear) -> int:
    """How many days of the contract's term fall in the year: from its start to the end of
    its term as things stand at the year's end (an auto-renewing contract renewed, one
    given notice ended; a rolling one with no notice runs on)."""
    if contract.start_date is None or contract.start_date > year.end:
        return 0
    try:
        end = contract.term_end(year.end)
    except (TypeError, ValueError):
        end = contract.end_date
    return year.days_within(contract.start_date, end)


def prorated_value(annual_value, days: int, year: FinancialYear) -> Decimal:
    """The annual value for `days` of the year, to the penny: the whole value for the
    whole year (365 or 366 days), else value × days ÷ the year's days, rounded once."""
    if annual_value is None or days <= 0:
        return ZERO
    if days >= year.days:
        return pence(annual_value)
    return pence(Decimal(annual_value) * days / year.days)


def _contract_cost(contract, year: FinancialYear, actual: dict[int, Decimal]
                   ) -> tuple[Decimal, str]:
    """The contract's cost in the year, and how it was found."""
    if contract.pk in actual:
        return actual[contract.pk], "cost lines"
    days = contract_days(contract, year)
    cost = prorated_value(contract.annual_value, days, year)
    if days < year.days:
        return cost, f"annual value for {days} of the year's {year.days} days"
    return cost, "annual value"
def direct_costs(organisation_id: int, year: FinancialYear, *, item_ids=None,
                 service_ids=None) -> dict[tuple[str, int], TotalCost]:
    """What is counted against items and services directly (all of the council's, or
    those given): contracts, cost lines, licences and staff time."""
    found: dict[tuple[str, int], TotalCost] = defaultdict(TotalCost)
    lines = CostLine.objects.filter(organisation_id=organisation_id, year=year.start_year)
    contracts = _contracts(found, organisation_id, year, lines, item_ids, service_ids)
    _cost_lines(found, lines, item_ids, service_ids)
    _licences(found, organisation_id, year, lines, item_ids, service_ids, contracts)
    _staff_time(found, organisation_id, year, item_ids, service_ids)
    return found


def _contracts(found, organisation_id, year, lines, item_ids, service_ids
               ) -> dict[int, Decimal]:
    """Source 1; returns the cost in the year of each contract counted (by id). Given
    items or services, only their shares are worked out (a contract of a shared server
    may cover dozens of things), each as allocate would give it among all it covers."""
    covers = ContractCover.objects.filter(organisation_id=organisation_id)
    some = item_ids is not None or service_ids is not None
    wanted: set[tuple[str, int]] = set()
    if some:
        wanted = ({(ITEM, pk) for pk in item_ids or ()}
                  | {(SERVICE, pk) for pk in service_ids or ()})
        chosen = covers.filter(configuration_item_id__in=list(item_ids or ())) | covers.filter(
            service_id__in=list(service_ids or ()))
        covers = covers.filter(contract_id__in=chosen.values("contract_id"))
    by_contract: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for contract_id, item_id, service_id in (covers.order_by("contract_id", "pk").values_list(
            "contract_id", "configuration_item_id", "service_id")):
        by_contract[contract_id].append((ITEM, item_id) if item_id else (SERVICE, service_id))
    contracts = Contract.objects.in_bulk(list(by_contract))
    actual = _actual(lines, set(by_contract))
    counted: dict[int, Decimal] = {}
    for contract_id, keys in by_contract.items():
        contract = contracts[contract_id]
        cost, basis = _contract_cost(contract, year, actual)
        counted[contract_id] = cost
        if cost == 0:
            continue
        places = [n for n, key in enumerate(keys) if key in wanted] if some else None
        if places == []:
            continue
        shared = f", shared by the {len(keys)} things it covers" if len(keys) > 1 else ""
        label, url = f"{contract} ({basis}{shared})", contract.get_absolute_url()
        if places is None:
            for key, amount in zip(keys, allocate(cost, [1] * len(keys)), strict=True):
                found[key].parts.append(Part(CONTRACT, label, amount, url))
        else:
            for n in places:
                found[keys[n]].parts.append(Part(CONTRACT, label,
                                                 equal_share(cost, len(keys), n), url))
    return counted


def _actual(lines, contract_ids) -> dict[int, Decimal]:
    """The year's cost lines allocated to each of the contracts (those with any)."""
    if not contract_ids:
        return {}
    return dict(lines.filter(contract_id__in=list(contract_ids)).values_list("contract_id")
                .annotate(total=Sum("amount")).order_by())


def _cost_lines(found, lines, item_ids, service_ids) -> None:
    """Source 2: the year's cost lines allocated to an item or a service."""
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


def term_share(cost, start: datetime.date, end: datetime.date | None,
               year: FinancialYear) -> Decimal:
    """The part of `cost`, paid for a term from `start` to `end` (inclusive), that falls
    in the year: in proportion to the term's days in it, to the penny. Worked out as what
    the term has cost by the year's end less what it had by its start, each rounded once,
    so a term's shares over the years add up to its cost exactly. A perpetual licence
    (no end) is counted whole in the year it was bought."""
    if end is None:
        return pence(cost) if start in year else ZERO
    term_days = (end - start).days + 1
    if term_days <= 0:
        return ZERO

    def by(day: datetime.date) -> Decimal:  # the cost of the term's days up to `day`
        days = min(max((day - start).days + 1, 0), term_days)
        return pence(Decimal(cost) * days / term_days)

    return by(year.end) - by(year.start - datetime.timedelta(days=1))


def _licences(found, organisation_id, year, lines, item_ids, service_ids,
              contracts: dict[int, Decimal]) -> None:
    """Licences: each entitlement's share of the year (term_share) counted against the
    system the licence is for, unless it was bought under a contract whose cost is
    counted in the year (then it is in that cost: shown, at £0, so nobody adds it
    twice)."""
    if item_ids is None and service_ids is not None:
        return
    rows = licence_queries.entitlements_in_term(organisation_id, year.start, year.end,
                                                software_ids=item_ids)
    if not rows:
        return
    counted = _counted_contracts(year, lines, {r["contract_id"] for r in rows
                                               if r["contract_id"]}, contracts)
    for row in rows:
        share = term_share(row["cost"], row["term_start"], row["term_end"], year)
        if share == 0:
            continue
        bought = f"{row['quantity']} from {row['term_start']:%-d %b %Y}"
        if row["term_end"] is None:
            basis = f"{format_pounds(row['cost'])}, perpetual, bought in the year"
        else:
            term_days = (row["term_end"] - row["term_start"]).days + 1
            days = year.days_within(row["term_start"], row["term_end"])
            basis = (f"{format_pounds(row['cost'])} for its term"
                     + (f", {days} of its {term_days} days in the year"
                        if days < term_days else ""))
        label = f"{row['reference']} {row['name']}: {bought} ({basis})"
        url = reverse("licences:licence_detail", args=[row["licence_id"]])
        if row["contract_id"] in counted:
            found[(ITEM, row["software_id"])].parts.append(Part(
                LICENCE, f"{label}: counted in the cost of {row['contract_reference']}, "
                         "which it was bought under", ZERO, url))
        else:
            found[(ITEM, row["software_id"])].parts.append(Part(LICENCE, label, share, url))


def _counted_contracts(year, lines, contract_ids: set[int],
                       known: dict[int, Decimal]) -> set[int]:
    """Which of the contracts have a cost counted in the year's totals: they cover
    something and cost something in the year."""
    rest = contract_ids - set(known)
    found = dict(known)
    if rest:
        actual = _actual(lines, rest)
        for contract in Contract.objects.filter(pk__in=rest, covers__isnull=False).distinct():
            found[contract.pk] = _contract_cost(contract, year, actual)[0]
    return {pk for pk in contract_ids if found.get(pk, ZERO) != 0}


def staff_rates(organisation_id: int, year: FinancialYear):
    """What an hour of a team's time (team id, or None) costs in the year: the team's
    rate for the year, else its rate for every year, else the council's rate for the year,
    else the finance settings' rate (None: not priced)."""
    settings_ = FinanceSettings.objects.filter(organisation_id=organisation_id).first()
    council = settings_.staff_hourly_rate if settings_ is not None else None
    teams, teams_this_year = {}, {}
    for team_id, year_of, hourly in TeamStaffRate.objects.filter(
            Q(year=year.start_year) | Q(year__isnull=True),
            organisation_id=organisation_id).values_list("team_id", "year", "hourly_rate"):
        if team_id is None:
            council = hourly  # the council's rate for this year
        else:
            (teams_this_year if year_of is not None else teams)[team_id] = hourly

    def rate(team_id):
        return teams_this_year.get(team_id, teams.get(team_id, council))

    return rate


def _staff_time(found, organisation_id, year, item_ids, service_ids) -> None:
    """Staff time: the minutes logged in the year on tickets about the item or service
    (servicedesk.queries.time_logged), priced at the team's hourly rate, else the
    council's; rounded once per item or service."""
    rows = desk_queries.time_logged(organisation_id, year.start, year.end, ci_ids=item_ids,
                                    service_ids=service_ids)
    if not rows:
        return
    rate = staff_rates(organisation_id, year)
    by_target: dict[tuple[str, int], list] = defaultdict(list)
    for row in rows:
        key = (ITEM if row["kind"] == "item" else SERVICE, row["target"])
        by_target[key].append((row["minutes"], rate(row["team"])))
    for key, logged in by_target.items():
        priced = [(minutes, rate) for minutes, rate in logged if rate is not None]
        exact = sum((Decimal(minutes) * rate / 60 for minutes, rate in priced), Decimal(0))
        minutes = sum(m for m, _ in logged)
        rates = {rate for _, rate in priced}
        label = f"{desk_queries.minutes_label(minutes)} logged on its tickets"
        if len(rates) == 1:
            label += f" at {format_pounds(next(iter(rates)))} an hour"
        elif rates:
            label += " at the hourly rates of the teams that logged it"
        unpriced = minutes - sum(m for m, _ in priced)
        if unpriced:
            label += (f" ({desk_queries.minutes_label(unpriced)} not priced: no staff cost "
                      "per hour is set in the finance settings)")
        found[key].parts.append(Part(STAFF, label, pence(exact),
                                     reverse("finance:financesettings_list")))


def _live_systems(ids) -> list[int]:
    return list(ConfigurationItem.objects.filter(pk__in=ids, ci_class__code=APPLICATION)
                .exclude(status=Status.RETIRED).values_list("pk", flat=True))


def _infrastructure(costs: dict[tuple[str, int], TotalCost]) -> dict[int, ConfigurationItem]:
    """The items with a cost of their own that are not systems."""
    ids = [pk for kind, pk in costs if kind == ITEM]
    return {ci.pk: ci for ci in ConfigurationItem.objects.filter(pk__in=ids).exclude(
        ci_class__code=APPLICATION).only("pk", "organisation_id", "name", "reference")}


def _shared_label(item, count: int) -> str:
    return (f"{item.reference} {item.name} (shared by the {count} systems that depend on "
            "it)" if count > 1 else
            f"{item.reference} {item.name} (the only system that depends on it)")


def share_infrastructure(costs: dict[tuple[str, int], TotalCost], totals: dict[int, TotalCost],
                         only_system: int | None = None, graph=None) -> dict[int, Decimal]:
    """Source 5: each infrastructure item's cost shared among the systems depending on
    it, added to `totals` (system id -> TotalCost); returns what no system depends on.
    `graph`: the organisation's dependency graph, if read already."""
    unshared: dict[int, Decimal] = {}
    items = {pk: item for pk, item in _infrastructure(costs).items()
             if costs[(ITEM, pk)].total != 0}
    organisation_id = next(iter(items.values())).organisation_id if items else None
    if only_system is not None:  # its place among each item's systems, and how many
        places = cmdb_queries.place_among_dependents(organisation_id, items, only_system,
                                                     graph)
        for pk, item in items.items():
            cost = costs[(ITEM, pk)].total
            count, place = places[pk]
            if not count:
                unshared[pk] = cost
            elif place is not None:
                totals[only_system].parts.append(Part(
                    INFRASTRUCTURE, _shared_label(item, count), equal_share(cost, count, place),
                    item.get_absolute_url()))
        return unshared
    depending = cmdb_queries.systems_depending_on_each(organisation_id, items, graph)
    for pk, item in items.items():
        cost = costs[(ITEM, pk)].total
        systems = depending[pk]
        if not systems:
            unshared[pk] = cost
            continue
        label = _shared_label(item, len(systems))
        for system, amount in zip(systems, allocate(cost, [1] * len(systems)), strict=True):
            totals[system].parts.append(Part(INFRASTRUCTURE, label, amount,
                                             item.get_absolute_url()))
    return unshared


def system_cost(system: ConfigurationItem, year: FinancialYear) -> TotalCost:
    """One system's total cost: its own sources and its share of what it depends on.
    What it depends on, and which systems share each item, are read off the
    organisation's dependency graph as the process keeps it (cmdb.graphcache: the first
    page after a write to the relationships reads every edge again)."""
    graph = cmdb_queries.dependency_graph(system.organisation_id)
    below = graph.dependencies_of(system.pk)
    costs = direct_costs(system.organisation_id, year, item_ids={system.pk, *below})
    totals: dict[int, TotalCost] = defaultdict(TotalCost)
    totals[system.pk].parts.extend(costs.get((ITEM, system.pk), TotalCost()).parts)
    infrastructure = {key: value for key, value in costs.items()
                      if key[0] == ITEM and key[1] != system.pk}
    share_infrastructure(infrastructure, totals, only_system=system.pk, graph=graph)
    return totals[system.pk]


@dataclass
class Costs:
    year: FinancialYear
    systems: dict[int, TotalCost]
    services: dict[int, TotalCost]
    # Infrastructure cost no system and no service takes (item id -> amount).
    unshared: dict[int, Decimal]


def organisation_costs(organisation_id: int, year: FinancialYear) -> Costs:
    """Every system's and service's total cost in the year (sources 1-6)."""
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
