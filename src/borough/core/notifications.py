"""Notifications to users, written after the change that caused them commits, and handed
to the registered channels (email: borough.mail) with what they need to deliver them.

Channels run inside the caller's transaction, so what they queue (an email to send)
commits or rolls back with the change itself: nothing is lost between the two."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction

from borough.core.models import Notification
from borough.core.registry import registry


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


def notify(
    recipients: Iterable, *, organisation_id: int, event: str, subject: str, body: str = "",
    url: str = "", people: Iterable = (), thread=None,
) -> None:
    """Queue one notification per distinct active recipient, once the transaction commits,
    and hand the notice to each channel now. `people`: directory records (with an email
    address) to reach by email whether or not they have a login."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    people = tuple(p for p in people if p is not None and getattr(p, "email", ""))
    if not users and not people:
        return
    notice = Notice(organisation_id, event, subject[:250], body, url[:300],
                    tuple(users.values()), people, thread)

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
