"""Tests for borough.core.business_time (pure Python: no database, no Django)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borough.core.business_time import (
    NATIONS,
    BusinessCalendar,
    add_business_minutes,
    add_calendar_minutes,
    bank_holidays,
    business_minutes_between,
    calendar_minutes_between,
    covers,
)

LONDON = ZoneInfo("Europe/London")
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)

ENGLAND = BusinessCalendar.standard()
SCOTLAND = BusinessCalendar.standard(nation="scotland")
NORTHERN_IRELAND = BusinessCalendar.standard(nation="northern-ireland")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------
# Example-based tests (values computed by hand)
# --------------------------------------------------------------------------


def test_friday_afternoon_rolls_over_weekend():
    # Fri 16:30 -> 30 minutes Friday, 30 more from Monday 08:30.
    assert add_business_minutes(ENGLAND, london(2026, 2, 6, 16, 30), 60) == utc(2026, 2, 9, 9, 0)


def test_result_is_utc_and_start_timezone_is_irrelevant():
    start = london(2026, 2, 6, 16, 30)
    result = add_business_minutes(ENGLAND, start.astimezone(ZoneInfo("America/New_York")), 60)
    assert result.tzinfo is UTC
    assert result == add_business_minutes(ENGLAND, start, 60)


def test_easter_2026_england_skips_good_friday_and_easter_monday():
    # Thu 2 Apr 16:00 BST: 60 minutes Thursday; Fri 3 (Good Friday), the weekend
    # and Mon 6 (Easter Monday) are closed; 60 more from Tue 7 Apr 08:30 BST.
    start = london(2026, 4, 2, 16, 0)
    assert add_business_minutes(ENGLAND, start, 120) == london(2026, 4, 7, 9, 30)
    assert add_business_minutes(NORTHERN_IRELAND, start, 120) == london(2026, 4, 7, 9, 30)
    # Easter Monday is not a bank holiday in Scotland.
    assert add_business_minutes(SCOTLAND, start, 120) == london(2026, 4, 6, 9, 30)
    assert business_minutes_between(ENGLAND, start, london(2026, 4, 7, 9, 30)) == 120


def test_scotland_has_second_of_january():
    assert date(2026, 1, 2) in bank_holidays("scotland", [2026])
    assert date(2026, 1, 2) not in bank_holidays("england-and-wales", [2026])
    # Wed 31 Dec 2025 16:00: 60 minutes Wednesday, Thu 1 Jan closed everywhere.
    start = london(2025, 12, 31, 16, 0)
    assert add_business_minutes(ENGLAND, start, 120) == london(2026, 1, 2, 9, 30)
    assert add_business_minutes(SCOTLAND, start, 120) == london(2026, 1, 5, 9, 30)


def test_northern_ireland_has_st_patricks_day():
    assert bank_holidays("northern-ireland", [2026])[date(2026, 3, 17)]
    assert date(2026, 3, 17) not in bank_holidays("england-and-wales", [2026])
    start = london(2026, 3, 16, 16, 30)  # Monday
    assert add_business_minutes(ENGLAND, start, 60) == london(2026, 3, 17, 9, 0)
    assert add_business_minutes(NORTHERN_IRELAND, start, 60) == london(2026, 3, 18, 9, 0)


def test_night_counts_nothing():
    assert (
        business_minutes_between(ENGLAND, london(2026, 2, 9, 17), london(2026, 2, 10, 8, 30)) == 0
    )
    assert not ENGLAND.is_open(london(2026, 2, 10, 3, 0))
    assert not ENGLAND.is_open(london(2026, 2, 9, 17, 0))  # period end is closed
    assert ENGLAND.is_open(london(2026, 2, 10, 8, 30))
    assert add_business_minutes(ENGLAND, london(2026, 2, 9, 20, 0), 1) == london(2026, 2, 10, 8, 31)


def test_weekend_counts_nothing():
    assert business_minutes_between(ENGLAND, london(2026, 2, 6, 17), london(2026, 2, 9, 8, 30)) == 0
    assert add_business_minutes(ENGLAND, london(2026, 2, 7, 11, 0), 10) == london(2026, 2, 9, 8, 40)


def test_budget_ending_at_close_returns_close_not_next_opening():
    assert add_business_minutes(ENGLAND, london(2026, 2, 6, 16, 0), 60) == london(2026, 2, 6, 17, 0)
    assert add_business_minutes(ENGLAND, london(2026, 2, 6, 8, 30), 510) == london(
        2026, 2, 6, 17, 0
    )


def test_zero_minutes_returns_start_even_when_closed():
    start = london(2026, 2, 7, 11, 0)  # Saturday
    assert add_business_minutes(ENGLAND, start, 0) == start
    assert add_business_minutes(ENGLAND, start, 0).tzinfo is UTC


def test_spring_forward_2026():
    # Fri 27 Mar 16:00 GMT: 60 minutes Friday; clocks go forward Sun 29 Mar;
    # 420 more from Mon 30 Mar 08:30 BST -> 15:30 BST = 14:30 UTC.
    result = add_business_minutes(ENGLAND, london(2026, 3, 27, 16, 0), 8 * 60)
    assert result == utc(2026, 3, 30, 14, 30)
    assert result.astimezone(LONDON).hour == 15
    assert ENGLAND.periods_on(date(2026, 3, 27)) == [
        (utc(2026, 3, 27, 8, 30), utc(2026, 3, 27, 17))
    ]
    assert ENGLAND.periods_on(date(2026, 3, 30)) == [
        (utc(2026, 3, 30, 7, 30), utc(2026, 3, 30, 16))
    ]


def test_fall_back_2026():
    # Fri 23 Oct 12:00 BST -> 17:00 = 300; Mon 26 Oct 08:30 GMT -> 12:00 = 210.
    start, end = london(2026, 10, 23, 12), london(2026, 10, 26, 12)
    assert business_minutes_between(ENGLAND, start, end) == 510
    # The weekend is an hour longer in real time: 3 days + 1 hour.
    assert calendar_minutes_between(start, end) == 3 * 24 * 60 + 60
    assert add_business_minutes(ENGLAND, start, 510) == end


def test_overnight_hours_across_dst_changes_use_real_elapsed_time():
    night = BusinessCalendar(tz=LONDON, hours={6: ((time(0), time(3)),)})
    # 00:00 GMT to 03:00 BST is two real hours...
    assert night.periods_on(date(2026, 3, 29)) == [(utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))]
    # ...and 00:00 BST to 03:00 GMT is four.
    assert night.periods_on(date(2026, 10, 25)) == [(utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))]
    sunday = london(2026, 10, 25, 0, 0)
    assert business_minutes_between(night, sunday, sunday + timedelta(days=1)) == 240
    assert add_business_minutes(night, sunday, 240) == utc(2026, 10, 25, 3)
    assert add_business_minutes(night, london(2026, 3, 28, 12), 120) == utc(2026, 3, 29, 2)


def test_boundaries_in_dst_gap_and_repeated_hour_follow_fold():
    # fold=0 reads a nonexistent time with the pre-jump offset (01:50 -> 01:50 UTC,
    # 02:30 -> 01:30 UTC), so that period vanishes and the last one overlaps the
    # second; the union is kept so nothing is counted twice.
    assert GAPPY.periods_on(date(2026, 3, 29)) == [
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
        (utc(2026, 3, 29, 1, 15), utc(2026, 3, 29, 4)),
    ]
    assert business_minutes_between(GAPPY, utc(2026, 3, 28), utc(2026, 3, 30)) == 60 + 165
    assert add_business_minutes(GAPPY, utc(2026, 3, 28), 60 + 165) == utc(2026, 3, 29, 4)
    # fold=1 picks the second 01:30 of the repeated hour.
    repeated = BusinessCalendar(tz=LONDON, hours={6: ((time(1), time(1, 30, fold=1)),)})
    assert repeated.periods_on(date(2026, 10, 25)) == [
        (utc(2026, 10, 25, 0), utc(2026, 10, 25, 1, 30))
    ]


def test_end_of_day_midnight_and_24_hour_cover():
    always = BusinessCalendar(tz=LONDON, hours={d: ((time(0), time(0)),) for d in range(7)})
    start = london(2026, 10, 24, 12)
    end = london(2026, 10, 26, 12)
    assert business_minutes_between(always, start, end) == calendar_minutes_between(start, end)
    assert add_business_minutes(always, start, 49 * 60) == end


def test_organisation_closure_days():
    cal = BusinessCalendar.standard(extra_closed=[date(2026, 12, 24)])
    start = london(2026, 12, 23, 16, 30)
    assert add_business_minutes(ENGLAND, start, 60) == london(2026, 12, 24, 9, 0)
    # 24th closed, 25 Christmas, weekend, Mon 28 Boxing Day (substitute).
    assert add_business_minutes(cal, start, 60) == london(2026, 12, 29, 9, 0)
    assert cal.periods_on(date(2026, 12, 24)) == []


def test_unknown_nation():
    with pytest.raises(ValueError, match="unknown nation 'wales'"):
        bank_holidays("wales", [2026])
    with pytest.raises(ValueError, match="unknown nation"):
        BusinessCalendar.standard(nation="england")
    assert set(NATIONS) == {"england-and-wales", "scotland", "northern-ireland"}


def test_naive_datetimes_rejected():
    naive = datetime(2026, 2, 6, 12)
    aware = london(2026, 2, 6, 12)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(ENGLAND, naive, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_minutes_between(ENGLAND, aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_minutes_between(ENGLAND, naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        ENGLAND.is_open(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_minutes_between(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_calendar_minutes(naive, 5)


@pytest.mark.parametrize("minutes", [-1, -0.001, float("nan"), float("inf")])
def test_bad_minutes_rejected(minutes):
    with pytest.raises(ValueError, match="minutes"):
        add_business_minutes(ENGLAND, london(2026, 2, 6, 12), minutes)


def test_calendar_without_working_time_fails_instead_of_looping():
    with pytest.raises(ValueError, match="no working hours"):
        add_business_minutes(BusinessCalendar(tz=LONDON, hours={}), london(2026, 1, 1), 1)
    # Hours configured, but every such day closed for more than ten years.
    mondays = frozenset(date(2026, 1, 5) + timedelta(weeks=w) for w in range(600))
    cal = BusinessCalendar(tz=LONDON, hours={0: ((time(9), time(17)),)}, closed_dates=mondays)
    with pytest.raises(ValueError, match="no working time"):
        add_business_minutes(cal, london(2026, 1, 1), 1)
    assert business_minutes_between(cal, london(2026, 1, 1), london(2030, 1, 1)) == 0


@pytest.mark.parametrize(
    "periods",
    [
        ((time(9), time(9)),),
        ((time(17), time(9)),),
        ((time(9), time(12)), (time(11), time(17))),
        ((time(13), time(17)), (time(9), time(12))),
        ((time(9, tzinfo=UTC), time(17)),),
    ],
)
def test_invalid_hours_rejected(periods):
    with pytest.raises(ValueError):
        BusinessCalendar(tz=LONDON, hours={0: periods})


def test_calendar_is_hashable_and_read_only():
    hours = {0: ((time(9), time(17)),)}
    cal = BusinessCalendar(tz="Europe/London", hours=hours)
    hours[1] = ((time(9), time(17)),)
    assert 1 not in cal.hours
    assert cal.tz == LONDON
    assert hash(cal) == hash(BusinessCalendar(tz=LONDON, hours={0: ((time(9), time(17)),)}))
    assert BusinessCalendar.standard() == ENGLAND


def test_calendar_minutes():
    start = london(2026, 3, 28, 12)
    assert add_calendar_minutes(start, 24 * 60) == london(2026, 3, 29, 13)  # 23-hour day
    assert calendar_minutes_between(start, london(2026, 3, 29, 12)) == 23 * 60
    assert calendar_minutes_between(london(2026, 3, 29, 12), start) == 0


def test_long_addition_round_trips():
    # Speed of long additions is measured in bench/calendar, not asserted here.
    start = london(2026, 1, 5, 9)
    result = add_business_minutes(ENGLAND, start, 100_000)
    assert business_minutes_between(ENGLAND, start, result) == 100_000


# --------------------------------------------------------------------------
# Property-based tests against an independent minute-by-minute oracle
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """The oracle's own description of a calendar: minutes of the local day."""

    hours: dict[int, list[tuple[int, int]]]  # weekday -> [(start, end)], end <= 1440
    closed: frozenset[date]

    def working(self, instant: datetime) -> bool:
        local = instant.astimezone(LONDON)
        if local.date() in self.closed:
            return False
        of_day = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return any(lo <= of_day < hi for lo, hi in self.hours.get(local.weekday(), []))


def _england_dates(subdiv: str, *extra: date) -> frozenset[date]:
    found = holidays.country_holidays("GB", subdiv=subdiv, years=[2025, 2026, 2027])
    return frozenset(found) | frozenset(extra)


OFFICE = [(8 * 60 + 30, 17 * 60)]
SHIFT_CLOSURE = date(2026, 10, 26)  # Monday after the clocks go back
SHIFTS = BusinessCalendar(
    tz=LONDON,
    hours={
        **{
            d: (
                (time(0), time(3)),
                (time(8, 30), time(12)),
                (time(12), time(17)),
                (time(20), time(0)),
            )
            for d in range(5)
        },
        5: ((time(20), time(0)),),
        6: ((time(0), time(3)),),
    },
    closed_dates=frozenset(bank_holidays("england-and-wales", range(2025, 2028))) | {SHIFT_CLOSURE},
)
# (calendar under test, independent oracle description)
CASES = [
    (ENGLAND, Spec({d: OFFICE for d in range(5)}, _england_dates("ENG"))),
    (SCOTLAND, Spec({d: OFFICE for d in range(5)}, _england_dates("SCT"))),
    (
        SHIFTS,
        Spec(
            {
                **{d: [(0, 180), (510, 720), (720, 1020), (1200, 1440)] for d in range(5)},
                5: [(1200, 1440)],
                6: [(0, 180)],
            },
            _england_dates("ENG", SHIFT_CLOSURE),
        ),
    ),
]
# Boundaries inside the spring-forward gap: only mutual consistency is defined.
GAPPY = BusinessCalendar(
    tz=LONDON,
    hours={
        6: (
            (time(0), time(1)),
            (time(1, 15), time(1, 45)),
            (time(1, 50), time(2, 30)),
            (time(2, 40), time(5)),
        ),
    },
)


ANCHORS = [
    utc(2026, 3, 29, 1),  # spring forward
    utc(2026, 10, 25, 1),  # fall back
    utc(2026, 4, 4, 12),  # Easter weekend
    utc(2026, 12, 25, 12),  # Christmas
    utc(2026, 1, 1, 12),  # New Year / Scottish 2 January
]
VIEWS = [UTC, LONDON, ZoneInfo("America/New_York"), timezone(timedelta(hours=5, minutes=30))]

whole_minutes = st.one_of(
    st.builds(
        lambda anchor, offset: anchor + offset * MINUTE,
        st.sampled_from(ANCHORS),
        st.integers(-4 * 24 * 60, 4 * 24 * 60),
    ),
    st.builds(lambda offset: utc(2026, 1, 1) + offset * MINUTE, st.integers(0, 364 * 24 * 60)),
)
any_instants = st.builds(
    lambda base, micros: base + timedelta(microseconds=micros),
    whole_minutes,
    st.integers(0, 60_000_000 - 1),
)


def in_view(instant: st.SearchStrategy[datetime]) -> st.SearchStrategy[datetime]:
    # Callers pass datetimes in many zones; arithmetic on same-zone aware
    # datetimes is wall-clock, a classic DST bug this catches.
    return st.builds(lambda t, tz: t.astimezone(tz), instant, st.sampled_from(VIEWS))


cases = st.sampled_from(CASES)
calendars = st.sampled_from([case[0] for case in CASES] + [GAPPY])


def oracle_add(spec: Spec, start: datetime, minutes: int) -> datetime:
    if minutes == 0:
        return start
    t = start.astimezone(UTC)
    for _ in range(40 * 24 * 60):
        if spec.working(t):
            minutes -= 1
            if minutes == 0:
                return t + MINUTE
        t += MINUTE
    raise AssertionError("oracle window exceeded")


def oracle_between(spec: Spec, start: datetime, end: datetime) -> int:
    t, end = start.astimezone(UTC), end.astimezone(UTC)
    count = 0
    while t < end:
        count += spec.working(t)
        t += MINUTE
    return count


ORACLE = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
FAST = settings(max_examples=300, deadline=None, database=None)


@ORACLE
@given(case=cases, start=in_view(whole_minutes), minutes=st.integers(0, 3 * 510))
def test_add_matches_oracle(case, start, minutes):
    cal, spec = case
    result = add_business_minutes(cal, start, minutes)
    # Compare instants in UTC: PEP 495 makes an ambiguous local time (fold=1, in the
    # October repeated hour) unequal to every other zone's datetime, even the same instant.
    assert result == oracle_add(spec, start, minutes).astimezone(UTC)
    if minutes:
        assert spec.working(result - MINUTE)  # the last minute counted was working


@ORACLE
@given(case=cases, start=in_view(whole_minutes), span=st.integers(0, 3 * 24 * 60))
def test_between_matches_oracle(case, start, span):
    cal, spec = case
    end = start + span * MINUTE
    assert business_minutes_between(cal, start, end) == oracle_between(spec, start, end)


@ORACLE
@given(case=cases, start=in_view(whole_minutes), span=st.integers(0, 3 * 24 * 60))
def test_covers_matches_oracle(case, start, span):
    cal, spec = case
    end = start + span * MINUTE
    assert covers(cal, start, end) == (oracle_between(spec, start, end) == span)


@FAST
@given(case=cases, instant=in_view(any_instants))
def test_is_open_matches_oracle(case, instant):
    cal, spec = case
    assert cal.is_open(instant) == spec.working(instant)


@ORACLE
@given(case=cases, day=st.dates(date(2025, 12, 1), date(2027, 1, 31)))
def test_periods_on_matches_oracle_length(case, day):
    cal, spec = case
    periods = cal.periods_on(day)
    length = sum((hi - lo for lo, hi in periods), timedelta(0)) / MINUTE
    expected = 0
    if day not in spec.closed:
        # Real elapsed minutes whose local time is on this day and in a period.
        lo = datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)
        hi = datetime.combine(day + DAY, time(0), tzinfo=LONDON).astimezone(UTC)
        expected = oracle_between(spec, lo, hi)
    assert length == expected
    if cal in (ENGLAND, SCOTLAND) and periods:
        assert length == 510  # 08:30-17:00 is 8.5 hours even on DST weeks


def _at_working_time_or_period_end(cal: BusinessCalendar, instant: datetime) -> bool:
    if cal.is_open(instant):
        return True
    day = instant.astimezone(cal.tz).date()
    return any(hi == instant for d in (day - DAY, day) for _, hi in cal.periods_on(d))


durations = st.one_of(
    st.integers(0, 20_000),
    st.floats(0, 20_000, allow_nan=False, allow_infinity=False),
)


@FAST
@given(cal=calendars, start=in_view(any_instants), minutes=durations)
def test_add_then_measure_round_trips(cal, start, minutes):
    result = add_business_minutes(cal, start, minutes)
    assert result.tzinfo is UTC
    assert result >= start
    assert business_minutes_between(cal, start, result) == pytest.approx(minutes, abs=1e-6)
    if minutes > 0:
        assert _at_working_time_or_period_end(cal, result)


@FAST
@given(cal=calendars, start=in_view(any_instants), a=durations, b=durations)
def test_add_is_monotonic(cal, start, a, b):
    a, b = sorted((a, b))
    assert add_business_minutes(cal, start, a) <= add_business_minutes(cal, start, b)


@FAST
@given(cal=calendars, times=st.lists(in_view(any_instants), min_size=3, max_size=3))
def test_between_is_additive(cal, times):
    start, mid, end = sorted(times)
    whole = business_minutes_between(cal, start, end)
    parts = business_minutes_between(cal, start, mid) + business_minutes_between(cal, mid, end)
    assert parts == pytest.approx(whole, abs=1e-6)
    assert business_minutes_between(cal, end, start) == 0
    assert whole <= calendar_minutes_between(start, end) + 1e-9


@FAST
@given(cal=calendars, start=in_view(any_instants), later=st.integers(0, 10 * 24 * 60 * 60))
def test_is_open_agrees_with_counting(cal, start, later):
    # Open exactly when business time starts accruing straight away.
    instant = start + timedelta(seconds=later)
    counted = business_minutes_between(cal, instant, instant + timedelta(microseconds=1))
    assert (counted > 0) == cal.is_open(instant)


def test_the_shipped_bank_holiday_table_is_the_holidays_packages():
    """Servers read core/bank_holiday_table.py rather than load `holidays` (~13 MB a
    process). A new version of the package with new dates fails here: run
    `python -m borough.core.business_time` to write the table again."""
    from pathlib import Path

    from borough.core import business_time

    shipped = Path(business_time.__file__).with_name("bank_holiday_table.py").read_text()
    assert shipped == business_time.bank_holiday_table_source()
    for nation in business_time.NATIONS:
        assert business_time.shipped_bank_holidays(nation) == frozenset(
            bank_holidays(nation, business_time.TABLE_YEARS))
    with pytest.raises(ValueError, match="unknown nation"):
        business_time.shipped_bank_holidays("wales")


def test_working_time_is_said_in_minutes_hours_or_working_days():
    from borough.core.business_time import describe_working_time

    day = BusinessCalendar.standard().working_day_minutes
    assert day == 510  # 08:30 to 17:00
    assert describe_working_time(1, day) == "1 working minute"
    assert describe_working_time(59.4, day) == "59 working minutes"
    assert describe_working_time(363.3, day) == "6.1 working hours"
    assert describe_working_time(1530, day) == "3.0 working days"
    assert BusinessCalendar(tz="Europe/London", hours={}).working_day_minutes == 24 * 60
