"""What standards and the action plan tell people of (core.notifications)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent

EVENTS = (
    NotificationEvent("action-reminder", "Action plan item due or overdue (to its owner)",
                      context={"due": "The date it is due, such as 1 May 2027",
                               "days_overdue": "How many days it is overdue (0 if not yet "
                                               "due)"}),
)
