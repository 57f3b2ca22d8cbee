"""What finance shows on other apps' pages: a system's (or any item's) and a business
service's total cost on their pages, and a service unit's recharge (showback) on the
systems catalogue. Each is left out for people who may not read finance figures; the
showback is shown to a head of service for their own unit."""

from __future__ import annotations

from django.utils import timezone

from borough.cmdb.queries import APPLICATION
from borough.core import scope
from borough.finance import costs, queries
from borough.finance.models import CostLine, RechargeLine
from borough.finance.years import FinancialYear


def item_cost(item, user) -> dict | None:
    if not scope.can(user, "view", CostLine, item.organisation_id):
        return None
    year = FinancialYear.of(timezone.localdate())
    is_system = item.ci_class.code == APPLICATION
    if is_system:
        found = costs.system_cost(item, year)
    else:
        found = costs.direct_costs(item.organisation_id, year, item_ids={item.pk}).get(
            (costs.ITEM, item.pk), costs.TotalCost())
    return {"subject": item, "year": year, "cost": found, "is_system": is_system,
            "what": "system" if is_system else "item"}


def service_cost(service, user) -> dict | None:
    if not scope.can(user, "view", CostLine, service.organisation_id):
        return None
    year = FinancialYear.of(timezone.localdate())
    return {"subject": service, "year": year, "cost": costs.service_cost(service, year),
            "is_system": False, "what": "service"}


def showback(unit, user) -> dict | None:
    """The unit's recharge in the latest issued run: for finance roles (any unit) and
    for the unit's own head."""
    if unit is None or not scope.can(user, "view", RechargeLine, unit.organisation_id):
        return None
    run = queries.latest_issued(unit.organisation_id)
    if run is None:
        return None
    if not queries.reads_finance(user, unit.organisation_id) and not (
            unit.head_id and unit.head.user_id == user.pk):
        return None
    return {"unit": unit, "run": run, "year": FinancialYear(run.year),
            "total": queries.unit_recharge(run, unit.pk)}
