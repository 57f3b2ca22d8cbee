"""Which relationships make sense, and which way dependence runs: declared once, read by
the model's validation, impact analysis and the docs.

Classes are matched by their code. Only the shipped classes' codes are constrained: a
class an administrator adds (say "ups") may take part in any relationship until a rule
names it, since Borough cannot know what it is.
"""

from __future__ import annotations

PHYSICAL_SERVER, VIRTUAL_SERVER = "physical-server", "virtual-server"
NETWORK_DEVICE, NETWORK_LINK = "network-device", "network-link"
STORAGE, DATABASE, APPLICATION = "storage", "database", "application"
INTERFACE, END_USER_DEVICE = "interface", "end-user-device"
TELEPHONY, STANDARD_BUILD = "telephony", "standard-build"

SHIPPED = {PHYSICAL_SERVER, VIRTUAL_SERVER, NETWORK_DEVICE, NETWORK_LINK, STORAGE, DATABASE,
           APPLICATION, INTERFACE, END_USER_DEVICE, TELEPHONY, STANDARD_BUILD}
SERVERS = {PHYSICAL_SERVER, VIRTUAL_SERVER}
HARDWARE = {PHYSICAL_SERVER, NETWORK_DEVICE, NETWORK_LINK, STORAGE, END_USER_DEVICE,
            TELEPHONY}
NETWORKED = HARDWARE | {VIRTUAL_SERVER}
SOFTWARE = {APPLICATION, DATABASE, INTERFACE}

ANY = None

# type -> (source classes, target classes); ANY allows every class.
ALLOWED_PAIRS: dict[str, tuple[set[str] | None, set[str] | None]] = {
    "runs_on": (SOFTWARE | {VIRTUAL_SERVER}, SERVERS),
    "depends_on": (ANY, ANY),
    "connects_to": (NETWORKED, NETWORKED),
    "backed_up_to": (SERVERS | {STORAGE, DATABASE, APPLICATION}, SERVERS | {STORAGE}),
    "located_at": (HARDWARE, HARDWARE),
    "uses": (ANY, ANY),
    "interfaces_with": (SOFTWARE, SOFTWARE),
}

# Which end stops working when the other is lost. These types make the source depend on
# the target (an application that runs on a server is down when the server is). Two are
# not followed: losing a backup target loses the backups, not the service; and losing one
# end of an interface delays the data passed, it does not stop the system at the other
# end (followed, every system would "stop" every system it exchanges files with). A
# system that cannot work without another is recorded as "depends on" it.
SOURCE_DEPENDS = {"runs_on", "depends_on", "connects_to", "located_at", "uses"}


def _allowed(allowed: set[str] | None, code: str) -> bool:
    return allowed is ANY or code not in SHIPPED or code in allowed


def pair_problem(relationship_type: str, source_class, target_class) -> str | None:
    """Why a `source_class` item cannot have this relationship with a `target_class`
    item, in words; None if it can."""
    if relationship_type not in ALLOWED_PAIRS:
        return None  # the field's choices refuse it
    sources, targets = ALLOWED_PAIRS[relationship_type]
    label = relationship_type.replace("_", " ")
    if not _allowed(sources, source_class.code):
        return (f"A {source_class.name.lower()} cannot be the source of “{label}”: choose "
                "another type, or swap the two items if the relationship runs the other way.")
    if not _allowed(targets, target_class.code):
        return (f"Nothing can “{label}” a {target_class.name.lower()}: choose another type, "
                "or swap the two items if the relationship runs the other way.")
    return None
