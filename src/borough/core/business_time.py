"""Business-time arithmetic for SLA clocks.

Pure Python on purpose (no Django, no database): SLA deadlines are computed in
request handlers, Celery tasks and tests alike, and must be unit-testable
without settings.

Working time is defined as the union of UTC intervals obtained by converting
each configured local period of each open local day with
``datetime.combine(day, t, tzinfo=tz).astimezone(UTC)``.  Every function in this
module derives from that single definition (via ``BusinessCalendar.periods_on``)
so that ``add_business_minutes``, ``business_minutes_between`` and ``is_open``
always agree, including across DST changes.

A boundary falling in a DST gap or in a repeated hour follows PEP 495 with
``fold=0`` (pass a ``time(..., fold=1)`` to pick the second occurrence of a
repeated hour).  An end of ``time(0)`` means midnight at the end of the day, so
24-hour cover can be expressed as ``(time(0), time(0))``.

All arithmetic is done on UTC datetimes: subtracting two datetimes that share a
ZoneInfo gives wall-clock, not elapsed, time.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "NATIONS",
    "BusinessCalendar",
    "WorkingTimeline",
    "add_business_minutes",
    "add_calendar_minutes",
    "bank_holidays",
    "business_minutes_between",
    "calendar_minutes_between",
]

# Borough nation code -> `holidays` subdivision of GB.  Wales shares England's
# bank holidays, hence one code for both.
NATIONS = {"england-and-wales": "ENG", "scotland": "SCT", "northern-ireland": "NIR"}

_ONE_DAY = timedelta(days=1)
_ONE_MINUTE = timedelta(minutes=1)
_MIDNIGHT = time(0)
# A calendar that has hours configured but no open day for this long (e.g.
# every working weekday listed in closed_dates) can never finish a count;
# fail instead of scanning forever.
_MAX_IDLE_DAYS = 3653


def bank_holidays(nation: str, years: Iterable[int]) -> dict[date, str]:
    """UK bank holidays for a Borough nation code (a key of NATIONS), by date."""
    try:
        subdiv = NATIONS[nation]
    except (KeyError, TypeError):
        expected = ", ".join(NATIONS)
        raise ValueError(f"unknown nation {nation!r}; expected one of: {expected}") from None
    import holidays  # here: loading it and its country tables costs a process ~13 MB

    found = holidays.country_holidays("GB", subdiv=subdiv, years=list(years))
    return dict(sorted(found.items()))


def shipped_bank_holidays(nation: str) -> frozenset[date]:
    """`bank_holidays(nation, TABLE_YEARS)` as shipped in bank_holiday_table.py, which
    `python -m borough.core.business_time` writes from the `holidays` package (a test
    checks they agree): servers read a table instead of loading the package."""
    from borough.core.bank_holiday_table import TABLE

    if nation not in NATIONS:
        bank_holidays(nation, ())  # the same error for an unknown nation
    return frozenset(date.fromisoformat(day) for day in TABLE[nation])


TABLE_YEARS = range(2015, 2041)


def bank_holiday_table_source() -> str:
    """The text of bank_holiday_table.py, from the installed `holidays` package."""
    lines = ['"""UK bank holidays by Borough nation, 2015-2040: written by',
             "`python -m borough.core.business_time` from the `holidays` package; do not edit.",
             "tests/core/test_business_time.py checks it agrees with the package installed.",
             '"""', "", "TABLE = {"]
    for nation in NATIONS:
        days = [day.isoformat() for day in bank_holidays(nation, TABLE_YEARS)]
        lines.append(f"    {nation!r}: (")
        lines += [f"        {', '.join(repr(d) for d in days[i:i + 6])},"
                  for i in range(0, len(days), 6)]
        lines.append("    ),")
    return "\n".join([*lines, "}", ""])


def _offset(t: time, *, is_end: bool = False) -> timedelta:
    if is_end and t == _MIDNIGHT:
        return _ONE_DAY
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _normalise_hours(hours: Mapping[int, Iterable[tuple[time, time]]]) -> Mapping:
    normalised: dict[int, tuple[tuple[time, time], ...]] = {}
    for weekday, periods in hours.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be an int 0 (Monday) to 6 (Sunday), got {weekday!r}")
        clean = tuple((start, end) for start, end in periods)
        previous_end = None
        for start, end in clean:
            for t in (start, end):
                if not isinstance(t, time) or t.tzinfo is not None:
                    raise ValueError(f"working hours must be naive datetime.time values, got {t!r}")
            lo, hi = _offset(start), _offset(end, is_end=True)
            if lo >= hi:
                raise ValueError(f"working period {start}-{end} on weekday {weekday} is empty")
            if previous_end is not None and lo < previous_end:
                raise ValueError(f"working periods on weekday {weekday} overlap or are unsorted")
            previous_end = hi
        if clean:
            normalised[weekday] = clean
    # Read-only copy so a frozen calendar cannot change behind a caller's back.
    return MappingProxyType(normalised)


def _as_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _as_duration(minutes: int | float) -> timedelta:
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise TypeError(f"minutes must be a number, got {type(minutes).__name__}")
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}")
    try:
        return timedelta(minutes=minutes)
    except OverflowError:
        raise ValueError(f"minutes={minutes!r} is out of range") from None


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly local working hours plus closed dates, in one time zone.

    ``hours`` maps weekday (0=Monday .. 6=Sunday) to sorted, non-overlapping
    ``(start, end)`` local wall-clock periods; a missing or empty weekday is
    closed all day.  ``closed_dates`` are local dates with no working time.
    """

    tz: ZoneInfo
    hours: Mapping[int, tuple[tuple[time, time], ...]]
    closed_dates: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        tz = ZoneInfo(self.tz) if isinstance(self.tz, str) else self.tz
        if not isinstance(tz, tzinfo):
            raise TypeError(f"tz must be a ZoneInfo or zone name, got {self.tz!r}")
        closed = frozenset(self.closed_dates)
        if any(isinstance(d, datetime) or not isinstance(d, date) for d in closed):
            raise TypeError("closed_dates must contain datetime.date values (not datetimes)")
        object.__setattr__(self, "tz", tz)
        object.__setattr__(self, "hours", _normalise_hours(self.hours))
        object.__setattr__(self, "closed_dates", closed)

    # The generated hash would fail on the mapping; hashing lets calendars be
    # cache keys.
    def __hash__(self) -> int:
        return hash((self.tz, tuple(sorted(self.hours.items())), self.closed_dates))

    @classmethod
    def standard(
        cls,
        *,
        tz: str | ZoneInfo = "Europe/London",
        nation: str = "england-and-wales",
        start: time = time(8, 30),
        end: time = time(17, 0),
        weekdays: Iterable[int] = range(5),
        years: Iterable[int] = range(2015, 2041),
        extra_closed: Iterable[date] = (),
    ) -> BusinessCalendar:
        """Same hours every working weekday, closed on the nation's bank holidays.

        Dates outside ``years`` get no bank holidays, so keep the range ahead of
        the furthest deadline the service will compute.
        """
        closed = frozenset(bank_holidays(nation, years)) | frozenset(extra_closed)
        return cls(
            tz=tz if isinstance(tz, tzinfo) else ZoneInfo(tz),
            hours={weekday: ((start, end),) for weekday in weekdays},
            closed_dates=closed,
        )

    @classmethod
    def round_the_clock(cls, tz: str | ZoneInfo = "Europe/London") -> BusinessCalendar:
        """Every minute of every day, bank holidays included (a service run 24x7). Its
        days are local, so a month's minutes still follow the clock changes."""
        return cls(tz=tz if isinstance(tz, tzinfo) else ZoneInfo(tz),
                   hours={weekday: ((_MIDNIGHT, _MIDNIGHT),) for weekday in range(7)})

    @property
    def has_working_hours(self) -> bool:
        return bool(self.hours)

    @property
    def working_day_minutes(self) -> float:
        """The mean length of a working day (a day with hours), in minutes; a calendar
        with no hours counts round the clock."""
        days = [periods for periods in self.hours.values() if periods]
        if not days:
            return 24 * 60.0
        total = sum((_offset(end, is_end=True) - _offset(start)).total_seconds() / 60
                    for periods in days for start, end in periods)
        return total / len(days)

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of local ``day`` as sorted, disjoint UTC intervals."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"day must be a datetime.date, got {type(day).__name__}")
        if day in self.closed_dates:
            return []
        periods = self.hours.get(day.weekday(), ())
        if not periods:
            return []
        converted = []
        for start, end in periods:
            lo = datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
            if end == _MIDNIGHT:
                hi = datetime.combine(day + _ONE_DAY, end, tzinfo=self.tz).astimezone(UTC)
            else:
                hi = datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
            converted.append((lo, hi))
        # A boundary inside the spring-forward gap maps an hour later than its
        # neighbours, so in UTC a local period can shrink to nothing or
        # overlap the next one; keep the union so time is never double-counted.
        converted.sort()
        merged: list[tuple[datetime, datetime]] = []
        for lo, hi in converted:
            if hi <= lo:
                continue
            if merged and lo < merged[-1][1]:
                if hi > merged[-1][1]:
                    merged[-1] = (merged[-1][0], hi)
                continue
            merged.append((lo, hi))
        return merged

    def is_open(self, instant: datetime) -> bool:
        """Whether ``instant`` lies in working time (period ends are closed)."""
        at = _as_utc(instant, "instant")
        for lo, hi in _intervals(self, at, last_day=self._local_date(at) + _ONE_DAY):
            if lo > at:
                return False
            if at < hi:
                return True
        return False

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()


def _intervals(
    cal: BusinessCalendar,
    since: datetime,
    *,
    last_day: date | None = None,
    max_idle_days: int | None = None,
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals in UTC order, from the local day before ``since``.

    Starts a day early because a period of the previous local day can still be
    running (a 20:00-24:00 shift, or a DST shift at midnight).  Stops after
    ``last_day``, at the end of the date range, or raises after
    ``max_idle_days`` consecutive days without working time.
    """
    try:
        day = cal._local_date(since) - _ONE_DAY
    except OverflowError:
        day = date.min
    latest_end: datetime | None = None
    idle_days = 0
    while last_day is None or day <= last_day:
        try:
            periods = cal.periods_on(day)
        except OverflowError:
            periods = []
        for lo, hi in periods:
            # Only zones shifting at midnight can make consecutive days overlap.
            if latest_end is not None and lo < latest_end:
                lo = latest_end
            if hi <= lo:
                continue
            latest_end = hi
            idle_days = -1
            yield lo, hi
        idle_days += 1
        if max_idle_days is not None and idle_days > max_idle_days:
            raise ValueError(
                f"calendar has no working time in the {max_idle_days} days after {day}"
            )
        try:
            day += _ONE_DAY
        except OverflowError:
            return


def add_business_minutes(cal: BusinessCalendar, start: datetime, minutes: int | float) -> datetime:
    """The UTC instant at which ``minutes`` business minutes after ``start`` have elapsed.

    Counting begins at the next opening if ``start`` is outside working time.
    When the budget runs out exactly at a period end, that end is returned
    rather than the next opening, so the result is never inside closed time.
    ``minutes == 0`` returns ``start`` itself (in UTC).
    """
    origin = _as_utc(start, "start")
    remaining = _as_duration(minutes)
    if minutes == 0:
        return origin
    if not cal.has_working_hours:
        raise ValueError("calendar has no working hours")
    for lo, hi in _intervals(cal, origin, max_idle_days=_MAX_IDLE_DAYS):
        lo = max(lo, origin)
        if hi <= lo:
            continue
        available = hi - lo
        if remaining <= available:
            return lo + remaining
        remaining -= available
    raise ValueError(f"adding {minutes} business minutes runs past the supported date range")


def business_minutes_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Business minutes in ``[start, end)``; fractional to the microsecond, 0 if end <= start."""
    lo_bound, hi_bound = _as_utc(start, "start"), _as_utc(end, "end")
    if hi_bound <= lo_bound or not cal.has_working_hours:
        return 0.0
    try:
        last_day = cal._local_date(hi_bound) + _ONE_DAY
    except OverflowError:
        last_day = date.max
    total = timedelta(0)
    for lo, hi in _intervals(cal, lo_bound, last_day=last_day):
        if lo >= hi_bound:
            break
        overlap = min(hi, hi_bound) - max(lo, lo_bound)
        if overlap > timedelta(0):
            total += overlap
    # timedelta / timedelta divides exact microsecond counts: no drift from
    # summing floats over many periods.
    return total / _ONE_MINUTE


def covers(cal: BusinessCalendar, start: datetime, end: datetime) -> bool:
    """Whether working time covers the whole of ``[start, end)`` (True if end <= start):
    `business_minutes_between` equal to the elapsed minutes, found by following the
    periods from ``start`` and stopping at the first gap, so an instant outside the hours
    costs a day or two of periods rather than every day up to ``end``."""
    reached, hi_bound = _as_utc(start, "start"), _as_utc(end, "end")
    if hi_bound <= reached:
        return True
    if not cal.has_working_hours:
        return False
    try:
        last_day = cal._local_date(hi_bound) + _ONE_DAY
    except OverflowError:
        last_day = date.max
    for lo, hi in _intervals(cal, reached, last_day=last_day):
        if hi <= reached:
            continue
        if lo > reached:
            return False
        reached = hi
        if reached >= hi_bound:
            return True
    return False


def calendar_minutes_between(start: datetime, end: datetime) -> float:
    """Elapsed minutes from ``start`` to ``end`` (real time, not wall-clock), 0 if end <= start."""
    elapsed = _as_utc(end, "end") - _as_utc(start, "start")
    return max(elapsed, timedelta(0)) / _ONE_MINUTE


def add_calendar_minutes(start: datetime, minutes: int | float) -> datetime:
    """``start`` plus ``minutes`` of elapsed time, in UTC (DST-safe)."""
    return _as_utc(start, "start") + _as_duration(minutes)


# --- many look-ups on one calendar ------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MINUTE_US = 60_000_000


class WorkingTimeline:
    """Working time of a calendar laid end to end, for many look-ups.

    `BusinessCalendar.periods_on` (the one definition of working time) is read once
    per local day from `first` to `last`, joined the way `business_minutes_between`
    joins them, and summed; the minutes between two instants are then a difference
    of two running totals found by bisection. Within the range the answer equals
    `business_minutes_between` exactly (the tests compare them); outside it, this
    falls back to that function. Stamping a million tickets' working minutes in bulk
    (demo data, benchmark seeds, migrations) takes seconds this way, not hours.
    """

    def __init__(self, calendar: BusinessCalendar, first: date, last: date):
        self.calendar = calendar
        self.starts: list[int] = []  # microseconds since the epoch, UTC
        self.ends: list[int] = []
        self.before: list[int] = []  # working microseconds before each interval
        total, latest_end = 0, None
        day = first - timedelta(days=1)  # a period of the day before can run past midnight
        while day <= last + timedelta(days=1):
            for lo, hi in calendar.periods_on(day):
                lo_us, hi_us = _us(lo), _us(hi)
                if latest_end is not None and lo_us < latest_end:
                    lo_us = latest_end
                if hi_us <= lo_us:
                    continue
                latest_end = hi_us
                self.starts.append(lo_us)
                self.ends.append(hi_us)
                self.before.append(total)
                total += hi_us - lo_us
            day += timedelta(days=1)
        zone = calendar.tz
        self.low = _us(datetime.combine(first, datetime.min.time(), tzinfo=zone))
        self.high = _us(datetime.combine(last + timedelta(days=1), datetime.min.time(),
                                         tzinfo=zone))

    def worked(self, at: int) -> int:
        """Working microseconds from the start of the range to `at` (microseconds)."""
        i = bisect_right(self.starts, at)
        if i == 0:
            return 0
        return self.before[i - 1] + min(at, self.ends[i - 1]) - self.starts[i - 1]

    def minutes_between_us(self, start: int, end: int) -> float:
        """Business minutes from `start` to `end`, both microseconds since the epoch."""
        if end <= start:
            return 0.0
        if start < self.low or end > self.high:
            return business_minutes_between(self.calendar, _from_us(start), _from_us(end))
        return (self.worked(end) - self.worked(start)) / _MINUTE_US

    def minutes_between(self, start: datetime, end: datetime) -> float:
        return self.minutes_between_us(_us(start), _us(end))


def _us(value: datetime) -> int:
    return (value - _EPOCH) // _MICROSECOND


def _from_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


if __name__ == "__main__":
    from pathlib import Path

    Path(__file__).with_name("bank_holiday_table.py").write_text(bank_holiday_table_source())


def describe_working_time(minutes: float, day_minutes: float) -> str:
    """Working time as people say it: minutes under an hour, hours under a working day
    (`day_minutes` long), working days beyond."""
    if minutes < 60:
        count = round(minutes)
        return f"{count} working minute{'' if count == 1 else 's'}"
    if minutes < day_minutes:
        return f"{minutes / 60:,.1f} working hours"
    return f"{minutes / day_minutes:,.1f} working days"
