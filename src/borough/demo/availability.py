"""Availability for the demo council (after the catalogue, service desk, status and
changes demos), written through the services: last month's outage of the benefits system,
recorded from its major incident (raised, recorded, resolved, then moved back to last
month with its outage, the demo's one shortcut, as the status demo does); a planned
outage of Email and the Website from the firewall hotfix's window; and a year of short
outages recorded by hand on every live service, so each has twelve months of
availability, most meeting their targets and a few missing them. Safe to run again: a
council with outages is left as it is."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from borough.availability import models as m
from borough.availability import services as availability
from borough.catalogue.models import BusinessService, ServiceStatus
from borough.changes.models import Change
from borough.core import services
from borough.demo import organisations
from borough.organisation import models as org
from borough.servicedesk import services as desk
from borough.servicedesk.models import TicketType

CAUSES = ["Application server stopped responding; restarted.",
          "Database locks after the overnight batch overran.",
          "Network switch in the Copeland Centre failed over slowly.",
          "Supplier's hosted service unavailable.",
          "Certificate expired on the load balancer.",
          "Storage latency on the SAN during a controller update."]
# Moved back with the incident: the times a ticket keeps.
TICKET_TIMES = ("created_at", "clock_started_at", "responded_at", "resolved_at",
                "response_due_at", "resolution_due_at", "warning_due_at")


def load(now: datetime | None = None) -> dict[str, int]:
    council, keeper = organisations.copeland_keeper()
    if council is None or keeper is None or m.Outage.objects.filter(
            organisation=council).exists():
        return {}
    with transaction.atomic():
        return {council.code: load_organisation(council, keeper, now or timezone.now())}


def _login(organisation, name):
    return get_user_model().objects.filter(username=f"{organisation.code}-{name}").first()


def _benefits_major_incident(council, keeper, now) -> None:
    benefits = BusinessService.objects.filter(organisation=council, name="Benefits").first()
    agent = _login(council, "agent")
    if benefits is None or agent is None:
        return
    person = org.Person.objects.filter(organisation=council, user=_login(
        council, "requester")).first() or org.Person.objects.filter(organisation=council).first()
    ticket = desk.raise_ticket(
        council.pk, actor=agent, ticket_type=TicketType.INCIDENT,
        title="Benefits system down: assessors cannot open claims",
        description="The benefits system shows a database error for everyone.",
        requester=person, service=benefits, impact=1, urgency=1, notify_requester=False)
    ticket = desk.set_major_incident(ticket, actor=agent)
    ticket.refresh_from_db()
    recorded = availability.record_from_major_incident(ticket, actor=keeper)
    ticket.refresh_from_db()
    desk.resolve(ticket, actor=agent, code_required=False,
                 note="The database server's log volume was full; space freed and the "
                      "service restarted.")
    ticket.refresh_from_db()
    # The second Tuesday of last month, from 09:40 for 3 hours 25 minutes.
    first = (timezone.localtime(now).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
    began = datetime.combine(tuesday, time(9, 40), tzinfo=timezone.get_current_timezone())
    shift = began - ticket.created_at
    moved = {name: getattr(ticket, name) + shift for name in TICKET_TIMES
             if getattr(ticket, name) is not None}
    moved["resolved_at"] = began + timedelta(minutes=205)
    for name, value in moved.items():
        setattr(ticket, name, value)
    desk.save_ticket(ticket)  # the daily totals move with it
    for outage in recorded.created:
        m.Outage.objects.filter(pk=outage.pk).update(
            started_at=began, ended_at=moved["resolved_at"], created_at=began + timedelta(
                minutes=20))


def _change_window(council, keeper) -> None:
    change = (Change.objects.filter(organisation=council, actual_start__isnull=False,
                                    actual_end__isnull=False)
              .exclude(services=None).order_by("-actual_start").first())
    if change is not None:
        availability.record_from_change(change, actor=keeper)


def _year_of_outages(council, keeper, now, rng) -> None:
    """Short unplanned outages on each live service over the last twelve months, kept
    clear of those recorded from the incident and the change."""
    taken = {}
    for outage in m.Outage.objects.filter(organisation=council):
        taken.setdefault(outage.service_id, []).append(
            (outage.started_at - timedelta(hours=12), (outage.ended_at or now)
             + timedelta(hours=12)))
    zone = timezone.get_current_timezone()
    services_live = BusinessService.objects.filter(organisation=council,
                                                   status=ServiceStatus.LIVE)
    for service in services_live.order_by("name"):
        for days_ago in range(365, 0, -1):
            # Now and then a service fails: about once a month, longer for some.
            if rng.random() > 1 / 28:
                continue
            day = timezone.localtime(now).date() - timedelta(days=days_ago)
            start = datetime.combine(day, time(rng.randint(7, 16), rng.choice((0, 15, 30, 45))),
                                     tzinfo=zone)
            minutes = rng.choice((10, 20, 35, 50, 75, 120, 240))
            end = start + timedelta(minutes=minutes)
            if end >= now or any(lo < end and start < hi
                                 for lo, hi in taken.get(service.pk, [])):
                continue
            made = services.create_record(m.Outage(
                organisation=council, service=service, started_at=start, ended_at=end,
                kind=m.Kind.UNPLANNED, source=m.Source.MANUAL, cause=rng.choice(CAUSES)),
                actor=keeper)
            m.Outage.objects.filter(pk=made.pk).update(created_at=end + timedelta(hours=1))
            taken.setdefault(service.pk, []).append((start, end))


def load_organisation(council, keeper, now: datetime, *, seed: int = 2026) -> int:
    _benefits_major_incident(council, keeper, now)
    _change_window(council, keeper)
    _year_of_outages(council, keeper, now, random.Random(seed))
    return m.Outage.objects.filter(organisation=council).count()
