"""Impact analysis: what stops when a configuration item is lost, and which single items
would stop a given one.

Pure functions over a `Graph`, which hands out dependency edges a set of items at a time;
`DatabaseGraph` reads them from the relationships with one statement per breadth-first level
of the impact walk (not one per item), reading only the groups a level may bring down,
and an item's whole dependency closure in one recursive query, so the work grows with
the answer and the depth of the estate, not its size. Tests use an in-memory graph of the
same shape.

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
from typing import NamedTuple, Protocol

from django.db import connections

from borough.cmdb import rules
from borough.core.ids import id_subquery

# What an edge needs, all of it in the relationship indexes (models.Relationship.Meta).
COLUMNS = ("source_id", "target_id", "relationship_type", "redundancy_group")


class Dependency(NamedTuple):
    """`dependent` stops when every dependency of its `group` is lost. (A named tuple:
    a hub's walk makes tens of thousands, a third of the cost as a frozen dataclass.)"""

    dependent: int
    dependency: int
    group: tuple


class Graph(Protocol):
    def dependencies_of(self, ids: set[int]) -> list[Dependency]:
        """Every dependency edge whose dependent is one of `ids`."""

    def dependents_at_risk(self, ids: set[int]) -> list[Dependency]:
        """Every dependency edge on one of `ids`, and every other edge of the same groups
        (the alternatives), so each group that may now be lost is seen whole."""

    def closure(self, target: int) -> list[Dependency]:
        """Every dependency edge of `target` and of everything it depends on,
        transitively (`closure_by_levels` does it with dependencies_of)."""


def group_key(source: int, relationship_type: str, label: str, edge: int) -> tuple:
    """Alternatives share a key; an unlabelled edge is a group of its own (`edge` is
    anything that tells it from the source's other edges of the type: its target)."""
    label = (label or "").strip().lower()
    return (source, relationship_type, label) if label else (source, relationship_type,
                                                             "", edge)


@dataclass
class Impact:
    failed: int
    # Each affected item -> the item it went down through (the first of a lost group's
    # alternatives to go, then the lowest id), and the level at which it went down.
    via: dict[int, int] = field(default_factory=dict)
    depth: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.via)

    @property
    def affected(self) -> set[int]:
        return set(self.via)

    def order(self) -> list[int]:
        """The affected items nearest first (by level, then id)."""
        depth = self.depth
        return sorted(self.via, key=lambda i: (depth[i], i))

    def path(self, item: int) -> tuple[int, ...]:
        """From `item` to the failed one, through what each depends on: (item, …, failed).
        Shortest by levels."""
        path = [item]
        while path[-1] != self.failed:
            path.append(self.via[path[-1]])
        return tuple(path)

    def nearest(self, limit: int | None) -> dict[int, tuple[int, ...]]:
        """The paths of the first `limit` affected items (all with None), nearest first:
        a page lists a hub's nearest hundred without building its 60,000 paths."""
        return {item: self.path(item) for item in self.order()[:limit]}

    @property
    def paths(self) -> dict[int, tuple[int, ...]]:
        """Each affected item -> its path, nearest first."""
        return self.nearest(None)


def impact(failed: int, graph: Graph) -> Impact:
    """Everything that stops, transitively, when `failed` is lost.

    A group can only be lost in the level where its last alternative goes down, so each
    level reads just the groups that hold an item lost in the level before
    (`dependents_at_risk`), not every dependency of every dependent."""
    down = {failed}
    via: dict[int, int] = {}
    depth = {failed: 0}
    frontier = {failed}
    level = 0
    while frontier:
        level += 1
        # Each group at risk: its dependent and its alternatives (a group belongs to one
        # dependent: its key starts with it, group_key).
        groups: dict[tuple, tuple[int, list[int]]] = {}
        for dependent, dependency, group in graph.dependents_at_risk(frontier):
            if dependent not in down:
                found = groups.get(group)
                if found is None:
                    groups[group] = (dependent, [dependency])
                else:
                    found[1].append(dependency)
        # Through the alternative that went down first, then the lowest id: the shortest
        # path, the same whichever order the edges came in.
        best: dict[int, tuple[int, int]] = {}
        for dependent, members in groups.values():
            if len(members) == 1:
                member = members[0]
                if member not in down:
                    continue
                first = (depth[member], member)
            elif all(m in down for m in members):
                first = min((depth[m], m) for m in members)
            else:
                continue
            known = best.get(dependent)
            if known is None or first < known:
                best[dependent] = first
        for item, (_, through) in best.items():
            via[item] = through
            depth[item] = level
        frontier = set(best)
        down |= frontier
    del depth[failed]
    return Impact(failed, via, depth)


def closure_by_levels(target: int | set[int], graph: Graph) -> list[Dependency]:
    """Graph.closure (of one item, or of a set), one dependencies_of call per
    breadth-first level."""
    return by_levels(set(target) if isinstance(target, set) else {target},
                     graph.dependencies_of)


def by_levels(start: set[int], read) -> list:
    """Every edge `read(ids)` gives for `start` and, level by level, for what those edges
    reach: one read per breadth-first level. An edge's second item is what it reaches (a
    Dependency's dependency, a pair's target)."""
    edges, seen, frontier = [], set(start), set(start)
    while frontier:
        found = set()
        for edge in read(frontier):
            edges.append(edge)
            if edge[1] not in seen:
                seen.add(edge[1])
                found.add(edge[1])
        frontier = found
    return edges


def closure_of_set(targets: Iterable[int], graph: Graph) -> list[Dependency]:
    """Every dependency edge of `targets` and of everything they depend on, transitively:
    one dependencies_of call per breadth-first level, however many targets."""
    return closure_by_levels(set(targets), graph) if targets else []


def closure_pairs(targets: Iterable[int], graph: Graph) -> list[tuple[int, int]]:
    """(dependent, dependency) of every edge in `targets`' closure, without the groups:
    for a question of what reaches what (the schedule's conflicts), read as bare pairs
    where the graph can (the database: two columns, no edge objects; a month's 33,000
    edges in a third of the time)."""
    targets = set(targets)
    if not targets:
        return []
    of_set = getattr(graph, "closure_pairs_of_set", None)
    if of_set is not None:
        return of_set(targets)
    return [(e.dependent, e.dependency) for e in closure_of_set(targets, graph)]


def dependency_closure(target: int | Iterable[int], graph: Graph
                       ) -> dict[int, dict[tuple, set[int]]]:
    """Every item `target` (one, or each of several) depends on, transitively, with each
    one's dependency groups. A target already inside another's closure adds nothing, so
    its own closure is not read."""
    targets = {target} if isinstance(target, int) else set(target)
    groups: dict[int, dict[tuple, set[int]]] = {t: defaultdict(set) for t in targets}
    walked: set[int] = set()
    for start in sorted(targets):
        if start in walked:
            continue
        walked.add(start)
        for edge in graph.closure(start):
            groups.setdefault(edge.dependent, defaultdict(set))[edge.group].add(edge.dependency)
            groups.setdefault(edge.dependency, defaultdict(set))
            walked.update((edge.dependent, edge.dependency))
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
    # A worklist: an item is solved again only when something it depends on has grown
    # (sweeping every item until none changes took a desktop's 500-item closure a dozen
    # milliseconds). The sets only grow from {v}, so any order reaches the same least
    # solution; dependencies first (the closure's order, reversed) needs fewest visits.
    dependents: dict[int, list[int]] = defaultdict(list)
    for item, item_groups in groups.items():
        for member in {m for members in item_groups.values() for m in members}:
            dependents[member].append(item)
    pending = list(groups)  # popped from the end: the deepest first
    queued = set(pending)
    while pending:
        item = pending.pop()
        queued.discard(item)
        known = spof[item]
        found = set(known)
        for members in groups[item].values():
            if len(members) == 1:
                found |= spof[next(iter(members))]
            else:
                found |= frozenset.intersection(*(spof[m] for m in members))
        if len(found) != len(known):
            spof[item] = frozenset(found)
            for dependent in dependents[item]:
                if dependent not in queued:
                    queued.add(dependent)
                    pending.append(dependent)
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
        for edge in sorted(graph.dependents_at_risk(frontier),
                           key=lambda e: (e.dependent, e.dependency)):
            if edge.dependency in frontier and edge.dependent not in paths \
                    and edge.dependent not in found:
                found[edge.dependent] = (edge.dependent,) + paths[edge.dependency]
        paths.update(found)
        frontier = set(found)
    del paths[item]
    return paths


class MemoryGraph:
    """A `Graph` over dependency edges held in memory: a part of the estate read once (the
    closure of a set of items) and walked many ways. Answers as DatabaseGraph would for
    the items whose every dependency edge it holds."""

    def __init__(self, edges: Iterable[Dependency]):
        self.of_dependent: dict[int, list[Dependency]] = defaultdict(list)
        self.on_dependency: dict[int, list[Dependency]] = defaultdict(list)
        self.of_group: dict[tuple, list[Dependency]] = defaultdict(list)
        for edge in {(e.dependent, e.dependency, e.group): e for e in edges}.values():
            self.of_dependent[edge.dependent].append(edge)
            self.on_dependency[edge.dependency].append(edge)
            self.of_group[edge.group].append(edge)

    def __contains__(self, item: int) -> bool:
        return item in self.of_dependent or item in self.on_dependency

    def dependencies_of(self, ids) -> list[Dependency]:
        return [e for i in ids for e in self.of_dependent.get(i, ())]

    def dependents_at_risk(self, ids) -> list[Dependency]:
        groups = {e.group for i in ids for e in self.on_dependency.get(i, ())}
        return [e for g in groups for e in self.of_group[g]]

    def closure(self, target: int) -> list[Dependency]:
        return closure_by_levels(target, self)


class DatabaseGraph:
    """The relationships of one organisation as a `Graph`: one statement per call (two
    for dependents_at_risk when labelled groups are at risk; the closure: one on
    PostgreSQL, one per level on SQLite).

    In SQL written here rather than through the ORM: a set of ids goes in as one parameter
    (an array on PostgreSQL, a JSON list on SQLite) because an `IN (...)` of thousands of
    ids cost more than the query itself (Django prepares each value, psycopg splits the
    statement at each placeholder) and SQLite limits the placeholders in a statement.
    Only integers and the fixed relationship types are passed, always as parameters."""

    def __init__(self, organisation_id: int):
        from borough.cmdb.models import Relationship

        self.organisation_id = organisation_id
        self.table = Relationship._meta.db_table
        self.database = Relationship.objects.db
        self.kinds = sorted(rules.SOURCE_DEPENDS)
        self.postgres = connections[self.database].vendor == "postgresql"

    def _edges(self, rows) -> list[Dependency]:
        # (source, target, type) is unique, so the target tells an unlabelled edge apart.
        # group_key inlined for the unlabelled edges, most of a walk's.
        return [Dependency(source, target, group_key(source, kind, label, target) if label
                           else (source, kind, "", target))
                for source, target, kind, label in rows]

    def _ids(self, column: str, ids) -> tuple[str, object]:
        sql, value = id_subquery(ids, "postgresql" if self.postgres else "sqlite")
        return f"{column} IN ({sql})", value

    def _scope(self, alias: str) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(self.kinds))
        return (f"{alias}.organisation_id = %s AND {alias}.relationship_type IN ({marks})",
                [self.organisation_id, *self.kinds])

    def _select(self, alias: str) -> str:
        columns = ", ".join(f"{alias}.{c}" for c in COLUMNS)
        return f"SELECT {columns} FROM {self.table} {alias}"  # noqa: S608

    def _run(self, sql: str, params: list) -> list[Dependency]:
        with connections[self.database].cursor() as cursor:
            cursor.execute(sql, params)
            return self._edges(cursor.fetchall())

    def dependencies_of(self, ids: set[int]) -> list[Dependency]:
        scope, scope_params = self._scope("r")
        match, value = self._ids("r.source_id", ids)
        return self._run(f"{self._select('r')} WHERE {scope} AND {match}",
                         [*scope_params, value])

    def closure_pairs_of_set(self, targets: set[int]) -> list[tuple[int, int]]:
        # One statement per level, as closure_by_levels; PostgreSQL's recursive query
        # over a set of thousands hashes the whole relationship table at every step.
        return by_levels(set(targets), self._pairs_of)

    def _pairs_of(self, ids: set[int]) -> list[tuple[int, int]]:
        scope, scope_params = self._scope("r")
        match, value = self._ids("r.source_id", ids)
        with connections[self.database].cursor() as cursor:
            cursor.execute(f"SELECT r.source_id, r.target_id FROM {self.table} r "  # noqa: S608
                           f"WHERE {scope} AND {match}", [*scope_params, value])
            return cursor.fetchall()

    def dependents_at_risk(self, ids: set[int]) -> list[Dependency]:
        # The edges on `ids`; then, only for dependents with a labelled group among them,
        # their other labelled edges (a superset of the alternatives, narrowed to the
        # groups below). Two exact reads: one statement for both made PostgreSQL guess
        # the inner set's size and scan the whole table for a build's 2,500 desktops.
        scope, scope_params = self._scope("r")
        on, value = self._ids("r.target_id", ids)
        edges = self._run(f"{self._select('r')} WHERE {scope} AND {on}", [*scope_params, value])
        labelled = {e.dependent for e in edges if len(e.group) == 3}
        if labelled:
            of, sources = self._ids("r.source_id", labelled)
            edges += self._run(f"{self._select('r')} WHERE {scope} "  # noqa: S608
                               f"AND r.redundancy_group <> '' AND {of}",
                               [*scope_params, sources])
        unique = {(e.dependent, e.dependency, e.group): e for e in edges}.values()
        at_risk = {edge.group for edge in unique if edge.dependency in ids}
        return [edge for edge in unique if edge.group in at_risk]

    def closure(self, target: int) -> list[Dependency]:
        # On PostgreSQL one WITH RECURSIVE statement; UNION (not UNION ALL) visits each
        # item once, so cycles end. SQLite (3.40) runs the same statement, but builds a
        # Bloom filter over the relationships at every step of the recursion (0.4 s for a
        # desktop's closure at 500,000 relationships), so there it is one statement per
        # level, which costs a few milliseconds.
        if not self.postgres:
            return closure_by_levels(target, self)
        scope, scope_params = self._scope("r")
        sql = (f"WITH RECURSIVE closure(id) AS (SELECT CAST(%s AS BIGINT) UNION "  # noqa: S608
               f"SELECT r.target_id FROM {self.table} r JOIN closure c ON r.source_id = c.id "
               f"WHERE {scope}) "
               f"{self._select('r')} JOIN closure c ON r.source_id = c.id WHERE {scope}")
        return self._run(sql, [target, *scope_params, *scope_params])
