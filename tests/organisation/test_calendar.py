"""The organisation's business calendar: its hours, its nation's bank holidays, its closures."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from borough.core.business_time import add_business_minutes
from borough.organisation.models import ClosureDay, WorkingPeriod
from borough.organisation.queries import calendar_for
from borough.organisation.services import create_organisation

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def test_new_organisation_gets_standard_working_hours():
    org = create_organisation(actor=None, name="Test Council", code="tc", nation="england-and-wales")
    periods = list(WorkingPeriod.objects.filter(organisation=org).values_list("weekday", "start", "end"))
    assert periods == [(d, time(8, 30), time(17, 0)) for d in range(5)]


def test_calendar_uses_the_organisations_nation_and_closure_days():
    scottish = create_organisation(actor=None, name="Highland", code="hc", nation="scotland")
    english = create_organisation(actor=None, name="Copeland", code="cbc", nation="england-and-wales")
    ClosureDay.objects.create(organisation=english, date=date(2026, 12, 29), name="Christmas closure")
    assert date(2027, 1, 2) not in calendar_for(english).closed_dates  # a Saturday anyway
    assert date(2026, 1, 2) in calendar_for(scottish).closed_dates
    assert date(2026, 1, 2) not in calendar_for(english).closed_dates
    assert date(2026, 12, 29) in calendar_for(english).closed_dates
    assert date(2026, 12, 29) not in calendar_for(scottish).closed_dates


def test_changed_hours_change_the_clock():
    org = create_organisation(actor=None, name="Late Council", code="lc", nation="england-and-wales")
    WorkingPeriod.objects.filter(organisation=org, weekday=0).update(end=time(20, 0))
    monday_evening = datetime(2026, 11, 23, 19, 0, tzinfo=LONDON)
    due = add_business_minutes(calendar_for(org), monday_evening, 30)
    assert due == datetime(2026, 11, 23, 19, 30, tzinfo=LONDON)
