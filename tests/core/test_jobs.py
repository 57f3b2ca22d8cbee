"""Background jobs: inline without a broker, and through a real Redis in CI (-m redis)."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def redis_worker():
    """A real Celery worker (in a thread) on the Redis of CELERY_BROKER_URL."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("set CELERY_BROKER_URL=redis://... (.ci/run does)")
    from celery.contrib.testing.worker import start_worker

    from borough.celery import app

    app.conf.task_always_eager = False
    app.conf.result_backend = url
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.redis
def test_task_round_trip_through_redis():
    with redis_worker():
        assert tasks.ping.delay().get(timeout=30) == "pong"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_job_run_through_redis_is_recorded():
    from borough.core.jobs import queue_length
    from borough.core.models import JobRun

    with redis_worker():
        assert queue_length() is not None  # the broker answers
        result = tasks.run_periodic_job.delay("clear-expired-sessions").get(timeout=30)
    assert result == "0 expired sessions removed"
    run = JobRun.objects.get(name="clear-expired-sessions")
    assert (run.via, run.outcome, run.result) == ("celery", "succeeded", result)


@pytest.mark.redis
def test_health_reports_the_broker(client):
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        pytest.skip("needs Redis")
    body = client.get("/health/").json()
    assert body["broker"] == "ok"


# --- recorded runs (core.jobs) -----------------------------------------------------------


@pytest.fixture
def flaky_job():
    """A registered job that fails while `state["fail"]` is true."""
    from borough.core.registry import registry

    state = {"fail": False, "runs": 0}

    def job():
        state["runs"] += 1
        if state["fail"]:
            raise ConnectionError("mail server refused")
        return f"run {state['runs']}"

    registry.periodic_jobs["test-flaky"] = (job, 60)
    yield state
    registry.periodic_jobs.pop("test-flaky", None)


def _status(name):
    from borough.core.jobs import job_statuses

    return next(s for s in job_statuses() if s.name == name)


@pytest.mark.django_db
def test_a_run_is_recorded_with_its_result(flaky_job):
    from borough.core.jobs import run_job
    from borough.core.models import JobRun

    assert run_job("test-flaky", via="in-process") == "run 1"
    run = JobRun.objects.get(name="test-flaky")
    assert (run.outcome, run.result, run.via, run.attempt) == ("succeeded", "run 1",
                                                              "in-process", 1)
    assert run.finished_at >= run.started_at


@pytest.mark.django_db
def test_a_failure_is_recorded_retrying_then_failed_until_a_run_succeeds(flaky_job):
    from borough.core.jobs import run_job
    from borough.core.models import JobRun

    run_job("test-flaky", via="celery")
    flaky_job["fail"] = True
    for attempt, final in ((1, False), (2, True), (1, True)):
        with pytest.raises(ConnectionError):
            run_job("test-flaky", via="celery", attempt=attempt, final=final)
    assert list(JobRun.objects.filter(name="test-flaky").values_list("outcome", flat=True)) == [
        "failed", "failed", "retrying", "succeeded"]
    status = _status("test-flaky")
    assert status.failing and status.failures_in_a_row == 2
    assert status.last.error == "ConnectionError: mail server refused"
    assert status.last_success_at is not None
    flaky_job["fail"] = False
    run_job("test-flaky", via="celery")
    status = _status("test-flaky")
    assert not status.failing and status.failures_in_a_row == 0


@pytest.mark.django_db
def test_the_worker_records_each_job_and_goes_on_after_a_failure(flaky_job, capsys):
    from borough.core.models import JobRun

    flaky_job["fail"] = True
    call_command("worker", "--once")
    captured = capsys.readouterr()
    assert "test-flaky failed" in captured.err
    assert JobRun.objects.get(name="test-flaky").outcome == "failed"
    assert JobRun.objects.get(name="clear-expired-sessions").outcome == "succeeded"


@pytest.mark.django_db
def test_the_celery_task_records_its_run(flaky_job):
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("a broker is configured")
    from borough.core.models import JobRun

    assert tasks.run_periodic_job.delay("test-flaky").get() == "run 1"
    assert JobRun.objects.get(name="test-flaky").via == "celery"


@pytest.mark.django_db
def test_the_status_page_is_for_platform_administrators(client, flaky_job, org_a):
    from django.contrib.auth.models import Group

    from borough.core import roles
    from borough.core.jobs import run_job
    from tests.factories import MembershipFactory, UserFactory

    flaky_job["fail"] = True
    with pytest.raises(ConnectionError):
        run_job("test-flaky", via="in-process")
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, organisation=org_a,
                      role=Group.objects.get(name=roles.ICT_MANAGER), is_default=True)
    client.force_login(manager)
    assert client.get("/jobs/").status_code == 403
    assert "Background jobs" not in client.get("/").content.decode()
    assert client.get("/api/core/jobs/").status_code == 403
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert 'href="/jobs/"' in client.get("/").content.decode()  # linked from home
    page = client.get("/jobs/").content.decode()
    assert "test-flaky" in page and "ConnectionError: mail server refused" in page
    assert "clear-expired-sessions" in page and "Not run yet" in page
    assert "1 hour" in page and "1 minute" in page  # the sweeps' intervals, in words
    rows = {row["name"]: row for row in client.get("/api/core/jobs/").json()}
    assert rows["test-flaky"]["last_outcome"] == "failed"
    assert rows["test-flaky"]["failures_in_a_row"] == 1
    assert rows["clear-expired-sessions"]["last_outcome"] is None


@pytest.mark.django_db
def test_health_names_failing_jobs_but_not_their_errors(client, flaky_job):
    from borough.core.jobs import run_job

    flaky_job["fail"] = True
    with pytest.raises(ConnectionError):
        run_job("test-flaky", via="in-process")
    body = client.get("/health/").json()
    assert body["jobs"]["test-flaky"] == "failed"
    assert body["failing_jobs"] == ["test-flaky"]
    assert "mail server" not in str(body)


@pytest.mark.django_db
def test_old_runs_are_pruned_but_each_jobs_latest_and_latest_success_stay():
    from datetime import timedelta

    from django.utils import timezone

    from borough.core.jobs import KEEP_DAYS, prune_job_runs
    from borough.core.models import JobRun

    long_ago = timezone.now() - timedelta(days=KEEP_DAYS + 5)

    def run(name, outcome, days_ago):
        return JobRun.objects.create(name=name, via="in-process", outcome=outcome,
                                     started_at=long_ago + timedelta(days=5 - days_ago))

    run("a", "succeeded", 3)  # old and superseded: goes
    run("a", "succeeded", 2)  # old and superseded: goes
    latest_success = run("a", "succeeded", 1)  # old, but a's latest success: stays
    run("a", "failed", 0)  # old and not a's latest run: goes
    latest = JobRun.objects.create(name="a", via="in-process", outcome="failed",
                                   started_at=timezone.now())
    only = run("b", "failed", 3)  # old, but b's latest run: stays
    assert prune_job_runs() == f"3 job runs older than {KEEP_DAYS} days removed"
    assert set(JobRun.objects.values_list("pk", flat=True)) == {
        latest_success.pk, latest.pk, only.pk}


@pytest.mark.django_db
def test_job_statuses_read_each_jobs_recent_runs_once(django_assert_max_num_queries):
    """The status page and /health/ read one query per job when its last success is
    among its recent runs (a second only to look further back)."""
    from borough.core.jobs import job_statuses, run_job
    from borough.core.registry import registry

    for name in registry.periodic_jobs:
        run_job(name, via="in-process")
    with django_assert_max_num_queries(len(registry.periodic_jobs)):
        statuses = job_statuses()
    assert all(s.last.outcome == "succeeded" and s.last_success_at for s in statuses)


@pytest.mark.django_db
def test_jobs_due_at_start_are_the_never_run_and_the_overdue():
    from datetime import timedelta

    from django.utils import timezone

    from borough.core.jobs import due_at_start
    from borough.core.models import JobOutcome, JobRun
    from borough.core.registry import registry

    now = timezone.now()
    assert due_at_start(now) == sorted(registry.periodic_jobs)  # nothing has run yet
    intervals = {name: interval for name, (_f, interval) in registry.periodic_jobs.items()}
    assert intervals["prune-job-runs"] == 86400 and intervals["clear-expired-sessions"] == 3600
    for name, interval in intervals.items():  # every job ran half an interval ago...
        JobRun.objects.create(name=name, via="celery", outcome=JobOutcome.SUCCEEDED,
                              started_at=now - timedelta(seconds=interval / 2))
    assert due_at_start(now) == []
    # ...except the daily prune, last run 25 hours ago (an older run does not count twice)
    # and the hourly sessions job, whose last run failed 61 minutes ago.
    JobRun.objects.filter(name="prune-job-runs").update(started_at=now - timedelta(hours=25))
    JobRun.objects.filter(name="clear-expired-sessions").update(
        started_at=now - timedelta(minutes=61), outcome=JobOutcome.FAILED)
    assert due_at_start(now) == ["clear-expired-sessions", "prune-job-runs"]


@pytest.mark.django_db
def test_beat_start_queues_the_overdue_jobs_without_a_broker(monkeypatch):
    from celery.signals import beat_init

    from borough.core.models import JobOutcome, JobRun
    from borough.core.registry import registry

    queued = []
    monkeypatch.setattr(tasks.run_periodic_job, "delay", queued.append)
    from django.utils import timezone

    for name in registry.periodic_jobs:
        if name != "prune-job-runs":
            JobRun.objects.create(name=name, via="celery", outcome=JobOutcome.SUCCEEDED,
                                  started_at=timezone.now())
    beat_init.send(sender=None)
    assert queued == ["prune-job-runs"]


def test_beat_start_survives_an_unreachable_database(monkeypatch, caplog):
    from celery.signals import beat_init
    from django.db import OperationalError

    queued = []
    monkeypatch.setattr(tasks.run_periodic_job, "delay", queued.append)

    def down(now=None):
        raise OperationalError("connection refused")

    monkeypatch.setattr("borough.core.jobs.due_at_start", down)
    beat_init.send(sender=None)
    assert queued == []
    assert "overdue jobs wait for their interval" in caplog.text
