"""How a ticket's SLA reads to a person: due time, time left, and a state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from borough.servicedesk import queries, sla
from borough.servicedesk.models import DONE_STATUSES


@dataclass(frozen=True)
class SlaState:
    state: str  # "none", "met", "breached", "paused", "warning", "ok"
    label: str
    tag: str  # GOV.UK tag colour modifier
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    minutes_left: float | None

    @property
    def time_left(self) -> str:
        if self.minutes_left is None:
            return ""
        minutes = int(abs(self.minutes_left))
        hours, mins = divmod(minutes, 60)
        text = f"{hours} h {mins} min" if hours else f"{mins} min"
        return f"{text} overdue" if self.minutes_left < 0 else f"{text} left"


def sla_state(ticket, now: datetime, config=None) -> SlaState:
    """`config`: the organisation's queries.DeskConfig when the caller has it already."""
    due = (ticket.response_due_at if ticket.responded_at is None else None, ticket.resolution_due_at)
    if ticket.sla_policy_id is None:
        return SlaState("none", "No SLA", "grey", None, None, None)
    breached = ticket.resolution_breached_at or ticket.response_breached_at
    if ticket.status in DONE_STATUSES:
        if breached:
            return SlaState("breached", "SLA breached", "red", *due, None)
        return SlaState("met", "SLA met", "green", *due, None)
    policy = ticket.sla_policy
    clock = queries.clock_for(ticket, policy, config)
    left = policy.resolution_minutes - sla.elapsed(ticket, clock, now)
    # Past the due time with the clock running is late even when no working minute has
    # passed since (17:15 for 17:00): the queue says "Overdue", so must the ticket.
    overdue = (ticket.clock_paused_at is None and ticket.resolution_due_at is not None
               and now > ticket.resolution_due_at)
    if breached or left < 0 or overdue:
        return SlaState("breached", "SLA breached", "red", *due, left)
    if ticket.clock_paused_at is not None:
        return SlaState("paused", "SLA paused", "blue", *due, left)
    if sla.share_used(ticket, clock, now) * 100 >= clock.warning_percent:
        return SlaState("warning", "SLA at risk", "orange", *due, left)
    return SlaState("ok", "Within SLA", "green", *due, left)
