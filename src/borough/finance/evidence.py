"""Finance's evidence rules for the standards module (core.evidence; docs/standards.md).
Each reads only the organisation it is given, writes nothing, and answers as at `as_of`
from records dated on or before it:

- budget monitored monthly: the budget monitoring figures were reviewed (a review
  recorded on the page, /finance/budget/) in each of the last N complete months, and the
  financial year of each of those months has a budget;
- costs known per service: at least a threshold share of the live business services have
  a total cost above zero in the financial year of `as_of` (finance.costs: contracts,
  cost lines, shares of infrastructure and of their systems). Costs are computed from the
  records as they are now, for that year;
- recharges issued: the recharge of the financial year (`year`: the one `as_of` falls
  in, or the one before) was issued by `as_of`, with a statement for at least one
  service unit.
"""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from borough.catalogue.models import BusinessService, ServiceStatus
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, one_of
from borough.core.evidence import whole as whole_number
from borough.finance import costs
from borough.finance.models import Budget, BudgetReview, RechargeRun
from borough.finance.years import FinancialYear


def _month_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def budget_monitored_monthly(organisation, params, as_of) -> EvidenceResult:
    day = timezone.localtime(as_of).date()
    months = [_month_start(day, back) for back in range(params["months"], 0, -1)]
    reviews = (BudgetReview.objects.filter(organisation=organisation,
                                           reviewed_on__gte=months[0],
                                           reviewed_on__lt=_month_start(day, 0),
                                           created_at__lte=as_of)
               .values_list("reviewed_on", flat=True))
    reviewed = {datetime.date(d.year, d.month, 1) for d in reviews}
    budget_years = set(Budget.objects.filter(organisation=organisation, created_at__lte=as_of)
                       .values_list("year", flat=True))
    missing = [m for m in months if m not in reviewed]
    no_budget = sorted({FinancialYear.of(m).label for m in months
                        if FinancialYear.of(m).start_year not in budget_years})
    figures = {"months": params["months"], "reviewed": len(months) - len(missing),
               "not_reviewed": [f"{m:%B %Y}" for m in missing],
               "years_without_budget": no_budget}
    if no_budget:
        summary = (f"No ICT budget is recorded for {', '.join(no_budget)}, so it cannot be "
                   "monitored.")
    elif missing:
        summary = (f"The budget was reviewed in {len(months) - len(missing)} of the last "
                   f"{len(months)} months; not in {', '.join(figures['not_reviewed'])}.")
    else:
        summary = f"The budget was reviewed in each of the last {len(months)} months."
    links = (EvidenceLink("Budget monitoring", reverse("finance:monitoring")),)
    return EvidenceResult(not missing and not no_budget, summary, figures, links)


def costs_known_per_service(organisation, params, as_of) -> EvidenceResult:
    year = FinancialYear.of(timezone.localtime(as_of).date())
    services = list(BusinessService.objects.filter(organisation=organisation,
                                                   status=ServiceStatus.LIVE,
                                                   created_at__lte=as_of)
                    .order_by("name", "pk").values_list("pk", "reference", "name"))
    found = costs.organisation_costs(organisation.pk, year).services if services else {}
    known = [s for s in services if s[0] in found and found[s[0]].total > 0]
    unknown = [s for s in services if s not in known]
    percent = round(100 * len(known) / len(services), 1) if services else 0.0
    figures = {"year": year.label, "live_services": len(services), "with_cost": len(known),
               "percent": percent, "target_percent": params["target_percent"],
               "without": [s[1] for s in unknown]}
    if not services:
        summary = "No live business services are recorded, so there is nothing to show."
    else:
        names = ", ".join(s[2] for s in unknown[:10]) + (
            f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        summary = (f"{len(known)} of {len(services)} live business services ({percent:g}%) "
                   f"have a known cost in {year}; the target is "
                   f"{params['target_percent']:g}%." + (f" Not known: {names}." if unknown
                                                       else ""))
    links = (EvidenceLink("Total costs", reverse("finance:costs") + f"?year={year.label}"),)
    return EvidenceResult(bool(services) and percent >= params["target_percent"], summary,
                          figures, links)


def recharges_issued(organisation, params, as_of) -> EvidenceResult:
    year = FinancialYear.of(timezone.localtime(as_of).date())
    if params["year"] == "previous":
        year = year.previous()
    run = (RechargeRun.objects.filter(organisation=organisation, year=year.start_year,
                                      issued_at__isnull=False, issued_at__lte=as_of)
           .annotate(units=Count("lines__service_unit", distinct=True))
           .order_by("issued_at").first())
    figures = {"year": year.label, "run": run.reference if run else None,
               "service_units": run.units if run else 0,
               "issued_on": (timezone.localtime(run.issued_at).date().isoformat()
                             if run else None)}
    met = run is not None and run.units > 0
    if met:
        summary = (f"The {year} recharge ({run.reference}) was issued on "
                   f"{timezone.localtime(run.issued_at):%d %B %Y}, with statements for "
                   f"{run.units} service unit{'s' if run.units != 1 else ''}.")
    else:
        summary = f"No recharge of {year} had been issued to the service units."
    links = (EvidenceLink("Recharges", reverse("finance:recharge_runs")),)
    return EvidenceResult(met, summary, figures, links)


RULES = [
    EvidenceRule(
        "finance.budget-monitored-monthly",
        "The ICT budget is monitored every month",
        "Looks at the last complete months before the date checked (three by default). "
        "Met when the budget monitoring figures were reviewed in each of them (a review "
        "recorded on the budget monitoring page by someone who keeps the budget) and each "
        "month's financial year has an ICT budget recorded.",
        budget_monitored_monthly, (whole_number("months", 3, minimum=1, maximum=12),)),
    EvidenceRule(
        "finance.costs-known-per-service",
        "The cost of each live business service is known",
        "Works out the total cost of every live business service in the financial year of "
        "the date checked: the contracts covering it, cost lines allocated to it, and "
        "shares of the systems that deliver it and of the infrastructure they depend on "
        "(docs/finance.md). Met when at least the target percentage of live services have "
        "a cost above zero; with no live services, not met.",
        costs_known_per_service, (number("target_percent", 100, minimum=0, maximum=100),)),
    EvidenceRule(
        "finance.recharges-issued",
        "ICT costs are recharged to the service units",
        "Met when a recharge run of the financial year (the one the date checked falls in, "
        "or with year: previous the one before) had been issued by that date, with a "
        "statement for at least one service unit.",
        recharges_issued, (one_of("year", "current", ["current", "previous"]),)),
]
