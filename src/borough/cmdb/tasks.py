"""The CMDB's task: one directory discovery run, by a worker (inline without a broker)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def run_discovery(run_id: int) -> str:
    """Idempotent: a run that has started already is left alone (services.execute)."""
    from borough.cmdb.discovery import services

    run = services.execute(run_id)
    return run.get_outcome_display() if run is not None else "no such run"
