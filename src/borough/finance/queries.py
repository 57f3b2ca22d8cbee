"""Reads of finance that are more than a filter, and the only way other apps read it:
recharge statements (who may read which), the latest issued run of a year, a unit's
recharge for the showback, cost centres to commit against."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from borough.core import scope
from borough.finance import recharge, years
from borough.finance.models import CostCentre, RechargeLine, RechargeRun
from borough.finance.years import FinancialYear
from borough.organisation.models import ServiceUnit


def reads_finance(user, organisation_id: int | None = None) -> bool:
    """Whether `user` may read the finance figures (cost lines, budgets, runs)."""
    return scope.can(user, "view", RechargeRun, organisation_id)


def runs_visible_to(user):
    """The runs `user` may open: all of them for finance roles; for a head of service
    (who reads only their own unit's lines), the issued runs."""
    if reads_finance(user):
        return RechargeRun.objects.visible_to(user)
    if not scope.can(user, "view", RechargeLine, None):
        return RechargeRun.objects.none()
    organisations = scope.organisation_ids(user, scope.permission_name(RechargeLine, "view"))
    return RechargeRun.objects.filter(organisation_id__in=organisations,
                                      issued_at__isnull=False)


def statement_units(user, run: RechargeRun) -> list[ServiceUnit]:
    """The service units whose statement of `run` `user` may read, by name."""
    unit_ids = (RechargeLine.objects.visible_to(user).filter(run=run)
                .values_list("service_unit_id", flat=True).distinct())
    return list(ServiceUnit.objects.filter(pk__in=unit_ids).order_by("name"))


def statement_lines(user, run: RechargeRun, unit: ServiceUnit) -> list[RechargeLine]:
    return list(RechargeLine.objects.visible_to(user).filter(run=run, service_unit=unit)
                .select_related("pool").order_by("pool_name", "pk"))


def latest_issued(organisation_id: int, year: FinancialYear | None = None
                  ) -> RechargeRun | None:
    runs = RechargeRun.objects.filter(organisation_id=organisation_id,
                                      issued_at__isnull=False)
    if year is not None:
        runs = runs.filter(year=year.start_year)
    return runs.order_by("-year", "-issued_at").first()


def unit_recharge(run: RechargeRun, unit_id: int) -> Decimal:
    return (RechargeLine.objects.filter(run=run, service_unit_id=unit_id)
            .aggregate(total=Sum("amount"))["total"] or Decimal("0.00"))


def unit_totals(run: RechargeRun) -> list[tuple[ServiceUnit, Decimal]]:
    rows = dict(RechargeLine.objects.filter(run=run).values_list("service_unit_id")
                .annotate(total=Sum("amount")).order_by())
    units = ServiceUnit.objects.filter(pk__in=rows).order_by("name")
    return [(unit, rows[unit.pk]) for unit in units]


def superseded_by(runs) -> dict[int, RechargeRun]:
    """For each of `runs` that no longer counts, the run of its year that does: the
    year's issued run, else its latest run. A draft worked out again is superseded by
    the later one; every draft of a year is superseded once the year's run is issued."""
    years = {(run.organisation_id, run.year) for run in runs}
    if not years:
        return {}
    candidates = RechargeRun.objects.filter(
        organisation_id__in={o for o, _ in years}, year__in={y for _, y in years}
    ).only("pk", "reference", "organisation_id", "year", "run_at", "issued_at")
    current: dict[tuple, RechargeRun] = {}
    for run in candidates:
        key = (run.organisation_id, run.year)
        best = current.get(key)
        if best is None or _counts_more(run, best):
            current[key] = run
    return {run.pk: current[(run.organisation_id, run.year)] for run in runs
            if current[(run.organisation_id, run.year)].pk != run.pk}


def _counts_more(run: RechargeRun, other: RechargeRun) -> bool:
    if (run.issued_at is None) != (other.issued_at is None):
        return run.issued_at is not None
    return (run.run_at, run.pk) > (other.run_at, other.pk)


def run_statements(runs) -> dict[int, list[tuple[ServiceUnit, Decimal]]]:
    """Each run's statements: (service unit, its recharge) by unit name, in two queries
    for any number of runs."""
    totals = list(RechargeLine.objects.filter(run__in=[r.pk for r in runs])
                  .values_list("run_id", "service_unit_id").annotate(total=Sum("amount"))
                  .order_by())
    units = {u.pk: u for u in ServiceUnit.objects.filter(
        pk__in={unit for _, unit, _ in totals})}
    found: dict[int, list] = {run.pk: [] for run in runs}
    for run_id, unit_id, total in totals:
        found[run_id].append((units[unit_id], total))
    for rows in found.values():
        rows.sort(key=lambda row: (row[0].name, row[0].pk))
    return found


def cost_centres_of(organisation_id: int):
    """The cost centres in use, to commit against (procurement)."""
    return CostCentre.objects.filter(organisation_id=organisation_id, is_active=True)


def current_year() -> FinancialYear:
    return years.current()


def year_of(day) -> FinancialYear:
    """The financial year a date falls in (April to March)."""
    return FinancialYear.of(day)


def units_raising_tickets(organisation_id: int, year: FinancialYear) -> dict[int, int]:
    """How many tickets each service unit's people raised in the year."""
    return {unit: int(n) for unit, n in recharge.measures(
        organisation_id, recharge.Basis.TICKETS, year).items()}
