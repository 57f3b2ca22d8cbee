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
