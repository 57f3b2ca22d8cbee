"""Reads of the CMDB that are more than a filter: a CI's relationships and what depends
on it. Other apps read the CMDB through here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partialmethod

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from borough.cmdb import graphcache, rules
from borough.cmdb import impact as graph
from borough.cmdb.models import ConfigurationItem, Relationship, RelationshipType, Status
from borough.core import imports, suggestions


@dataclass(frozen=True)
class Affected:
    item: ConfigurationItem | BriefItem  # BriefItem where asked for `brief`ly
    # From the affected item to the failed one, through what each depends on.
    path: tuple[ConfigurationItem | BriefItem, ...]

    @property
    def depth(self) -> int:
        return len(self.path) - 1


# What a page shows of a CI it lists (its link, reference, name and class's name): a
# hub's page lists hundreds, and loading them as model instances (two a row, with the
# class; all their columns before that) cost more than the queries.
BRIEF = ("pk", "reference", "name", "ci_class__name")


class BriefItem:
    """A CI as a page lists it (BRIEF): read as plain values, and shown as the model shows
    itself (its own __str__ and get_absolute_url, which read only these)."""

    __slots__ = ("pk", "reference", "name", "ci_class")
    _meta = ConfigurationItem._meta
    __str__ = ConfigurationItem.__str__
    get_absolute_url = ConfigurationItem.get_absolute_url

    def __init__(self, pk: int, reference: str, name: str, ci_class: str):
        # ci_class: the class's name, which is what the class shows as.
        self.pk, self.reference, self.name, self.ci_class = pk, reference, name, ci_class


class BriefRelationship:
    """A relationship as a CI's page lists it: its type and group, the page's own item
    at the near end and a BriefItem at the far end."""

    __slots__ = ("source", "target", "source_id", "target_id", "relationship_type",
                 "redundancy_group")
    get_relationship_type_display = partialmethod(
        Relationship._get_FIELD_display,
        field=Relationship._meta.get_field("relationship_type"))

    def __init__(self, source, target, relationship_type: str, redundancy_group: str):
        self.source, self.target = source, target
        self.source_id, self.target_id = source.pk, target.pk
        self.relationship_type, self.redundancy_group = relationship_type, redundancy_group


def relationships(item: ConfigurationItem, user, limit: int | None = None,
                  brief: bool = False) -> tuple[list, list]:
    """(what it points at, what points at it), each with the other end loaded; at most
    `limit` of each (a hub may have thousands: the relationships list has them all).
    `brief`: BriefRelationships, `item` itself as the near end."""
    scoped = Relationship.objects.visible_to(user)
    if not brief:
        scoped = scoped.select_related("source__ci_class", "target__ci_class")
        outgoing = scoped.filter(source=item).order_by("relationship_type", "target__name")
        incoming = scoped.filter(target=item).order_by("relationship_type", "source__name")
        return list(outgoing[:limit]), list(incoming[:limit])
    found = []
    for near, far in (("source", "target"), ("target", "source")):
        rows = (scoped.filter(**{near: item}).order_by("relationship_type", f"{far}__name")
                .values_list("relationship_type", "redundancy_group",
                             *(f"{far}__{name}" for name in BRIEF))[:limit])
        found.append([BriefRelationship(*((item, BriefItem(*far_end)) if near == "source"
                                          else (BriefItem(*far_end), item)), kind, group)
                      for kind, group, *far_end in rows])
    return found[0], found[1]


def relationship_counts(item: ConfigurationItem, user) -> tuple[int, int]:
    # One statement for both sides: a hub's page asks for both on every view.
    counts = (Relationship.objects.visible_to(user).filter(Q(source=item) | Q(target=item))
              .aggregate(outgoing=Count("pk", filter=Q(source=item)),
                         incoming=Count("pk", filter=Q(target=item))))
    return counts["outgoing"], counts["incoming"]


def _items(ids, user, brief: bool = False) -> dict[int, ConfigurationItem | BriefItem]:
    found = ConfigurationItem.objects.visible_to(user).filter(pk__in=list(ids))
    if brief:  # unordered: the caller orders
        return {row[0]: BriefItem(*row) for row in found.order_by().values_list(*BRIEF)}
    return {ci.pk: ci for ci in found.select_related("ci_class")}


def impact_of(item: ConfigurationItem, user) -> list[Affected]:
    """Every CI that stops, transitively, when `item` is lost, nearest first, each with
    the path by which it depends on `item`."""
    return nearest_affected(item, user, limit=None)[0]


def impact_on(item: ConfigurationItem) -> graph.Impact:
    """What stops when `item` is lost (ids), walked once for the instance: a page that
    asks twice (its list and a panel) walks once. Kept on the instance, which lives as
    long as the request that loaded it; nothing is kept between requests."""
    found = item.__dict__.get("_impact")
    if found is None:
        found = item.__dict__["_impact"] = graph.impact(
            item.pk, graph.DatabaseGraph(item.organisation_id))
    return found


def nearest_affected(item: ConfigurationItem, user, limit: int | None,
                     brief: bool = False) -> tuple[list[Affected], int]:
    """impact_of's first `limit` (all with None), and how many stop in all: only the
    paths listed are built and their items loaded (a hub stops tens of thousands).
    `brief`: the items as BriefItems (what a page lists of them)."""
    return impact_and_single_points(item, user, limit, brief, single_points=False)[:2]


def single_points_of_failure(item: ConfigurationItem, user,
                             brief: bool = False) -> list[ConfigurationItem]:
    """The CIs whose loss alone stops `item`, by name (`brief`: as nearest_affected)."""
    found = graph.single_points_of_failure(item.pk, graph.DatabaseGraph(item.organisation_id))
    return _by_name(found, _items(found, user, brief))


def impact_and_single_points(item: ConfigurationItem, user, limit: int | None,
                             brief: bool = False, single_points: bool = True
                             ) -> tuple[list[Affected], int, list[ConfigurationItem]]:
    """nearest_affected's two answers and single_points_of_failure's (empty when not
    asked for), with the items of both read in one query: the CI page shows all three."""
    found = impact_on(item)
    paths = found.nearest(limit)
    points = (graph.single_points_of_failure(item.pk, graph.DatabaseGraph(
        item.organisation_id)) if single_points else set())
    items = _items({i for path in paths.values() for i in path} | points, user, brief)
    return ([Affected(items[i], tuple(items[p] for p in path))
             for i, path in paths.items() if all(p in items for p in path)], len(found),
            _by_name(points, items))


def _by_name(ids, items: dict[int, ConfigurationItem]) -> list[ConfigurationItem]:
    return sorted((items[i] for i in ids if i in items), key=lambda ci: (ci.name, ci.pk))


# The impact graph's pure functions, for apps that put nodes of their own on it (the
# service catalogue adds business services): other apps reach them here, not in
# cmdb.impact (STYLE.md, Boundaries). See docs/cmdb.md, "Impact analysis".
Dependency = graph.Dependency
DatabaseGraph = graph.DatabaseGraph
MemoryGraph = graph.MemoryGraph
closure_of_set = graph.closure_of_set
closure_pairs = graph.closure_pairs
group_key = graph.group_key
impact_graph = graph.impact
dependency_paths = graph.dependency_paths
dependent_paths = graph.dependent_paths
# The organisation's whole dependency graph, kept by the process (cmdb.graphcache).
dependency_graph = graphcache.dependency_graph
kept_dependency_graph = graphcache.kept_dependency_graph
single_points_of_failure_of_each = graph.single_points_of_failure_of_each
# Ids per `IN (...)` list in ORM reads: SQLite refuses statements with too many parameters.
CHUNK = 5000


def items_by_id(ids, user) -> dict[int, ConfigurationItem]:
    """The CIs with these ids that `user` may see, with their class."""
    return _items(ids, user)


# --- for other apps choosing and showing CIs (the service desk's tickets) ---------------

def choosable_items(user):
    """The CIs `user` may name on a record (a ticket's CI): every one they can see, retired
    too, so a ticket about a retired one still reads as it was."""
    return ConfigurationItem.objects.visible_to(user)


def suggest_items(user, text: str, limit: int = suggestions.LIMIT) -> list[ConfigurationItem]:
    """Suggestions as `user` types part of a CI's name or reference: those they can see,
    not retired, with their class."""
    return suggestions.suggest(choosable_items(user).exclude(status=Status.RETIRED)
                               .select_related("ci_class"), text, limit)


def dependent_ids(item_id: int) -> RawSQL:
    """The ids of every CI that depends on `item_id`, transitively, whatever the
    redundancy (what it *supports*, not only what stops: that is impact_of), as one
    recursive query to use in `pk__in=`. UNION (not UNION ALL) ends cycles."""
    table = connection.ops.quote_name(Relationship._meta.db_table)
    kinds = sorted(rules.SOURCE_DEPENDS)
    marks = ", ".join(["%s"] * len(kinds))
    # Only the table's name and placeholders are written in; every value is a parameter.
    return RawSQL(  # noqa: S611 - metadata and placeholders only
        f"WITH RECURSIVE dependents(id) AS ("  # noqa: S608 - metadata and placeholders only
        f" SELECT source_id FROM {table} WHERE target_id = %s AND relationship_type IN ({marks})"
        f" UNION"
        f" SELECT r.source_id FROM {table} r JOIN dependents d ON r.target_id = d.id"
        f" WHERE r.relationship_type IN ({marks})"
        f") SELECT id FROM dependents", [item_id, *kinds, *kinds])


def live_system_ids(organisation_id: int) -> list[int]:
    """The ids of the organisation's live systems (applications not retired), in order."""
    return list(ConfigurationItem.objects.filter(
        organisation_id=organisation_id, ci_class__code=rules.APPLICATION)
        .exclude(status=Status.RETIRED).order_by("pk").values_list("pk", flat=True))


def systems_depending_on_each(organisation_id: int, item_ids,
                              graph: graphcache.DependencyGraph | None = None
                              ) -> dict[int, list[int]]:
    """For each of `item_ids`, the live systems (applications not retired) that depend on
    it, transitively, by id: for each, what `dependent_ids` and a filter give one item at
    a time. Item by item, each walk up from a core switch or a SAN visits most of the
    estate (a system's cost page shares dozens of such items); reading the whole graph
    per page took most of a second at 20,000 items. Here the organisation's graph as the
    process keeps it (graphcache, `graph` if given) and which systems sit above each of
    its components (graphcache.systems_above, kept for the graph's generation and the
    live systems, which are read each time): two small queries when both are kept."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    if graph is None:
        graph = graphcache.dependency_graph(organisation_id)
    above = graphcache.systems_above(graph, live_system_ids(organisation_id))
    return {pk: above.systems_depending_on(graph, pk) for pk in ids}


def place_among_dependents(organisation_id: int, item_ids, system_id: int,
                           graph: graphcache.DependencyGraph | None = None
                           ) -> dict[int, tuple[int, int | None]]:
    """For each of `item_ids`: how many live systems depend on it (the length of
    systems_depending_on_each's list) and the place of `system_id` in that list (None
    when it does not depend on it); for one system's share, without listing every
    system that depends on a core switch."""
    if graph is None:
        graph = graphcache.dependency_graph(organisation_id)
    above = graphcache.systems_above(graph, live_system_ids(organisation_id))
    return {pk: above.place_among(graph, pk, system_id) for pk in set(item_ids)}


def dependents_of(item_id: int, user, limit: int = 10) -> tuple[list[ConfigurationItem], int]:
    """Up to `limit` of the CIs that depend on `item_id` (transitively) that `user` can
    see, by name, and how many there are: one query."""
    found = list(choosable_items(user).filter(pk__in=dependent_ids(item_id))
                 .exclude(pk=item_id).annotate(total=Window(Count("pk")))
                 .order_by("name", "pk")[:limit])
    return found, (found[0].total if found else 0)


def applications_of_unit(organisation_id: int, service_unit_id: int | None
                         ) -> list[ConfigurationItem]:
    """The live applications a service unit owns, by name: what the portal offers its
    staff as "which system?" (the portal reads these for a requester, who cannot open
    the CMDB, and shows their names only)."""
    if service_unit_id is None:
        return []
    return list(ConfigurationItem.objects.filter(
        organisation_id=organisation_id, service_unit_id=service_unit_id,
        ci_class__code=rules.APPLICATION, status=Status.LIVE).order_by("name", "pk"))


def label_of(outer_ref: str) -> Subquery:
    """A CI's "REFERENCE Name" for the id in another query's `outer_ref` column, as a
    scalar subquery: lists of tickets name their CI without a join or a query a row."""
    return Subquery(ConfigurationItem.objects.filter(pk=OuterRef(outer_ref)).order_by()
                    .annotate(label=Concat("reference", Value(" "), "name"))
                    .values("label")[:1])


# --- for the licences module: the records a licence's consumption is counted from -------
# Each takes the organisation (an evidence rule counts for the council, with no user) and
# answers for many items at once, so the compliance page of every licence makes a fixed
# number of queries. Retired items are never counted.

def recorded_users(organisation_id: int, application_ids) -> dict[int, int | None]:
    """{application id: its "number of users" attribute (the systems catalogue's), None
    where it is not recorded or not a whole number}."""
    found = {}
    for pk, values in (ConfigurationItem.objects.filter(organisation_id=organisation_id,
                                                        pk__in=list(application_ids))
                       .values_list("pk", "attributes")):
        users = (values or {}).get("number_of_users")
        found[pk] = users if isinstance(users, int) and not isinstance(users, bool) else None
    return found


def _users_of(organisation_id: int, target_ids) -> QuerySet:
    return (Relationship.objects.filter(organisation_id=organisation_id,
                                        target_id__in=list(target_ids),
                                        relationship_type=RelationshipType.USES)
            .exclude(source__status=Status.RETIRED))


def counts_of_users(organisation_id: int, target_ids) -> dict[int, int]:
    """{item id: how many items that are not retired "use" it}: installations of an
    application, devices on a standard build. One query."""
    return dict(_users_of(organisation_id, target_ids).order_by().values_list("target_id")
                .annotate(n=Count("pk")))


def items_using(target: ConfigurationItem, user) -> list[ConfigurationItem]:
    """The items (not retired) that "use" `target` and `user` may see, by name."""
    return list(ConfigurationItem.objects.visible_to(user)
                .filter(pk__in=_users_of(target.organisation_id, [target.pk])
                        .values("source_id"))
                .select_related("ci_class").order_by("name", "pk"))


def _devices(organisation_id: int) -> QuerySet:
    return (ConfigurationItem.objects.filter(organisation_id=organisation_id,
                                             ci_class__code=rules.END_USER_DEVICE)
            .exclude(status=Status.RETIRED))


def count_devices(organisation_id: int) -> int:
    """How many end-user devices (not retired) the organisation has."""
    return _devices(organisation_id).count()


def devices(user, *, build_id: int | None = None) -> QuerySet:
    """The end-user devices (not retired) `user` may see, those that "use" the standard
    build `build_id` if given, by name."""
    found = (ConfigurationItem.objects.visible_to(user)
             .filter(ci_class__code=rules.END_USER_DEVICE).exclude(status=Status.RETIRED))
    if build_id is not None:
        found = found.filter(outgoing__target_id=build_id,
                             outgoing__relationship_type=RelationshipType.USES)
    return found.select_related("ci_class").order_by("name", "pk")


APPLICATION_CLASS = rules.APPLICATION
STANDARD_BUILD_CLASS = rules.STANDARD_BUILD
END_USER_DEVICE_CLASS = rules.END_USER_DEVICE


@dataclass(frozen=True)
class Server:
    """A server an application runs on, with its CPU cores (None: not recorded)."""

    pk: int
    reference: str
    name: str
    cores: int | None


def servers_run_on(organisation_id: int, application_ids) -> dict[int, list[Server]]:
    """{application id: the servers (not retired) it "runs on", by name, with the
    cpu_cores attribute of each}. One query."""
    found: dict[int, list[Server]] = {}
    for source_id, pk, reference, name, values in (
            Relationship.objects.filter(organisation_id=organisation_id,
                                        source_id__in=list(application_ids),
                                        relationship_type=RelationshipType.RUNS_ON,
                                        target__ci_class__code__in=rules.SERVERS)
            .exclude(target__status=Status.RETIRED)
            .order_by("target__name", "target_id")
            .values_list("source_id", "target_id", "target__reference", "target__name",
                         "target__attributes")):
        cores = (values or {}).get("cpu_cores")
        cores = cores if isinstance(cores, int) and not isinstance(cores, bool) else None
        found.setdefault(source_id, []).append(Server(pk, reference, name, cores))
    return found


# Class codes other apps read items by (finance: systems are applications; devices are
# end-user devices).
APPLICATION = rules.APPLICATION
END_USER_DEVICE = rules.END_USER_DEVICE
# The classes of servers (licences: cores are counted on the servers an application runs on).
SERVER_CLASSES = frozenset(rules.SERVERS)


def application_class_ids(organisation) -> list[int]:
    """The ids of the organisation's application classes (the systems catalogue's items),
    for other apps' evidence rules that read "the live systems" as they stood."""
    from borough.cmdb.models import CIClass

    return list(CIClass.objects.for_organisation(organisation)
                .filter(code=rules.APPLICATION).values_list("pk", flat=True))


class ItemLookup:
    """A configuration item named in a spreadsheet cell: by reference (CI-000123), by
    name, by both as Borough shows them ("CI-000123 Payroll") or by id, among the items
    `user` can see in the organisation, read once (the CMDB's imports, and capacity's
    upload of measurements)."""

    def __init__(self, user, organisation_id: int):
        self.by_text: dict[str, set[int]] = {}
        rows = ConfigurationItem.objects.visible_to(user).filter(
            organisation_id=organisation_id).values_list("pk", "reference", "name")
        for pk, reference, name in rows:
            for text in (reference, name, f"{reference} {name}", str(pk)):
                self.by_text.setdefault(" ".join(text.split()).casefold(), set()).add(pk)

    def __call__(self, cell) -> int:
        text = " ".join(imports._text(cell).split())
        found = self.by_text.get(text.casefold(), set())
        if not found:
            raise imports.CellError(
                f"There is no configuration item “{text}” you can choose. Use its "
                "reference (like CI-000123) or its name as the CMDB shows it.")
        if len(found) > 1:
            raise imports.CellError(f"“{text}” matches more than one configuration item: "
                                    "use its reference, like CI-000123.")
        return next(iter(found))
