"""Working periods that overlap (two rows for one morning, say) make one calendar with
their union, rather than a calendar that cannot be built and pages that fail."""

from __future__ import annotations

from datetime import time

from borough.core.business_time import BusinessCalendar
from borough.organisation.queries import calendar_from


def test_overlapping_and_touching_periods_are_joined():
    cal = calendar_from("england-and-wales", [
        (0, time(9), time(12)), (0, time(11), time(17)), (0, time(17), time(18)),
        (0, time(9), time(10)), (1, time(8), time(0)), (1, time(20), time(22)),
        (2, time(9), time(12)), (2, time(13), time(17)),
    ], [])
    assert isinstance(cal, BusinessCalendar)
    assert cal.hours[0] == ((time(9), time(18)),)
    assert cal.hours[1] == ((time(8), time(0)),)  # to midnight swallows the evening
    assert cal.hours[2] == ((time(9), time(12)), (time(13), time(17)))  # a lunch gap stays
