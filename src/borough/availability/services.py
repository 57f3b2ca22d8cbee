"""Writes for availability management (docs/availability.md). Outages are created,
changed and deleted through core.services (the generic pages and the API do so); these
verbs record them from a major incident or a change's window, and end the outages of a
major incident when it is resolved (a core.lifecycle listener)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from borough.availability import queries
from borough.availability.models import Kind, Outage, Source
from borough.core import scope, services

__all__ = ["end_with_incident", "record_from_change", "record_from_major_incident"]


@dataclass
class Recorded:
    """What a "record outages" gave: the outages made, and the services left out with why."""

    created: list[Outage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _record(outage: Outage, actor, recorded: Recorded) -> None:
    try:
        recorded.created.append(services.create_record(outage, actor=actor))
    except ValidationError as exc:
        recorded.skipped.append(f"{outage.service.name}: {' '.join(exc.messages)}")


def record_from_major_incident(ticket, *, actor) -> Recorded:
    """An unplanned outage of each service the major incident takes down (the service it
    names and those its configuration item stops, from the CMDB), from when it was logged
    until it was resolved (open while it is not). A service that already has an outage
    from this incident is left alone."""
    services.require(actor, "add", Outage, ticket.organisation_id)
    if not ticket.is_major_incident:
        raise ValidationError(f"{ticket.reference} is not a major incident.")
    affected = queries.services_of_incident(ticket, actor)
    if not affected:
        raise ValidationError(f"{ticket.reference} names no business service or "
                              "configuration item that a service depends on: record the "
                              "outage by hand, naming the service.")
    recorded = Recorded()
    with transaction.atomic():
        done = {o.service_id for o in queries.outages_of_ticket(ticket, actor)}
        for service in affected:
            if service.pk in done:
                recorded.skipped.append(f"{service.name}: already recorded.")
                continue
            _record(Outage(organisation_id=ticket.organisation_id, service=service,
                           started_at=ticket.created_at, ended_at=ticket.resolved_at,
                           kind=Kind.UNPLANNED, source=Source.MAJOR_INCIDENT, ticket=ticket,
                           cause=f"{ticket.reference} {ticket.title}"), actor, recorded)
    return recorded


def record_from_change(change, *, actor) -> Recorded:
    """A planned outage of each service the change names, over its window (as done, or as
    planned before it is done). Only a change that takes its services down should record
    one: the change model does not say so, so a person decides."""
    services.require(actor, "add", Outage, change.organisation_id)
    start, end = queries.window_of_change(change)
    if start is None or end is None:
        raise ValidationError(f"{change.reference} has no window (a start and an end) yet.")
    affected = list(change.services.all().order_by("name", "id"))
    if not affected:
        raise ValidationError(f"{change.reference} names no business service.")
    recorded = Recorded()
    with transaction.atomic():
        done = {o.service_id for o in queries.outages_of_change(change, actor)}
        for service in affected:
            if service.pk in done:
                recorded.skipped.append(f"{service.name}: already recorded.")
                continue
            _record(Outage(organisation_id=change.organisation_id, service=service,
                           started_at=start, ended_at=end, kind=Kind.PLANNED,
                           source=Source.CHANGE, change=change,
                           cause=f"{change.reference} {change.title}"), actor, recorded)
    return recorded


WORDS = {"resolve": "resolved", "cancel": "cancelled"}


def end_with_incident(move) -> None:
    """core.lifecycle listener: a major incident resolved or cancelled ends its outages
    still open, at that moment, in the same transaction."""
    ticket = move.record
    if not ticket.is_major_incident:
        return
    actor = move.actor if move.actor is not None and scope.can(
        move.actor, "change", Outage, ticket.organisation_id) else None
    ended = ticket.resolved_at or timezone.now()
    for outage in Outage.objects.filter(organisation_id=ticket.organisation_id,
                                        ticket_id=ticket.pk, ended_at__isnull=True):
        if ended <= outage.started_at:
            continue
        try:
            word = WORDS.get(move.transition.name, "closed")
            services.update_record(outage, actor=actor, data={"ended_at": ended},
                                   expected_version=None,
                                   note=f"{ticket.reference} was {word}.")
        except (ValidationError, PermissionDenied):
            # An end that would overlap another outage is left for a person to settle.
            continue
