"""A business service's monthly utilisation report: for each configuration item the
service depends on (its components and what they run on, through the CMDB), each metric's
month — mean, peak and the day of it, the highest daily 95th percentile, headroom at the
peak against the critical threshold — and when its forecast expects the critical
threshold. Read from the daily rollups; what a head of service is sent each month
(`publish`), as a page and a spreadsheet."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, Max, Min, Sum, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from borough.capacity.ingest import zone
from borough.capacity.models import Direction, Forecast, Kind, Metric, Period, Rollup
from borough.catalogue import queries as catalogue_queries
from borough.core import notifications, reminders
from borough.core.reminders import claim


@dataclass(frozen=True)
class MetricMonth:
    metric: Metric
    days: int  # days of the month with figures
    mean: float | None
    peak: float | None
    peak_day: datetime.date | None
    p95: float | None  # the highest daily 95th percentile
    critical_on: datetime.date | None
    critical_already: bool

    @property
    def state_at_peak(self) -> str:
        return self.metric.state_of(self.peak) if self.peak is not None else "no_data"

    @property
    def headroom_at_peak(self) -> float | None:
        """The critical threshold less the peak (for a metric crossed downwards, the
        lowest figure less the threshold); negative: past it."""
        limit = self.metric.critical_threshold
        if self.peak is None or limit is None:
            return None
        return self.peak - limit if self.metric.direction == Direction.BELOW else limit - self.peak


def month_bounds(first: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    tz = zone()
    return (datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
            datetime.datetime.combine(nxt, datetime.time(), tzinfo=tz))


def metric_months(metrics: list[Metric], first: datetime.date) -> list[MetricMonth]:
    """Each metric's month, summed up by the database from its daily rollups (two
    queries, whatever the number of days): a report of a thousand metrics reads a
    thousand rows, not thirty times as many."""
    start, end = month_bounds(first)
    days = Rollup.objects.filter(metric__in=metrics, period=Period.DAY, start__gte=start,
                                 start__lt=end)
    sums = {row["metric_id"]: row for row in days.order_by().values("metric_id").annotate(
        days=Count("pk"), total=Sum("total"), count=Sum("count"), high=Max("maximum"),
        low=Min("minimum"), p95=Max("p95"))}
    # The day of the peak: the first day of the highest maximum (lowest minimum for a
    # metric crossed downwards).
    below = [mt.pk for mt in metrics if mt.direction == Direction.BELOW]
    worst = Case(When(metric_id__in=below, then=F("minimum")), default=-F("maximum"))
    peak_days = dict(days.annotate(rank=Window(
        RowNumber(), partition_by=F("metric_id"), order_by=[worst.asc(), F("start").asc()])
    ).filter(rank=1).values_list("metric_id", "start"))
    forecasts = {pk: (on, already) for pk, on, already in Forecast.objects.filter(
        metric__in=metrics).values_list("metric_id", "critical_on", "critical_already")}
    tz = zone()
    found = []
    for metric in metrics:
        row = sums.get(metric.pk)
        critical_on, critical_already = forecasts.get(metric.pk, (None, False))
        peak_at = peak_days.get(metric.pk)
        found.append(MetricMonth(
            metric, row["days"] if row else 0,
            row["total"] / row["count"] if row and row["count"] else None,
            (row["low"] if metric.direction == Direction.BELOW else row["high"])
            if row else None,
            peak_at.astimezone(tz).date() if peak_at else None,
            row["p95"] if row else None, critical_on, bool(critical_already)))
    return found


def service_month(service, first: datetime.date, user) -> list[tuple[object, list[MetricMonth]]]:
    """(item, its metrics' months) for each item the service depends on that has metrics
    the user may read, nearest first."""
    items = [d.item for d in catalogue_queries.dependencies_of(service, user)]
    # Up or down checks are availability's (the item's page), not utilisation.
    metrics = list(Metric.objects.visible_to(user).filter(configuration_item__in=items)
                   .exclude(kind=Kind.UP_DOWN)
                   .select_related("configuration_item").order_by("name", "pk"))
    months = metric_months(metrics, first)
    by_item: dict[int, list[MetricMonth]] = {}
    for month in months:
        by_item.setdefault(month.metric.configuration_item_id, []).append(month)
    return [(item, by_item[item.pk]) for item in items if item.pk in by_item]


def item_month(item, first: datetime.date, user) -> list[tuple[object, list[MetricMonth]]]:
    """The same for one configuration item: its own metrics the user may read."""
    metrics = list(Metric.objects.visible_to(user).filter(configuration_item=item)
                   .exclude(kind=Kind.UP_DOWN).select_related("configuration_item")
                   .order_by("name", "pk"))
    return [(item, metric_months(metrics, first))] if metrics else []


def previous_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def report_url(service, first: datetime.date) -> str:
    return reverse("capacity:service_report", args=[service.pk, first.year, first.month])


def item_report_url(item, first: datetime.date) -> str:
    return reverse("capacity:item_report", args=[item.pk, first.year, first.month])


def publish(now: datetime.datetime | None = None) -> int:
    """Tell each live service's owner that last month's utilisation report is ready,
    once a month each (core.reminders' claim), where the service's items have metrics.
    Returns how many were told."""
    from django.contrib.contenttypes.models import ContentType

    from borough.catalogue.models import BusinessService, ServiceStatus

    now = now or timezone.now()
    first = previous_month(timezone.localtime(now).date())
    measured = set(Metric.objects.filter(configuration_item__isnull=False)
                   .exclude(kind=Kind.UP_DOWN).values_list(
        "configuration_item_id", flat=True))
    told = 0
    services = (BusinessService.objects.filter(status=ServiceStatus.LIVE, owner__isnull=False)
                .select_related("owner__user").order_by("pk"))
    content_type = ContentType.objects.get_for_model(BusinessService)
    for service in services:
        depends = catalogue_queries.dependency_ids(service)
        if not depends & measured or not claim(service, content_type, "utilisation", first):
            continue
        user, person = reminders.reachable(service.owner, service.organisation_id,
                                           "capacity.view_metric")
        month = f"{first:%B %Y}"
        notifications.notify(
            [user] if user else [], people=[person] if person else [],
            organisation_id=service.organisation_id, event="capacity-monthly-report",
            subject=f"Utilisation of {service.name} in {month}",
            body=(f"The utilisation report of the systems {service.name} runs on, for "
                  f"{month}, is ready: peaks, headroom and what the forecasts expect."),
            url=report_url(service, first))
        told += 1
    return told


def publish_job() -> str:
    told = publish()
    return f"{told:,} service owners sent last month's utilisation report"


@dataclass(frozen=True)
class ServiceYear:
    service: object
    # Each month's highest peak of its metrics, as a share (%) of the metric's critical
    # threshold; None where no metric with a threshold had figures.
    months: list[float | None]
    metrics: int


def year_months(year: int) -> list[datetime.date]:
    """The months of financial year `year` (April `year` to March `year` + 1)."""
    return [datetime.date(year + (m < 4), m, 1) for m in (*range(4, 13), 1, 2, 3)]


def capacity_plan(organisation_id: int, year: int, user) -> tuple[list[ServiceYear], list]:
    """The year's capacity plan, assembled from the monthly reports: each live service's
    peak month by month against its thresholds, and the overloads the forecasts now
    expect (with their problems), soonest first."""
    from borough.catalogue.models import BusinessService, ServiceStatus

    metrics = list(Metric.objects.visible_to(user).filter(
        organisation_id=organisation_id, configuration_item__isnull=False,
        critical_threshold__isnull=False).select_related("configuration_item"))
    by_month = {first: {mo.metric.pk: mo for mo in metric_months(metrics, first)}
                for first in year_months(year)}
    rows = []
    for service in (BusinessService.objects.visible_to(user)
                    .filter(organisation_id=organisation_id, status=ServiceStatus.LIVE)
                    .order_by("name", "pk")):
        depends = catalogue_queries.dependency_ids(service)
        mine = [mt for mt in metrics if mt.configuration_item_id in depends]
        if not mine:
            continue
        shares = []
        for first in year_months(year):
            found = [by_month[first][mt.pk] for mt in mine if by_month[first][mt.pk].peak
                     is not None]
            shares.append(max((_share(mo) for mo in found), default=None))
        rows.append(ServiceYear(service, shares, len(mine)))
    expected = sorted((f for f in Forecast.objects.filter(metric__in=metrics)
                       .select_related("metric__configuration_item", "problem", "change")
                       if f.overload_forecast),
                      key=lambda f: (not f.critical_already, f.critical_on or datetime.date.min))
    return rows, expected


def _share(month: MetricMonth) -> float:
    """The peak as a share of the critical threshold; for a metric crossed downwards, the
    threshold as a share of the lowest figure (past 100%: past the threshold)."""
    limit = month.metric.critical_threshold
    if month.metric.direction == Direction.BELOW:
        return round(100 * limit / month.peak, 1) if month.peak else 100.0
    return round(100 * month.peak / limit, 1) if limit else 0.0
