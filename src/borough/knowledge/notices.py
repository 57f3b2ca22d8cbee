"""What the knowledge base tells people of (core.notifications)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent
from borough.core.reminders import DATE_CONTEXT

EVENTS = (
    NotificationEvent("article-review-due", "Knowledge article due for review (to its "
                      "owner)", context=DATE_CONTEXT),
)
