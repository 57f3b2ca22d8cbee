"""Reads of the service desk that are more than a filter, and the way other apps read it."""

from __future__ import annotations

import time
from datetime import datetime

from django.db.models import Q

from borough.accounts.models import User
from borough.core.business_time import BusinessCalendar
from borough.organisation.models import Person, TeamMembership
from borough.organisation.queries import calendar_for
from borough.servicedesk.models import DONE_STATUSES, SLAPolicy, Ticket
from borough.servicedesk.sla import Clock

CALENDAR_TTL = 30.0  # seconds; calendar edits reach every worker within this
_calendars: dict[int, tuple[float, BusinessCalendar]] = {}


def calendar(organisation) -> BusinessCalendar:
    org_id = getattr(organisation, "pk", organisation)
    cached = _calendars.get(org_id)
    if cached and time.monotonic() - cached[0] < CALENDAR_TTL:
        return cached[1]
    from borough.organisation.models import Organisation

    org = organisation if hasattr(organisation, "nation") else Organisation.objects.get(pk=org_id)
    value = calendar_for(org)
    _calendars[org_id] = (time.monotonic(), value)
    return value


def clear_calendar_cache() -> None:
    _calendars.clear()


def policy_for(ticket: Ticket) -> SLAPolicy | None:
    """The most specific active policy for the ticket's priority (its type first)."""
    candidates = SLAPolicy.objects.filter(
        organisation_id=ticket.organisation_id, priority=ticket.priority, is_active=True
    ).filter(Q(ticket_type=ticket.ticket_type) | Q(ticket_type=""))
    return sorted(candidates, key=lambda p: (p.ticket_type == "", p.pk))[0] if candidates else None


def clock_for(ticket: Ticket, policy: SLAPolicy | None) -> Clock:
    from borough.servicedesk.models import DeskSettings

    business = policy.business_hours if policy is not None else True
    cal = calendar(ticket.organisation_id)
    if not cal.has_working_hours:
        business = False  # an organisation with no hours set counts round the clock
    warning = DeskSettings.objects.filter(organisation_id=ticket.organisation_id).values_list(
        "warning_percent", flat=True).first() or 75
    return Clock(cal, business, warning)


def person_for(user, organisation_id: int) -> Person | None:
    if user is None:
        return None
    return Person.objects.filter(user=user, organisation_id=organisation_id).first()


def team_users(team) -> list[User]:
    if team is None:
        return []
    return list(User.objects.filter(people__team_memberships__team=team, is_active=True).distinct())


def escalation_users(ticket: Ticket) -> list[User]:
    """The assignee and the leads of the ticket's team, for SLA warnings and breaches."""
    users = [ticket.assignee] if ticket.assignee_id else []
    if ticket.team_id:
        users += list(User.objects.filter(
            people__team_memberships__team_id=ticket.team_id,
            people__team_memberships__is_lead=True, is_active=True,
        ).distinct())
    return users


def tickets_needing_sla_check(now: datetime) -> list[int]:
    """Running clocks that may have crossed a warning or breach since the last sweep."""
    due = (
        Q(warning_sent_at__isnull=True, warning_due_at__lte=now)
        | Q(resolution_breached_at__isnull=True, resolution_due_at__lte=now)
        | Q(response_breached_at__isnull=True, responded_at__isnull=True, response_due_at__lte=now)
    )
    return list(
        Ticket.objects.exclude(status__in=DONE_STATUSES)
        .filter(due, clock_paused_at__isnull=True, sla_policy__isnull=False)
        .values_list("pk", flat=True)
    )


def team_memberships_of(user) -> list[TeamMembership]:
    return list(TeamMembership.objects.filter(person__user=user).select_related("team"))


def workers(organisation_id: int) -> list[User]:
    """People who can be assigned tickets in the organisation."""
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id, memberships__is_active=True,
            memberships__role__permissions__codename="work_tickets", is_active=True,
        ).distinct().order_by("first_name", "last_name")
    )
