"""An organisation's dependency graph held by the process between requests, for questions
of what reaches what over many items at once (the forward schedule's conflicts: a month
touches 3,500 items whose closure is 12,000 items and 35,000 edges, one statement per
level to read each time).

Kept in a `LocalCache` by organisation with its generation: the generation is a number
database triggers move in the same transaction as any write to the organisation's
relationships (models.GraphGeneration, migration 0008), read with one small query per
use. Every process sees a write on its next read, whichever process made it; a graph is
never shared between organisations (the key and every row read carry the id). A writer
that turns triggers off (`session_replication_role = replica`, as the benchmarks' bulk
loads do) moves the generation itself.

The cost moves to the first schedule after a write to the relationships, which reads
and folds every edge (100,000 items, 264,000 dependency edges: about a second)."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.db import connections, router

from borough.cmdb import rules
from borough.core.perf.cache import LocalCache
from borough.core.perf.csr import Rows

# By organisation, one generation each (a write replaces the graph, never adds one): a
# graph of 100,000 items and 300,000 relationships is some MB in a process.
_graphs = LocalCache("dependency-graphs", size=8)
# By organisation: which systems depend on each component (SystemsAbove), for one
# generation of its graph and one set of live systems.
_above = LocalCache("systems-above", size=8)


@dataclass(frozen=True)
class DependencyGraph:
    """The dependency edges folded into their strongly connected components (a cycle of
    items is one component), numbered dependencies first: every component's
    dependencies have lower numbers. What a question over thousands of items needs is
    then one walk down and one pass in that order (changes.schedule.reachable_in), with
    no search for cycles per request. Built once and never changed (shared by a
    process's threads)."""

    organisation_id: int
    generation: int
    # item id -> its component, for every item with a dependency edge either way.
    component: dict[int, int]
    # component -> the components it depends on (directly; not itself).
    below: tuple[tuple[int, ...], ...]
    # The components of more than one item (each member depends on every other).
    cyclic: frozenset[int]
    # component -> its items, by id.
    members: tuple[tuple[int, ...], ...] = ()

    @cached_property
    def rows(self) -> tuple[Rows, Rows]:
        """`below` as arrays, and its reverse (each component's dependents), for walks
        from thousands of components at once (changes.schedule.reachable_in). Made on
        first use (a cached_property writes past the frozen dataclass); two threads that
        both make it make the same."""
        down = Rows.of(self.below)
        return down, down.reversed()

    def dependencies_of(self, item_id: int) -> set[int]:
        """Every item `item_id` depends on, transitively (through a cycle, its fellow
        members; never itself): what the closure read from the database names."""
        start = self.component.get(item_id)
        if start is None:
            return set()
        seen, pending = {start}, [start]
        while pending:
            for lower in self.below[pending.pop()]:
                if lower not in seen:
                    seen.add(lower)
                    pending.append(lower)
        if start not in self.cyclic:
            seen.discard(start)
        found = {item for number in seen for item in self.members[number]}
        found.discard(item_id)
        return found


def _database() -> str:
    from borough.cmdb.models import Relationship

    return router.db_for_read(Relationship)


def generation(organisation_id: int) -> int:
    """The organisation's graph generation; one is written if it has none yet (no
    relationship written since migration 0008, or the table emptied), so the key of
    what is built next is never one a process may keep from before."""
    from borough.cmdb.models import GraphGeneration

    database = _database()
    with connections[database].cursor() as cursor:
        table = GraphGeneration._meta.db_table
        select = f"SELECT generation FROM {table} WHERE organisation_id = %s"  # noqa: S608
        cursor.execute(select, [organisation_id])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f"INSERT INTO {table} (organisation_id, generation) "  # noqa: S608
                           "VALUES (%s, %s) ON CONFLICT (organisation_id) DO NOTHING",
                           [organisation_id, time.time_ns() // 1000])
            cursor.execute(select, [organisation_id])
            row = cursor.fetchone()
    return row[0]


def dependency_graph(organisation_id: int) -> DependencyGraph:
    """The organisation's dependency edges (`rules.SOURCE_DEPENDS`), as of its current
    generation: one query when kept, a read of every edge when not."""
    current = generation(organisation_id)
    graph = _graphs.get(organisation_id)
    if graph is None or graph.generation != current:
        graph = _build(organisation_id, current)
        _graphs.put(organisation_id, graph)
    return graph


def kept_dependency_graph(organisation_id: int) -> DependencyGraph | None:
    """The graph if this process keeps it at the current generation, else None (for a
    question about a few items, which a walk in the database answers faster than reading
    every edge)."""
    graph = _graphs.get(organisation_id)
    if graph is None:
        return None  # nothing to check: no query
    return graph if graph.generation == generation(organisation_id) else None


def _build(organisation_id: int, current: int) -> DependencyGraph:
    # Read after the generation (a later snapshot): the edges are never older than the
    # key they are kept under, at worst newer, which the next write's key replaces.
    from borough.cmdb.models import Relationship

    rows = (Relationship.objects.using(_database())
            .filter(organisation_id=organisation_id,
                    relationship_type__in=sorted(rules.SOURCE_DEPENDS))
            .order_by().values_list("source_id", "target_id").iterator(chunk_size=20_000))
    component, below, cyclic = fold(rows)
    members: list[list[int]] = [[] for _ in below]
    for item, number in component.items():
        members[number].append(item)
    return DependencyGraph(organisation_id, current, component, below, cyclic,
                           tuple(tuple(sorted(group)) for group in members))


@dataclass(frozen=True)
class SystemsAbove:
    """For one generation of an organisation's graph and one set of systems (the live
    ones, read with each request: a system retired or made moves no relationship), which
    of those systems depend on the items of each component, transitively: bit n of
    `reach[c]` is `systems[n]`. Worked out once for both (one pass over the components,
    dependents first), where reading and walking the graph per page took most of a
    second at 20,000 items."""

    generation: int
    systems: tuple[int, ...]  # by id
    reach: tuple[int, ...]  # component -> bits of the systems that depend on it

    def systems_depending_on(self, graph: DependencyGraph, item_id: int) -> list[int]:
        number = graph.component.get(item_id)
        mask = self.reach[number] if number is not None else 0
        found = []
        while mask:
            lowest = mask & -mask
            system = self.systems[lowest.bit_length() - 1]
            if system != item_id:
                found.append(system)
            mask ^= lowest
        return found

    def place_among(self, graph: DependencyGraph, item_id: int, system_id: int
                    ) -> tuple[int, int | None]:
        """How many systems depend on `item_id` (systems_depending_on's length), and
        where `system_id` comes among them (None: it does not depend on it)."""
        number = graph.component.get(item_id)
        mask = self.reach[number] if number is not None else 0
        own = self._bit(item_id)
        if own is not None:
            mask &= ~(1 << own)
        bit = self._bit(system_id)
        if bit is None or not mask >> bit & 1:
            return mask.bit_count(), None
        return mask.bit_count(), (mask & ((1 << bit) - 1)).bit_count()

    def _bit(self, system_id: int) -> int | None:
        at = bisect_left(self.systems, system_id)
        return at if at < len(self.systems) and self.systems[at] == system_id else None


def systems_above(graph: DependencyGraph, systems) -> SystemsAbove:
    """SystemsAbove for `graph` and the ids of `systems` (those outside the graph depend
    on nothing): kept by the process for the graph's generation and those systems."""
    wanted = tuple(sorted(pk for pk in set(systems) if pk in graph.component))
    kept = _above.get(graph.organisation_id)
    if kept is not None and kept.generation == graph.generation and kept.systems == wanted:
        return kept
    own = [0] * len(graph.below)
    for bit, pk in enumerate(wanted):
        own[graph.component[pk]] |= 1 << bit
    reach = [0] * len(graph.below)
    below, cyclic = graph.below, graph.cyclic
    # Dependents have higher numbers: a component's reach is whole when it is reached.
    for number in range(len(below) - 1, -1, -1):
        mine = reach[number] | own[number]
        if number in cyclic:  # its members depend on each other
            reach[number] = mine
        if mine:
            for lower in below[number]:
                reach[lower] |= mine
    found = SystemsAbove(graph.generation, wanted, tuple(reach))
    _above.put(graph.organisation_id, found)
    return found


def fold(pairs) -> tuple[dict[int, int], tuple[tuple[int, ...], ...], frozenset[int]]:
    """(component, below, cyclic) of DependencyGraph from (dependent, dependency) pairs.

    An estate is nearly all acyclic: items whose dependencies are all numbered are
    numbered in turn, from those with none (Kahn's order, one pass), each a component of
    its own; only what is left (cycles and what depends on them) is searched for strongly
    connected components, which Tarjan's search finishes dependencies first."""
    down: dict[int, set[int]] = defaultdict(set)
    up: dict[int, list[int]] = defaultdict(list)
    for source, target in pairs:
        if source != target and target not in down[source]:
            down[source].add(target)
            up[target].append(source)
            down.setdefault(target, set())
    waiting = {node: len(dependencies) for node, dependencies in down.items()}
    ready = [node for node, count in waiting.items() if not count]
    component: dict[int, int] = {}
    members: list[list[int]] = []
    while ready:
        node = ready.pop()
        component[node] = len(members)
        members.append([node])
        for dependent in up.get(node, ()):
            waiting[dependent] -= 1
            if not waiting[dependent]:
                ready.append(dependent)
    if len(component) < len(down):
        _components({node: down[node] for node in down if node not in component},
                    component, members)
    below = tuple(tuple({component[d] for m in group for d in down[m]} - {number})
                  for number, group in enumerate(members))
    return component, below, frozenset(n for n, group in enumerate(members) if len(group) > 1)


def _components(down: dict[int, set[int]], component: dict[int, int],
                members: list[list[int]]) -> None:
    """Tarjan's strongly connected components of `down` (whose edges may also lead to
    items already in `component`, numbered lower), iteratively (an estate is deeper than
    Python's recursion), numbered on after `members` in the order they finish:
    dependencies first."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    for root in down:
        if root in index_of:
            continue
        index_of[root] = low[root] = len(index_of)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(down[root]))]
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt in component:
                    continue  # numbered already, in no cycle with these
                if nxt not in index_of:
                    index_of[nxt] = low[nxt] = len(index_of)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(down[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index_of[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index_of[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component[member] = len(members)
                        group.append(member)
                        if member == node:
                            break
                    members.append(group)
