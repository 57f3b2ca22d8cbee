"""Baselines: what a baseline freezes, and the comparison of a baseline with a later
state (now, or as of a date), field by field. A few queries per table whatever the
number of items: states are read whole and compared in Python, never one item at a time
(docs/cmdb.md, "Baselines")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from borough.cmdb import attributes
from borough.cmdb.history import item_name, when
from borough.cmdb.models import (
    Baseline,
    BaselineItem,
    BaselineRelationship,
    BaselineScope,
    CIClass,
    ConfigurationItem,
    ConfigurationItemVersion,
    Relationship,
    RelationshipType,
    RelationshipVersion,
    Status,
)
from borough.core.temporal import capture, valid_at, versioned_fields

# What a relationship's display values read (its ends' __str__: reference and name),
# loaded with it and only those columns: building thousands of full CI rows for the ends
# (their attributes JSON) was most of the cost.
END_SHOWN = ("source__reference", "source__name", "target__reference", "target__name")
BATCH = 2000


def with_displays(items: models.QuerySet) -> models.QuerySet:
    """Items with every related record their display values read (one query for many),
    whatever relations the model gains."""
    related = [f.name for f in versioned_fields(ConfigurationItem) if f.is_relation]
    return items.select_related(*related)


def relationships_with_ends(relationships: models.QuerySet) -> models.QuerySet:
    own = [f.name for f in Relationship._meta.concrete_fields]
    return relationships.select_related("source", "target").only(*own, *END_SHOWN)


def scope_filter(scope: str, ci_class_id: int | None) -> Q:
    """The items a scope covers, on ConfigurationItem and its versions alike (both have
    `status` and `ci_class_id`). Chosen items are narrowed by id by the caller."""
    if scope == BaselineScope.LIVE:
        return Q(status=Status.LIVE)
    if scope == BaselineScope.CI_CLASS:
        return Q(ci_class_id=ci_class_id) & ~Q(status=Status.RETIRED)
    return Q()


def relationships_of(items: models.QuerySet) -> Q:
    """Relationships with at least one end among `items` (a queryset of CIs)."""
    ids = items.values("pk")
    return Q(source_id__in=ids) | Q(target_id__in=ids)


# --- taking -------------------------------------------------------------------------------


def freeze(baseline: Baseline, items: models.QuerySet) -> None:
    """Write the baseline's items and their relationships as they are now: two reads and
    batched inserts (10,000 items take seconds)."""
    rows = (BaselineItem(baseline=baseline, item_id=ci.pk, **_captured(ci))
            for ci in with_displays(items).order_by("pk").iterator(BATCH))
    made = BaselineItem.objects.bulk_create(rows, batch_size=BATCH)
    rels = relationships_with_ends(Relationship.objects.filter(
        organisation_id=baseline.organisation_id).filter(relationships_of(items))).order_by("pk")
    rel_rows = (BaselineRelationship(
        baseline=baseline, relationship_id=r.pk, source_id=r.source_id, target_id=r.target_id,
        relationship_type=r.relationship_type, **_captured(r)) for r in rels.iterator(BATCH))
    made_rels = BaselineRelationship.objects.bulk_create(rel_rows, batch_size=BATCH)
    Baseline.objects.filter(pk=baseline.pk).update(item_count=len(made),
                                                   relationship_count=len(made_rels))
    baseline.item_count, baseline.relationship_count = len(made), len(made_rels)


def _captured(record) -> dict:
    values, display = capture(record)
    return {"values": values, "display": display}


# --- states to compare ----------------------------------------------------------------------


@dataclass(frozen=True)
class Frozen:
    """One item or relationship in a state: its stored values and what people saw."""

    id: int
    values: dict
    display: dict


@dataclass
class State:
    items: dict[int, Frozen]
    # (source id, type, target id) -> the relationship: a relationship deleted and made
    # again between the same items is the same relationship for a comparison.
    relationships: dict[tuple[int, str, int], Frozen]
    # item id -> "CI-000123 Name", for the relationships' ends (in the scope or not).
    names: dict[int, str]


def rel_key(values: dict) -> tuple[int, str, int]:
    return (values["source_id"], values["relationship_type"], values["target_id"])


def baseline_state(baseline: Baseline) -> State:
    items = {i: Frozen(i, v, d) for i, v, d in BaselineItem.objects.filter(
        baseline=baseline).values_list("item_id", "values", "display").iterator(BATCH)}
    rels = {rel_key(v): Frozen(i, v, d) for i, v, d in BaselineRelationship.objects.filter(
        baseline=baseline).values_list("relationship_id", "values", "display").iterator(BATCH)}
    return State(items, rels, _names(items, rels))


def _names(items: dict[int, Frozen], rels: dict, extra: dict | None = None) -> dict[int, str]:
    names = {}
    for rel in rels.values():  # an end outside the scope: its name as the relationship saw it
        names[rel.values["source_id"]] = rel.display.get("source") or ""
        names[rel.values["target_id"]] = rel.display.get("target") or ""
    names.update(extra or {})
    names.update({i: item_name(f.display) for i, f in items.items()})
    return names


def state_now(baseline: Baseline, user) -> State:
    """The baseline's scope applied to the records as they are now, as `user` sees them."""
    scoped = ConfigurationItem.objects.visible_to(user).filter(
        organisation_id=baseline.organisation_id)
    chosen = scoped.filter(scope_filter(baseline.scope, baseline.ci_class_id))
    if baseline.scope == BaselineScope.CHOSEN:
        chosen = chosen.filter(pk__in=baseline.frozen_items.values("item_id"))
    items = {ci.pk: Frozen(ci.pk, *capture(ci)) for ci in
             with_displays(chosen).iterator(BATCH)}
    rels = {}
    for r in relationships_with_ends(Relationship.objects.visible_to(user).filter(
            organisation_id=baseline.organisation_id).filter(relationships_of(chosen))
            ).iterator(BATCH):
        values, display = capture(r)
        rels[rel_key(values)] = Frozen(r.pk, values, display)
    return State(items, rels, _names(items, rels))


def state_at(baseline: Baseline, at: datetime.datetime) -> State:
    """The baseline's scope applied to the versions in force at `at`."""
    versions = valid_at(ConfigurationItemVersion, at).filter(
        organisation_id=baseline.organisation_id)
    chosen = versions.filter(scope_filter(baseline.scope, baseline.ci_class_id))
    if baseline.scope == BaselineScope.CHOSEN:
        chosen = chosen.filter(record_id__in=baseline.frozen_items.values("item_id"))
    items = {i: Frozen(i, v, d) for i, v, d in
             chosen.values_list("record_id", "values", "display").iterator(BATCH)}
    ids = chosen.values("record_id")
    rel_versions = valid_at(RelationshipVersion, at).filter(
        organisation_id=baseline.organisation_id).filter(
        Q(source_id__in=ids) | Q(target_id__in=ids))
    rels = {rel_key(v): Frozen(i, v, d) for i, v, d in
            rel_versions.values_list("record_id", "values", "display").iterator(BATCH)}
    # The ends outside the scope, with their names as they were then.
    ends = versions.filter(Q(record_id__in=rel_versions.values("source_id"))
                           | Q(record_id__in=rel_versions.values("target_id"))
                           ).exclude(record_id__in=ids)
    extra = {i: item_name(d) for i, d in ends.values_list("record_id", "display")}
    return State(items, rels, _names(items, rels, extra))


# --- comparing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str  # the label people read
    before: str
    after: str
    attribute: bool = False


@dataclass(frozen=True)
class ItemDifference:
    item_id: int
    name: str  # "CI-000123 Name"
    changes: tuple[FieldChange, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class RelationshipDifference:
    relationship_id: int
    source: str
    relationship_type: str
    type_label: str
    target: str
    changes: tuple[FieldChange, ...] = ()

    def __str__(self):
        return f"{self.source} {self.type_label} {self.target}"


@dataclass
class Comparison:
    baseline: Baseline
    at: datetime.datetime | None  # None: now
    added: list[ItemDifference] = field(default_factory=list)
    removed: list[ItemDifference] = field(default_factory=list)
    changed: list[ItemDifference] = field(default_factory=list)
    unchanged: int = 0
    relationships_added: list[RelationshipDifference] = field(default_factory=list)
    relationships_removed: list[RelationshipDifference] = field(default_factory=list)
    relationships_changed: list[RelationshipDifference] = field(default_factory=list)

    @property
    def later(self) -> str:
        return "now" if self.at is None else f"on {when(self.at)}"

    @property
    def differs(self) -> bool:
        return any((self.added, self.removed, self.changed, self.relationships_added,
                    self.relationships_removed, self.relationships_changed))

    def csv_rows(self) -> list[list[str]]:
        """One row per difference (per field for a change), for the CSV export."""
        head = ["What", "Configuration item or relationship", "Field", "In the baseline",
                self.later[:1].upper() + self.later[1:]]
        rows = [head]
        for kind, found in (("Item added", self.added), ("Item removed", self.removed)):
            rows += [[kind, d.name, "", "", d.note] for d in found]
        rows += [["Item changed", d.name, c.field, c.before, c.after]
                 for d in self.changed for c in d.changes]
        for kind, found in (("Relationship added", self.relationships_added),
                            ("Relationship removed", self.relationships_removed)):
            rows += [[kind, str(d), "", "", ""] for d in found]
        rows += [["Relationship changed", str(d), c.field, c.before, c.after]
                 for d in self.relationships_changed for c in d.changes]
        return rows


def compare(baseline: Baseline, user, at: datetime.datetime | None = None) -> Comparison:
    """`baseline` against the state now (`at` None) or as of `at`, field by field."""
    then = baseline_state(baseline)
    later = state_now(baseline, user) if at is None else state_at(baseline, at)
    result = Comparison(baseline, at)
    item_fields = [(f.attname, f.name, _label(f)) for f in versioned_fields(ConfigurationItem)
                   if f.name != "attributes"]
    schemas = _schemas(baseline.organisation_id)
    for item_id, now in later.items.items():
        before = then.items.get(item_id)
        if before is None:
            result.added.append(ItemDifference(item_id, item_name(now.display)))
            continue
        changes = _item_changes(before, now, item_fields, schemas)
        if changes:
            result.changed.append(ItemDifference(item_id, item_name(now.display), changes))
        else:
            result.unchanged += 1
    gone = [i for i in then.items if i not in later.items]
    notes = _why_gone(baseline, gone, user, at)
    result.removed = [ItemDifference(i, item_name(then.items[i].display), note=notes[i])
                      for i in gone]
    rel_fields = [(name, name, _label(Relationship._meta.get_field(name)))
                  for name in ("redundancy_group", "description")]
    for key, now in later.relationships.items():
        before = then.relationships.get(key)
        if before is None:
            result.relationships_added.append(_rel_difference(now, later.names))
        elif changes := tuple(_field_changes(before, now, rel_fields)):
            result.relationships_changed.append(_rel_difference(now, later.names, changes))
    result.relationships_removed = [_rel_difference(rel, then.names)
                                    for key, rel in then.relationships.items()
                                    if key not in later.relationships]
    for found in (result.added, result.removed, result.changed):
        found.sort(key=lambda d: d.name)
    for found in (result.relationships_added, result.relationships_removed,
                  result.relationships_changed):
        found.sort(key=str)
    return result


def _label(model_field) -> str:
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]


def _shown(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "Yes" if value else "No"
    return str(value)


def _field_changes(before: Frozen, after: Frozen, fields):
    for attname, name, label in fields:
        if before.values.get(attname) != after.values.get(attname):
            yield FieldChange(label, _shown(before.display.get(name)),
                              _shown(after.display.get(name)))


def _item_changes(before: Frozen, after: Frozen, fields, schemas) -> tuple[FieldChange, ...]:
    changes = list(_field_changes(before, after, fields))
    old = before.values.get("attributes") or {}
    new = after.values.get("attributes") or {}
    if old != new:
        definitions = schemas.get(after.values.get("ci_class_id"), {})
        order = list(definitions) + sorted((set(old) | set(new)) - set(definitions))
        for name in order:
            if old.get(name) != new.get(name):
                definition = definitions.get(name, {"type": "text", "label": name})
                changes.append(FieldChange(
                    definition["label"], attributes.display(definition, old.get(name)),
                    attributes.display(definition, new.get(name)), attribute=True))
    return tuple(changes)


def _schemas(organisation_id: int) -> dict[int, dict[str, dict]]:
    """Class id -> attribute name -> definition, for the labels of attribute changes."""
    return {pk: {d["name"]: d for d in attributes.definitions(schema)}
            for pk, schema in CIClass.objects.filter(organisation_id=organisation_id)
            .values_list("pk", "attribute_schema")}


def _rel_difference(rel: Frozen, names: dict[int, str], changes=()) -> RelationshipDifference:
    source, kind, target = rel_key(rel.values)
    return RelationshipDifference(
        rel.id, names.get(source) or rel.display.get("source") or f"#{source}", kind,
        dict(RelationshipType.choices).get(kind, kind),
        names.get(target) or rel.display.get("target") or f"#{target}", tuple(changes))


def _why_gone(baseline: Baseline, ids: list[int], user, at) -> dict[int, str]:
    """Why each of `ids` left the scope: deleted, or its status or class moved on."""
    statuses = dict(Status.choices)
    found = {}
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        if at is None:
            rows = ConfigurationItem.objects.visible_to(user).filter(pk__in=chunk).values_list(
                "pk", "status", "ci_class_id")
        else:
            rows = valid_at(ConfigurationItemVersion, at).filter(
                organisation_id=baseline.organisation_id, record_id__in=chunk).values_list(
                "record_id", "status", "ci_class_id")
        for pk, status, ci_class_id in rows:
            if baseline.scope == BaselineScope.CI_CLASS and ci_class_id != baseline.ci_class_id:
                found[pk] = "Now of another class."
            else:
                found[pk] = f"Now {statuses.get(status, status).lower()}."
    return {i: found.get(i, "Deleted.") for i in ids}
