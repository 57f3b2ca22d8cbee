"""Runs of the periodic jobs, recorded: what the job status page and /health/ show.

Celery beat (with a broker) and `borough worker` (without one) both run a job through
`run_job`, which writes a `JobRun` before and after: its outcome, the job's result or the
error. A failure that Celery will retry is recorded as such; the last attempt's failure
is recorded as failed, so a job that keeps failing shows as failing until a run succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from borough.core.models import JobOutcome, JobRun
from borough.core.registry import registry

ERROR_LIMIT = 2000
KEEP_DAYS = 30  # the SLA sweep alone records 1,440 runs a day


def run_job(name: str, *, via: str, attempt: int = 1, final: bool = True):
    """Run the registered job `name` and record the run; exceptions are re-raised."""
    func, _interval = registry.periodic_jobs[name]
    run = JobRun.objects.create(name=name, via=via, attempt=attempt, started_at=timezone.now())
    try:
        result = func()
    except Exception as exc:
        run.outcome = JobOutcome.FAILED if final else JobOutcome.RETRYING
        run.error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
        run.finished_at = timezone.now()
        run.save(update_fields=["outcome", "error", "finished_at"])
        raise
    run.outcome = JobOutcome.SUCCEEDED
    run.result = str(result if result is not None else "")[:ERROR_LIMIT]
    run.finished_at = timezone.now()
    run.save(update_fields=["outcome", "result", "finished_at"])
    return result


@dataclass(frozen=True)
class JobStatus:
    name: str
    interval_seconds: int
    last: JobRun | None
    last_success_at: datetime | None
    failures_in_a_row: int

    @property
    def every(self) -> str:
        """The interval in words: "1 minute", "2 hours", "1 day"."""
        for unit, seconds in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if self.interval_seconds % seconds == 0:
                count = self.interval_seconds // seconds
                return f"{count} {unit}{'s' if count != 1 else ''}"
        return f"{self.interval_seconds} seconds"

    @property
    def failing(self) -> bool:
        return self.last is not None and self.last.outcome == JobOutcome.FAILED


def job_statuses(recent: int = 20) -> list[JobStatus]:
    """Each registered job with its last run, its last success and its failures since.

    One query per job reads its recent runs; a second only when none of them succeeded.
    """
    statuses = []
    for name, (_func, interval) in sorted(registry.periodic_jobs.items()):
        runs = list(JobRun.objects.filter(name=name).order_by("-started_at", "-id")[:recent])
        failures = 0
        for run in runs:
            if run.outcome == JobOutcome.SUCCEEDED:
                break
            failures += run.outcome == JobOutcome.FAILED
        success = next((r.finished_at for r in runs if r.outcome == JobOutcome.SUCCEEDED), None)
        if success is None and len(runs) == recent:
            success = (JobRun.objects.filter(name=name, outcome=JobOutcome.SUCCEEDED)
                       .values_list("finished_at", flat=True).first())
        statuses.append(JobStatus(name, int(interval), runs[0] if runs else None, success,
                                  failures))
    return statuses


@dataclass(frozen=True)
class Stalled:
    """Work claimed by a worker and not finished within `older_than`: `count` items, the
    oldest claimed at `oldest`; `what` says in words what they are and what happens next."""

    name: str
    what: str
    count: int
    oldest: datetime | None
    url: str = ""


def stalled_work(now: datetime | None = None) -> list[Stalled]:
    """What each app's stalled check (registry.stalled_checks) finds, by name."""
    now = now or timezone.now()
    return [check(now) for _name, check in sorted(registry.stalled_checks.items())]


def due_at_start(now: datetime | None = None) -> list[str]:
    """The registered jobs whose last run started a whole interval or more before `now`,
    or that never ran. Celery beat first runs an interval job one interval after it starts,
    so without this a daily job shows "not run yet" for up to a day after a restart."""
    from django.db.models import Max

    now = now or timezone.now()
    last = dict(JobRun.objects.values_list("name").annotate(last=Max("started_at")))
    return [name for name, (_func, interval) in sorted(registry.periodic_jobs.items())
            if last.get(name) is None or (now - last[name]).total_seconds() >= interval]


def queue_length() -> int | None:
    """Messages waiting in the default Celery queue; None without a broker, or when the
    broker cannot be asked."""
    if not settings.CELERY_BROKER_URL:
        return None
    from borough.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            queue = app.conf.task_default_queue or "celery"
            try:
                return conn.default_channel.queue_declare(queue=queue,
                                                          passive=True).message_count
            except conn.channel_errors:
                return 0  # not declared yet: no worker has started, nothing was sent
    except Exception:  # noqa: BLE001 - a status page reports, it does not fail
        return None


def prune_job_runs() -> str:
    """Delete runs older than KEEP_DAYS days, keeping each job's latest run and latest
    success however old, so the status page still knows them."""
    from datetime import timedelta

    from django.db.models import Max

    def latest_ids(runs):  # the newest row is the one recorded last
        return set(runs.values("name").annotate(last=Max("id")).values_list("last", flat=True))

    keep = latest_ids(JobRun.objects.all()) | latest_ids(
        JobRun.objects.filter(outcome=JobOutcome.SUCCEEDED))
    old = JobRun.objects.filter(started_at__lt=timezone.now() - timedelta(days=KEEP_DAYS))
    deleted, _ = old.exclude(pk__in=keep).delete()
    return f"{deleted} job runs older than {KEEP_DAYS} days removed"
