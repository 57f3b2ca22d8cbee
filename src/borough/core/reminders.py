"""Reminders of a date on a record — a document's review, an agreement's review — sent by
a periodic job, each once: per record, per date and per stage ("due soon" some days
before, "passed" after; or one "due" for both). A reminder is claimed by inserting its
ReminderSent row (unique), so a second run, or a second worker running the same job,
sends nothing more; a new date (the review recorded, the agreement renewed) is reminded of
afresh. What is said, and to whom, is the module's (`send`), through core.notifications.

A date may be a column (`date_field`, filtered in the database) or worked out in Python
(`date_of(record, on)`: a contract's notice date, from its terms). Instead of "soon" and
"passed", a reminder may tell at several distances before the date (`days_before`, e.g.
(180, 90, 30)): once at each, the nearest reached being the one sent (a record added 40
days before its date is told once, at the 90-day stage, then at 30), nothing after it.
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
    date_field: str = ""
    within_days: int = 0
    send: Callable[[models.Model, str, date], None] = None
    two_stages: bool = True
    # The date worked out in Python (record, on) -> date or None, instead of a column.
    date_of: Callable[[models.Model, date], date | None] | None = None
    # Days before the date at which to tell, each once (replaces within_days and the two
    # stages; nothing is sent once the date has passed). Stages are named
    # f"{stage_prefix}{days}", so two reminders of one record's dates stay apart.
    days_before: tuple[int, ...] = ()
    stage_prefix: str = ""

    def __post_init__(self):
        if bool(self.date_field) == bool(self.date_of):
            raise ValueError("A reminder reads its date from date_field or date_of: one.")
        if self.send is None:
            raise ValueError("A reminder needs `send`.")
        if any(days < 0 for days in self.days_before):
            raise ValueError("days_before are days before the date: 0 or more.")

    @property
    def window(self) -> int:
        return max(self.days_before) if self.days_before else self.within_days

    def stage(self, due: date, on: date) -> str | None:
        """The stage to send for a date `due` on day `on`; None: none now."""
        if self.days_before:
            left = (due - on).days
            if left < 0:
                return None
            reached = [days for days in self.days_before if left <= days]
            return f"{self.stage_prefix}{min(reached)}" if reached else None
        if not self.two_stages:
            return DUE
        return PASSED if due < on else SOON

    def due(self, on: date) -> models.QuerySet:
        """The records whose date (a column) is passed or within the window on `on`."""
        return self.records(on).filter(**{
            f"{self.date_field}__isnull": False,
            f"{self.date_field}__lte": on + timedelta(days=self.window)})

    def dates_due(self, on: date) -> list[tuple[models.Model, date]]:
        """(record, its date) for each record whose date is passed or within the window."""
        if self.date_of is None:
            return [(r, getattr(r, self.date_field)) for r in self.due(on)]
        last = on + timedelta(days=self.window)
        found = []
        for record in self.records(on):
            when = self.date_of(record, on)
            if when is not None and when <= last:
                found.append((record, when))
        return found


def run(reminder: DateReminder, now: datetime | None = None) -> int:
    """Send the reminders due on the day of `now` not sent before; how many were sent."""
    on = timezone.localdate(now or timezone.now())
    due = [(record, when, stage) for record, when in reminder.dates_due(on)
           if (stage := reminder.stage(when, on)) is not None]
    if not due:
        return 0
    content_type = ContentType.objects.get_for_model(type(due[0][0]))
    sent_before = set(ReminderSent.objects.filter(
        content_type=content_type, object_id__in=[r.pk for r, _when, _stage in due]
    ).values_list("object_id", "stage", "for_date"))
    sent = 0
    with transaction.atomic(), notifications.batch():
        for record, when, stage in due:
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


# The values a reminder's email template may use (core.notifications.NotificationEvent
# context), filled by `dates_context`.
DATE_CONTEXT = {
    "due": "The date it is due, such as 1 May 2027",
    "when": "When that is, from the day the email is written: today, on 1 May 2027, or "
            "3 days ago",
}


def dates_context(due: date, on: date) -> dict[str, str]:
    return {"due": f"{due:%-d %B %Y}", "when": in_words(due, on)}
