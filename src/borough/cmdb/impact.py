"""Impact analysis: what stops when a configuration item is lost, and which single items
would stop a given one.

Pure functions over a `Graph`, which hands out dependency edges a set of items at a time;
`DatabaseGraph` reads them from the relationships with one query per breadth-first level
(not one per item), so the work grows with the depth of the estate, not its size. Tests
use an in-memory graph of the same shape.

Rules (docs/cmdb.md):

- Dependence runs the way `rules.SOURCE_DEPENDS` says: if A runs on B, losing B affects A.
  "Backed up to" is not followed: losing the backup target does not stop the service.
- A CI's dependencies fall into groups: relationships of the same source, type and
  redundancy group label are alternatives; one without a label is a group of its own.
  A CI is down when, for some group, every alternative in it is down.
- Cycles are harmless: an item is marked down once, and the walk stops when a level adds
  nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from borough.cmdb import rules

# Items per `IN (...)` list: SQLite refuses statements with too many parameters.
CHUNK = 5000


@dataclass(frozen=True)
class Dependency:
    """`dependent` stops when every dependency of its `group` is lost."""

    dependent: int
    dependency: int
    group: tuple


class Graph(Protocol):
    def dependencies_of(self, ids: set[int]) -> list[Dependency]:
        """Every dependency edge whose dependent is one of `ids`."""

    def dependencies_of_dependents(self, ids: set[int]) -> list[Dependency]:
        """Every dependency edge of each item that depends directly on one of `ids`."""


def group_key(source: int, relationship_type: str, label: str, relationship_id: int) -> tuple:
    label = (label or "").strip().lower()
    return (source, relationship_type, label) if label else (source, relationship_type,
                                                             "", relationship_id)


@dataclass
class Impact:
    failed: int
    # Each affected item (not the failed one) -> the path from it to the failed item,
    # through what it depends on: (affected, …, failed). Shortest by levels.
    paths: dict[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def affected(self) -> set[int]:
        return set(self.paths)


def impact(failed: int, graph: Graph) -> Impact:
    """Everything that stops, transitively, when `failed` is lost."""
    down = {failed}
    via: dict[int, int] = {}
    depth = {failed: 0}
    frontier = {failed}
    level = 0
    while frontier:
        level += 1
        candidates = set()
        # Each level reads the full dependency lists of the items it reaches, so an item
        # that stayed up at an earlier level is judged again on all its groups.
        groups: dict[int, dict[tuple, set[int]]] = defaultdict(lambda: defaultdict(set))
        for edge in graph.dependencies_of_dependents(frontier):
            if edge.dependent in down:
                continue
            groups[edge.dependent][edge.group].add(edge.dependency)
            if edge.dependency in frontier:
                candidates.add(edge.dependent)
        new = set()
        for item in sorted(candidates):
            for members in groups[item].values():
                if members <= down:
                    new.add(item)
                    # Through the alternative that went down first: the shortest path.
                    via[item] = min(members, key=lambda m: (depth[m], m))
                    break
        for item in new:
            depth[item] = level
        down |= new
        frontier = new
    result = Impact(failed)
    for item in sorted(via, key=lambda i: (depth[i], i)):
        path = [item]
        while path[-1] != failed:
            path.append(via[path[-1]])
        result.paths[item] = tuple(path)
    return result


def dependency_closure(target: int | Iterable[int], graph: Graph
                       ) -> dict[int, dict[tuple, set[int]]]:
    """Every item `target` (one, or each of several) depends on, transitively, with each
    one's dependency groups."""
    targets = {target} if isinstance(target, int) else set(target)
    groups: dict[int, dict[tuple, set[int]]] = {t: defaultdict(set) for t in targets}
    frontier = set(targets)
    while frontier:
        found = set()
        for edge in graph.dependencies_of(frontier):
            groups[edge.dependent][edge.group].add(edge.dependency)
            if edge.dependency not in groups:
                groups[edge.dependency] = defaultdict(set)
                found.add(edge.dependency)
        frontier = found
    return groups


def single_points_of_failure(target: int, graph: Graph) -> set[int]:
    """The items whose loss alone stops `target` (not `target` itself).

    Y alone stops X when Y is X, or, for some group of X, Y alone stops every alternative
    in it: SPOF(X) = {X} ∪ ⋃_groups ⋂_alternatives SPOF(alternative). Solved by iterating
    from SPOF(v) = {v} until nothing changes: the least solution, which is what losing Y
    does even where dependencies run in a cycle."""
    return single_points_of_failure_of_each([target], graph)[target]


def single_points_of_failure_of_each(targets: Iterable[int], graph: Graph
                                     ) -> dict[int, set[int]]:
    """`single_points_of_failure` of each target, from one walk of their joint closure
    (a page listing every service's single points reads each level once, not once per
    service)."""
    targets = set(targets)
    if not targets:
        return {}
    groups = dependency_closure(targets, graph)
    spof = {item: frozenset((item,)) for item in groups}
    changed = True
    while changed:
        changed = False
        for item, item_groups in groups.items():
            found = set(spof[item])
            for members in item_groups.values():
                found |= frozenset.intersection(*(spof[m] for m in members))
            if len(found) != len(spof[item]):
                spof[item] = frozenset(found)
                changed = True
    return {target: set(spof[target]) - {target} for target in targets}


def dependency_paths(target: int, graph: Graph) -> dict[int, tuple[int, ...]]:
    """Everything `target` depends on, transitively, whether or not it has alternatives:
    each item -> one shortest path (target, what it depends on, …, the item). Nearest
    first; cycles walked once."""
    paths: dict[int, tuple[int, ...]] = {target: (target,)}
    frontier = {target}
    while frontier:
        found = {}
        for edge in sorted(graph.dependencies_of(frontier),
                           key=lambda e: (e.dependent, e.dependency)):
            if edge.dependency not in paths and edge.dependency not in found:
                found[edge.dependency] = paths[edge.dependent] + (edge.dependency,)
        paths.update(found)
        frontier = set(found)
    del paths[target]
    return paths


def dependent_paths(item: int, graph: Graph) -> dict[int, tuple[int, ...]]:
    """Everything that depends on `item`, transitively, whether or not it has an
    alternative (what it *supports*, as against what stops when it is lost): each
    dependent -> one shortest path (the dependent, …, item). Nearest first."""
    paths: dict[int, tuple[int, ...]] = {item: (item,)}
    frontier = {item}
    while frontier:
        found = {}
        for edge in sorted(graph.dependencies_of_dependents(frontier),
                           key=lambda e: (e.dependent, e.dependency)):
            if edge.dependency in frontier and edge.dependent not in paths \
                    and edge.dependent not in found:
                found[edge.dependent] = (edge.dependent,) + paths[edge.dependency]
        paths.update(found)
        frontier = set(found)
    del paths[item]
    return paths


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


class DatabaseGraph:
    """The relationships of one organisation as a `Graph`: one query per call (per chunk
    of CHUNK items)."""

    def __init__(self, organisation_id: int):
        from borough.cmdb.models import Relationship

        self.relationships = Relationship.objects.filter(
            organisation_id=organisation_id, relationship_type__in=rules.SOURCE_DEPENDS)

    def _edges(self, rows) -> list[Dependency]:
        return [Dependency(source, target, group_key(source, kind, label, pk))
                for pk, source, target, kind, label in rows]

    def _rows(self, queryset):
        return queryset.values_list("pk", "source_id", "target_id", "relationship_type",
                                    "redundancy_group")

    def dependencies_of(self, ids: set[int]) -> list[Dependency]:
        edges = []
        for chunk in _chunks(ids):
            edges += self._edges(self._rows(self.relationships.filter(source_id__in=chunk)))
        return edges

    def dependencies_of_dependents(self, ids: set[int]) -> list[Dependency]:
        edges = []
        for chunk in _chunks(ids):
            dependents = self.relationships.filter(target_id__in=chunk).values("source_id")
            edges += self._edges(self._rows(self.relationships.filter(
                source_id__in=dependents)))
        return edges
