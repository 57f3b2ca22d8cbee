"""Writes for availability management (docs/availability.md). Outages are created,
changed and deleted through core.services (the generic pages and the API do so); these
verbs record them from a major incident or a change's window, end the outages of a
major incident when it is resolved (a core.lifecycle listener), and keep the outages an
up or down metric's points show (a listener of capacity's storing)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from borough.availability import queries
from borough.availability.models import Kind, Outage, Source
from borough.capacity import queries as capacity
from borough.capacity.models import Kind as MetricKind
from borough.capacity.models import Metric
from borough.catalogue import queries as catalogue
from borough.core import scope, services

__all__ = ["end_with_incident", "record_from_change", "record_from_major_incident",
           "record_from_monitoring"]

log = logging.getLogger(__name__)


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


# --- from monitoring ---------------------------------------------------------------------------

def record_from_monitoring(metric_id: int, first: datetime.datetime,
                           last: datetime.datetime) -> list[Outage]:
    """Make the monitoring outages of an up or down metric match its points, after points
    from `first` to `last` were taken in (capacity calls it as they are stored, whichever
    way they came). Each run of 0s at least the metric's shortest outage long is an
    unplanned outage of every service relying on its item through the CMDB, from the
    first 0 to the first 1 after it (open until one comes).

    The outages follow the points, so taking the same points in again changes nothing,
    and points arriving late or out of order correct them: only the stretch the new
    points can change is read again (capacity.queries.up_down_window), each outage there
    keyed by its start. One whose start no run has any more is removed; ends are put
    right oldest first, then new runs recorded, so no step overlaps another (Outage.clean).
    Written by Borough itself (no actor), audited. Returns the outages made."""
    # Locks the metric's row only: PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to its item.
    metric = (Metric.objects.select_for_update(of=("self",)).select_related("configuration_item")
              .filter(pk=metric_id, kind=MetricKind.UP_DOWN).first())
    if metric is None:
        return []
    since, until = capacity.up_down_window(metric.pk, first, last)
    points = capacity.points_within(metric.pk, since, until)
    if not points:
        return []
    runs = capacity.down_runs(points, datetime.timedelta(
        minutes=metric.shortest_outage_minutes))
    mine = Outage.objects.filter(organisation_id=metric.organisation_id,
                                 source=Source.MONITORING, metric=metric)
    if since is None:
        # No 1 before these points: a run may have begun before the oldest point kept
        # (the retention job removed its first 0s); it keeps the start recorded.
        earlier = (mine.filter(started_at__lt=points[0][0])
                   .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=points[0][0]))
                   .order_by("started_at").values_list("started_at", flat=True).first())
        if earlier is not None and runs and runs[0][0] == points[0][0]:
            runs[0] = (earlier, runs[0][1])
        since = earlier if earlier is not None else points[0][0]
        existing = mine.filter(started_at__gte=since)
    else:
        existing = mine.filter(started_at__gt=since)
    if until is not None:
        existing = existing.filter(started_at__lt=until)
    wanted = dict(runs)
    existing = list(existing.select_related("service").order_by("started_at", "pk"))
    note = f"From monitoring: {metric}."
    for outage in existing:
        if outage.started_at not in wanted:
            services.delete_record(outage, actor=None, expected_version=None,
                                   note=note + " Its points no longer show this stretch down.")
    for outage in existing:
        end = wanted.get(outage.started_at, outage.ended_at)
        if outage.started_at in wanted and outage.ended_at != end:
            services.update_record(outage, actor=None, data={"ended_at": end},
                                   expected_version=None, note=note)
    made: list[Outage] = []
    item = metric.configuration_item
    if item is None:
        return made
    recorded = {(o.service_id, o.started_at) for o in existing}
    relying = [s for s in catalogue.services_relying_on(item.pk)
               if s.organisation_id == metric.organisation_id]
    for start, end in runs:
        for service in relying:
            if (service.pk, start) in recorded:
                continue
            made.append(services.create_record(Outage(
                organisation_id=metric.organisation_id, service=service, started_at=start,
                ended_at=end, kind=Kind.UNPLANNED, source=Source.MONITORING,
                configuration_item=item, metric=metric,
                cause=f"{item.name} down: {metric.name} was 0."), actor=None, note=note))
    return made
