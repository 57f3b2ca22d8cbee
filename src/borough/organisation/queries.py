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
    from zoneinfo import ZoneInfo

    hours: dict[int, list] = {}
    for period in WorkingPeriod.objects.filter(organisation=organisation).order_by("weekday", "start"):
        hours.setdefault(period.weekday, []).append((period.start, period.end))
    closed: set[date] = set(_bank_holidays(organisation.nation))
    closed.update(ClosureDay.objects.filter(organisation=organisation).values_list("date", flat=True))
    return BusinessCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        hours={day: tuple(periods) for day, periods in hours.items()},
        closed_dates=frozenset(closed),
    )


def warm_calendars() -> None:
    """Compute every nation's holidays once, at server start."""
    from borough.organisation.models import Nation

    for nation in Nation.values:
        _bank_holidays(nation)
