"""How other apps read organisation data: the business calendar for SLA clocks."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from borough.core.business_time import BusinessCalendar, bank_holidays
from borough.organisation.models import ClosureDay, Organisation, WorkingPeriod

YEARS = range(2015, 2041)


def calendar_for(organisation: Organisation) -> BusinessCalendar:
    """The organisation's working hours, bank holidays for its nation and closure days."""
    from zoneinfo import ZoneInfo

    hours: dict[int, list] = {}
    for period in WorkingPeriod.objects.filter(organisation=organisation).order_by("weekday", "start"):
        hours.setdefault(period.weekday, []).append((period.start, period.end))
    closed: set[date] = set(bank_holidays(organisation.nation, YEARS))
    closed.update(ClosureDay.objects.filter(organisation=organisation).values_list("date", flat=True))
    return BusinessCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        hours={day: tuple(periods) for day, periods in hours.items()},
        closed_dates=frozenset(closed),
    )
