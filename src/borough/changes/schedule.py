"""Conflicts on the forward schedule of change, in plain Python (no Django, no database),
so the rules can be tested on their own and the queries that feed them stay a fixed
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
from datetime import datetime, timedelta
from typing import NamedTuple

from borough.core.business_time import BusinessCalendar, business_minutes_between

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


def reachable(depends_on_edges: Iterable[tuple[int, int]], among: set[int]
              ) -> dict[int, set[int]]:
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


def reachable_in(component: Mapping[int, int], below: Sequence[Sequence[int]],
                 cyclic: AbstractSet[int], among: set[int]) -> dict[int, set[int]]:
    """`reachable`'s answer from a whole graph already folded into its strongly
    connected components (`component`: item -> its component; `below`: each component's
    dependencies, numbered lower than it; `cyclic`: those of more than one item), as
    the CMDB keeps it (cmdb.graphcache): the components under `among` are found by one
    walk down and each one's reach is worked out once, dependencies first (in number
    order), with no search for cycles and no edges read."""
    ordered = sorted(among)
    bit = {item: 1 << n for n, item in enumerate(ordered)}
    own: dict[int, int] = {}  # component -> the bits of its members
    for item, mask in bit.items():
        number = component.get(item)
        if number is not None:
            own[number] = own.get(number, 0) | mask
    # Lists by component number, not sets and dicts: a walk of 12,000 components and
    # 34,000 edges a month is most of this function's time.
    seen = bytearray(len(below))
    pending = list(own)
    for number in pending:
        seen[number] = 1
    under = list(pending)
    while pending:
        for lower in below[pending.pop()]:
            if not seen[lower]:
                seen[lower] = 1
                pending.append(lower)
                under.append(lower)
    under.sort()
    # reach[c]: the bits of `among` that c's items depend on (through a cycle, their own);
    # total[c]: those and its own (none for most of a closure: the switches, racks and
    # sites everything sits on reach nothing changed, so no big-integer work there).
    reach: dict[int, int] = {}
    total = [0] * len(below)
    own_of = own.get
    for number in under:
        found = own_of(number, 0) if number in cyclic else 0
        for lower in below[number]:
            further = total[lower]
            if further:
                found |= further
        if found:
            reach[number] = found
        mine = own_of(number)
        total[number] = found | mine if mine else found
    answer = {}
    for item in among:
        bits = reach.get(component.get(item), 0)
        if bits & bit[item]:
            bits ^= bit[item]
        # Most items reach none of the others: no set to build.
        answer[item] = _members(bits, ordered) if bits else set()
    return answer


def _reach(down: Mapping[int, Sequence[int]], among: set[int]) -> dict[int, set[int]]:
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
    ordered = sorted(among)
    found = {}
    for item in among:
        found[item] = _members(reach_of[item] & ~bit[item], ordered)
    return found


def _members(bits: int, ordered: list[int]) -> set[int]:
    """The items whose bits are set: bit n stands for ordered[n]."""
    items = set()
    while bits:
        lowest = bits & -bits
        items.add(ordered[lowest.bit_length() - 1])
        bits ^= lowest
    return items


def change_conflicts(changes: list[Planned], depends_on: Mapping[int, set[int]]
                     ) -> list[Conflict]:
    """Pairs of overlapping changes on the same item or on items one depends on. Each pair
    once, reported for both changes (one Conflict each way), same item before dependent.
    Compared through the items each change reaches, not pair by pair: the work grows with
    how many changes share items, not with the square of the schedule."""
    touching: dict[int, list[int]] = defaultdict(list)  # item -> changes (by index)
    for index, change in enumerate(changes):
        for item in change.items:
            touching[item].append(index)
    found: dict[tuple[int, int], Conflict] = {}
    for index, change in enumerate(changes):
        # By id: which of two items a pair's conflict names was the order sets happened
        # to iterate in, which moved with the order the database sent the rows.
        for item in sorted(change.items):
            # The same item, then each item it depends on: whoever touches those.
            for reached, kind in ((item, SAME_ITEM), *((d, DEPENDENT_ITEM) for d in
                                                       sorted(depends_on.get(item, ())))):
                for other_index in touching.get(reached, ()):
                    if other_index == index:
                        continue
                    other = changes[other_index]
                    if not overlaps(change.start, change.end, other.start, other.end):
                        continue
                    key = (min(index, other_index), max(index, other_index))
                    earlier = found.get(key)
                    if earlier is not None and (earlier.kind == SAME_ITEM or kind != SAME_ITEM):
                        continue
                    first, second = (change, other) if index < other_index else (other, change)
                    near, far = (item, reached) if index < other_index else (reached, item)
                    found[key] = Conflict(kind, first.id, second.id, near, far,
                                          kind == DEPENDENT_ITEM and index < other_index)
    conflicts = []
    for conflict in found.values():
        conflicts.append(conflict)
        conflicts.append(Conflict(conflict.kind, conflict.other, conflict.change,
                                  conflict.other_item, conflict.item,
                                  conflict.kind == DEPENDENT_ITEM and not conflict.depends))
    return conflicts


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


def covered(calendar: BusinessCalendar, start: datetime, end: datetime) -> bool:
    """Whether the weekly hours cover the whole of [start, end)."""
    wanted = (end - start) / timedelta(minutes=1)
    return business_minutes_between(calendar, start, end) >= wanted - 1e-6


def maintenance_conflicts(changes: list[Planned],
                          hours: Mapping[int, BusinessCalendar]) -> list[Conflict]:
    """Changes outside the maintenance hours of a service they affect (services without
    hours may be changed at any time)."""
    found = []
    for change in changes:
        for service in sorted(change.services):
            calendar = hours.get(service)
            if calendar is not None and not covered(calendar, change.start, change.end):
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
