"""What capacity management tells people of (core.notifications): a configuration item's
owner and the owners of the services that depend on it, when its forecast says it will
overload and a capacity problem or change is raised."""

from __future__ import annotations

from borough.core.notifications import NotificationEvent

EVENTS = (
    NotificationEvent("capacity-overload",
                      "Capacity problem or change raised from a forecast (to the item's "
                      "and the services' owners)"),
    NotificationEvent("capacity-monthly-report",
                      "Last month's utilisation report of a service (to its owner)"),
)
