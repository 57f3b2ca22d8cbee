"""The recovery order the CMDB suggests, on generated dependency graphs (cycles,
redundancy, items not in the plan between those that are), against a brute-force check
written here: whatever an item depends on, transitively, comes first, unless the two
depend on each other."""

from __future__ import annotations

import random

import pytest

from borough.cmdb.queries import Dependency, MemoryGraph, group_key
from borough.continuity.queries import recovery_order


def graph_of(edges) -> MemoryGraph:
    return MemoryGraph(Dependency(a, b, group_key(a, "runs_on", label, b))
                       for a, b, label in edges)


def reaches(edges, start) -> set[int]:
    below = {}
    for a, b, _ in edges:
        below.setdefault(a, set()).add(b)
    seen, todo = set(), [start]
    while todo:
        for nxt in below.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_what_an_item_runs_on_comes_first():
    # app -> vm -> host -> san; the app also connects through a switch not in the plan.
    edges = [(1, 2, ""), (2, 3, ""), (3, 4, ""), (1, 9, ""), (9, 5, "")]
    assert recovery_order([1, 2, 3, 4, 5], graph_of(edges)) == [4, 3, 2, 5, 1]
    # Ties by the key given (here: reverse id), dependencies still first.
    assert recovery_order([5, 4], graph_of(edges), key=lambda i: -i) == [5, 4]
    assert recovery_order([], graph_of(edges)) == []


def test_a_cycle_orders_by_key_after_what_it_depends_on():
    edges = [(1, 2, ""), (2, 1, ""), (2, 3, "")]
    assert recovery_order([1, 2, 3], graph_of(edges)) == [3, 1, 2]


def test_alternatives_still_come_first():
    # A VM runs on any of three hosts of a cluster: each is recovered before it.
    edges = [(10, h, "cluster") for h in (11, 12, 13)]
    assert recovery_order([10, 13, 11, 12], graph_of(edges)) == [11, 12, 13, 10]


@pytest.mark.parametrize("seed", range(40))
def test_generated_graphs_against_brute_force(seed):
    rnd = random.Random(seed)
    nodes = list(range(1, rnd.randint(3, 25)))
    edges = list({(a, b, rnd.choice(["", "", "g"]))
                  for _ in range(rnd.randint(0, 40))
                  for a, b in [rnd.sample(nodes, 2)]}) if len(nodes) > 1 else []
    chosen = rnd.sample(nodes, rnd.randint(1, len(nodes)))
    order = recovery_order(chosen, graph_of(edges))
    assert sorted(order) == sorted(chosen)
    place = {item: n for n, item in enumerate(order)}
    below = {i: reaches(edges, i) for i in chosen}
    for i in chosen:
        for j in chosen:
            if i != j and j in below[i] and i not in below[j]:
                assert place[j] < place[i], (i, j, order)
