"""Rollups and retention: the two periodic jobs of capacity (docs/capacity.md).

`roll_up` recomputes, for every metric that took points in since its last rollup, each
hour (UTC) and each day (in the installation's time zone) from the earliest new point to
now, from the raw points alone: a bucket's rollup is deleted and written again, so
running it twice, or over a period again (`recompute`), gives exactly the same rows.
Buckets that start before the raw retention cutoff are never recomputed (their raw
points are gone).

`remove_old_points` rolls up first, then deletes raw points older than the cutoff, a day
at a time; rollups stay."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from borough.capacity import stats
from borough.capacity.ingest import raw_cutoff, zone
from borough.capacity.models import CollectionRun, Metric, Period, Point, Rollup

RUNS_KEPT_DAYS = 90


def recompute(metric_id: int, start: datetime.datetime, end: datetime.datetime | None = None,
              *, now: datetime.datetime | None = None, whole_days_only: bool = True) -> int:
    """Rewrite the hourly and daily rollups of one metric for every bucket that overlaps
    [start, end) (end: now), from its raw points. Returns the rollups written.

    Days before the raw cutoff are left alone (their points may have been removed),
    unless `whole_days_only` is False: the rollup job's own call, whose start is a point
    taken in within the retention, so its days still have every point (retention rolls
    up before it removes anything)."""
    now = now or timezone.now()
    tz = zone()
    day_from = stats.day_start(start, tz)
    if whole_days_only:
        day_from = max(day_from, raw_cutoff(now))
    end = end or now
    day_to = stats.next_day(stats.day_start(end, tz), tz) if end > day_from else day_from
    if day_to <= day_from:
        return 0
    hours: dict[datetime.datetime, list[float]] = defaultdict(list)
    days: dict[datetime.datetime, list[float]] = defaultdict(list)
    points = (Point.objects.filter(metric_id=metric_id, at__gte=day_from, at__lt=day_to)
              .order_by("at").values_list("at", "value"))
    for at, value in points.iterator(chunk_size=10000):
        hours[stats.hour_start(at)].append(value)
        days[stats.day_start(at, tz)].append(value)
    rows = [_rollup(metric_id, Period.HOUR, s, v) for s, v in sorted(hours.items())]
    rows += [_rollup(metric_id, Period.DAY, s, v) for s, v in sorted(days.items())]
    with transaction.atomic():
        Rollup.objects.filter(metric_id=metric_id, start__gte=day_from,
                              start__lt=day_to).delete()
        Rollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _rollup(metric_id: int, period: str, start: datetime.datetime,
            values: list[float]) -> Rollup:
    s = stats.summarise(values)
    return Rollup(metric_id=metric_id, period=period, start=start, count=s.count,
                  total=s.total, minimum=s.minimum, mean=s.mean, maximum=s.maximum, p95=s.p95)


def roll_up(now: datetime.datetime | None = None) -> dict[str, int]:
    """Recompute the rollups of every metric with new points since its last rollup."""
    now = now or timezone.now()
    counts = {"metrics": 0, "rollups": 0}
    dirty = list(Metric.objects.filter(dirty_from__isnull=False).order_by("pk")
                 .values_list("pk", "dirty_from"))
    for metric_id, dirty_from in dirty:
        # Cleared first, in the transaction that recomputes: a push that commits after
        # the points are read marks the metric again (its update waits for this one on
        # PostgreSQL), so the next run takes its points in.
        with transaction.atomic():
            if not Metric.objects.filter(pk=metric_id, dirty_from=dirty_from).update(
                    dirty_from=None):
                continue  # moved earlier meanwhile: the next run starts there
            counts["rollups"] += recompute(metric_id, dirty_from, now=now,
                                           whole_days_only=False)
        counts["metrics"] += 1
    return counts


def roll_up_job() -> str:
    counts = roll_up()
    return (f"{counts['rollups']:,} rollups written for {counts['metrics']:,} "
            f"metric{'s' if counts['metrics'] != 1 else ''}")


def remove_old_points(now: datetime.datetime | None = None) -> dict[str, int]:
    """Roll up what is waiting, then delete raw points older than the cutoff, one day at
    a time (a short transaction each), and collection runs older than RUNS_KEPT_DAYS."""
    now = now or timezone.now()
    roll_up(now)
    cutoff = raw_cutoff(now)
    removed = 0
    oldest = Point.objects.filter(at__lt=cutoff).order_by("at").values_list(
        "at", flat=True).first()
    while oldest is not None and oldest < cutoff:
        until = min(stats.next_day(stats.day_start(oldest, zone()), zone()), cutoff)
        deleted, _ = Point.objects.filter(at__lt=until).delete()
        removed += deleted
        oldest = Point.objects.filter(at__lt=cutoff).order_by("at").values_list(
            "at", flat=True).first()
    runs, _ = CollectionRun.objects.filter(
        started_at__lt=now - datetime.timedelta(days=RUNS_KEPT_DAYS)).delete()
    return {"points": removed, "runs": runs, "cutoff": cutoff}


def retention_job() -> str:
    found = remove_old_points()
    return (f"{found['points']:,} raw points before "
            f"{found['cutoff'].astimezone(zone()):%d %b %Y} removed; "
            f"{found['runs']:,} collection runs older than {RUNS_KEPT_DAYS} days removed")
