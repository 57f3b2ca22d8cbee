"""How other apps read organisation data: the business calendar for SLA clocks."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.conf import settings

from borough.core.business_time import BusinessCalendar, bank_holidays
from borough.organisation.models import ClosureDay, Organisation, WorkingPeriod

YEARS = range(2015, 2041)


@lru_cache(maxsize=8)
def _bank_holidays(nation: str) -> frozenset[date]:
    # Computing 26 years of holidays costs milliseconds; they never change at run time.
    return frozenset(bank_holidays(nation, YEARS))


def calendar_for(organisation: Organisation) -> BusinessCalendar:
    """The organisation's working hours, bank holidays for its nation and closure days."""
    periods = WorkingPeriod.objects.filter(organisation=organisation)
    closures = ClosureDay.objects.filter(organisation=organisation)
    return calendar_from(organisation.nation, periods.values_list("weekday", "start", "end"),
                         closures.values_list("date", flat=True))


def calendar_from(nation: str, periods, closure_days) -> BusinessCalendar:
    """A calendar from (weekday, start, end) working periods and closure dates; also used
    by migrations, which read those through their historical models."""
    from zoneinfo import ZoneInfo

    hours: dict[int, list] = {}
    for weekday, start, end in sorted(periods):
        hours.setdefault(weekday, []).append((start, end))
    closed: set[date] = set(_bank_holidays(nation))
    closed.update(closure_days)
    return BusinessCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        hours={day: tuple(spans) for day, spans in hours.items()},
        closed_dates=frozenset(closed),
    )


def warm_calendars() -> None:
    """Compute every nation's holidays once, at server start."""
    from borough.organisation.models import Nation

    for nation in Nation.values:
        _bank_holidays(nation)
