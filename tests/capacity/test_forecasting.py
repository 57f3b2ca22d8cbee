"""Forecasts of when a metric crosses its threshold (capacity.forecasting), on series made
here whose crossing is known: found within the interval; no alarm on flat or noisy ones;
the weekly and yearly cycles; the backtest."""

from __future__ import annotations

import datetime
import math
import random

from borough.capacity import forecasting

START = datetime.date(2025, 1, 1)


def series(days: int, value, *, start: datetime.date = START, seed: int = 1,
           noise: float = 0.0) -> list[tuple[datetime.date, float]]:
    rng = random.Random(seed)
    return [(start + datetime.timedelta(days=n), value(n) + rng.gauss(0, noise))
            for n in range(days)]


def test_a_filling_disk_is_forecast_to_cross_on_its_day_within_the_interval():
    # 40% full, filling 0.1 percentage point a day: 90% on day 500.
    history = series(420, lambda n: 40 + 0.1 * n, noise=1.5)
    forecast = forecasting.fit(history, horizon=180)
    found = forecasting.crossing(forecast, 90)
    true_day = START + datetime.timedelta(days=500)
    assert found.forecast and not found.already
    assert found.earliest <= true_day <= found.latest
    assert abs((found.expected - true_day).days) <= 20
    assert found.earliest < found.expected < found.latest


def test_a_disk_that_started_filling_last_quarter_is_forecast_at_its_recent_rate():
    # Flat at 50% for a year, then 0.3 points a day from day 400: 90% on day 533.
    history = series(460, lambda n: 50 + max(0, n - 400) * 0.3, noise=0.5)
    forecast = forecasting.fit(history, horizon=120)
    found = forecasting.crossing(forecast, 90)
    true_day = START + datetime.timedelta(days=533)
    assert found.expected is not None and abs((found.expected - true_day).days) <= 15
    assert found.earliest <= true_day <= found.latest
    assert forecast.components[1].startswith("trend since")


def test_a_flat_series_and_a_noisy_one_raise_no_alarm():
    for noise, seed in ((0.0, 1), (3.0, 2), (8.0, 3)):
        history = series(400, lambda n: 55, noise=noise, seed=seed)
        forecast = forecasting.fit(history, horizon=90)
        found = forecasting.crossing(forecast, 90)
        assert not found.forecast and found.expected is None and found.latest is None
        assert "yearly" not in forecast.components
    # Noisy and near the line: the expected value stays below it; the worse side of the
    # interval may touch it, which the page shows as "could be as soon as".
    near = forecasting.fit(series(400, lambda n: 80, noise=4, seed=4), horizon=90)
    assert forecasting.crossing(near, 90).expected is None


def test_a_falling_threshold_is_crossed_downwards_and_already_past_is_said():
    # Free space falling by 2 GB a day from 500 GB: 100 GB left on day 200.
    history = series(150, lambda n: 500 - 2 * n, noise=3)
    found = forecasting.crossing(forecasting.fit(history, horizon=90), 100, rising=False)
    assert abs((found.expected - (START + datetime.timedelta(days=200))).days) <= 5
    past = forecasting.crossing(forecasting.fit(history, horizon=30), 300, rising=False)
    assert past.already and past.forecast


def test_quiet_weekends_are_in_the_forecast():
    # Working days at 70%, weekends at 20% (2025-01-04 was a Saturday).
    history = series(120, lambda n: 20 if (START + datetime.timedelta(days=n)).weekday() >= 5
                     else 70, noise=2)
    forecast = forecasting.fit(history, horizon=14)
    assert "weekly" in forecast.components
    by_day = dict(zip(forecast.days, forecast.expected, strict=True))
    weekend = [v for d, v in by_day.items() if d.weekday() >= 5]
    working = [v for d, v in by_day.items() if d.weekday() < 5]
    assert max(weekend) < min(working)


def test_the_website_peak_when_council_tax_bills_go_out_is_anticipated():
    # Visits around 4,000 a day, 10,000 at the peak in mid-March each year.
    def visits(n):
        day = START + datetime.timedelta(days=n)
        return 4000 + 6000 * math.exp(-((day.timetuple().tm_yday - 74) / 12) ** 2)

    history = series(700, visits, noise=150)  # to 1 December 2026
    forecast = forecasting.fit(history, horizon=150)
    assert "yearly" in forecast.components
    found = forecasting.crossing(forecast, 7000)
    assert found.expected is not None
    # The day it reaches 7,000 is 5 March (day 64 of the year).
    assert abs((found.expected - datetime.date(2027, 3, 5)).days) <= 5


def test_the_backtest_says_how_good_forecasts_have_been():
    clean = forecasting.backtest(series(200, lambda n: 30 + 0.05 * n, noise=1), held_out=30)
    assert clean.held_out == 30 and clean.mean_absolute_error < 2
    assert clean.mean_absolute_percentage_error < 5 and 0.8 <= clean.coverage <= 1
    # A forecast that could not have known a jump shows it in its errors.
    jumped = forecasting.backtest(series(200, lambda n: 30 if n < 185 else 60, noise=1),
                                  held_out=30)
    assert jumped.mean_absolute_error > 10 and jumped.coverage < 0.6
    zeros = forecasting.backtest(series(100, lambda n: 0 if n % 2 else 5), held_out=30)
    assert zeros.mean_absolute_percentage_error is None


def test_too_little_history_gives_no_forecast():
    assert forecasting.fit(series(forecasting.MIN_DAYS - 1, lambda n: 10), horizon=30) is None
    assert forecasting.backtest(series(40, lambda n: 10), held_out=30) is None
    constant = forecasting.fit(series(60, lambda n: 10), horizon=5)
    assert constant.expected == constant.lower == constant.upper == [10.0] * 5
    assert constant.components == ("level",)
    # Missing days and not-a-number values are taken in their stride.
    gappy = [(d, v) for d, v in series(90, lambda n: n) if d.day % 3] + [
        (START, float("nan"))]
    assert forecasting.fit(gappy, horizon=3).points == len(gappy) - 1
