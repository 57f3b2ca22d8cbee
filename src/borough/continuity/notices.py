"""What continuity management tells people of (core.notifications)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent
from borough.core.reminders import DATE_CONTEXT

EVENTS = (
    NotificationEvent("continuity-review-due", "Business impact analysis or continuity plan "
                      "due for review (to its owner)",
                      context={**DATE_CONTEXT,
                               "kind": "What is due: business impact analysis or "
                                       "continuity plan",
                               "record": "Its reference and title or service"}),
)
