"""Every change to service status goes through here (docs/status.md).

- `announce` opens an announcement (core.services.create_record: reference, audit, the
  idempotency key) and tells the subscribers of its services;
- `announce_outage` opens one from a major incident, which closes it when resolved
  (entries.py listens to the ticket's transitions);
- `announce_planned` and `close_for`: what another module calls for planned work it
  schedules (the changes app) and when that work ends, with any record as the source;
- the record actions `post-update`, `resolve`, `cancel`, `reopen` (core.actions);
- `subscribe` and `unsubscribe`.

Subscribers are emailed through core.notifications (the mail app's outbound queue and
its templates), each email claimed first in `AnnouncementEmail` so that a retry, a
second worker or a second close of the same source tells nobody twice."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.core import notifications, scope
from borough.core import services as core_services
from borough.core.actions import Actions
from borough.servicedesk.models import DONE_STATUSES, Ticket
from borough.status import forms
from borough.status.lifecycle import ANNOUNCEMENT
from borough.status.models import (
    MAX_TEXT,
    Announcement,
    AnnouncementEmail,
    AnnouncementUpdate,
    Kind,
    State,
    Subscription,
)

EVENTS = {"opened": "status-opened", "update": "status-updated", "closed": "status-closed",
          "reopened": "status-reopened"}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"Enter {label}."})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: f"Keep {label} to {MAX_TEXT:,} characters."})
    return value


def announcement_url(announcement: Announcement) -> str:
    return reverse("status:announcement_detail", args=[announcement.pk])


# --- telling subscribers -------------------------------------------------------------------

def subscribers(announcement: Announcement) -> list:
    """The active people subscribed to any of its services who may still read it; for an
    announcement about no service in particular (everything), every subscriber."""
    service_ids = [s.pk for s in announcement.services.all()]
    subs = Subscription.objects.filter(organisation_id=announcement.organisation_id,
                                       user__is_active=True)
    if service_ids:
        subs = subs.filter(service_id__in=service_ids)
    found = {}
    for sub in subs.select_related("user"):
        found[sub.user_id] = sub.user
    return [u for u in found.values()
            if scope.can(u, "view", Announcement, announcement.organisation_id)]


def tell_subscribers(announcement: Announcement, stage: str, words: str) -> list:
    """Email each subscriber once about this stage ("opened", "update-<id>", "closed",
    "reopened-<id>"): the claim rows are inserted first, in the caller's transaction, and
    only those not claimed before are told. Returns the users told."""
    users = subscribers(announcement)
    if not users:
        return []
    claimed = set(AnnouncementEmail.objects.filter(
        announcement=announcement, stage=stage, user_id__in=[u.pk for u in users])
        .values_list("user_id", flat=True))
    fresh = [u for u in users if u.pk not in claimed]
    AnnouncementEmail.objects.bulk_create(
        [AnnouncementEmail(announcement=announcement, user=u, stage=stage) for u in fresh],
        ignore_conflicts=True)
    if not fresh:
        return []
    kind = stage.split("-")[0]
    names = ", ".join(s.name for s in announcement.services.all()) or "all services"
    subject = {
        "opened": f"{announcement.get_kind_display()}: {announcement.title}",
        "update": f"Update: {announcement.title}",
        "closed": f"{announcement.get_state_display()}: {announcement.title}",
        "reopened": f"Reopened: {announcement.title}",
    }[kind]
    starts = f"{timezone.localtime(announcement.starts_at):%-d %B %Y, %H:%M}"
    ends = (f"{timezone.localtime(announcement.expected_end_at):%-d %B %Y, %H:%M}"
            if announcement.expected_end_at else "")
    timing = f"From {starts}" + (f", expected to end {ends}" if ends else "")
    body = (f"{words}\n\nServices: {names}\n{timing}.\n\nYou are told because you "
            "subscribed to these services. Unsubscribe on the service status page.")
    notifications.notify(fresh, organisation_id=announcement.organisation_id,
                         event=EVENTS[kind], subject=subject, body=body,
                         url=announcement_url(announcement), thread=announcement,
                         context={"kind": announcement.get_kind_display(),
                                  "state": announcement.get_state_display(),
                                  "services": names, "starts": starts, "expected_end": ends,
                                  "words": words})
    return fresh


def add_update_row(announcement: Announcement, body: str, *, actor,
                   closing: bool = False) -> AnnouncementUpdate:
    user = _user(actor)
    name = (user.get_full_name() or user.username) if user else "Borough"
    return AnnouncementUpdate.objects.create(
        organisation_id=announcement.organisation_id, announcement=announcement, body=body,
        author_name=name, closing=closing, created_by=user, updated_by=user)


# --- opening -------------------------------------------------------------------------------

def _check_services(organisation_id: int, chosen) -> list:
    chosen = list(chosen or [])
    if any(s.organisation_id != organisation_id for s in chosen):
        raise ValidationError({"services": "Choose services of this organisation."})
    return chosen


def announce(organisation_id: int, *, actor, title: str, kind: str, services,
             starts_at: datetime | None = None, expected_end_at: datetime | None = None,
             description: str = "", source: models.Model | None = None,
             idempotency_key: str | None = None) -> Announcement:
    """Open an announcement about `services` and tell their subscribers."""
    chosen = _check_services(organisation_id, services)
    announcement = Announcement(
        organisation_id=organisation_id, title=(title or "").strip(), kind=kind,
        description=(description or "").strip(), starts_at=starts_at or timezone.now(),
        expected_end_at=expected_end_at)
    if source is not None:
        if getattr(source, "organisation_id", organisation_id) != organisation_id:
            raise ValidationError("The record it is announced from belongs to another "
                                  "organisation.")
        announcement.source_type = ContentType.objects.get_for_model(type(source))
        announcement.source_id = source.pk
        announcement.source_text = str(source)[:250]

    def opened(record: Announcement) -> None:
        tell_subscribers(record, "opened", record.description or record.title)

    return core_services.create_record(announcement, actor=actor,
                                       many_to_many={"services": chosen},
                                       idempotency_key=idempotency_key, then=opened)


def open_for(source: models.Model) -> models.QuerySet:
    """The open announcements made from `source` (any record)."""
    return Announcement.objects.filter(
        source_type=ContentType.objects.get_for_model(type(source)), source_id=source.pk,
        state=State.OPEN)


def announce_outage(ticket: Ticket, *, actor, title: str = "", kind: str = Kind.OUTAGE,
                    services=None, description: str = "", starts_at=None,
                    expected_end_at=None, idempotency_key: str | None = None) -> Announcement:
    """Announce the outage a major incident is about; resolving (or cancelling) the
    incident closes the announcement. One open announcement per incident."""
    if actor is not None and not scope.can(actor, "view", Ticket, ticket.organisation_id):
        raise PermissionDenied("You cannot read that incident.")
    if not ticket.is_major_incident:
        raise ValidationError(f"{ticket.reference} is not a major incident: mark it as one "
                              "first, then announce the outage.")
    if ticket.status in DONE_STATUSES:
        raise ValidationError(f"{ticket.reference} is {ticket.get_status_display().lower()}: "
                              "there is no outage to announce.")
    if kind not in (Kind.OUTAGE, Kind.DEGRADED):
        raise ValidationError({"kind": "An incident is announced as an outage or as a "
                                       "degraded service."})
    earlier = open_for(ticket).first()
    if earlier is not None:
        raise ValidationError(f"{ticket.reference} is already announced as "
                              f"{earlier.reference}: post an update there.")
    if services is None:
        services = [ticket.service] if ticket.service_id else []
    return announce(ticket.organisation_id, actor=actor, title=title or ticket.title,
                    kind=kind, services=services, description=description,
                    starts_at=starts_at or ticket.created_at,
                    expected_end_at=expected_end_at, source=ticket,
                    idempotency_key=idempotency_key)


def announce_planned(organisation, services, starts, ends, title, source=None, by=None,
                     description: str = "") -> Announcement:
    """Announce planned work on `services` from `starts` to `ends`, from `source` (a
    scheduled change, or any record). Called again for the same source while its
    announcement is open, it reschedules that one (an update, emailed) instead of opening
    a second. `by`: the user doing it, or None for Borough itself."""
    organisation_id = getattr(organisation, "pk", organisation)
    if source is not None:
        earlier = open_for(source).first()
        if earlier is not None:
            return reschedule(earlier, services=services, starts=starts, ends=ends,
                              title=title, by=by)
    return announce(organisation_id, actor=by, title=title, kind=Kind.PLANNED,
                    services=services, starts_at=starts, expected_end_at=ends,
                    description=description, source=source)


def reschedule(announcement: Announcement, *, services, starts, ends, title, by=None
               ) -> Announcement:
    chosen = _check_services(announcement.organisation_id, services)
    with transaction.atomic():
        saved = core_services.update_record(
            announcement, actor=by, expected_version=None,
            data={"title": title, "starts_at": starts, "expected_end_at": ends,
                  "services": chosen}, note="Rescheduled by its source.")
        if saved.version != announcement.version:
            words = (f"Rescheduled: now from {timezone.localtime(starts):%-d %B %Y, %H:%M}"
                     + (f" to {timezone.localtime(ends):%-d %B %Y, %H:%M}" if ends else "")
                     + ".")
            update = add_update_row(saved, words, actor=by)
            tell_subscribers(saved, f"update-{update.pk}", words)
    return saved


def close_for(source: models.Model, *, by=None, note: str = "", cancelled: bool = False
              ) -> list[Announcement]:
    """Resolve (or cancel) every open announcement made from `source`: its incident
    resolved, its change completed or called off. Nothing open: nothing done."""
    closed = []
    for announcement in open_for(source):
        action = cancel if cancelled else resolve
        closed.append(action(announcement, actor=by, note=note))
    return closed


# --- record actions ------------------------------------------------------------------------

def _lock(announcement: Announcement) -> Announcement:
    return Announcement.objects.select_for_update().get(pk=announcement.pk)


ANNOUNCEMENT_ACTIONS = Actions(Announcement, lifecycle=ANNOUNCEMENT, lock=_lock)


@ANNOUNCEMENT_ACTIONS.action("post-update", label="Post an update", form=forms.UpdateForm,
                             states=(State.OPEN,), returns=AnnouncementUpdate,
                             success="Update posted.")
def post_update(announcement: Announcement, *, actor, body: str,
                expected_end_at: datetime | None = None) -> AnnouncementUpdate:
    """A note on the announcement's timeline (and, if given, a new expected end), emailed
    to the subscribers of its services."""
    if announcement.state != State.OPEN:
        raise ValidationError(f"{announcement.reference} is "
                              f"{announcement.get_state_display().lower()}: reopen it to "
                              "post an update.")
    body = _text(body, "body", "the update")
    if expected_end_at is not None:
        if expected_end_at <= announcement.starts_at:
            raise ValidationError({"expected_end_at": "The expected end must be after the "
                                                      "start."})
        announcement.expected_end_at = expected_end_at
    update = add_update_row(announcement, body, actor=actor)
    tell_subscribers(announcement, f"update-{update.pk}", body)
    return update


resolve = ANNOUNCEMENT_ACTIONS.add(
    "resolve", label="Resolve", form=forms.NoteForm, transition="resolve",
    success=lambda a: f"{a.reference} is resolved.")
cancel = ANNOUNCEMENT_ACTIONS.add(
    "cancel", label="Cancel", form=forms.NoteForm, transition="cancel", danger=True,
    success=lambda a: f"{a.reference} is cancelled.")
reopen = ANNOUNCEMENT_ACTIONS.add(
    "reopen", label="Reopen", form=forms.NoteForm, transition="reopen",
    success=lambda a: f"{a.reference} is open again.")


# --- closing with the source ---------------------------------------------------------------

def close_with_incident(move) -> None:
    """core.lifecycle listener: a ticket resolved or cancelled closes its announcements,
    in the same transaction, as the person who resolved it."""
    ticket = move.record
    if not ticket.is_major_incident:
        return
    cancelled = move.transition.name == "cancel"
    note = f"{ticket.reference} is {'cancelled' if cancelled else 'resolved'}."
    if move.note:
        note = f"{note} {move.note}"
    # A requester may cancel their own incident: Borough closes the announcement then.
    by = move.actor if move.actor is None or scope.can(
        move.actor, "change", Announcement, ticket.organisation_id) else None
    close_for(ticket, by=by, note=note[:MAX_TEXT], cancelled=cancelled)


# --- subscriptions -------------------------------------------------------------------------

def subscribe(service: BusinessService, *, actor) -> Subscription:
    """Subscribe the signed-in person to a service (again: nothing new)."""
    found = Subscription.objects.filter(service=service, user=actor).first()
    if found is not None:
        return found
    return core_services.create_record(
        Subscription(organisation_id=service.organisation_id, service=service, user=actor),
        actor=actor)


def unsubscribe(service: BusinessService, *, actor) -> None:
    found = Subscription.objects.filter(service=service, user=actor).first()
    if found is not None:
        core_services.delete_record(found, actor=actor, expected_version=None)


def add_subscription(subscription: Subscription, *, actor,
                     idempotency_key: str | None = None) -> Subscription:
    """The page's and the API's add: `subscription` (unsaved) is for the signed-in
    person; a second one to the same service is refused in words (the model's
    constraint)."""
    return core_services.create_record(subscription, actor=actor,
                                       idempotency_key=idempotency_key)
