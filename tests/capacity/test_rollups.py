"""Rollups exact against a computation written here, idempotent; retention removes old
raw points and keeps rollups."""

from __future__ import annotations

import datetime
import math
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from borough.capacity import models as m
from borough.capacity import services, stats
from borough.capacity.ingest import raw_cutoff
from tests.capacity.factories import MetricFactory

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC


def expected(values: list[float]) -> dict:
    """The figures as docs/capacity.md defines them, computed independently: p95 is the
    value at 1-based rank ceil(0.95 n) of the sorted values."""
    ordered = sorted(values)
    n = len(ordered)
    rank = -(-95 * n // 100)  # ceil(95n/100) in whole numbers
    return {"count": n, "total": math.fsum(values), "minimum": ordered[0],
            "maximum": ordered[-1], "mean": math.fsum(values) / n, "p95": ordered[rank - 1]}


def figures(rollup: m.Rollup) -> dict:
    return {"count": rollup.count, "total": rollup.total, "minimum": rollup.minimum,
            "maximum": rollup.maximum, "mean": rollup.mean, "p95": rollup.p95}


@pytest.mark.parametrize(("values", "p95"), [
    ([5.0], 5.0), (list(map(float, range(1, 21))), 19.0), (list(map(float, range(1, 101))), 95.0),
    (list(map(float, range(1, 102))), 96.0), ([3.0, 1.0, 2.0], 3.0)])
def test_the_95th_percentile_is_the_nearest_rank(values, p95):
    assert stats.summarise(values).p95 == p95


NOW = datetime.datetime(2025, 3, 30, 12, 0, tzinfo=UTC)  # the day the clocks go forward


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_hourly_and_daily_rollups_are_exact(org_a, frozen):
    """Three days of irregular points across the change to summer time (29–30 March
    2025: the 30th is 23 hours long), rolled up and compared with the computation here."""
    metric = MetricFactory(organisation=org_a)
    rng = random.Random(20)
    start = datetime.datetime(2025, 3, 28, 0, 0, tzinfo=LONDON).astimezone(UTC)
    points, at = [], start
    while at < NOW:
        points.append((metric.pk, at, round(rng.uniform(0, 100), 3)))
        at += datetime.timedelta(seconds=rng.randint(30, 900))
    services.store_points(points)
    counts = services.roll_up(NOW)
    assert counts["metrics"] == 1

    hours, days = {}, {}
    for _, at, value in points:
        hours.setdefault(at.replace(minute=0, second=0, microsecond=0), []).append(value)
        local_day = at.astimezone(LONDON).date()
        days.setdefault(local_day, []).append(value)

    stored_hours = {r.start: r for r in m.Rollup.objects.filter(metric=metric, period="hour")}
    assert set(stored_hours) == set(hours)
    for hour, values in hours.items():
        assert figures(stored_hours[hour]) == expected(values), hour

    stored_days = {r.start.astimezone(LONDON).date(): r
                   for r in m.Rollup.objects.filter(metric=metric, period="day")}
    assert set(stored_days) == set(days)
    for day, values in days.items():
        assert figures(stored_days[day]) == expected(values), day
        # Each day starts at local midnight
        assert stored_days[day].start.astimezone(LONDON).time() == datetime.time(0, 0)
    # The 30th has 23 hours of points at most
    assert len([h for h in hours if h.astimezone(LONDON).date() == datetime.date(2025, 3, 30)
                ]) <= 23


def test_rolling_up_again_gives_the_same_rows(org_a, frozen):
    metric = MetricFactory(organisation=org_a)
    base = NOW - datetime.timedelta(hours=5)
    services.store_points([(metric.pk, base + datetime.timedelta(minutes=7 * n), float(n))
                           for n in range(40)])
    services.roll_up(NOW)
    first = sorted((r.period, r.start, figures(r).items().__str__())
                   for r in m.Rollup.objects.filter(metric=metric))
    metric.refresh_from_db()
    assert metric.dirty_from is None
    assert services.roll_up(NOW) == {"metrics": 0, "rollups": 0}  # nothing new
    services.recompute(metric.pk, base - datetime.timedelta(days=1), now=NOW)
    again = sorted((r.period, r.start, figures(r).items().__str__())
                   for r in m.Rollup.objects.filter(metric=metric))
    assert again == first


def test_a_late_point_recomputes_its_hour_and_day(org_a, frozen):
    metric = MetricFactory(organisation=org_a)
    hour = NOW - datetime.timedelta(hours=3)
    services.store_points([(metric.pk, hour + datetime.timedelta(minutes=n), 10.0)
                           for n in range(10)])
    services.roll_up(NOW)
    services.store_points([(metric.pk, hour + datetime.timedelta(minutes=30), 100.0)])
    services.roll_up(NOW)
    rollup = m.Rollup.objects.get(metric=metric, period="hour", start=hour)
    assert figures(rollup) == expected([10.0] * 10 + [100.0])
    day = m.Rollup.objects.get(metric=metric, period="day")
    assert day.count == 11 and day.maximum == 100.0


def test_retention_removes_raw_points_older_than_the_cutoff_and_keeps_rollups(org_a,
                                                                              settings):
    settings.CAPACITY_RAW_RETENTION_DAYS = 3
    metric = MetricFactory(organisation=org_a)
    then = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(then, tick=False):
        services.store_points([(metric.pk, then - datetime.timedelta(hours=h), float(h))
                               for h in range(0, 72)])
    later = then + datetime.timedelta(days=5)
    with time_machine.travel(later, tick=False):
        cutoff = raw_cutoff(later)
        assert cutoff == datetime.datetime(2025, 6, 3, 0, 0, tzinfo=LONDON).astimezone(UTC)
        found = services.remove_old_points(later)
    assert found["points"] == 72  # every point was before 3 June
    assert not m.Point.objects.exists()
    # rolled up before they went: three days of rollups stay
    days = m.Rollup.objects.filter(metric=metric, period="day")
    assert days.count() == 4  # 29 May (12 h), 30, 31 May and 1 June (13 h), UK days
    assert sum(d.count for d in days) == 72
    assert m.Rollup.objects.filter(metric=metric, period="hour").count() == 72


def test_retention_keeps_points_from_the_cutoff_on(org_a, settings):
    settings.CAPACITY_RAW_RETENTION_DAYS = 2
    metric = MetricFactory(organisation=org_a)
    now = timezone.now()
    cutoff = raw_cutoff(now)
    services.store_points([(metric.pk, cutoff, 1.0), (metric.pk, now, 2.0)])
    m.Point.objects.create(metric=metric, at=cutoff - datetime.timedelta(seconds=1), value=0.0)
    services.remove_old_points(now)
    assert sorted(m.Point.objects.values_list("value", flat=True)) == [1.0, 2.0]


def test_the_jobs_are_registered_and_say_what_they_did(org_a):
    from borough.core.jobs import run_job
    from borough.core.models import JobRun

    metric = MetricFactory(organisation=org_a)
    services.store_points([(metric.pk, timezone.now(), 5.0)])
    run_job("capacity-rollups", via="test")
    run_job("capacity-retention", via="test")
    results = dict(JobRun.objects.values_list("name", "result"))
    assert results["capacity-rollups"] == "2 rollups written for 1 metric"
    assert results["capacity-retention"].startswith("0 raw points before")
