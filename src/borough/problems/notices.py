"""What problem management tells a problem's owner of (core.notifications), when someone
else moves it. The emails use Borough's default wording; a council's template may use
`note` besides the common values (the problem's reference, title and status...)."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent

NOTE = {"note": "What the person who moved it wrote: the permanent fix when it is "
                "resolved, why the fix did not hold when it is reopened"}

EVENTS = (
    NotificationEvent("problem-investigating", "Problem under investigation (to its owner)",
                      context=NOTE),
    NotificationEvent("problem-resolved", "Problem resolved (to its owner)", context=NOTE),
    NotificationEvent("problem-reopened", "Problem reopened (to its owner)", context=NOTE),
)
