"""Budget monitoring: for one financial year, each cost centre's budget, actual spend and
open commitments month by month, and its forecast outturn.

The forecast outturn of a cost centre, on a given day, is

    actual (every cost line of the year so far, credits included)
  + committed (its open commitments of the year)
  + the budget profile of the months that have not started yet

so a month that has started counts what was actually spent in it, not its budget; a
year that has ended forecasts its actual plus what is still committed. The variance is
the budget less the forecast: negative is a forecast overspend. (docs/finance.md)
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from borough.finance.models import Budget, Commitment, CommitmentStatus, CostCentre, CostLine
from borough.finance.years import FinancialYear

ZERO = Decimal("0.00")


@dataclass
class Month:
    start: datetime.date
    budget: Decimal = ZERO
    actual: Decimal = ZERO
    committed: Decimal = ZERO
    started: bool = False

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"

    @property
    def forecast(self) -> Decimal:
        """What the month is forecast to cost: what was spent and is committed in it, and
        its budget while it has not started. The twelve add up to the year's forecast
        outturn (Row.forecast)."""
        return self.actual + self.committed + (ZERO if self.started else self.budget)

    # The year so far at the month's end (Row.running fills them in).
    budget_to_month: Decimal = ZERO
    forecast_to_month: Decimal = ZERO


@dataclass
class Row:
    """One cost centre's year (cost_centre None: commitments with no cost centre)."""

    cost_centre: CostCentre | None
    months: list[Month]
    budget_id: int | None = None

    @property
    def budget(self) -> Decimal:
        return sum((m.budget for m in self.months), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((m.actual for m in self.months), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((m.committed for m in self.months), ZERO)

    @property
    def budget_to_come(self) -> Decimal:
        return sum((m.budget for m in self.months if not m.started), ZERO)

    @property
    def budget_to_date(self) -> Decimal:
        return sum((m.budget for m in self.months if m.started), ZERO)

    @property
    def forecast(self) -> Decimal:
        return self.actual + self.committed + self.budget_to_come

    @property
    def variance(self) -> Decimal:
        return self.budget - self.forecast

    def running(self) -> list[Month]:
        """Its months with the year so far at each month's end: the budget, and the
        forecast (the last month's is the forecast outturn)."""
        budget = forecast = ZERO
        for month in self.months:
            budget += month.budget
            forecast += month.forecast
            month.budget_to_month, month.forecast_to_month = budget, forecast
        return self.months


@dataclass
class Monitoring:
    year: FinancialYear
    today: datetime.date
    rows: list[Row] = field(default_factory=list)

    @property
    def totals(self) -> Row:
        months = [Month(start) for start in self.year.months()]
        for row in self.rows:
            for total, month in zip(months, row.months, strict=True):
                total.budget += month.budget
                total.actual += month.actual
                total.committed += month.committed
                total.started = month.started
        return Row(None, months)


def forecast(months: list[Month]) -> Decimal:
    """The forecast outturn of a year's months (the arithmetic the page and API show)."""
    return Row(None, months).forecast


def monitor(organisation_id: int, year: FinancialYear, today: datetime.date,
            cost_centre_ids: list[int] | None = None) -> Monitoring:
    """The year's figures for every cost centre with a budget, spend or a commitment in
    it (or those asked for): three grouped queries and the cost centres."""
    starts = year.months()
    budgets = Budget.objects.filter(organisation_id=organisation_id, year=year.start_year)
    lines = CostLine.objects.filter(organisation_id=organisation_id, year=year.start_year)
    commitments = Commitment.objects.filter(organisation_id=organisation_id,
                                            year=year.start_year,
                                            status=CommitmentStatus.OPEN)
    if cost_centre_ids is not None:
        budgets = budgets.filter(cost_centre_id__in=cost_centre_ids)
        lines = lines.filter(cost_centre_id__in=cost_centre_ids)
        commitments = commitments.filter(cost_centre_id__in=cost_centre_ids)
    actual: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for centre, month, total in (lines.annotate(month=TruncMonth("date"))
                                 .values_list("cost_centre_id", "month")
                                 .annotate(total=Sum("amount")).order_by()):
        actual[(centre, _day(month))] += total
    committed: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for centre, month, total in (commitments.annotate(month=TruncMonth("date"))
                                 .values_list("cost_centre_id", "month")
                                 .annotate(total=Sum("amount")).order_by()):
        committed[(centre, _day(month))] += total
    by_centre = {b.cost_centre_id: b for b in budgets}
    centre_ids = set(by_centre) | {c for c, _ in actual} | {c for c, _ in committed}
    centres = {c.pk: c for c in CostCentre.objects.filter(
        pk__in=[c for c in centre_ids if c is not None])}
    rows = []
    for centre_id in sorted(centre_ids, key=lambda c: (c is None, centres[c].code if c else "")):
        budget = by_centre.get(centre_id)
        profile = budget.months() if budget else [ZERO] * 12
        months = [Month(start, profile[i], actual[(centre_id, start)],
                        committed[(centre_id, start)], start <= today)
                  for i, start in enumerate(starts)]
        rows.append(Row(centres.get(centre_id), months, budget.pk if budget else None))
    return Monitoring(year, today, rows)


def _day(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
