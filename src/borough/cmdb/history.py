"""A configuration item and its relationships as they were at a past moment, read from
the versions core.temporal keeps (docs/cmdb.md, "History and as-of")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from borough.cmdb import attributes
from borough.cmdb.models import (
    ConfigurationItem,
    ConfigurationItemVersion,
    RelationshipType,
    RelationshipVersion,
)
from borough.core.temporal import valid_at, versioned_fields

# The item's own fields shown as of a moment, in the order of its page.
SHOWN = ("reference", "name", "ci_class", "status", "owner", "service_unit", "support_team",
         "site", "criticality", "data_classification", "description")


class NotThen(Exception):
    """The item has no recorded state at that moment; the message says why."""


@dataclass(frozen=True)
class RelationshipThen:
    relationship_id: int
    outgoing: bool  # this item is the source
    relationship_type: str
    type_label: str
    other_id: int
    other_name: str  # "CI-000123 Name", as it was then
    redundancy_group: str


@dataclass(frozen=True)
class ItemThen:
    item: ConfigurationItem
    at: datetime.datetime
    version: ConfigurationItemVersion
    rows: list[tuple[str, object]]  # (label, value as shown then)
    attribute_rows: list[tuple[str, str]]
    attributes: dict
    relationships: list[RelationshipThen]

    @property
    def outgoing(self) -> list[RelationshipThen]:
        return [r for r in self.relationships if r.outgoing]

    @property
    def incoming(self) -> list[RelationshipThen]:
        return [r for r in self.relationships if not r.outgoing]


def when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%-d %B %Y} at {local:%H:%M}"


def item_as_of(item: ConfigurationItem, at: datetime.datetime) -> ItemThen:
    """`item` (a record the caller may see) as it was at `at`: its fields and attributes,
    and the relationships that existed then with the other ends' names as they were.
    Three queries whatever the number of relationships."""
    version = valid_at(ConfigurationItemVersion, at).filter(record_id=item.pk).first()
    if version is None:
        raise NotThen(_why_not(item, at))
    rels = list(valid_at(RelationshipVersion, at).filter(
        organisation_id=item.organisation_id).filter(
        Q(source_id=item.pk) | Q(target_id=item.pk)))
    others = {r.target_id if r.source_id == item.pk else r.source_id for r in rels}
    names = names_at(others, at, item.organisation_id)
    labels = dict(RelationshipType.choices)
    relationships = []
    for r in rels:
        outgoing = r.source_id == item.pk
        other = r.target_id if outgoing else r.source_id
        fallback = r.display.get("target" if outgoing else "source") or f"#{other}"
        relationships.append(RelationshipThen(
            r.record_id, outgoing, r.relationship_type,
            labels.get(r.relationship_type, r.relationship_type), other,
            names.get(other, fallback), r.values.get("redundancy_group") or ""))
    relationships.sort(key=lambda r: (not r.outgoing, r.type_label, r.other_name))
    fields = {f.name: f for f in versioned_fields(ConfigurationItem)}
    rows = [(fields[name].verbose_name[:1].upper() + fields[name].verbose_name[1:],
             version.display.get(name)) for name in SHOWN if name in fields]
    values = version.values.get("attributes") or {}
    return ItemThen(item, at, version, rows, attribute_rows(item.ci_class, values), values,
                    relationships)


def attribute_rows(ci_class, values: dict) -> list[tuple[str, str]]:
    """(label, value) for each attribute: the class's definitions in order, then any
    value the class no longer defines, under its own name."""
    definitions = ci_class.definitions() if ci_class is not None else []
    known = {d["name"] for d in definitions}
    rows = [(d["label"], attributes.display(d, values.get(d["name"]))) for d in definitions]
    rows += [(name, str(value)) for name, value in sorted(values.items()) if name not in known]
    return rows


def names_at(ids, at: datetime.datetime, organisation_id: int) -> dict[int, str]:
    """Item id -> "CI-000123 Name" as it was at `at`, for those of `ids` recorded then."""
    ids = list(ids)
    found = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for record_id, display in valid_at(ConfigurationItemVersion, at).filter(
                organisation_id=organisation_id, record_id__in=chunk).values_list(
                "record_id", "display"):
            found[record_id] = item_name(display)
    return found


def item_name(display: dict) -> str:
    return " ".join(p for p in (display.get("reference"), display.get("name")) if p)


def _why_not(item: ConfigurationItem, at: datetime.datetime) -> str:
    first = ConfigurationItemVersion.objects.filter(record_id=item.pk).order_by(
        "valid_from").values_list("valid_from", flat=True).first()
    if at < item.created_at:
        return (f"{item} did not exist on {when(at)}: it was added on "
                f"{when(item.created_at)}. Choose a later date.")
    if first is None:
        return (f"No earlier states of {item} are recorded: Borough keeps them from the "
                "moment an item is saved through it.")
    return (f"Borough has kept the states of {item} since {when(first)}; what it was "
            f"before then is not recorded (its History tab lists the changes). Choose "
            "a later date.")


# --- reading "as of" from what people type -------------------------------------------------

MOMENT_HELP = ("a date, like 2025-03-31 (the end of that day), or a date and time, like "
               "2025-03-31T14:30 (UK time unless an offset is given)")


def moment(day: datetime.date, time: datetime.time | None = None) -> datetime.datetime:
    """The moment people mean by a date (the end of that day, or now if that is today)
    and an optional time of day, in UK time; refused in the future."""
    zone = timezone.get_current_timezone()
    if day > timezone.localdate():
        raise ValueError("That is in the future: choose a date and time up to now.")
    if time is None:
        at = datetime.datetime.combine(day, datetime.time.max).replace(tzinfo=zone)
        at = min(at, timezone.now())
    else:
        at = datetime.datetime.combine(day, time).replace(tzinfo=zone)
    if at > timezone.now():
        raise ValueError("That is in the future: choose a date and time up to now.")
    return at


def parse_moment(text: str) -> datetime.datetime:
    """`text` as MOMENT_HELP says, or ValueError saying what to send."""
    text = (text or "").strip()
    try:
        if len(text) == 10:
            return moment(datetime.date.fromisoformat(text))
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        if "future" in str(exc):
            raise
        raise ValueError(f"Give {MOMENT_HELP}.") from None
    if timezone.is_naive(parsed):
        return moment(parsed.date(), parsed.time())
    if parsed > timezone.now():
        raise ValueError("That is in the future: choose a date and time up to now.")
    return parsed
