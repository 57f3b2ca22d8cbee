"""Working minutes from logging a ticket to its first response and to its resolution.

They are worked out once, when the response or the resolution happens, on the
organisation's calendar of that moment, and kept on the ticket (`minutes_to_respond`,
`minutes_to_resolve`). The statistics page then averages and ranks stored numbers in
the database, where it used to run the calendar over every ticket resolved in the
period: at a busy desk, tens of thousands per page view. A check constraint keeps each
figure present exactly when its timestamp is, so no way of writing a ticket can leave
one out.

Waiting for the customer or a supplier counts (this is the customer's experience, not
the SLA clock), and a ticket resolved again after reopening measures to its last
resolution, like `resolved_at`.
"""

from __future__ import annotations

from datetime import date, datetime

from borough.core.business_time import (
    BusinessCalendar,
    WorkingTimeline,
    business_minutes_between,
)
from borough.servicedesk import queries


def minutes_since_logged(ticket, moment: datetime) -> float:
    return business_minutes_between(queries.calendar(queries.organisation_of(ticket)),
                                    ticket.created_at, moment)


def record_response(ticket, now: datetime) -> None:
    """The first response, if there has not been one."""
    if ticket.responded_at is None:
        ticket.responded_at = now
        ticket.minutes_to_respond = minutes_since_logged(ticket, now)


def record_resolution(ticket, now: datetime) -> None:
    ticket.resolved_at = now
    ticket.minutes_to_resolve = minutes_since_logged(ticket, now)


def clear_resolution(ticket) -> None:
    ticket.resolved_at = None
    ticket.minutes_to_resolve = None


class Stamper:
    """Fills the minutes of many tickets of one organisation written in bulk (demo data,
    benchmark seeds, the migration that added the fields), with one calendar look-up
    table instead of a day-by-day walk per ticket."""

    def __init__(self, calendar: BusinessCalendar, first: date, last: date):
        self.timeline = WorkingTimeline(calendar, first, last)

    @classmethod
    def for_organisation(cls, organisation_id: int, first: datetime, last: datetime) -> Stamper:
        """For tickets of an organisation logged and answered between `first` and `last`."""
        calendar = queries.calendar(organisation_id)
        return cls(calendar, first.astimezone(calendar.tz).date(),
                   last.astimezone(calendar.tz).date())

    def fill(self, fields: dict, created_at: datetime) -> dict:
        """`fields` (by attribute name) with the two figures set from its timestamps."""
        between = self.timeline.minutes_between
        for moment, minutes in (("responded_at", "minutes_to_respond"),
                                ("resolved_at", "minutes_to_resolve")):
            at = fields.get(moment)
            fields[minutes] = None if at is None else between(created_at, at)
        return fields
