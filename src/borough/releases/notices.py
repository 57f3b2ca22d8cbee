"""What release management tells a release's owner and its changes' owners of
(core.notifications). The emails use Borough's default wording (the notification's own
subject and text); a council's template may use these values besides the common ones."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent

VALUES = {"release_type": "The kind of release: major, minor or emergency",
          "note": "What the person who moved it wrote (a no-go's reason, a review), or blank"}

EVENTS = tuple(
    NotificationEvent(key, label, context=VALUES) for key, label in (
        ("release-planned", "Release planned"),
        ("release-in-test", "Release in test"),
        ("release-go", "Release is go for live"),
        ("release-no-go", "Release is no-go and back in planning"),
        ("release-live", "Release is live"),
        ("release-closed", "Release closed"),
        ("release-cancelled", "Release cancelled"),
    ))
