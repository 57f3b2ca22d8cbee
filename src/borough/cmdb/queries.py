"""Reads of the CMDB that are more than a filter: a CI's relationships and what depends
on it. Other apps read the CMDB through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from borough.cmdb import impact as graph
from borough.cmdb import rules
from borough.cmdb.models import ConfigurationItem, Relationship, Status
from borough.core import suggestions


@dataclass(frozen=True)
class Affected:
    item: ConfigurationItem
    # From the affected item to the failed one, through what each depends on.
    path: tuple[ConfigurationItem, ...]

    @property
    def depth(self) -> int:
        return len(self.path) - 1


def relationships(item: ConfigurationItem, user, limit: int | None = None) -> tuple[list, list]:
    """(what it points at, what points at it), each with the other end loaded; at most
    `limit` of each (a hub may have thousands: the relationships list has them all)."""
    scoped = Relationship.objects.visible_to(user).select_related(
        "source__ci_class", "target__ci_class")
    outgoing = scoped.filter(source=item).order_by("relationship_type", "target__name")
    incoming = scoped.filter(target=item).order_by("relationship_type", "source__name")
    return list(outgoing[:limit]), list(incoming[:limit])


def relationship_counts(item: ConfigurationItem, user) -> tuple[int, int]:
    scoped = Relationship.objects.visible_to(user)
    return scoped.filter(source=item).count(), scoped.filter(target=item).count()


def _items(ids, user) -> dict[int, ConfigurationItem]:
    return {ci.pk: ci for ci in ConfigurationItem.objects.visible_to(user)
            .filter(pk__in=list(ids)).select_related("ci_class")}


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


def nearest_affected(item: ConfigurationItem, user,
                     limit: int | None) -> tuple[list[Affected], int]:
    """impact_of's first `limit` (all with None), and how many stop in all: only the
    paths listed are built and their items loaded (a hub stops tens of thousands)."""
    found = impact_on(item)
    paths = found.nearest(limit)
    items = _items({i for path in paths.values() for i in path}, user)
    return ([Affected(items[i], tuple(items[p] for p in path))
             for i, path in paths.items() if all(p in items for p in path)], len(found))


def single_points_of_failure(item: ConfigurationItem, user) -> list[ConfigurationItem]:
    """The CIs whose loss alone stops `item`, by name."""
    found = graph.single_points_of_failure(item.pk, graph.DatabaseGraph(item.organisation_id))
    return sorted(_items(found, user).values(), key=lambda ci: (ci.name, ci.pk))


# The impact graph's pure functions, for apps that put nodes of their own on it (the
# service catalogue adds business services): other apps reach them here, not in
# cmdb.impact (STYLE.md, Boundaries). See docs/cmdb.md, "Impact analysis".
Dependency = graph.Dependency
DatabaseGraph = graph.DatabaseGraph
MemoryGraph = graph.MemoryGraph
closure_of_set = graph.closure_of_set
group_key = graph.group_key
impact_graph = graph.impact
dependency_paths = graph.dependency_paths
dependent_paths = graph.dependent_paths
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


def application_class_ids(organisation) -> list[int]:
    """The ids of the organisation's application classes (the systems catalogue's items),
    for other apps' evidence rules that read "the live systems" as they stood."""
    from borough.cmdb.models import CIClass

    return list(CIClass.objects.for_organisation(organisation)
                .filter(code=rules.APPLICATION).values_list("pk", flat=True))
