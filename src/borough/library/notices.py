"""What the configuration library tells people of (core.notifications)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent
from borough.core.reminders import DATE_CONTEXT

EVENTS = (
    NotificationEvent("document-review-due", "Library document due for review (to its "
                      "owner)", context=DATE_CONTEXT),
)
