"""Reads of capacity that are more than a filter: what another app shows of it (the
Utilisation panel on a configuration item's page), a metric's recent days, and the
points of up or down metrics that availability turns into outages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from borough.capacity import stats
from borough.capacity.ingest import zone
from borough.capacity.models import DOWN_BELOW, Kind, Metric, Period, Point, Rollup
from borough.core.queries import none_recorded


def item_annotations() -> dict:
    """For a CI page's own read of the item (core.queries.with_record_extras): whether it
    has any metric (the utilisation and availability panels both read them)."""
    return {"panel_metrics": Exists(Metric.objects.filter(configuration_item=OuterRef("pk")))}


def metrics_of_item(item, user) -> list[Metric]:
    """The metrics of a configuration item that `user` may see, by name. Read once per
    item instance and user: a CI's page asks twice (the utilisation and availability
    panels), and the instance lives only as long as the request that loaded it."""
    key = f"_metrics_for_{user.pk}"
    found = item.__dict__.get(key)
    if found is None and none_recorded(item, "panel_metrics"):
        found = item.__dict__[key] = []
    if found is None:
        found = item.__dict__[key] = list(
            Metric.objects.visible_to(user).filter(configuration_item=item)
            .order_by("name", "pk"))
    return list(found)


@dataclass(frozen=True)
class Day:
    day: datetime.date
    mean: float | None
    maximum: float | None
    p95: float | None
    count: int


def recent_days(metric: Metric, days: int = 30, *, today: datetime.date | None = None
                ) -> list[Day]:
    """The last `days` days (today included, in the installation's time zone) with each
    day's mean, maximum and 95th percentile; None where there is no rollup."""
    tz = zone()
    today = today or timezone.now().astimezone(tz).date()
    first = today - datetime.timedelta(days=days - 1)
    found = {r.start.astimezone(tz).date(): r for r in Rollup.objects.filter(
        metric=metric, period=Period.DAY, start__gte=stats.local_midnight(first, tz),
        start__lt=stats.local_midnight(today + datetime.timedelta(days=1), tz))}
    out = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        r = found.get(day)
        out.append(Day(day, r.mean if r else None, r.maximum if r else None,
                       r.p95 if r else None, r.count if r else 0))
    return out


# --- up or down metrics ----------------------------------------------------------------------

Run = tuple[datetime.datetime, datetime.datetime | None]


def is_down(value: float) -> bool:
    return value < DOWN_BELOW


def down_runs(points, shortest: datetime.timedelta = datetime.timedelta(0)) -> list[Run]:
    """The stretches down in `points` ((time, value), oldest first): from the first 0 of a
    run of them to the first 1 after it (None while no 1 has come). One shorter than
    `shortest` is left out; one still going on counts to its latest 0, so it is kept
    once it has lasted that long."""
    runs: list[Run] = []
    start = last_down = None
    for at, value in points:
        if is_down(value):
            if start is None:
                start = at
            last_down = at
        elif start is not None:
            if at - start >= shortest:
                runs.append((start, at))
            start = None
    if start is not None and last_down - start >= shortest:
        runs.append((start, None))
    return runs


def up_down_window(metric_id: int, first: datetime.datetime, last: datetime.datetime
                   ) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """The stretch whose down runs points taken in between `first` and `last` can change:
    from the latest 1 before `first` to the earliest 1 after `last` (None: no such point).
    A run starts after a 1 and ends at the next, so runs outside it are untouched."""
    points = Point.objects.filter(metric_id=metric_id, value__gte=DOWN_BELOW)
    before = points.filter(at__lt=first).order_by("-at").values_list("at", flat=True).first()
    after = points.filter(at__gt=last).order_by("at").values_list("at", flat=True).first()
    return before, after


def points_within(metric_id: int, since: datetime.datetime | None,
                  until: datetime.datetime | None) -> list[tuple[datetime.datetime, float]]:
    """A metric's raw points from `since` to `until` (both included; None: no bound),
    oldest first."""
    points = Point.objects.filter(metric_id=metric_id)
    if since is not None:
        points = points.filter(at__gte=since)
    if until is not None:
        points = points.filter(at__lte=until)
    return list(points.order_by("at").values_list("at", "value"))


def up_down_metrics_of_item(item, user) -> list[Metric]:
    """The item's up or down metrics that `user` may see, by name."""
    return [metric for metric in metrics_of_item(item, user) if metric.kind == Kind.UP_DOWN]


def daily_up_shares(metric: Metric, start: datetime.datetime, end: datetime.datetime
                    ) -> list[tuple[datetime.datetime, float]]:
    """Each day's share of points up ((local midnight, mean of its 0s and 1s)) from the
    daily rollups starting in [start, end): what is left of days whose raw points the
    retention job removed."""
    return list(Rollup.objects.filter(metric=metric, period=Period.DAY, start__gte=start,
                                      start__lt=end).order_by("start")
                .values_list("start", "mean"))


def point_before(metric_id: int, at: datetime.datetime
                 ) -> tuple[datetime.datetime, float] | None:
    return (Point.objects.filter(metric_id=metric_id, at__lt=at).order_by("-at")
            .values_list("at", "value").first())


def has_point_from(metric_id: int, at: datetime.datetime) -> bool:
    return Point.objects.filter(metric_id=metric_id, at__gte=at).exists()


def iter_points(metric_id: int, since: datetime.datetime, before: datetime.datetime):
    """A metric's points in [since, before), oldest first, streamed: a month of a
    collector's every 10 s is a quarter of a million."""
    return (Point.objects.filter(metric_id=metric_id, at__gte=since, at__lt=before)
            .order_by("at").values_list("at", "value").iterator(chunk_size=5000))


def earliest_point_at(metric: Metric) -> datetime.datetime | None:
    return (Point.objects.filter(metric=metric).order_by("at")
            .values_list("at", flat=True).first())
