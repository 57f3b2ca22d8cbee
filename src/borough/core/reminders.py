"""Reminders of a date on a record — a document's review, an agreement's review — sent by
a periodic job, each once: per record, per date and per stage ("due soon" some days
before, "passed" after; or one "due" for both). A reminder is claimed by inserting its
ReminderSent row (unique), so a second run, or a second worker running the same job,
sends nothing more; a new date (the review recorded, the agreement renewed) is reminded of
afresh. What is said, and to whom, is the module's (`send`), through core.notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from borough.core import notifications, scope
from borough.core.models import ReminderSent

SOON, PASSED, DUE = "soon", "passed", "due"


@dataclass(frozen=True)
class DateReminder:
    """Remind of `date_field` on the records `records(on)` gives (those whose date counts:
    published documents, agreed agreements) once it is within `within_days` of the day or
    passed. `send(record, stage, on)` tells whom it concerns. `two_stages`: once when due
    soon and again when passed (SOON, PASSED); otherwise once for the date (DUE)."""

    records: Callable[[date], models.QuerySet]
    date_field: str
    within_days: int
    send: Callable[[models.Model, str, date], None]
    two_stages: bool = True

    def stage(self, due: date, on: date) -> str:
        if not self.two_stages:
            return DUE
        return PASSED if due < on else SOON

    def due(self, on: date) -> models.QuerySet:
        """The records whose date is passed or within the window on `on`."""
        return self.records(on).filter(**{
            f"{self.date_field}__isnull": False,
            f"{self.date_field}__lte": on + timedelta(days=self.within_days)})


def run(reminder: DateReminder, now: datetime | None = None) -> int:
    """Send the reminders due on the day of `now` not sent before; how many were sent."""
    on = timezone.localdate(now or timezone.now())
    due = list(reminder.due(on))
    if not due:
        return 0
    content_type = ContentType.objects.get_for_model(type(due[0]))
    sent_before = set(ReminderSent.objects.filter(
        content_type=content_type, object_id__in=[r.pk for r in due]
    ).values_list("object_id", "stage", "for_date"))
    sent = 0
    with transaction.atomic(), notifications.batch():
        for record in due:
            when = getattr(record, reminder.date_field)
            stage = reminder.stage(when, on)
            if (record.pk, stage, when) in sent_before or not claim(record, content_type,
                                                                     stage, when):
                continue
            reminder.send(record, stage, on)
            sent += 1
    return sent


def claim(record, content_type, stage: str, when: date) -> bool:
    """Whether this run is the one to send it: its row inserted, or another's already."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                organisation_id=getattr(record, "organisation_id", None),
                content_type=content_type, object_id=record.pk, stage=stage, for_date=when)
    except IntegrityError:
        return False
    return True


def reachable(person, organisation_id: int, permission: str):
    """How to reach `person` (a staff directory record) about a record of the organisation:
    (user, None) for someone with an active login who still holds `permission` there (an
    in-app notification and email), else (None, person) for an email to their address."""
    if person is None:
        return None, None
    user = person.user if person.user_id and person.user.is_active else None
    if user is not None and organisation_id not in scope.organisation_ids(user, permission):
        user = None  # no longer works there with a role that reads it: email only
    return (user, None) if user is not None else (None, person)


def in_words(due: date, on: date) -> str:
    """"on 1 May 2027", "today" or "3 days ago", for a reminder's subject."""
    if due < on:
        days = (on - due).days
        return f"{days} day{'' if days == 1 else 's'} ago"
    return "today" if due == on else f"on {due:%-d %B %Y}"
