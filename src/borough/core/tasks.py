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


@shared_task
def ping() -> str:
    return "pong"


def clear_expired_sessions() -> str:
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return f"{deleted} expired sessions removed"
