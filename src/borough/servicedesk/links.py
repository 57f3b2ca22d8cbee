"""Signed links in a requester's emails: their ticket's page, where they confirm the fix,
reopen it or rate it without a login. The link names one ticket and one person.

They are the service desk's: the token carries a ticket and its requester, and only the
desk's page reads it. Mail only carries the links, as `registry.email_links` gives them
for a ticket (entries.py). The salt keeps the value it had when this lived in mail, so the
links in emails already sent still verify."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

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


def email_links(ticket, person) -> dict[str, str]:
    """What a person's email about `ticket` links to: their signed page for it, and its
    parts to confirm the fix, reopen the ticket or rate it (the templates' `url`,
    `confirm_url`, `reopen_url` and `rate_url`)."""
    page = reverse("servicedesk:requester_link", args=[token_for(ticket, person)])
    return {"url": page, "confirm_url": page + "#confirm", "reopen_url": page + "#reopen",
            "rate_url": page + "#rate"}
