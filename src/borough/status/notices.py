"""What service status tells the subscribers of a service of (core.notifications). The
emails use Borough's default wording; a council's template may use these values besides
the common ones (the announcement's title, the link to it...)."""

from __future__ import annotations

from borough.core.notifications import Audience, NotificationEvent

CONTEXT = {
    "kind": "What it is: outage, degraded service, planned work or information",
    "state": "Where it stands, such as “Investigating” or “Resolved”",
    "services": "The services it affects, or “all services”",
    "starts": "When it started or starts, such as 3 May 2027, 18:00",
    "expected_end": "When it is expected to end, or blank",
    "words": "What was said: the announcement, or this update",
}

EVENTS = tuple(
    NotificationEvent(key, label, Audience.SUBSCRIBERS, context=CONTEXT)
    for key, label in (("status-opened", "Service status announced"),
                       ("status-updated", "Service status updated"),
                       ("status-closed", "Service status announcement closed"),
                       ("status-reopened", "Service status announcement reopened")))
