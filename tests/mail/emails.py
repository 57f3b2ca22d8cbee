"""Reading the email a notification made, as its recipient would get it."""

from __future__ import annotations

from borough.mail import outbound
from borough.mail.models import OutboundEmail


def email_to(user, event: str) -> OutboundEmail:
    """The one email of `event` to `user`, written as sending would write it if it is
    still queued."""
    email = OutboundEmail.objects.get(event=event, user=user)
    if not email.text:
        outbound.write(email)
    return email
