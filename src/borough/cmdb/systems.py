"""The systems catalogue and the architecture map: the applications the council's service
units use, and the interfaces that pass data between them.

An interface is recorded either directly (Payroll "interfaces with" the HR system) or as
an interface CI between two systems (Payroll ↔ "Payroll to ledger nightly file" ↔
Financials), which can carry its method and frequency; both count. Retired items are left
out. An interface CI that reaches fewer than two systems is a loose end: the map cannot
show it, and the evidence rule counts it as a gap."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from django.db.models import Count, F, Q, QuerySet

from borough.cmdb import rules
from borough.cmdb.models import (
    CIClass,
    ConfigurationItem,
    Relationship,
    RelationshipType,
    Status,
)
from borough.core.links import record_url

# Beyond this many systems the map is too dense to read: the page asks for a service unit.
MAP_LIMIT = 150
# Systems on one page of the catalogue.
PER_PAGE = 50


@dataclass(frozen=True)
class Interface:
    source: ConfigurationItem
    target: ConfigurationItem
    # The interface CI it goes through, or None for a direct "interfaces with".
    via: ConfigurationItem | None

    def other(self, system: ConfigurationItem) -> ConfigurationItem:
        return self.target if system.pk == self.source.pk else self.source


@dataclass
class Architecture:
    systems: list[ConfigurationItem]
    interfaces: list[Interface]
    # Interface CIs reaching fewer than two systems, with the systems they do reach.
    loose_ends: list[tuple[ConfigurationItem, list[ConfigurationItem]]]

    def of(self, system: ConfigurationItem) -> list[Interface]:
        return [i for i in self.interfaces if system.pk in (i.source.pk, i.target.pk)]

    @property
    def unconnected(self) -> list[ConfigurationItem]:
        linked = {i.source.pk for i in self.interfaces} | {i.target.pk for i in self.interfaces}
        return [s for s in self.systems if s.pk not in linked]


def applications(user) -> QuerySet:
    """Every application this person may see that is not retired, with what the catalogue
    shows of it loaded."""
    return (ConfigurationItem.objects.visible_to(user)
            .filter(ci_class__code=rules.APPLICATION).exclude(status=Status.RETIRED)
            .select_related("ci_class", "service_unit", "owner", "support_team")
            # Those with no unit last on every database, as by_unit puts them.
            .order_by(F("service_unit__name").asc(nulls_last=True), "name", "pk"))


def architecture(user, *, service_unit_id: int | None = None) -> Architecture:
    """The systems (of one service unit, with the systems theirs interface with, or all)
    and their interfaces, in two queries."""
    links = list(
        Relationship.objects.visible_to(user)
        .filter(relationship_type=RelationshipType.INTERFACES_WITH)
        .filter(Q(source__ci_class__code__in=(rules.APPLICATION, rules.INTERFACE)),
                Q(target__ci_class__code__in=(rules.APPLICATION, rules.INTERFACE)))
        .exclude(source__status=Status.RETIRED).exclude(target__status=Status.RETIRED)
        .select_related("source__ci_class", "target__ci_class", "source__service_unit",
                        "target__service_unit")
        .order_by("pk"))
    interfaces, ends = [], defaultdict(dict)
    for link in links:
        kinds = (link.source.ci_class.code, link.target.ci_class.code)
        if kinds == (rules.APPLICATION, rules.APPLICATION):
            interfaces.append(Interface(link.source, link.target, None))
        elif rules.APPLICATION in kinds:
            system, via = ((link.source, link.target) if kinds[0] == rules.APPLICATION
                           else (link.target, link.source))
            ends[via][system.pk] = system
    loose = []
    for via, systems in ends.items():
        reached = sorted(systems.values(), key=lambda s: (s.name, s.pk))
        if len(reached) < 2:
            loose.append((via, reached))
        interfaces.extend(Interface(a, b, via) for a, b in combinations(reached, 2))
    systems = list(applications(user))
    if service_unit_id is not None:
        own = {s.pk for s in systems if s.service_unit_id == service_unit_id}
        interfaces = [i for i in interfaces if i.source.pk in own or i.target.pk in own]
        partners = own | {i.source.pk for i in interfaces} | {i.target.pk for i in interfaces}
        systems = [s for s in systems if s.pk in partners]
        loose = [(via, reached) for via, reached in loose
                 if any(s.pk in own for s in reached)]
    shown = {s.pk for s in systems}
    interfaces = [i for i in interfaces if i.source.pk in shown and i.target.pk in shown]
    interfaces.sort(key=lambda i: (i.source.name, i.target.name, i.via.name if i.via else ""))
    loose.sort(key=lambda pair: (pair[0].name, pair[0].pk))
    return Architecture(systems, interfaces, loose)


def interfaces_of(system: ConfigurationItem, user) -> list[Interface]:
    """The interfaces of one system, as `architecture(user).of(system)` lists them, read
    from its own relationships and those of the interface CIs it uses (two queries), not
    from every interface of the council."""
    scoped = (Relationship.objects.visible_to(user)
              .filter(relationship_type=RelationshipType.INTERFACES_WITH)
              .exclude(source__status=Status.RETIRED).exclude(target__status=Status.RETIRED)
              .select_related("source__ci_class", "target__ci_class", "source__service_unit",
                              "target__service_unit")
              # What the page shows of each end: fewer columns to compile and read.
              .only("organisation_id", "relationship_type", "source", "target",
                    *(f"{end}__{name}" for end in ("source", "target") for name in (
                        "reference", "name", "organisation_id", "ci_class", "ci_class__code",
                        "ci_class__name", "service_unit", "service_unit__name")))
              .order_by("pk"))
    kinds = (rules.APPLICATION, rules.INTERFACE)
    interfaces, vias = [], {}
    for link in scoped.filter(Q(source=system) | Q(target=system)):
        other = link.target if link.source_id == system.pk else link.source
        if other.ci_class.code == rules.APPLICATION:
            interfaces.append(Interface(link.source, link.target, None))
        elif other.ci_class.code == rules.INTERFACE:
            vias[other.pk] = other
    if vias:
        reached: dict[int, dict[int, ConfigurationItem]] = defaultdict(dict)
        for link in scoped.filter(Q(source_id__in=vias) | Q(target_id__in=vias)).filter(
                source__ci_class__code__in=kinds, target__ci_class__code__in=kinds):
            ends = (link.source, link.target)
            for via, other in (ends, ends[::-1]):
                if via.pk in vias and other.ci_class.code == rules.APPLICATION:
                    reached[via.pk][other.pk] = other
        for via_pk, ends_reached in reached.items():
            if system.pk not in ends_reached:
                continue
            for other in ends_reached.values():
                if other.pk != system.pk:
                    a, b = sorted((system, other), key=lambda s: (s.name, s.pk))
                    interfaces.append(Interface(a, b, vias[via_pk]))
    # Only systems the reader may see in the catalogue (not retired: excluded above).
    # A set: no order wanted (the catalogue's joins the units' names to sort by them).
    visible = set(applications(user).filter(
        pk__in={i.other(system).pk for i in interfaces}).order_by().values_list(
        "pk", flat=True))
    interfaces = [i for i in interfaces if i.other(system).pk in visible]
    interfaces.sort(key=lambda i: (i.source.name, i.target.name, i.via.name if i.via else ""))
    return interfaces


# What the catalogue's table shows of a system and of the records `applications` joins:
# the other columns (directory values, descriptions, the records' own bookkeeping) cost
# compiling, reading and a model instance's fields for each of the fifty rows.
CATALOGUE_COLUMNS = (
    "organisation_id", "reference", "name", "status", "data_classification", "attributes",
    "ci_class", "ci_class__name", "service_unit", "service_unit__name", "owner",
    "owner__full_name", "support_team", "support_team__name")


@dataclass(frozen=True)
class CatalogueRow:
    """A system with the facts the catalogue shows from its attributes (the application
    class's; an administrator may have renamed or dropped them, so each may be absent)."""

    system: ConfigurationItem

    @property
    def url(self) -> str:
        return record_url("cmdb:system_detail", self.system.pk)

    @property
    def users(self):
        return self.system.attributes.get("number_of_users")

    @property
    def supplier(self) -> str:
        return self.system.attributes.get("supplier") or self.system.attributes.get("vendor") or ""

    @property
    def hosting(self) -> str:
        return self.system.attributes.get("hosting") or ""


@dataclass
class UnitGroup:
    """A unit's systems on this page of the catalogue, and how many it has in all."""

    name: str
    rows: list[CatalogueRow]
    total: int


def unit_counts(systems: QuerySet) -> dict[int | None, int]:
    """{service unit id (None for none): how many of `systems`}: one query."""
    return dict(systems.order_by().values_list("service_unit_id").annotate(n=Count("pk")))


def by_unit(systems: list[ConfigurationItem], totals: dict[int | None, int] | None = None
            ) -> list[UnitGroup]:
    """The systems under their owning service unit's name, in the order given (by unit
    name, those with none last); each unit's total from `totals` when the systems are
    one page of them."""
    groups: dict[int | None, UnitGroup] = {}
    for system in systems:
        key = system.service_unit_id
        if key not in groups:
            groups[key] = UnitGroup(system.service_unit.name if key else "", [], 0)
        groups[key].rows.append(CatalogueRow(system))
    for key, group in groups.items():
        group.total = (totals or {}).get(key, len(group.rows))
    return list(groups.values())


def runs_on(system: ConfigurationItem, user) -> list[Relationship]:
    """What a system runs on (its servers), the server's class loaded."""
    found = list(Relationship.objects.visible_to(user)
                 .filter(source=system, relationship_type=RelationshipType.RUNS_ON)
                 .select_related("target__ci_class")
                 .only("organisation_id", "relationship_type", "redundancy_group", "source",
                       "target", "target__reference", "target__name",
                       "target__organisation_id", "target__ci_class", "target__ci_class__name")
                 .order_by("target__name"))
    for relationship in found:
        relationship.source = system
    return found


def application_class_id(user) -> int | None:
    return (CIClass.objects.visible_to(user).filter(code=rules.APPLICATION)
            .values_list("pk", flat=True).first())
