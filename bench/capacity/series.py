"""Synthetic five-minute utilisation for the capacity benchmark, and its rollups computed
with numpy the way capacity.rollups computes them from points (count, sum, min, mean, max
and the nearest-rank 95th percentile; hours in UTC, days in the installation's zone), so
a seeded year looks as a year of collection and rollups would have left it.

Each metric has a level, a trend, a daily swing and noise from its own seeded generator:
percentages stay within 0–100."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

STEP = 300  # seconds: what a five-minute collector sends
HOUR = 3600
DAY = 86400

# name, unit, kind, level range, daily swing, trend a day, warning, critical
KINDS = [
    ("cpu_used", "percent", "gauge", (10, 50), 15, 0.01, 80, 95),
    ("memory_used", "percent", "gauge", (30, 70), 5, 0.02, 85, 95),
    ("disk_used /", "percent", "gauge", (20, 60), 0.5, 0.03, 85, 95),
    ("disk_used /srv", "percent", "gauge", (20, 70), 0.5, 0.05, 85, 95),
    ("load_average", "count", "gauge", (0.5, 3), 1, 0.001, 6, 8),
    ("network_in", "bytes_per_second", "throughput", (1e6, 2e7), 5e6, 1e3, 8e7, 1.1e8),
    ("network_out", "bytes_per_second", "throughput", (1e6, 2e7), 5e6, 1e3, 8e7, 1.1e8),
    ("sessions", "sessions", "gauge", (20, 200), 80, 0.05, 400, 500),
    ("response_time", "ms", "response", (50, 300), 60, 0.05, 800, 1500),
    ("swap_used", "percent", "gauge", (0, 10), 1, 0.0, 50, 80),
]


@dataclass(frozen=True)
class Timeline:
    """The five-minute instants of the window (seconds since the epoch, UTC) and where
    each hour and each local day starts among them."""

    seconds: np.ndarray
    hour_starts: np.ndarray  # index of each hour's first instant
    day_starts: np.ndarray  # index of each local day's first instant
    day_keys: list[datetime.datetime]  # each local day's start, UTC

    @property
    def hours(self) -> np.ndarray:
        return self.seconds[self.hour_starts]


def timeline(first_day: datetime.date, end: datetime.datetime, zone: ZoneInfo) -> Timeline:
    """Five-minute instants from local midnight of `first_day` to `end` (excluded)."""
    start = datetime.datetime.combine(first_day, datetime.time(), tzinfo=zone)
    begin = int(start.timestamp())
    stop = int(end.timestamp()) // STEP * STEP
    seconds = np.arange(begin, stop, STEP, dtype=np.int64)
    hour_starts = np.flatnonzero(seconds % HOUR == 0)
    # Local day of each hour, from the zone's offset at that hour (UK hours are whole).
    offsets = np.array([
        datetime.datetime.fromtimestamp(int(s), zone).utcoffset().total_seconds()
        for s in seconds[hour_starts]], dtype=np.int64)
    hour_day = (seconds[hour_starts] + offsets) // DAY
    first_hour_of_day = np.flatnonzero(np.diff(hour_day, prepend=hour_day[0] - 1))
    day_starts = hour_starts[first_hour_of_day]
    keys = [datetime.datetime.fromtimestamp(int(s), datetime.UTC) for s in seconds[day_starts]]
    return Timeline(seconds, hour_starts, day_starts, keys)


def values(metric_index: int, line: Timeline, seed: int = 11) -> np.ndarray:
    name, unit, _kind, (low, high), swing, trend, _w, _c = KINDS[metric_index % len(KINDS)]
    rng = np.random.default_rng(seed * 1_000_003 + metric_index)
    level = rng.uniform(low, high)
    days = (line.seconds - line.seconds[0]) / DAY
    hour_of_day = (line.seconds % DAY) / HOUR
    daily = swing * np.maximum(np.sin(math.pi * (hour_of_day - 7) / 12), -0.3)
    weekday = ((line.seconds // DAY) + 3) % 7  # 0 = Monday
    weekly = np.where(weekday >= 5, -0.3 * swing, 0.0)
    noise = rng.normal(0.0, max(swing * 0.15, 1e-9), len(days))
    found = level + trend * days + daily + weekly + noise
    if unit == "percent":
        return np.clip(found, 0.0, 100.0)
    return np.maximum(found, 0.0)


def nearest_rank_p95(data: np.ndarray, starts: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Each bucket's nearest-rank 95th percentile (capacity.stats.percentile), the
    buckets of one size at a time, sorted as rows."""
    found = np.empty(len(starts))
    for size in np.unique(count):
        which = np.flatnonzero(count == size)
        rows = np.sort(data[starts[which][:, None] + np.arange(size)], axis=1)
        found[which] = rows[:, max(1, math.ceil(round(0.95 * int(size), 9))) - 1]
    return found


def rollups(data: np.ndarray, starts: np.ndarray) -> dict[str, np.ndarray]:
    """count, total, minimum, mean, maximum, p95 of each bucket starting at `starts`."""
    ends = np.append(starts[1:], len(data))
    count = ends - starts
    total = np.add.reduceat(data, starts)
    return {"count": count, "total": total, "minimum": np.minimum.reduceat(data, starts),
            "mean": total / count, "maximum": np.maximum.reduceat(data, starts),
            "p95": nearest_rank_p95(data, starts, count)}
