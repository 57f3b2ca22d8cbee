"""What the service catalogue tells people of (core.notifications)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent
from borough.core.reminders import DATE_CONTEXT

EVENTS = (
    NotificationEvent("agreement-review-due", "Service agreement due for review (to the "
                      "service owner and the agreement's contacts)",
                      context={**DATE_CONTEXT,
                               "kind": "The kind of agreement: service level agreement "
                                       "or operational level agreement",
                               "service": "The service it is for"}),
)
