"""The arithmetic of rollups, in plain Python so SQLite and PostgreSQL give the same
figures (docs/capacity.md, "Rollups"): a bucket's count, sum, minimum, mean, maximum and
95th percentile, and the buckets (hours in UTC, days in the installation's time zone)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = datetime.UTC


@dataclass(frozen=True)
class Summary:
    count: int
    total: float
    minimum: float
    mean: float
    maximum: float
    p95: float


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `fraction` of the
    values at or below it, i.e. sorted_values[ceil(fraction × n) − 1]. Always one of the
    values, never interpolated."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(round(fraction * len(sorted_values), 9)))
    return sorted_values[rank - 1]


def summarise(values: list[float]) -> Summary:
    """The figures of one bucket of values (at least one)."""
    ordered = sorted(values)
    total = math.fsum(ordered)
    return Summary(len(ordered), total, ordered[0], total / len(ordered), ordered[-1],
                   percentile(ordered, 0.95))


def hour_start(at: datetime.datetime) -> datetime.datetime:
    """The start of the UTC hour holding `at`."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_start(at: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """The start (local midnight, in UTC) of the day in `zone` holding `at`."""
    local = at.astimezone(zone).date()
    return local_midnight(local, zone)


def local_midnight(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone).astimezone(UTC)


def next_day(start: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """The start of the day after the one starting at `start` (23 or 25 hours later on the
    days the clocks change)."""
    return local_midnight(start.astimezone(zone).date() + datetime.timedelta(days=1), zone)
