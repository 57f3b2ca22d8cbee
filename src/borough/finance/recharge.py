"""Recharging a financial year's cost pools to the service units, each pool by the rule
the council chose for it (docs/finance.md, "Recharging"):

- users: the people of each service unit in the staff directory (active ones);
- devices: the end-user devices (CI class end-user-device, not retired) each unit owns;
- tickets: the tickets raised in the year by people of each unit (the requester's unit);
- percentage: the fixed percentage the council set for each unit (adding up to 100);
- direct: each cost line of the pool goes to the unit that owns what it is allocated to
  (the system or item's service unit, the business service's); a line allocated to
  nothing a unit owns is not recharged, and the run says how much.

Every pool is shared with core.money.allocate, so its lines add up to the pool to the
penny. `share` is the arithmetic, with no database; `measures` reads the bases.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from borough.cmdb.models import ConfigurationItem, Status
from borough.cmdb.queries import END_USER_DEVICE
from borough.core.money import allocate, pence
from borough.finance.models import Basis, CostLine, CostPool
from borough.finance.years import FinancialYear
from borough.organisation.models import Person, ServiceUnit

ZERO = Decimal("0.00")


class RechargeError(ValueError):
    """A pool cannot be shared: the words say what to put right."""


@dataclass(frozen=True)
class Line:
    pool: CostPool
    service_unit_id: int
    measure: Decimal
    total_measure: Decimal
    pool_amount: Decimal
    amount: Decimal


def share(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """`amount` shared between the units in proportion to their weights (units with no
    weight get nothing), adding up to `amount` to the penny. RechargeError if no unit has
    any weight."""
    units = sorted(u for u, w in weights.items() if w > 0)
    if not units:
        raise RechargeError("no service unit has anything to share it by")
    return dict(zip(units, allocate(amount, [weights[u] for u in units]), strict=True))


def pool_amount(pool: CostPool) -> Decimal:
    if pool.amount is not None:
        return pence(pool.amount)
    total = (CostLine.objects.filter(organisation_id=pool.organisation_id, year=pool.year,
                                     cost_centre__in=pool.cost_centres.all())
             .aggregate(total=Sum("amount"))["total"])
    return pence(total or 0)


def measures(organisation_id: int, basis: str, year: FinancialYear,
             pool: CostPool | None = None) -> dict[int, Decimal]:
    """Each service unit's measure for a basis (not `direct`)."""
    if basis == Basis.USERS:
        rows = (Person.objects.filter(organisation_id=organisation_id, is_active=True,
                                      service_unit__isnull=False)
                .values_list("service_unit_id").annotate(n=Count("pk")).order_by())
    elif basis == Basis.DEVICES:
        rows = (ConfigurationItem.objects.filter(
            organisation_id=organisation_id, ci_class__code=END_USER_DEVICE,
            service_unit__isnull=False).exclude(status=Status.RETIRED)
            .values_list("service_unit_id").annotate(n=Count("pk")).order_by())
    elif basis == Basis.TICKETS:
        from borough.servicedesk.models import Ticket

        start, end = _bounds(year)
        rows = (Ticket.objects.filter(organisation_id=organisation_id, created_at__gte=start,
                                      created_at__lt=end,
                                      requester__service_unit__isnull=False)
                .values_list("requester__service_unit_id").annotate(n=Count("pk")).order_by())
    elif basis == Basis.PERCENTAGE:
        rows = pool.shares.values_list("service_unit_id", "percent") if pool else []
    else:
        raise RechargeError(f"“{basis}” is not a basis that counts per unit")
    return {unit: Decimal(n) for unit, n in rows}


def _bounds(year: FinancialYear) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(year.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(year.next().start, datetime.time(), tzinfo=tz)
    return start, end


def direct_amounts(pool: CostPool) -> tuple[dict[int, Decimal], Decimal]:
    """A direct pool's cost per owning unit, and what no unit owns."""
    lines = CostLine.objects.filter(organisation_id=pool.organisation_id, year=pool.year,
                                    cost_centre__in=pool.cost_centres.all())
    per_unit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    unowned = ZERO
    # Added up by the database, one row per owner (a year's lines are hundreds of
    # thousands at a big council: bench/commercial).
    for item_unit, service_unit, amount in (
            lines.values_list("configuration_item__service_unit_id",
                              "service__service_unit_id")
            .annotate(total=Sum("amount")).order_by()):
        amount = pence(amount)
        unit = item_unit or service_unit
        if unit is None:
            unowned += amount
        else:
            per_unit[unit] += amount
    return dict(per_unit), unowned


def lines_for(pool: CostPool, year: FinancialYear) -> tuple[list[Line], Decimal]:
    """The pool's lines, one per service unit with a share, and the amount not recharged."""
    if pool.basis == Basis.DIRECT:
        per_unit, unowned = direct_amounts(pool)
        placed = sum(per_unit.values(), ZERO)
        amount = placed + unowned
        return ([Line(pool, unit, value, placed, amount, value)
                 for unit, value in sorted(per_unit.items()) if value != 0], unowned)
    amount = pool_amount(pool)
    weights = measures(pool.organisation_id, pool.basis, year, pool)
    if pool.basis == Basis.PERCENTAGE:
        total = sum(weights.values(), Decimal(0))
        if total != 100:
            raise RechargeError(f"its percentages add up to {total.normalize():f}%, not 100%")
    total = sum(weights.values(), Decimal(0))
    if amount == 0:
        return [], ZERO
    try:
        shares = share(amount, weights)
    except RechargeError:
        raise RechargeError(f"no service unit has any {pool.get_basis_display().split(' (')[0].lower()} "
                            "recorded to share it by") from None
    return [Line(pool, unit, weights[unit], total, amount, value)
            for unit, value in shares.items()], ZERO


def plan(organisation_id: int, year: FinancialYear) -> tuple[list[Line], Decimal, list[str]]:
    """Every pool of the year shared out: the lines, the amount not recharged and the
    problems (a run with problems saves nothing)."""
    pools = list(CostPool.objects.filter(organisation_id=organisation_id, year=year.start_year)
                 .prefetch_related("cost_centres").order_by("name", "pk"))
    problems: list[str] = []
    if not pools:
        problems.append(f"There are no cost pools for {year}: add the pools and the rule "
                        "each is recharged by first.")
    seen: dict[int, str] = {}
    for pool in pools:
        for centre in pool.cost_centres.all():
            if pool.amount is None and centre.pk in seen:
                problems.append(f"Cost centre {centre} is in two pools, {seen[centre.pk]} and "
                                f"{pool.name}: its costs would be recharged twice.")
            seen.setdefault(centre.pk, pool.name)
        if pool.amount is None and not pool.cost_centres.all():
            problems.append(f"Pool {pool.name} has neither cost centres nor a fixed amount.")
    lines: list[Line] = []
    unallocated = ZERO
    for pool in pools:
        try:
            found, left = lines_for(pool, year)
        except RechargeError as error:
            problems.append(f"Pool {pool.name} cannot be recharged: {error}.")
            continue
        lines.extend(found)
        unallocated += left
    active = set(ServiceUnit.objects.filter(organisation_id=organisation_id)
                 .values_list("pk", flat=True))
    if any(line.service_unit_id not in active for line in lines):  # pragma: no cover
        problems.append("A share went to a service unit of another council.")
    return lines, unallocated, problems
