"""The SLA clock of a ticket. Pure functions over a ticket's fields and a calendar:
the clock runs from `clock_started_at`, banks elapsed minutes when it pauses, and
derives due times from the targets minus what is banked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from borough.core.business_time import (
    BusinessCalendar,
    add_business_minutes,
    add_calendar_minutes,
    business_minutes_between,
    calendar_minutes_between,
)


@dataclass(frozen=True)
class Clock:
    calendar: BusinessCalendar
    business_hours: bool
    warning_percent: int = 75

    def between(self, start: datetime, end: datetime) -> float:
        if self.business_hours:
            return business_minutes_between(self.calendar, start, end)
        return calendar_minutes_between(start, end)

    def add(self, start: datetime, minutes: float) -> datetime:
        if self.business_hours:
            return add_business_minutes(self.calendar, start, max(minutes, 0))
        return add_calendar_minutes(start, max(minutes, 0))


def elapsed(ticket, clock: Clock, now: datetime) -> float:
    """SLA minutes used so far: banked, plus the running stretch if the clock runs."""
    running = 0.0
    if ticket.clock_started_at is not None and ticket.clock_paused_at is None:
        running = clock.between(ticket.clock_started_at, now)
    return ticket.banked_minutes + running


def start(ticket, policy, clock: Clock, now: datetime) -> None:
    ticket.sla_policy = policy
    ticket.clock_started_at = now
    ticket.clock_paused_at = None
    ticket.banked_minutes = 0.0
    set_due_times(ticket, clock, now)


def set_due_times(ticket, clock: Clock, now: datetime) -> None:
    """Due times from the running stretch's start and what is left of each target."""
    policy = ticket.sla_policy
    if policy is None or ticket.clock_started_at is None:
        ticket.response_due_at = ticket.resolution_due_at = ticket.warning_due_at = None
        return
    base = ticket.clock_started_at
    if ticket.responded_at is None:
        ticket.response_due_at = clock.add(base, policy.response_minutes - ticket.banked_minutes)
    ticket.resolution_due_at = clock.add(base, policy.resolution_minutes - ticket.banked_minutes)
    warn_at = policy.resolution_minutes * clock.warning_percent / 100
    ticket.warning_due_at = clock.add(base, warn_at - ticket.banked_minutes)


def pause(ticket, clock: Clock, now: datetime) -> None:
    if ticket.clock_paused_at is not None or ticket.clock_started_at is None:
        return
    ticket.banked_minutes += clock.between(ticket.clock_started_at, now)
    ticket.clock_paused_at = now


def resume(ticket, clock: Clock, now: datetime) -> None:
    if ticket.clock_paused_at is None:
        return
    ticket.clock_paused_at = None
    ticket.clock_started_at = now
    set_due_times(ticket, clock, now)


def stop(ticket, clock: Clock, now: datetime) -> None:
    """Resolution stops the clock; a reopen resumes it with the banked minutes."""
    pause(ticket, clock, now)


def record_breaches(ticket, now: datetime) -> list[str]:
    """Mark breaches that have happened; a recorded breach is never cleared.

    Call it before a change stops the clock, so a late resolution is caught."""
    found = []
    if ticket.sla_policy is None:
        return found
    running = ticket.clock_started_at is not None and ticket.clock_paused_at is None
    if ticket.response_breached_at is None and ticket.response_due_at is not None:
        responded_late = ticket.responded_at is not None and ticket.responded_at > ticket.response_due_at
        still_waiting = ticket.responded_at is None and running and now > ticket.response_due_at
        if responded_late or still_waiting:
            ticket.response_breached_at = ticket.response_due_at
            found.append("response")
    if (ticket.resolution_breached_at is None and ticket.resolution_due_at is not None
            and running and now > ticket.resolution_due_at):
        ticket.resolution_breached_at = ticket.resolution_due_at
        found.append("resolution")
    return found


def share_used(ticket, clock: Clock, now: datetime) -> float:
    """The share of the resolution target used, 0.0 to 1.0 and beyond."""
    policy = ticket.sla_policy
    if policy is None or not policy.resolution_minutes:
        return 0.0
    return elapsed(ticket, clock, now) / policy.resolution_minutes
