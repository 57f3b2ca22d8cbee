"""Reads of the CMDB that are more than a filter: a CI's relationships and what depends
on it. Other apps read the CMDB through here."""

from __future__ import annotations

from dataclasses import dataclass

from borough.cmdb import impact as graph
from borough.cmdb.models import ConfigurationItem, Relationship


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


def nearest_affected(item: ConfigurationItem, user,
                     limit: int | None) -> tuple[list[Affected], int]:
    """impact_of's first `limit` (all with None), and how many stop in all: the walk
    costs little beside loading and drawing thousands of items."""
    found = graph.impact(item.pk, graph.DatabaseGraph(item.organisation_id))
    paths = list(found.paths.items())[:limit]
    items = _items({i for _, path in paths for i in path}, user)
    return ([Affected(items[i], tuple(items[p] for p in path))
             for i, path in paths if all(p in items for p in path)], len(found.paths))


def single_points_of_failure(item: ConfigurationItem, user) -> list[ConfigurationItem]:
    """The CIs whose loss alone stops `item`, by name."""
    found = graph.single_points_of_failure(item.pk, graph.DatabaseGraph(item.organisation_id))
    return sorted(_items(found, user).values(), key=lambda ci: (ci.name, ci.pk))
