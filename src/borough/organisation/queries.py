"""How other apps read organisation data: the business calendar for SLA clocks, the
organisation's name, and the directory entry for an email address."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.conf import settings

from borough.core.business_time import BusinessCalendar, bank_holidays
from borough.organisation.models import ClosureDay, Organisation, Person, WorkingPeriod

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


def organisation_name(organisation_id: int) -> str:
    return (Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True)
            .first() or "")


def person_by_email(organisation_id: int, email: str) -> Person | None:
    """The organisation's directory entry with this address, whatever its case: an active
    one before a former one, the oldest first; its login (if any) comes with it."""
    return (Person.objects.filter(organisation_id=organisation_id, email__iexact=email)
            .order_by("-is_active", "id").select_related("user").first())
