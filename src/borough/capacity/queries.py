"""Reads of capacity that are more than a filter: what another app shows of it (the
Utilisation panel on a configuration item's page) and a metric's recent days."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from borough.capacity import stats
from borough.capacity.ingest import zone
from borough.capacity.models import Metric, Period, Rollup


def metrics_of_item(item, user) -> list[Metric]:
    """The metrics of a configuration item that `user` may see, by name."""
    return list(Metric.objects.visible_to(user).filter(configuration_item=item)
                .order_by("name", "pk"))


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
