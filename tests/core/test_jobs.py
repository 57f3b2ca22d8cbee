"""Background jobs: inline without a broker, and through a real Redis in CI (-m redis)."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from borough.core import tasks


@pytest.mark.django_db
def test_worker_once_runs_every_periodic_job_in_process(capsys):
    call_command("worker", "--once")
    out = capsys.readouterr().out
    assert "clear-expired-sessions: 0 expired sessions removed" in out


@pytest.mark.django_db
def test_periodic_job_runs_inline_without_a_broker(settings):
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("a broker is configured")
    assert tasks.run_periodic_job.delay("clear-expired-sessions").get() == (
        "0 expired sessions removed"
    )


@pytest.mark.redis
def test_task_round_trip_through_redis():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("set CELERY_BROKER_URL=redis://... (.ci/run does)")
    from celery.contrib.testing.worker import start_worker

    from borough.celery import app

    app.conf.task_always_eager = False
    app.conf.result_backend = url
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            assert tasks.ping.delay().get(timeout=30) == "pong"
    finally:
        app.conf.task_always_eager = True


@pytest.mark.redis
def test_health_reports_the_broker(client):
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        pytest.skip("needs Redis")
    body = client.get("/health/").json()
    assert body["broker"] == "ok"
