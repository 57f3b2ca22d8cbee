"""The sections availability adds to other apps' pages (registered in entries.py): a
business service's and its service level agreement's availability, a major incident's
outages and a change's planned outages, each with the way to record them, and a
configuration item's availability from its up or down metrics."""

from __future__ import annotations

from copy import copy
from dataclasses import replace

from django.urls import reverse
from django.utils import timezone

from borough.availability import models as m
from borough.availability import queries
from borough.availability.presenters import hours, month_label, per_cent, row
from borough.capacity import queries as capacity
from borough.core import scope
from borough.core.charts import HBAR, Chart, Series


def _months(service, user, target=None) -> list[dict]:
    found = queries.service_availability(service, user, 12)
    rows = []
    for month, figures in reversed(found.months):
        if target is not None:
            figures = replace(figures, target=target)
        rows.append({"month": month_label(month), **row(figures)})
    return rows


def service_panel(service, user) -> dict | None:
    """The service page's availability: the last twelve months against its target, and
    its latest outages. Nothing for those who may not view outages."""
    if not scope.can(user, "view", m.Outage, service.organisation_id):
        return None
    return {"service": service, "target": service.availability_target,
            "months": _months(service, user),
            "outages": queries.outages_of_service(service, user, limit=5),
            "all_url": f"{reverse('availability:outage_list')}?service={service.pk}",
            "may_add": scope.can(user, "add", m.Outage, service.organisation_id)}


def agreement_panel(agreement, user) -> dict | None:
    """The service level agreement's page: its service's availability in the hours the
    agreement sets, against the target it sets (the service's own when it sets none)."""
    if not scope.can(user, "view", m.Outage, agreement.organisation_id):
        return None
    service = copy(agreement.service)
    # Measured in the hours the agreement sets, against its target (the service's when
    # it sets none).
    service.service_hours = agreement.service_hours
    target = agreement.availability_target
    if target is None:
        target = service.availability_target
    return {"service": service, "target": target,
            "months": _months(service, user, target=target), "outages": [],
            "all_url": f"{reverse('availability:outage_list')}?service={service.pk}",
            "may_add": False}


def agreement_print_panel(agreement, user) -> dict | None:
    """The printed agreement: the same months as its page, against its target."""
    return agreement_panel(agreement, user)


def ticket_panel(ticket, user) -> dict | None:
    """A major incident's outages, and the button that records them."""
    if not ticket.is_major_incident or not scope.can(user, "view", m.Outage,
                                                     ticket.organisation_id):
        return None
    return {"outages": queries.outages_of_ticket(ticket, user),
            "may_add": scope.can(user, "add", m.Outage, ticket.organisation_id),
            "action": reverse("availability:from_incident", args=[ticket.pk]),
            "what": "major incident", "kind": "unplanned"}


def change_panel(change, user) -> dict | None:
    """A change's planned outages, and the button that records them over its window."""
    if not scope.can(user, "view", m.Outage, change.organisation_id):
        return None
    outages = queries.outages_of_change(change, user)
    start, end = queries.window_of_change(change)
    may_add = (start is not None and end is not None
               and scope.can(user, "add", m.Outage, change.organisation_id))
    if not outages and not may_add:
        return None
    return {"outages": outages, "may_add": may_add,
            "action": reverse("availability:from_change", args=[change.pk]),
            "what": "change", "kind": "planned"}


def component_panel(item, user) -> dict | None:
    """A configuration item's availability this month and last, from each of its up or
    down metrics, and the outages monitoring recorded of it. Left out for those who may
    not view outages, and for an item that has neither."""
    if not scope.can(user, "view", m.Outage, item.organisation_id):
        return None
    months = queries.last_months(timezone.localdate(), 2)
    metrics = [{"metric": metric, "months": [
        {"month": month_label(f.month), "availability": per_cent(f.availability),
         "down": hours(f.down_minutes), "measured": hours(f.measured_minutes),
         "measured_from": f.measured_from, "complete": f.complete}
        for f in reversed(queries.component_availability(metric, months))]}
        for metric in capacity.up_down_metrics_of_item(item, user)]
    outages = queries.outages_of_item(item, user)
    if not metrics and not outages:
        return None
    return {"item": item, "metrics": metrics, "outages": outages,
            "all_url": f"{reverse('availability:outage_list')}?configuration_item={item.pk}"}


STATISTICS_METHOD = (
    "Each live service measured against an availability target: those with an agreed "
    "service level agreement in the agreement's service hours and against its target (the "
    "service's own when the agreement sets none), the others against the service's own "
    "target. Availability is the share of agreed service time (service hours less planned "
    "downtime) in the period that the service was up; a period still running is measured "
    "until now. Outages are the stretches of unplanned downtime within service hours, "
    "overlapping outages counted once. MTBF is the agreed service time up divided by the "
    "outages, MTRS the unplanned downtime divided by the outages, both in service hours. "
    "Narrowed to a service unit or team, the services of that unit or supported by that team.")
STATISTICS_COLUMNS = [
    "Service", "Reference", "Measured under", "Service hours", "Target (%)",
    "Availability (%)", "Met", "Outages", "Unplanned downtime (minutes)",
    "Planned downtime (minutes)", "MTBF (minutes)", "MTRS (minutes)", "Whole period"]


def _rounded(value, places=1):
    return None if value is None else round(value, places)


def statistics_panel(stats, user) -> dict | None:
    """The service desk statistics' section (page "servicedesk.statistics", given its
    Statistics): each targeted service's availability over the period against its target,
    with the table of raw figures the page's exports and API carry."""
    if not scope.can(user, "view", m.Outage, None):
        return None
    found = queries.period_availability(user, stats.period.start, stats.period.end,
                                        service_unit=stats.service_unit, team=stats.team,
                                        now=stats.now)
    rows, raw = [], []
    for item in found:
        f, service = item.figures, item.service
        under = item.agreement.reference if item.agreement else "Service target"
        rows.append({"service": service, "agreement": item.agreement, "under": under,
                     "target": f.target, "availability": per_cent(f.availability),
                     "met": f.met, "outages": f.failures, "downtime": hours(f.downtime_minutes),
                     "mtbf": hours(f.mtbf_minutes), "mtrs": hours(f.mtrs_minutes),
                     "complete": f.complete})
        raw.append([service.name, service.reference, under,
                    service.get_service_hours_display(),
                    float(f.target) if f.target is not None else None,
                    _rounded(f.availability, 3), f.met, f.failures,
                    _rounded(f.downtime_minutes), _rounded(f.planned_minutes),
                    _rounded(f.mtbf_minutes), _rounded(f.mtrs_minutes), f.complete])
    measured = [i for i in found if i.figures.availability is not None]
    chart = Chart(
        title="Availability by service against target",
        description=(f"Availability of {len(measured)} services in the period, in per cent "
                     "of agreed service time, with each one's target in the table."),
        x_labels=[i.service.name for i in measured], kind=HBAR, unit="%", decimals=2,
        series=[Series("Availability", [i.figures.availability for i in measured]),
                Series("Target", [float(i.figures.target) if i.figures.target is not None
                                  else None for i in measured], in_chart=False),
                Series("Outages", [i.figures.failures for i in measured], unit="outages",
                       in_chart=False)],
        x_title="Service", y_max=100, key="availability",
        empty_text="No service had agreed service time to measure in this period.")
    met = sum(1 for i in found if i.figures.met)
    missed = sum(1 for i in found if i.figures.met is False)
    return {"key": "availability", "heading": "Availability against target",
            "method": STATISTICS_METHOD, "rows": rows, "chart": chart,
            "met": met, "missed": missed,
            "report_url": reverse("availability:report"),
            # What the page's CSV/XLSX export and its API carry (servicedesk's contract).
            "table": {"title": "Availability against target", "columns": STATISTICS_COLUMNS,
                      "rows": raw}}
