"""Capacity management's evidence rules for the standards (core.evidence; the contract is
in docs/standards.md): utilisation collected for every live server, month by month; and
every overload a forecast foresees answered by a capacity problem or change someone has
taken up. They read only the organisation given and write nothing.

Limits: the live servers are those live now (the CMDB's replay is not used here), and
forecasts are the latest made (each night replaces the last), so the second rule speaks
of the present whatever the date asked."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from borough.capacity.ingest import zone
from borough.capacity.models import Forecast, Kind, Period, Rollup
from borough.changes.models import Status as ChangeStatus
from borough.cmdb.models import ConfigurationItem, Status
from borough.cmdb.queries import SERVER_CLASSES
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, whole
from borough.problems.models import Status as ProblemStatus


def _names(names: list[str], limit: int = 10) -> str:
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _months(as_of: datetime.datetime, count: int) -> list[datetime.date]:
    """The first days of the `count` whole months before the one `as_of` falls in."""
    day = timezone.localtime(as_of, zone()).date().replace(day=1)
    months = []
    for _ in range(count):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
        months.append(day)
    return sorted(months)


def _links() -> tuple[EvidenceLink, ...]:
    return (EvidenceLink("Metrics", reverse("capacity:metric_list")),
            EvidenceLink("Collection runs", reverse("capacity:collectionrun_list")))


def utilisation_collected(organisation, params, as_of) -> EvidenceResult:
    """Every live server has a metric with daily figures in each whole month of the
    period."""
    months = _months(as_of, params["months"])
    servers = list(ConfigurationItem.objects.filter(
        organisation=organisation, status=Status.LIVE,
        ci_class__code__in=SERVER_CLASSES).order_by("name").values_list("pk", "name"))
    tz = zone()
    first = datetime.datetime.combine(months[0], datetime.time(), tzinfo=tz)
    after = months[-1].replace(day=28) + datetime.timedelta(days=4)
    until = datetime.datetime.combine(after.replace(day=1), datetime.time(), tzinfo=tz)
    seen: dict[int, set] = {}
    # An up or down check says the server answers, not how much of it is used.
    for item_id, start in Rollup.objects.filter(
            metric__organisation=organisation, metric__configuration_item_id__in=[
                pk for pk, _ in servers], period=Period.DAY, start__gte=first,
            start__lt=until).exclude(metric__kind=Kind.UP_DOWN).values_list(
                "metric__configuration_item_id", "start"):
        local = start.astimezone(tz).date()
        seen.setdefault(item_id, set()).add(local.replace(day=1))
    missing = [name for pk, name in servers if seen.get(pk, set()) != set(months)]
    span = f"each of the last {len(months)} whole month{'s' if len(months) != 1 else ''}"
    figures = {"months": params["months"], "servers": len(servers),
               "collected": len(servers) - len(missing), "not_collected": missing}
    if not servers:
        summary = "No live server is recorded in the CMDB, so there is nothing to show."
    elif missing:
        summary = (f"{len(missing)} of {len(servers)} live servers have no utilisation "
                   f"figures in {span}: {_names(missing)}.")
    else:
        summary = (f"Utilisation of each of the {len(servers)} live servers was collected in "
                   f"{span}.")
    return EvidenceResult(bool(servers) and not missing, summary, figures, _links())


def overload_answered(organisation, params, as_of) -> EvidenceResult:
    """Forecasts are made, and each overload foreseen has a capacity problem that was
    taken up (under investigation or further), or a capacity change submitted past its
    draft, within the days given."""
    forecasts = list(Forecast.objects.filter(metric__organisation=organisation)
                     .select_related("metric__configuration_item", "problem", "change"))
    late = as_of - datetime.timedelta(days=params["days"])
    overloads = [f for f in forecasts if f.overload_forecast]

    def answered(f) -> bool:
        # A capacity problem under investigation or further, or a capacity change
        # submitted past its draft; either still untouched is answered only while new.
        found = [(action, action.status == untouched) for action, untouched in (
            (f.problem, ProblemStatus.LOGGED), (f.change, ChangeStatus.DRAFT)) if action]
        return any(not waiting or action.created_at >= late for action, waiting in found)

    unanswered = [str(f.metric) for f in overloads if not answered(f)]
    figures = {"forecasts": len(forecasts), "overloads": len(overloads),
               "unanswered": unanswered, "days": params["days"]}
    if not forecasts:
        summary = "No metric has a forecast yet: set thresholds and collect figures."
    elif unanswered:
        summary = (f"{len(unanswered)} of {len(overloads)} overloads foreseen are not "
                   f"answered (no capacity problem or change, or one nobody took up within "
                   f"{params['days']} days): {_names(unanswered)}.")
    else:
        summary = (f"{len(forecasts)} metrics are forecast; each of the {len(overloads)} "
                   "overloads foreseen has a capacity problem or change being worked or done.")
    return EvidenceResult(bool(forecasts) and not unanswered, summary, figures, _links())


RULES = [
    EvidenceRule(
        "capacity.utilisation-collected",
        "Utilisation collected for every live server",
        "Every live server in the CMDB has a metric with daily utilisation figures in each "
        "whole month of the period (3 by default). Met when there is at least one live "
        "server and none lacks them.",
        utilisation_collected, (whole("months", 3, minimum=1, maximum=24),)),
    EvidenceRule(
        "capacity.overload-answered",
        "Forecast overloads answered",
        "Metrics with thresholds are forecast each night; each whose critical threshold is "
        "forecast to be crossed within its horizon has a capacity problem that someone took "
        "up (under investigation or further), or a capacity change submitted past its "
        "draft, within the days given (14 by default). Met "
        "when there is at least one forecast and no overload is unanswered. Reads the "
        "latest forecasts.",
        overload_answered, (whole("days", 14, minimum=0, maximum=365),)),
]
