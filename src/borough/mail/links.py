"""Signed links in emails to a requester: their ticket's page, where they confirm the
fix, reopen it or rate it without a login. The link names one ticket and one person."""

from __future__ import annotations

from django.core import signing

SALT = "borough.mail.ticket-link"
MAX_AGE = 90 * 24 * 3600  # longer than any reopen window; the services enforce that


def token_for(ticket, person) -> str:
    return signing.dumps([ticket.pk, person.pk], salt=SALT, compress=False)


def read(token: str) -> tuple[int, int] | None:
    """(ticket id, person id), or None for a link that is altered or too old."""
    try:
        ticket_id, person_id = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        return int(ticket_id), int(person_id)
    except (signing.BadSignature, TypeError, ValueError):
        return None
