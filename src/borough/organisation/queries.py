"""How other apps read organisation data: the organisation row and its name, the
business calendar for SLA clocks, and the directory entry for an email address."""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache

from django.conf import settings

from borough.core.business_time import BusinessCalendar, shipped_bank_holidays
from borough.core.perf.cache import LocalCache
from borough.core.perf.precompiled import Precompiled
from borough.organisation.models import (
    ClosureDay,
    Organisation,
    Person,
    ServiceUnit,
    WorkingPeriod,
)


@lru_cache(maxsize=8)
def _bank_holidays(nation: str) -> frozenset[date]:
    # 2015-2040, from the table shipped with Borough (core/bank_holiday_table.py): the
    # `holidays` package it is written from costs a process ~13 MB and ~1.7 s to load.
    return shipped_bank_holidays(nation)


def calendar_for(organisation: Organisation) -> BusinessCalendar:
    """The organisation's working hours, bank holidays for its nation and closure days."""
    return _build_calendar(organisation.pk, organisation.nation)


def _build_calendar(organisation_id: int, nation: str) -> BusinessCalendar:
    periods = WorkingPeriod.objects.filter(organisation_id=organisation_id)
    closures = ClosureDay.objects.filter(organisation_id=organisation_id)
    return calendar_from(nation, periods.values_list("weekday", "start", "end"),
                         closures.values_list("date", flat=True))


# Read on every ticket raised and ticket page (with its config_version, the key of the
# copies below and of the desk's configuration): compiled once per process.
ORGANISATION = Precompiled(lambda organisation_id: Organisation.objects.filter(
    pk=organisation_id).order_by())


def organisation(organisation_id: int, using: str | None = None) -> Organisation | None:
    return next(iter(ORGANISATION.raw(using, organisation_id=int(organisation_id))), None)


# Each process's calendars, by (organisation, config_version): building one reads the
# working periods and closure days and merges 26 years of bank holidays.
_calendars = LocalCache("calendars", size=64)


def calendar(organisation: Organisation) -> BusinessCalendar:
    """`calendar_for(organisation)`, built once per process for each config_version. Give
    it a row read in this request or job: its stamp says whether the copy is current."""
    return calendar_at(organisation.pk, organisation.config_version, organisation.nation)


def calendar_at(organisation_id: int, config_version: int, nation: str) -> BusinessCalendar:
    """`calendar()` from the figures of a row read earlier (a cached desk configuration's)."""
    return _calendars.get_or_build((organisation_id, config_version),
                                   lambda: _build_calendar(organisation_id, nation))


def calendar_from(nation: str, periods, closure_days) -> BusinessCalendar:
    """A calendar from (weekday, start, end) working periods and closure dates; also used
    by migrations, which read those through their historical models."""
    from zoneinfo import ZoneInfo

    hours: dict[int, list] = {}
    for weekday, start, end in sorted(periods):
        spans = hours.setdefault(weekday, [])
        # Overlapping periods (two rows for the same morning, say) count once: their
        # union, rather than a calendar that cannot be built and a page that fails.
        if spans and (spans[-1][1] == time(0) or start <= spans[-1][1]):
            if spans[-1][1] != time(0) and (end == time(0) or end > spans[-1][1]):
                spans[-1] = (spans[-1][0], end)
            continue
        spans.append((start, end))
    closed: set[date] = set(_bank_holidays(nation))
    closed.update(closure_days)
    return BusinessCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        hours={day: tuple(spans) for day, spans in hours.items()},
        closed_dates=frozenset(closed),
    )


def organisation_name(organisation_id: int) -> str:
    return (Organisation.objects.filter(pk=organisation_id).values_list("name", flat=True)
            .first() or "")


def person_by_email(organisation_id: int, email: str) -> Person | None:
    """The organisation's directory entry with this address, whatever its case: an active
    one before a former one, the oldest first; its login (if any) comes with it."""
    return (Person.objects.filter(organisation_id=organisation_id, email__iexact=email)
            .order_by("-is_active", "id").select_related("user").first())


def own_service_unit_id(user, organisation_id: int) -> int | None:
    """The service unit a person heads (the first by name if several), else the one they
    work in: where pages about "your unit's" records start."""
    headed = (ServiceUnit.objects.filter(organisation_id=organisation_id, head__user=user)
              .order_by("name").values_list("pk", flat=True).first())
    if headed is not None:
        return headed
    return (Person.objects.filter(organisation_id=organisation_id, user=user)
            .values_list("service_unit_id", flat=True).first())
