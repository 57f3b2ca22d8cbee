"""A directed graph of numbered nodes as compressed sparse rows (numpy arrays), for walks
from many nodes at once: a level at a time, each level a few array operations, so the
cost follows the depth of the graph rather than the number of nodes and edges visited
(a month's forward schedule walks 12,000 of a CMDB's 94,000 components and 33,000
edges in 5 levels down and 6 up: 13 ms in a Python loop, 2 ms here).

Built once for a graph that does not change (cmdb.graphcache keeps one per generation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class Rows:
    """Each node's successors: `indices[indptr[n]:indptr[n + 1]]`."""

    __slots__ = ("indices", "indptr")

    def __init__(self, indptr: np.ndarray, indices: np.ndarray):
        self.indptr = indptr
        self.indices = indices

    @classmethod
    def of(cls, successors: Sequence[Sequence[int]]) -> Rows:
        lengths = np.fromiter((len(s) for s in successors), dtype=np.int64,
                              count=len(successors))
        indptr = np.zeros(len(successors) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.fromiter((n for s in successors for n in s), dtype=np.int64,
                              count=int(indptr[-1]))
        return cls(indptr, indices)

    @property
    def size(self) -> int:
        return len(self.indptr) - 1

    def reversed(self) -> Rows:
        """The same edges the other way: each node's predecessors."""
        lengths = np.diff(self.indptr)
        sources = np.repeat(np.arange(self.size, dtype=np.int64), lengths)
        order = np.argsort(self.indices, kind="stable")
        indptr = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self.size), out=indptr[1:])
        return Rows(indptr, sources[order])

    def successors(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The successors of `nodes`, node by node in their order, and how many each has."""
        starts = self.indptr[nodes]
        counts = self.indptr[nodes + 1] - starts
        ends = np.cumsum(counts)
        total = int(ends[-1]) if ends.size else 0
        if not total:
            return self.indices[:0], counts
        offsets = np.repeat(starts - (ends - counts), counts)
        return self.indices[offsets + np.arange(total)], counts

    def spread(self, starts: np.ndarray, within: np.ndarray | None = None) -> np.ndarray:
        """A mask of the nodes reached from `starts` (themselves included), through nodes
        of `within` (a mask) only when given."""
        seen = np.zeros(self.size, dtype=bool)
        seen[starts] = True
        frontier = starts
        while frontier.size:
            found, _ = self.successors(frontier)
            found = found[~seen[found]]
            if within is not None:
                found = found[within[found]]
            frontier = np.unique(found)
            seen[frontier] = True
        return seen
