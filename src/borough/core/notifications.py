"""Notifications to users, written after the change that caused them commits, and handed
to the registered channels (email: borough.mail) with what they need to deliver them.

Channels run inside the caller's transaction, so what they queue (an email to send)
commits or rolls back with the change itself: nothing is lost between the two.

Every notification is of an event its app declares (`NotificationEvent`, registered with
`registry.add_notification_events` in the app's entries.py): its name for people, whom it
goes to, Borough's wording for its email and the values that wording (or a council's own,
mail's NotificationTemplate) may use. `notify()` refuses an event nobody declared, and
values the event does not declare, in development and tests (in production it logs), so a
new notification cannot ship without its template."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

from borough.core.models import Notification
from borough.core.registry import registry

log = logging.getLogger(__name__)


class Audience(models.TextChoices):
    STAFF = "staff", "Staff"
    REQUESTER = "requester", "The requester"
    SUBSCRIBERS = "subscribers", "Subscribers"


# What every event's email template may use: filled in by the email channel from the
# notice and from the record it is about (its reference, title and status, where it has
# them). An event declares only the values it adds.
COMMON_CONTEXT = {
    "reference": "The record's reference, such as INC-000123 or CHG-000007",
    "title": "The record's title",
    "status": "The record's status, in words",
    "summary": "The notification's own one-line subject",
    "body": "The notification's own text",
    "url": "The link to the record in Borough",
    "recipient_name": "The name of the person the email is to",
    "organisation": "Your organisation's name",
}
# Borough's wording for an event that has no wording of its own: the notification's
# subject, its text and the link (the same words as on the notifications page).
DEFAULT_SUBJECT = "{{ summary }}"
DEFAULT_TEXT = "{{ body }}\n\n{{ url }}"
KEY = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class NotificationEvent:
    """Something an app tells people of. `subject`, `text` and `html` are Borough's
    wording for its email, as Django templates; `context` names the values they may use
    beyond COMMON_CONTEXT (name -> what it holds, shown to whoever writes a council's
    template), which the app's notify() calls pass."""

    key: str
    label: str
    audience: str = Audience.STAFF
    subject: str = DEFAULT_SUBJECT
    text: str = DEFAULT_TEXT
    html: str = ""
    context: dict = field(default_factory=dict)
    # Sent in answer to mail the requester wrote (RFC 3834 "auto-replied"; otherwise
    # "auto-generated").
    auto_reply: bool = False
    # The app that declared it (set by registry.add_notification_events).
    app_label: str = ""

    def __post_init__(self):
        if not KEY.fullmatch(self.key) or len(self.key) > 50:
            raise ValueError(f"Notification event key {self.key!r}: lower-case words joined "
                             "by hyphens, at most 50 characters.")
        if self.audience not in Audience.values:
            raise ValueError(f"Notification event {self.key!r}: audience is one of "
                             f"{', '.join(Audience.values)}.")
        for name in self.context:
            if not NAME.fullmatch(name) or name in COMMON_CONTEXT:
                raise ValueError(f"Notification event {self.key!r}: {name!r} is not a name "
                                 "a template can use, or every email has it already.")

    @property
    def variables(self) -> dict[str, str]:
        """Every value its templates may use, with what it holds."""
        return {**COMMON_CONTEXT, **self.context}

    @property
    def audience_label(self) -> str:
        return str(Audience(self.audience).label)

    @property
    def chosen_by_recipient(self) -> bool:
        """Whether people choose how they hear of it (a requester's emails always go)."""
        return self.audience != Audience.REQUESTER


def find_event(key) -> NotificationEvent | None:
    """The registered event of that key; None for anything else (what a client sent)."""
    return registry.notification_events.get(key) if isinstance(key, str) else None


def registered_events(*, chosen_by_recipient: bool = False) -> list[NotificationEvent]:
    """The registered events, in the order their apps registered them."""
    found = list(registry.notification_events.values())
    return [e for e in found if e.chosen_by_recipient] if chosen_by_recipient else found


def app_name(app_label: str) -> str:
    return str(apps.get_app_config(app_label).verbose_name)


def grouped(found: Iterable[NotificationEvent]) -> list[tuple[str, list]]:
    """`found` grouped by the app that declared them, apps by name, each app's events in
    the order it declared them: [(app's name, [events])]."""
    groups: dict[str, list] = {}
    for item in found:
        groups.setdefault(item.app_label, []).append(item)
    return sorted(((app_name(label), items) for label, items in groups.items()),
                  key=lambda group: group[0])


def choices(found: Iterable[NotificationEvent] | None = None) -> list[tuple[str, list]]:
    """Grouped choices for a form's select: [(app's name, [(key, label)])]."""
    return [(name, [(e.key, e.label) for e in items])
            for name, items in grouped(registered_events() if found is None else found)]


def label_of(key: str) -> str:
    known = find_event(key)
    return known.label if known else key


def _misdeclared(message: str) -> None:
    """A notify() call that its event's declaration does not cover: a mistake in the
    code, refused where it is written and tested, logged where people are waiting."""
    if settings.DEBUG or settings.MODE == "test":
        raise ImproperlyConfigured(message)
    log.error(message)


def checked_context(key: str, context: dict | None) -> dict[str, str]:
    """The values a notify() call passes for its event's templates, as plain text."""
    known = find_event(key)
    if known is None:
        _misdeclared(f"Notification event {key!r} is not declared: add a NotificationEvent "
                     "to the app's registry.add_notification_events (docs/email.md).")
    values = {str(name): "" if value is None else str(value)
              for name, value in (context or {}).items()}
    if known is not None and (undeclared := sorted(set(values) - set(known.context))):
        _misdeclared(f"Notification event {key!r} does not declare "
                     f"{', '.join(undeclared)}: add them to its context.")
    return values


@dataclass(frozen=True)
class Notice:
    """One event to tell people of: signed-in `users` (who also get it on Borough's
    notifications page) and `people` without a login, reached by email only."""

    organisation_id: int
    event: str
    subject: str
    body: str
    url: str
    users: tuple = ()
    people: tuple = ()
    thread: object = None  # the record the notice is about, for threading its emails
    extra: dict = field(default_factory=dict)
    # The values the event's templates use beyond COMMON_CONTEXT, as plain text.
    context: dict = field(default_factory=dict)


def notify(
    recipients: Iterable, *, organisation_id: int, event: str, subject: str, body: str = "",
    url: str = "", people: Iterable = (), thread=None, context: dict | None = None,
) -> None:
    """Queue one notification per distinct active recipient, once the transaction commits,
    and hand the notice to each channel now. `people`: directory records (with an email
    address) to reach by email whether or not they have a login. `event` is a registered
    NotificationEvent's key; `context` gives the values it declares for its templates."""
    values = checked_context(event, context)
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    people = tuple(p for p in people if p is not None and getattr(p, "email", ""))
    if not users and not people:
        return
    notice = Notice(organisation_id, event, subject[:250], body, url[:300],
                    tuple(users.values()), people, thread, context=values)

    def write():
        Notification.objects.bulk_create([
            Notification(organisation_id=organisation_id, recipient_id=pk, event=event,
                         subject=notice.subject, body=body, url=notice.url)
            for pk in users
        ])

    transaction.on_commit(write)
    pending = _pending.get()
    if pending is not None:
        pending.append(notice)
    else:
        _hand_over([notice])


_pending: ContextVar[list | None] = ContextVar("borough_pending_notices", default=None)


@contextmanager
def batch():
    """Notices made inside are handed to the channels together when it ends (a new
    ticket's acknowledgement and its assignment: one write of emails, not two)."""
    token = _pending.set([])
    try:
        yield
        notices = _pending.get()
    finally:
        _pending.reset(token)
    if notices:
        _hand_over(notices)


def _hand_over(notices: list[Notice]) -> None:
    for channel in registry.notification_channels:
        channel(notices)
