"""Availability against a minute-by-minute reference written here: every minute of the
month is looked at in local time (inside service hours? inside an outage, planned or
not?) and counted, across the clock changes of March and October and the bank holidays
of May, for a service on the council's working hours and one run 24x7. No database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from borough.availability.queries import Down, measure, merge, month_start, next_month, subtract
from borough.core.business_time import BusinessCalendar, WorkingTimeline

LONDON = ZoneInfo("Europe/London")
MINUTE = timedelta(minutes=1)
# England's bank holidays in the months tested (gov.uk).
BANK_HOLIDAYS = {date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25)}
OPEN, CLOSE = time(8, 30), time(17, 0)


def business_calendar() -> BusinessCalendar:
    return BusinessCalendar(tz=LONDON, hours={d: ((OPEN, CLOSE),) for d in range(5)},
                            closed_dates=frozenset(BANK_HOLIDAYS))


def in_business_hours(instant: datetime) -> bool:
    """The reference: the local wall clock, weekday and bank holidays, nothing else."""
    local = instant.astimezone(LONDON)
    return (local.weekday() < 5 and local.date() not in BANK_HOLIDAYS
            and OPEN <= local.time() < CLOSE)


def reference(month: date, downs: list[Down], *, always: bool, now: datetime) -> dict:
    start, end = month_start(month, LONDON), min(month_start(next_month(month), LONDON), now)
    counts = {"service": 0, "planned": 0, "down": 0, "failures": 0}
    run_in_hours = None  # the unplanned run going on: has it touched service hours?
    at = start
    while at < end:
        in_hours = always or in_business_hours(at)
        planned = any(d.planned and d.start <= at < (d.end or now) for d in downs)
        unplanned = not planned and any(
            not d.planned and d.start <= at < (d.end or now) for d in downs)
        counts["service"] += in_hours
        counts["planned"] += in_hours and planned
        counts["down"] += in_hours and unplanned
        if unplanned:
            run_in_hours = (run_in_hours or False) or in_hours
        elif run_in_hours is not None:
            counts["failures"] += run_in_hours
            run_in_hours = None
        at += MINUTE
    if run_in_hours:
        counts["failures"] += 1
    return counts


def random_downs(rng: random.Random, month: date, count: int) -> list[Down]:
    """Outages on whole minutes, some overlapping, some planned, some spilling over the
    month's ends, one ongoing."""
    start = month_start(month, LONDON)
    downs = []
    for i in range(count):
        lo = start + timedelta(minutes=rng.randint(-600, 31 * 24 * 60))
        length = timedelta(minutes=rng.choice([7, 45, 90, 300, 1500, 4000]))
        downs.append(Down(lo, None if i == 0 else lo + length, rng.random() < 0.3))
    # Two that overlap on purpose: the time counts once.
    lo = start + timedelta(days=9, hours=9)
    downs += [Down(lo, lo + timedelta(hours=3), False),
              Down(lo + timedelta(hours=1), lo + timedelta(hours=5), False)]
    return downs


MONTHS = [date(2026, 3, 1), date(2026, 10, 1), date(2026, 5, 1), date(2026, 4, 1)]


@pytest.mark.parametrize("always", [False, True], ids=["business-hours", "24x7"])
@pytest.mark.parametrize("month", MONTHS, ids=lambda m: m.strftime("%b"))
def test_availability_matches_counting_every_minute(month, always):
    rng = random.Random(month.toordinal() + always)
    calendar = (BusinessCalendar.round_the_clock(LONDON) if always else business_calendar())
    timeline = WorkingTimeline(calendar, month, next_month(month))
    start, end = month_start(month, LONDON), month_start(next_month(month), LONDON)
    for now in (end + timedelta(days=3), start + timedelta(days=17, hours=11, minutes=13)):
        downs = random_downs(rng, month, 9)
        want = reference(month, downs, always=always, now=now)
        got = measure(timeline.minutes_between, start, end, downs, now=now)
        assert got.service_minutes == want["service"]
        assert got.planned_minutes == want["planned"]
        assert got.downtime_minutes == want["down"]
        assert got.failures == want["failures"]
        assert got.complete is (now >= end)
        agreed = want["service"] - want["planned"]
        assert got.availability == pytest.approx(100 * (agreed - want["down"]) / agreed)


def test_a_24x7_month_follows_the_clock_changes():
    """March loses an hour and October gains one; the calendar's days are local."""
    calendar = BusinessCalendar.round_the_clock(LONDON)
    for month, hours in ((date(2026, 3, 1), 31 * 24 - 1), (date(2026, 10, 1), 31 * 24 + 1),
                         (date(2026, 5, 1), 31 * 24)):
        timeline = WorkingTimeline(calendar, month, next_month(month))
        start, end = month_start(month, LONDON), month_start(next_month(month), LONDON)
        figures = measure(timeline.minutes_between, start, end, [], now=end)
        assert figures.service_minutes == hours * 60
        assert figures.availability == 100 and figures.failures == 0
        assert figures.mtbf_minutes is None and figures.mtrs_minutes is None


def test_a_bank_holiday_outage_costs_nothing():
    calendar = business_calendar()
    month = date(2026, 5, 1)
    timeline = WorkingTimeline(calendar, month, next_month(month))
    start, end = month_start(month, LONDON), month_start(next_month(month), LONDON)
    holiday = datetime(2026, 5, 4, 9, 0, tzinfo=LONDON).astimezone(UTC)
    figures = measure(timeline.minutes_between, start, end,
                      [Down(holiday, holiday + timedelta(hours=6), False)], now=end)
    # 31 days less 10 weekend days and 2 bank holidays: 19 working days of 8.5 hours.
    assert figures.service_minutes == 19 * 510
    assert figures.downtime_minutes == 0 and figures.failures == 0
    assert figures.availability == 100


def test_mtbf_and_mtrs():
    """Two failures of 1 h and 3 h in a 24x7 April of 720 h, with 10 h planned: agreed
    710 h, down 4 h, availability 706/710, MTRS 2 h, MTBF 353 h."""
    calendar = BusinessCalendar.round_the_clock(LONDON)
    month = date(2026, 4, 1)
    timeline = WorkingTimeline(calendar, month, next_month(month))
    start, end = month_start(month, LONDON), month_start(next_month(month), LONDON)
    h = timedelta(hours=1)
    downs = [Down(start + 24 * h, start + 25 * h, False),
             Down(start + 100 * h, start + 102 * h, False),
             Down(start + 101 * h, start + 103 * h, False),  # overlaps: one failure
             Down(start + 200 * h, start + 210 * h, True),
             Down(start + 205 * h, start + 207 * h, False)]  # inside planned time: nothing
    figures = measure(timeline.minutes_between, start, end, downs, now=end)
    assert figures.service_minutes == 720 * 60
    assert figures.planned_minutes == 600 and figures.agreed_minutes == 710 * 60
    assert figures.downtime_minutes == 240 and figures.failures == 2
    assert figures.mtrs_minutes == 120
    assert figures.mtbf_minutes == (710 * 60 - 240) / 2
    assert figures.availability == pytest.approx(100 * 706 / 710)
    from dataclasses import replace
    assert replace(figures, target=99).met is True
    assert replace(figures, target=99.5).met is False


def test_merge_and_subtract():
    t = [datetime(2026, 1, 1, h, tzinfo=UTC) for h in range(10)]
    assert merge([(t[3], t[5]), (t[1], t[2]), (t[2], t[4]), (t[7], t[6])]) == [(t[1], t[5])]
    assert subtract([(t[1], t[8])], [(t[2], t[3]), (t[5], t[6])]) == [
        (t[1], t[2]), (t[3], t[5]), (t[6], t[8])]
    assert subtract([(t[1], t[3])], [(t[0], t[9])]) == []
