"""When will a metric cross its threshold? A forecast from a metric's daily figures, with
its prediction interval, and how good such forecasts have been on the metric's own past.

The model is a linear regression (statsmodels OLS) of the daily value on:
- a trend: a straight line over the window, with a second slope from a recent day when
  the history shows one (a disk that started filling faster last quarter is forecast at
  its recent rate, not its two-year average);
- a weekly cycle (two Fourier pairs) once there are four weeks of history (quiet weekends);
- a yearly cycle once there are eighteen months (the website's peak when council tax
  bills go out in March), with as many Fourier pairs as its shape needs.
Where the recent slope starts, and how many yearly pairs, are chosen by the Bayesian
information criterion among a few candidates: a change or a cycle is kept only when the
history shows it beyond its noise, so a flat, noisy series is not given a trend it does
not have.

OLS gives the prediction interval of each future day (parameter and residual
uncertainty). Residuals of daily utilisation are correlated, which makes such intervals
too narrow; the backtest measures how often the actual values fell inside them, so the
page says how far to trust them rather than the model claiming more than it has shown.

Pure functions of (day, value) pairs: the capacity job reads the daily rollups and
stores what these return. numpy and statsmodels are imported where they are used, not
with the module: web workers import it (for its constants) and need neither."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# Fewer days than this and there is nothing to forecast from.
MIN_DAYS = 28
# The history a forecast is fitted on: two years, enough for a yearly cycle.
WINDOW_DAYS = 730
WEEKLY_FROM_DAYS = 28
YEARLY_FROM_DAYS = 540
# Where a recent slope may start (days before the end): each needs as much history
# again before it.
RECENT_SLOPES = (180, 120, 90, 60, 45)
WEEKLY_PAIRS = 2
YEARLY_PAIRS = (3, 6, 10)
YEAR_DAYS = 365.25
LEVEL = 0.95


@dataclass(frozen=True)
class Forecast:
    """Expected values of the days after the last one fitted, with the interval."""

    days: list[datetime.date]
    expected: list[float]
    lower: list[float]
    upper: list[float]
    level: float
    fitted_from: datetime.date
    fitted_to: datetime.date
    points: int
    components: tuple[str, ...]  # "trend", "recent trend", "weekly", "yearly"
    last_actual: float

    @property
    def description(self) -> str:
        return ", ".join(self.components)


@dataclass(frozen=True)
class Crossing:
    """When a forecast crosses `threshold`: rising (above it) or falling (below it).
    `expected`: the day the expected value first crosses; `earliest` the day the
    interval's worse side does (it could be as soon as this); `latest` the day its better
    side does (it will almost surely have by then); each None when not within the horizon.
    `already`: the last actual value is past it."""

    threshold: float
    rising: bool
    expected: datetime.date | None
    earliest: datetime.date | None
    latest: datetime.date | None
    already: bool

    @property
    def forecast(self) -> bool:
        """Whether it is expected to be crossed within the horizon (or is already)."""
        return self.already or self.expected is not None


@dataclass(frozen=True)
class Backtest:
    """A forecast made `held_out` days before the end, against what happened."""

    held_out: int
    mean_absolute_error: float
    mean_absolute_percentage_error: float | None  # None when an actual value was zero
    coverage: float  # the share of actual values inside the interval
    level: float


def _series(points: Sequence[tuple[datetime.date, float]]):
    """The window's days, sorted, one value each, not-a-number dropped."""
    clean = sorted((d, float(v)) for d, v in points if v is not None and math.isfinite(v))
    if clean:
        last = clean[-1][0]
        clean = [(d, v) for d, v in clean if (last - d).days < WINDOW_DAYS]
    return clean


def _design(t: np.ndarray, span: float, *, weekly: bool, yearly: int,
            hinge: float | None) -> np.ndarray:
    """The regression's columns for day numbers `t` (fitted on 0..span)."""
    import numpy as np

    scale = max(span, 1.0)
    columns = [np.ones_like(t), t / scale]
    if hinge is not None:
        columns.append(np.maximum(t - hinge, 0.0) / scale)
    for period, pairs in ((7.0, WEEKLY_PAIRS if weekly else 0), (YEAR_DAYS, yearly)):
        for k in range(1, pairs + 1):
            angle = 2 * math.pi * k * t / period
            columns.extend((np.sin(angle), np.cos(angle)))
    return np.column_stack(columns)


def _candidates(span: float):
    """(hinge, yearly pairs) of the models worth trying on `span` days of history."""
    length = span + 1
    hinges = [None] + [span - days for days in RECENT_SLOPES if length >= 2 * days]
    yearly = [0] + (list(YEARLY_PAIRS) if length >= YEARLY_FROM_DAYS else [])
    return [(hinge, pairs) for hinge in hinges for pairs in yearly]


def _bic(y: np.ndarray, x: np.ndarray) -> float:
    """The Bayesian information criterion of the least-squares fit of y on x (as
    statsmodels' OLS gives it, less the constant every candidate shares). Solved by the
    normal equations (the columns are scaled to about ±1, so they are well conditioned):
    a hundred times quicker than a decomposition, for a model per candidate."""
    import numpy as np

    try:
        coefficients = np.linalg.solve(x.T @ x, x.T @ y)
    except np.linalg.LinAlgError:
        coefficients = np.linalg.lstsq(x, y, rcond=None)[0]
    residual = float(np.sum((y - x @ coefficients) ** 2))
    n = len(y)
    return n * math.log(max(residual, 1e-300) / n) + x.shape[1] * math.log(n)


def fit(points: Sequence[tuple[datetime.date, float]], *, horizon: int,
        level: float = LEVEL) -> Forecast | None:
    """The forecast of the `horizon` days after the last of `points`, or None when there
    are fewer than MIN_DAYS days to go on. Days may be missing."""
    import numpy as np
    import statsmodels.api as sm

    clean = _series(points)
    if len(clean) < MIN_DAYS or horizon < 1:
        return None
    first, last = clean[0][0], clean[-1][0]
    t = np.array([(d - first).days for d, _ in clean], dtype=float)
    y = np.array([v for _, v in clean])
    span = t[-1]
    weekly = span + 1 >= WEEKLY_FROM_DAYS
    days = [last + datetime.timedelta(days=n) for n in range(1, horizon + 1)]
    if np.ptp(y) == 0:
        # A constant series: nothing to fit (and a zero variance to divide by).
        flat = [float(y[0])] * horizon
        return Forecast(days, flat, flat, flat, level, first, last, len(clean), ("level",),
                        float(y[-1]))
    hinge, yearly = min(_candidates(span), key=lambda candidate: _bic(
        y, _design(t, span, weekly=weekly, yearly=candidate[1], hinge=candidate[0])))
    result = sm.OLS(y, _design(t, span, weekly=weekly, yearly=yearly, hinge=hinge)).fit()
    future_t = np.arange(span + 1, span + horizon + 1, dtype=float)
    future_x = _design(future_t, span, weekly=weekly, yearly=yearly, hinge=hinge)
    frame = result.get_prediction(future_x).summary_frame(alpha=1 - level)
    components = ["trend"]
    if hinge is not None:
        components.append(f"trend since {first + datetime.timedelta(days=int(hinge)):%-d %b %Y}")
    components += (["weekly"] if weekly else []) + (["yearly"] if yearly else [])
    return Forecast(days, [float(v) for v in frame["mean"]],
                    [float(v) for v in frame["obs_ci_lower"]],
                    [float(v) for v in frame["obs_ci_upper"]], level, first, last,
                    len(clean), tuple(components), float(y[-1]))


def crossing(forecast: Forecast, threshold: float, *, rising: bool = True) -> Crossing:
    """When the forecast crosses `threshold` (rising: reaches or goes above it; falling:
    reaches or goes below it)."""

    def first_past(values: list[float]) -> datetime.date | None:
        for day, value in zip(forecast.days, values, strict=True):
            if (value >= threshold) if rising else (value <= threshold):
                return day
        return None

    worse, better = ((forecast.upper, forecast.lower) if rising
                     else (forecast.lower, forecast.upper))
    already = (forecast.last_actual >= threshold) if rising else (
        forecast.last_actual <= threshold)
    return Crossing(threshold, rising, first_past(forecast.expected), first_past(worse),
                    first_past(better), already)


def backtest(points: Sequence[tuple[datetime.date, float]], *, held_out: int = 30,
             level: float = LEVEL) -> Backtest | None:
    """Fit on all but the last `held_out` days of history and compare the forecast of
    those days with what they were. None when too little history is left to fit on."""
    import numpy as np

    clean = _series(points)
    if len(clean) < MIN_DAYS + held_out:
        return None
    cut = clean[-1][0] - datetime.timedelta(days=held_out)
    before = [(d, v) for d, v in clean if d <= cut]
    after = {d: v for d, v in clean if d > cut}
    made = fit(before, horizon=held_out, level=level) if len(before) >= MIN_DAYS else None
    if made is None or not after:
        return None
    errors, percentages, inside = [], [], 0
    zero = False
    for day, expected, lower, upper in zip(made.days, made.expected, made.lower, made.upper,
                                           strict=True):
        if day not in after:
            continue
        actual = after[day]
        errors.append(abs(actual - expected))
        if actual == 0:
            zero = True
        else:
            percentages.append(abs(actual - expected) / abs(actual))
        inside += lower <= actual <= upper
    return Backtest(held_out, float(np.mean(errors)),
                    None if zero or not percentages else float(np.mean(percentages)) * 100,
                    inside / len(errors), level)
