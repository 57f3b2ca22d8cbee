"""The nightly forecast of every metric with thresholds, and the capacity action it
raises: when the critical threshold is forecast to be crossed within the metric's horizon
(or already is), a problem — or, where the council's capacity settings say so, a draft
change — is raised on its configuration item, naming the services that depend on it
through the CMDB, and the item's and services' owners are told, once; a later forecast
raises another only when the crossing it foresees moves by ANSWERED_WITHIN_DAYS or more
after the first was answered (capacity.forecasting does the arithmetic)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from borough.capacity import forecasting
from borough.capacity.ingest import zone
from borough.capacity.models import (
    CapacitySettings,
    Direction,
    Forecast,
    Metric,
    OverloadAction,
    Period,
    Rollup,
)
from borough.catalogue import queries as catalogue_queries
from borough.changes import models as change_models
from borough.changes import services as change_services
from borough.core import notifications
from borough.problems import models as problem_models
from borough.problems import services as problem_services

HELD_OUT_DAYS = 30
ANSWERED_WITHIN_DAYS = 14


def daily_figures(metric: Metric, until: datetime.date | None = None
                  ) -> list[tuple[datetime.date, float]]:
    """The metric's daily maximum (its daily minimum when crossed downwards), local days,
    over the forecast window."""
    tz = zone()
    until = until or timezone.now().astimezone(tz).date()
    first = until - datetime.timedelta(days=forecasting.WINDOW_DAYS)
    figure = "maximum" if metric.direction == Direction.ABOVE else "minimum"
    rows = Rollup.objects.filter(
        metric=metric, period=Period.DAY,
        start__gte=datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
    ).values_list("start", figure)
    return [(start.astimezone(tz).date(), value) for start, value in rows]


def forecast_metric(metric: Metric, *, now: datetime.datetime | None = None
                    ) -> Forecast | None:
    """Make and keep the metric's forecast (None, and the old one removed, when it has
    too little history); raise its capacity problem if one is due."""
    now = now or timezone.now()
    figures = daily_figures(metric, now.astimezone(zone()).date())
    made = forecasting.fit(figures, horizon=metric.forecast_horizon_days)
    if made is None:
        Forecast.objects.filter(metric=metric).delete()
        return None
    rising = metric.direction == Direction.ABOVE
    critical = (forecasting.crossing(made, metric.critical_threshold, rising=rising)
                if metric.critical_threshold is not None else None)
    warning = (forecasting.crossing(made, metric.warning_threshold, rising=rising)
               if metric.warning_threshold is not None else None)
    test = forecasting.backtest(figures, held_out=min(HELD_OUT_DAYS,
                                                     metric.forecast_horizon_days))
    values = {
        "made_at": now, "fitted_from": made.fitted_from, "fitted_to": made.fitted_to,
        "points": made.points, "figure": "maximum" if rising else "minimum",
        "components": made.description, "level": made.level,
        "days": [[d.isoformat(), round(e, 6), round(lo, 6), round(hi, 6)] for d, e, lo, hi
                 in zip(made.days, made.expected, made.lower, made.upper, strict=True)],
        "warning_on": warning.expected if warning else None,
        "critical_on": critical.expected if critical else None,
        "critical_earliest": critical.earliest if critical else None,
        "critical_latest": critical.latest if critical else None,
        "critical_already": bool(critical and critical.already),
        "backtest_days": test.held_out if test else None,
        "backtest_error": test.mean_absolute_error if test else None,
        "backtest_percentage_error": test.mean_absolute_percentage_error if test else None,
        "backtest_coverage": test.coverage if test else None,
    }
    with transaction.atomic():
        forecast, _ = Forecast.objects.select_for_update().update_or_create(
            metric=metric, defaults=values)
        # Whether this forecast raised its problem, for the job's counts.
        forecast.raised = raise_overload_problem(forecast, now=now) is not None
    return forecast


def overload_action(organisation_id: int) -> str:
    """What the council raises for a forecast overload (CapacitySettings; a problem when
    it has none)."""
    found = (CapacitySettings.objects.filter(organisation_id=organisation_id)
             .values_list("overload_action", flat=True).first())
    return found or OverloadAction.PROBLEM


def _still_answered(forecast: Forecast, crossing: datetime.date) -> bool:
    """Whether the capacity action already raised still answers the forecast: a problem
    or change raised for it is open, or the crossing now foreseen is within
    ANSWERED_WITHIN_DAYS of the one it answered. Either kind counts, so a council that
    changes its setting is not sent a second action for the same overload."""
    if forecast.problem_id is not None and forecast.problem.status in problem_models.OPEN:
        return True
    if (forecast.change_id is not None
            and forecast.change.status not in change_models.DONE_WITH):
        return True
    answered = forecast.problem_id is not None or forecast.change_id is not None
    return answered and forecast.problem_for is not None and abs(
        (crossing - forecast.problem_for).days) < ANSWERED_WITHIN_DAYS


def raise_overload_problem(forecast: Forecast, *, now: datetime.datetime):
    """The capacity action for a forecast of critical overload, if one is due: a problem,
    or a draft change where the council's capacity settings ask for one. Not while the
    last one raised is open, nor after it for a crossing within ANSWERED_WITHIN_DAYS of
    the one it answered. Returns the problem or change raised, or None."""
    metric = forecast.metric
    item = metric.configuration_item
    if not forecast.overload_forecast or item is None:
        return None
    crossing = forecast.critical_on or now.astimezone(zone()).date()
    if _still_answered(forecast, crossing):
        return None
    services = catalogue_queries.services_relying_on(item.pk)
    when = ("is already past its critical threshold" if forecast.critical_already else
            f"is forecast to reach its critical threshold on {crossing:%-d %B %Y}")
    description = "\n".join([
        f"{metric} {when} ({metric.critical_threshold:g} {metric.get_unit_display()}).",
        f"Forecast made {forecast.made_at.astimezone(zone()):%-d %B %Y} from "
        f"{forecast.points} days of daily {forecast.figure}s ({forecast.components}).",
        (f"It could be as soon as {forecast.critical_earliest:%-d %B %Y}."
         if forecast.critical_earliest and not forecast.critical_already else ""),
        ("Services that depend on it: " + ", ".join(s.name for s in services) + "."
         if services else "No business service is recorded as depending on it."),
    ]).strip()
    title = f"Capacity: {item.name} {metric.name} {when}"[:200]
    if overload_action(metric.organisation_id) == OverloadAction.CHANGE:
        raised = change_services.propose_change(change_models.Change(
            organisation_id=metric.organisation_id, title=title,
            description=(f"Add capacity to {item.name} (or reduce what {metric.name} "
                         "measures) before the forecast crossing. To be completed by the "
                         "change owner: what will be done, the plans and the window."),
            reason=description, origin=change_models.Origin.CAPACITY,
            change_type=change_models.ChangeType.NORMAL, owner=item.owner),
            actor=None, items=[item], services_=services,
            note=f"Proposed by the capacity forecast of {metric}.")
        forecast.change, forecast.problem_for = raised, crossing
        forecast.save(update_fields=["change", "problem_for"])
    else:
        raised = problem_services.raise_problem(problem_models.Problem(
            organisation_id=metric.organisation_id, title=title,
            description=description, origin=problem_models.Origin.CAPACITY,
            priority=problem_models.Priority.HIGH, owner=item.owner,
            service=services[0] if services else None), actor=None, cis=[item])
        forecast.problem, forecast.problem_for = raised, crossing
        forecast.save(update_fields=["problem", "problem_for"])
    _tell_owners(forecast, raised, [item.owner, *(s.owner for s in services)],
                 body=description)
    return raised


def _tell_owners(forecast: Forecast, raised, owners, *, body: str) -> None:
    """The item's owner and the services' owners, of the problem or change raised: by
    their login where they have one, else by email."""
    owners = {p.pk: p for p in owners if p is not None}.values()
    users = [p.user for p in owners if p.user_id is not None]
    others = [p for p in owners if p.user_id is None]
    notifications.notify(
        users, people=others, organisation_id=forecast.metric.organisation_id,
        event="capacity-overload", subject=f"[{raised.reference}] {raised.title}",
        body=body, url=raised.get_absolute_url(), thread=raised)


def forecast_all(now: datetime.datetime | None = None) -> dict[str, int]:
    """Forecast every metric with a threshold, each in its own transaction."""
    counts = {"metrics": 0, "forecasts": 0, "overloads": 0, "problems": 0}
    metrics = Metric.objects.exclude(critical_threshold__isnull=True,
                                     warning_threshold__isnull=True).select_related(
        "configuration_item__owner__user").order_by("pk")
    for metric in metrics.iterator(chunk_size=200):
        counts["metrics"] += 1
        forecast = forecast_metric(metric, now=now)
        if forecast is None:
            continue
        counts["forecasts"] += 1
        counts["overloads"] += forecast.overload_forecast
        counts["problems"] += forecast.raised
    return counts


def forecast_job() -> str:
    counts = forecast_all()
    return (f"{counts['forecasts']:,} of {counts['metrics']:,} metrics with thresholds "
            f"forecast; {counts['overloads']:,} forecast to overload; "
            f"{counts['problems']:,} capacity problems or changes raised")
