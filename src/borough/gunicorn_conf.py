"""gunicorn settings for `borough serve` (its command line sets the bind address,
workers and threads)."""

from __future__ import annotations


def post_worker_init(worker):
    """Once Django and every app are imported, move those objects out of the cyclic
    garbage collector's view: they live as long as the worker, and a full collection
    would otherwise walk all of them in the middle of some request."""
    from borough.core.perf import collector

    collector.settle()
