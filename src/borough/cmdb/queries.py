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


def relationships(item: ConfigurationItem, user) -> tuple[list, list]:
    """(what it points at, what points at it), each with the other end loaded."""
    scoped = Relationship.objects.visible_to(user).select_related(
        "source__ci_class", "target__ci_class")
    outgoing = list(scoped.filter(source=item).order_by("relationship_type", "target__name"))
    incoming = list(scoped.filter(target=item).order_by("relationship_type", "source__name"))
    return outgoing, incoming


def _items(ids, user) -> dict[int, ConfigurationItem]:
    return {ci.pk: ci for ci in ConfigurationItem.objects.visible_to(user)
            .filter(pk__in=list(ids)).select_related("ci_class")}


def impact_of(item: ConfigurationItem, user) -> list[Affected]:
    """Every CI that stops, transitively, when `item` is lost, nearest first, each with
    the path by which it depends on `item`."""
    found = graph.impact(item.pk, graph.DatabaseGraph(item.organisation_id))
    items = _items({i for path in found.paths.values() for i in path}, user)
    return [Affected(items[i], tuple(items[p] for p in path))
            for i, path in found.paths.items() if all(p in items for p in path)]


def single_points_of_failure(item: ConfigurationItem, user) -> list[ConfigurationItem]:
    """The CIs whose loss alone stops `item`, by name."""
    found = graph.single_points_of_failure(item.pk, graph.DatabaseGraph(item.organisation_id))
    return sorted(_items(found, user).values(), key=lambda ci: (ci.name, ci.pk))


# The impact graph's pure functions, for apps that put nodes of their own on it (the
# service catalogue adds business services): other apps reach them here, not in
# cmdb.impact (STYLE.md, Boundaries). See docs/cmdb.md, "Impact analysis".
Dependency = graph.Dependency
DatabaseGraph = graph.DatabaseGraph
group_key = graph.group_key
impact_graph = graph.impact
dependency_paths = graph.dependency_paths
dependent_paths = graph.dependent_paths
single_points_of_failure_of_each = graph.single_points_of_failure_of_each
CHUNK = graph.CHUNK


def items_by_id(ids, user) -> dict[int, ConfigurationItem]:
    """The CIs with these ids that `user` may see, with their class."""
    return _items(ids, user)
