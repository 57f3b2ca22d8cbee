"""Notifications to users, written after the change that caused them commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from borough.core.models import Notification


def notify(
    recipients: Iterable, *, organisation_id: int, event: str, subject: str, body: str = "",
    url: str = "",
) -> None:
    """Queue one notification per distinct active recipient, once the transaction commits."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return

    def write():
        Notification.objects.bulk_create([
            Notification(organisation_id=organisation_id, recipient_id=pk, event=event,
                         subject=subject[:250], body=body, url=url[:300])
            for pk in users
        ])

    transaction.on_commit(write)
