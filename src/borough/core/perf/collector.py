"""The cyclic garbage collector as a long-lived worker should run it.

A full collection walks every tracked object; in a process that has imported Django and
every app those are hundreds of thousands that live as long as it does, so a request
that happens to trigger one pays for all of them (the forward schedule's p95 was set by
such collections: 121 ms a request at load 5 in the benchmark, 4 ms after this).
`settle()` collects once and moves what survives out of the collector's view: the server
calls it when a worker has started (gunicorn_conf), and the benchmarks call it before
measuring, so that they measure what a worker does."""

from __future__ import annotations

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()
