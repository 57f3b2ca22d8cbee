"""Periodic jobs: apps register them in the core registry; Celery beat runs them when a
broker is configured, `borough worker` runs them in-process when not."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from borough.core.jobs import run_job

log = logging.getLogger(__name__)


@shared_task(
    bind=True, autoretry_for=(OperationalError, ConnectionError), retry_backoff=True,
    retry_backoff_max=600, max_retries=5, acks_late=True,
)
def run_periodic_job(self, name: str):
    """Run one registered job by name, recorded (core.jobs); jobs are idempotent, so a
    retry is safe. The last attempt's failure is recorded as failed, earlier ones as
    retrying."""
    retries = self.request.retries or 0
    result = run_job(name, via="celery", attempt=retries + 1,
                     final=retries >= self.max_retries)
    log.info("periodic job %s finished: %s", name, result)
    return result


@shared_task(bind=True, acks_late=True, max_retries=12)
def run_background_task(self, task_id: int):
    """Run one background task (core.background) by id. Claiming makes it safe to deliver
    twice: a task another worker is running is left to it, and tried again later in case
    that worker dies (a task with no sign of life for STALE_AFTER can be claimed)."""
    from borough.core import background
    from borough.core.models import BackgroundTask, TaskStatus

    task = background.run_task(task_id, via="celery")
    if task is None and BackgroundTask.objects.filter(
            pk=task_id, status=TaskStatus.RUNNING).exists():
        raise self.retry(countdown=int(background.STALE_AFTER.total_seconds()))
    return task.status if task is not None else "not this worker's"


@shared_task
def ping() -> str:
    return "pong"


def clear_expired_sessions() -> str:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions removed"
