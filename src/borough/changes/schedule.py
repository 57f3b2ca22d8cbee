"""Conflicts on the forward schedule of change, without Django or a database (numpy walks
the dependency graph), so the rules can be tested on their own and the queries that feed them stay a fixed
number whatever the schedule holds (changes.queries.schedule).

A change conflicts with:

- another change whose window overlaps its own, when both touch the same configuration
  item, or one touches an item the other's item depends on (transitively, the way the
  CMDB's impact analysis follows dependence: `depends_on`);
- a blackout window it overlaps (every change, emergencies included: the chair weighs
  it), or a freeze window (every change but an emergency), when the window is for all
  services or for one the change affects;
- a service it affects whose maintenance hours (a weekly calendar in local time,
  core.business_time) do not cover the whole of its window.

Windows are half-open, [start, end): one change ending at 02:00 and another starting at
02:00 do not overlap. Times are aware datetimes; comparing them compares instants, so a
clock change inside a window changes nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import numpy as np

from borough.core.business_time import BusinessCalendar, covers
from borough.core.perf.csr import Rows

SAME_ITEM = "same-item"
DEPENDENT_ITEM = "dependent-item"
BLACKOUT = "blackout"
FREEZE = "freeze"
MAINTENANCE = "maintenance"

KIND_WORDS = {SAME_ITEM: "Same item", DEPENDENT_ITEM: "Dependent item",
              BLACKOUT: "Blackout", FREEZE: "Freeze", MAINTENANCE: "Outside maintenance hours"}


# Named tuples, not frozen dataclasses: a month makes thousands, and a frozen dataclass
# sets each field through object.__setattr__.
class Planned(NamedTuple):
    """A change as the schedule sees it."""

    id: int
    start: datetime
    end: datetime
    items: frozenset[int] = frozenset()
    services: frozenset[int] = frozenset()
    emergency: bool = False


class Window(NamedTuple):
    """A blackout or freeze: for every service when `services` is empty."""

    id: int
    kind: str  # BLACKOUT or FREEZE
    start: datetime
    end: datetime
    services: frozenset[int] = frozenset()


class Conflict(NamedTuple):
    kind: str
    change: int
    # The other change (same or dependent item), the window, or the service.
    other: int | None = None
    # The item of `change` concerned, and the other change's item it shares or depends
    # on (or depends on it).
    item: int | None = None
    other_item: int | None = None
    # For a dependent item: whether `item` depends on `other_item` (else the reverse).
    depends: bool = False


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def reachable(depends_on_edges: Iterable[tuple[int, int]], among: set[int]) -> Reach:
    """{item in `among`: the items in `among` it depends on, transitively}, from the
    dependency edges (dependent, dependency).

    One pass over the graph, not one walk per item: a month's schedule touches thousands
    of items whose closures share most of their nodes. Cycles are folded into their
    strongly connected components (Tarjan, iteratively), which are finished dependencies
    first; each component's reach is a bitset over `among` (a Python int), the union of
    what its dependencies reach and are. Only the part of the graph that leads back into
    `among` is walked: most of a closure (the switches, racks and sites everything sits
    on) reaches none of the items changed."""
    edges = [(a, b) for a, b in depends_on_edges if a != b]
    up: dict[int, list[int]] = defaultdict(list)
    for dependent, dependency in edges:
        up[dependency].append(dependent)
    leads_back, pending = set(among), list(among)
    while pending:
        for dependent in up.get(pending.pop(), ()):
            if dependent not in leads_back:
                leads_back.add(dependent)
                pending.append(dependent)
    down: dict[int, list[int]] = defaultdict(list)
    for dependent, dependency in edges:
        if dependency in leads_back:  # then so is the dependent
            down[dependent].append(dependency)
    return _reach(down, among)


class Reach(Mapping[int, AbstractSet[int]]):
    """{item: the other items of `among` it depends on, transitively}, kept as bits: bit n
    of `bits[item]` stands for the n-th of `among` by id. A month's change rules ask of
    pairs of changes, each as masks of its items, so no set is built unless asked for."""

    __slots__ = ("bit", "bits", "ordered")

    def __init__(self, ordered: list[int], bits: dict[int, int]):
        self.ordered = ordered
        self.bit = {item: 1 << n for n, item in enumerate(ordered)}
        self.bits = bits  # item -> the bits of what it depends on (never its own)

    @classmethod
    def of(cls, depends_on: Mapping[int, AbstractSet[int]], items: AbstractSet[int]) -> Reach:
        """`depends_on` as a Reach in which each of `items` has a bit."""
        if isinstance(depends_on, Reach) and items <= depends_on.bit.keys():
            return depends_on
        ordered = sorted({*items, *depends_on,
                          *(d for found in depends_on.values() for d in found)})
        reach = cls(ordered, {})
        for item, found in depends_on.items():
            mask = 0
            for dependency in found:
                if dependency != item:
                    mask |= reach.bit[dependency]
            reach.bits[item] = mask
        return reach

    def mask(self, items: Iterable[int]) -> int:
        mask = 0
        for item in items:
            mask |= self.bit.get(item, 0)
        return mask

    def under(self, items: Iterable[int]) -> int:
        """The bits of what any of `items` depends on."""
        mask = 0
        get = self.bits.get
        for item in items:
            mask |= get(item, 0)
        return mask

    def __getitem__(self, item: int) -> set[int]:
        return _members(self.bits[item], self.ordered)

    def __iter__(self):
        return iter(self.bits)

    def __len__(self) -> int:
        return len(self.bits)


def reachable_in(component: Mapping[int, int], below: Sequence[Sequence[int]],
                 cyclic: AbstractSet[int], among: set[int],
                 rows: tuple[Rows, Rows] | None = None) -> Reach:
    """`reachable`'s answer from a whole graph already folded into its strongly
    connected components (`component`: item -> its component; `below`: each component's
    dependencies, numbered lower than it; `cyclic`: those of more than one item), as
    the CMDB keeps it (cmdb.graphcache, which also keeps `rows`: `below` and its reverse
    as arrays, made here when not given).

    Only the components both under `among` and over some of it matter: most of what
    a month's items sit on (the switches, racks and sites) reaches nothing changed. Both
    walks go a level at a time over the arrays; then each component that matters gets
    the bits of `among` at or under it, dependencies first (in number order), along the
    edges between those components alone. No search for cycles and no edges read."""
    down, up = rows if rows is not None else _rows(below)
    ordered = sorted(among)
    found = Reach(ordered, {})
    own: dict[int, int] = {}  # component -> the bits of its members
    number_of = component.get
    for n, item in enumerate(ordered):
        number = number_of(item)
        if number is not None:
            own[number] = own.get(number, 0) | 1 << n
    if not own:
        found.bits.update(dict.fromkeys(ordered, 0))
        return found
    starts = np.fromiter(own, dtype=np.int64, count=len(own))
    matters = up.spread(starts, within=down.spread(starts))
    kept = np.flatnonzero(matters)
    lower, counts = down.successors(kept)
    inside = matters[lower]
    # Edges between kept components, as positions in `kept` (ascending: dependents
    # after their dependencies, so a total is whole before it is passed up).
    sources = np.repeat(np.arange(kept.size), counts)[inside].tolist()
    targets = np.searchsorted(kept, lower[inside]).tolist()
    kept_numbers = kept.tolist()
    total = [own.get(number, 0) for number in kept_numbers]
    for source, target in zip(sources, targets, strict=True):
        further = total[target]
        if further:
            total[source] |= further
    # An item's reach is its component's total less itself: a component of one item
    # cannot reach it, and the members of a cycle depend on one another.
    place = dict(zip(kept_numbers, range(kept.size), strict=True))
    bits = found.bits
    for n, item in enumerate(ordered):
        at = place.get(number_of(item))
        mask = total[at] if at is not None else 0
        bits[item] = mask & ~(1 << n) if mask >> n & 1 else mask
    return found


def _rows(below: Sequence[Sequence[int]]) -> tuple[Rows, Rows]:
    down = Rows.of(below)
    return down, down.reversed()


def _reach(down: Mapping[int, Sequence[int]], among: set[int]) -> Reach:
    """reachable's second half: over `down` (the dependencies of each node that leads
    back into `among`), each item of `among` -> the others it reaches."""
    bit = {item: 1 << n for n, item in enumerate(sorted(among))}
    reach_of: dict[int, int] = {}  # node -> the bits of `among` it depends on
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    counter = 0
    for root in among:
        if root in index_of:
            continue
        work = [(root, iter(down.get(root, ())))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index_of:
                    index_of[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(down.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index_of[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != index_of[node]:
                continue
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            inside = set(members) if len(members) > 1 else (node,)
            own = 0
            for member in members:
                own |= bit.get(member, 0)
            # Every member of a cycle depends on every other (and, through it, on itself).
            reach = own if len(members) > 1 else 0
            for member in members:
                for dependency in down.get(member, ()):
                    if dependency not in inside:
                        # Most of a closure reaches nothing in `among`: no bigint work.
                        further = reach_of[dependency]
                        if further:
                            reach |= further
                        if dependency in bit:
                            reach |= bit[dependency]
            for member in members:
                reach_of[member] = reach
    # Kept as bits, as reachable_in's answer is: change_conflicts compares masks.
    return Reach(sorted(among), {item: reach_of[item] & ~bit[item] for item in among})


def _members(bits: int, ordered: list[int]) -> set[int]:
    """The items whose bits are set: bit n stands for ordered[n]."""
    items = set()
    while bits:
        lowest = bits & -bits
        items.add(ordered[lowest.bit_length() - 1])
        bits ^= lowest
    return items


def change_conflicts(changes: list[Planned], depends_on: Mapping[int, AbstractSet[int]]
                     ) -> list[Conflict]:
    """Pairs of overlapping changes on the same item or on items one depends on, each
    pair reported for both changes (one Conflict each way), sorted by change and other.
    Time first: a sweep in start order meets only the pairs that overlap (a change meets
    some dozens of a month's thousands), and each pair is compared as masks of its
    items, two big-integer ANDs; the items a conflict names are looked for only then.

    A pair that shares items names the lowest shared; else, from the change with the
    lower id, its lowest item that depends on one of the other's (the lowest), or the
    reverse."""
    reach = Reach.of(depends_on, set().union(*(c.items for c in changes)))
    changes = sorted(changes, key=lambda c: c.start)
    starts = [c.start for c in changes]
    items = [c.items for c in changes]
    own = [reach.mask(c.items) for c in changes]
    under = [reach.under(c.items) for c in changes]
    found: list[Conflict] = []
    count = len(changes)
    for index, change in enumerate(changes):
        start, end, mine, reached = change.start, change.end, items[index], under[index]
        mask = own[index]
        later = index + 1
        while later < count and starts[later] < end:
            theirs = items[later]
            # Most pairs share nothing and neither depends on anything changed: no
            # big-integer work for them.
            if not mine.isdisjoint(theirs):
                other = changes[later]
                if other.end > start:
                    first, second = (change, other) if change.id < other.id else (other, change)
                    shared = min(mine & theirs)
                    found.append(Conflict(SAME_ITEM, first.id, second.id, shared, shared))
            elif (reached and reached & own[later]) or (under[later] and under[later] & mask):
                other = changes[later]
                if other.end > start:
                    first, second = (change, other) if change.id < other.id else (other, change)
                    found.append(_dependent(first, second, reach))
            later += 1
    conflicts = []
    for conflict in found:
        conflicts.append(conflict)
        conflicts.append(Conflict(conflict.kind, conflict.other, conflict.change,
                                  conflict.other_item, conflict.item,
                                  conflict.kind == DEPENDENT_ITEM and not conflict.depends))
    conflicts.sort(key=lambda c: (c.change, c.other))
    return conflicts


def _dependent(first: Planned, second: Planned, reach: Reach) -> Conflict:
    """The items a dependent-item conflict names (see change_conflicts)."""
    theirs = reach.mask(second.items)
    for item in sorted(first.items):
        hits = reach.bits.get(item, 0) & theirs
        if hits:
            return Conflict(DEPENDENT_ITEM, first.id, second.id, item,
                            reach.ordered[(hits & -hits).bit_length() - 1], True)
    mine = reach.mask(first.items)
    for item in sorted(second.items):
        hits = reach.bits.get(item, 0) & mine
        if hits:
            return Conflict(DEPENDENT_ITEM, first.id, second.id,
                            reach.ordered[(hits & -hits).bit_length() - 1], item, False)
    raise AssertionError("no dependence between the pair")


def window_conflicts(changes: list[Planned], windows: list[Window]) -> list[Conflict]:
    """Changes inside a blackout, or inside a freeze unless an emergency. Windows are
    few (a handful a year), so each change is compared with those overlapping the
    schedule's range."""
    found = []
    ordered = sorted(windows, key=lambda w: w.start)
    for change in changes:
        for window in ordered:
            if window.start >= change.end:
                break
            if not overlaps(change.start, change.end, window.start, window.end):
                continue
            if window.services and not (window.services & change.services):
                continue
            if window.kind == FREEZE and change.emergency:
                continue
            found.append(Conflict(window.kind, change.id, window.id))
    return found


def maintenance_conflicts(changes: list[Planned],
                          hours: Mapping[int, BusinessCalendar]) -> list[Conflict]:
    """Changes outside the maintenance hours of a service they affect (services without
    hours may be changed at any time)."""
    found = []
    for change in changes:
        for service in sorted(change.services):
            calendar = hours.get(service)
            if calendar is not None and not covers(calendar, change.start, change.end):
                found.append(Conflict(MAINTENANCE, change.id, service))
    return found


@dataclass
class Found:
    """Every conflict of a schedule, by change."""

    conflicts: list[Conflict] = field(default_factory=list)

    def of(self, change_id: int) -> list[Conflict]:
        return [c for c in self.conflicts if c.change == change_id]

    def by_change(self) -> dict[int, list[Conflict]]:
        grouped: dict[int, list[Conflict]] = defaultdict(list)
        for conflict in self.conflicts:
            grouped[conflict.change].append(conflict)
        return grouped


def find_conflicts(changes: list[Planned], windows: list[Window],
                   depends_on: Mapping[int, set[int]],
                   hours: Mapping[int, BusinessCalendar]) -> Found:
    return Found([*change_conflicts(changes, depends_on), *window_conflicts(changes, windows),
                  *maintenance_conflicts(changes, hours)])
