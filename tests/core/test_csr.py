"""core.perf.csr against plain Python walks on generated graphs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from borough.core.perf.csr import Rows

GRAPHS = st.integers(1, 25).flatmap(lambda n: st.tuples(
    st.just(n), st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
    st.sets(st.integers(0, n - 1), max_size=6), st.sets(st.integers(0, n - 1))))


def walk(successors, starts, within=None):
    seen, pending = set(starts), list(starts)
    while pending:
        for nxt in successors[pending.pop()]:
            if nxt not in seen and (within is None or nxt in within):
                seen.add(nxt)
                pending.append(nxt)
    return seen


@settings(max_examples=200, deadline=None)
@given(GRAPHS)
def test_rows_walk_as_plain_python_does(graph):
    size, edges, starts, within = graph
    successors = [sorted(b for a, b in edges if a == n) for n in range(size)]
    predecessors = [sorted(a for a, b in edges if b == n) for n in range(size)]
    rows = Rows.of(successors)
    begin = np.array(sorted(starts), dtype=np.int64)
    assert set(np.flatnonzero(rows.spread(begin)).tolist()) == walk(successors, starts)
    mask = np.zeros(size, dtype=bool)
    mask[list(within)] = True
    assert set(np.flatnonzero(rows.spread(begin, within=mask)).tolist()) == walk(
        successors, starts, within)
    back = rows.reversed()
    assert [sorted(back.indices[back.indptr[n]:back.indptr[n + 1]].tolist())
            for n in range(size)] == predecessors
    found, counts = rows.successors(begin)
    assert counts.tolist() == [len(successors[n]) for n in sorted(starts)]
    assert found.tolist() == [m for n in sorted(starts) for m in successors[n]]


def test_a_graph_without_edges_or_starts():
    rows = Rows.of([(), (), ()])
    assert rows.spread(np.array([], dtype=np.int64)).tolist() == [False] * 3
    assert rows.reversed().indptr.tolist() == [0, 0, 0, 0]
    assert Rows.of([]).spread(np.array([], dtype=np.int64)).size == 0
