"""One-off background tasks that people start (a big import), for every module.

A task is a `BackgroundTask` row: its registered name (`registry.background_tasks`), its
owner and organisation, its arguments, its progress (`done` of `total`), and how it
ended (an outcome in words, or its errors). `queue()` writes the row; once the caller's
transaction commits, the task is handed to its runner (settings.BACKGROUND_TASK_RUNNER):

- `celery` (the default with a broker): `core.tasks.run_background_task`, as periodic
  jobs run;
- `thread` (the default without a broker): a thread of the process that queued it, so
  `make run` needs no worker;
- `worker`: nothing is sent; `borough worker` picks up waiting tasks (it does so whatever
  the runner, so a task whose thread died with its process is still run).

`run_task()` claims a task with a conditional UPDATE (waiting, or running with no sign of
life for STALE_AFTER), so two runners never both run it, and records the outcome. A task
function raises `TaskFailed` with the errors a person can act on; any other exception is
recorded too, and re-raised for Celery.

**Progress during one long transaction.** An all-or-nothing import keeps its writes in
one transaction, so progress written there would be invisible until the end.
`Progress` writes it beside that transaction instead: on PostgreSQL through a second
connection of its own (autocommit), on SQLite (whose one writer holds the lock) to a
small file in DATA_DIR that the task's page reads while the task runs.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from borough.core.models import BackgroundTask, TaskStatus
from borough.core.registry import registry

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)  # no progress written for this long: the runner died
PROGRESS_EVERY = 1.0  # seconds between progress writes
ERRORS_KEPT = 1000


class TaskFailed(Exception):
    """The task cannot finish; `errors` say what to do about it."""

    def __init__(self, outcome: str, errors: list | None = None):
        self.outcome = outcome
        self.errors = list(errors or [])
        super().__init__(outcome)


def runner() -> str:
    configured = settings.BACKGROUND_TASK_RUNNER
    if configured:
        return configured
    return "celery" if settings.CELERY_BROKER_URL else "thread"


def queue(name: str, *, owner, organisation_id: int, title: str, arguments: dict,
          total: int = 0, url: str = "") -> BackgroundTask:
    """Record a task to run, in the caller's transaction; it is handed to its runner once
    that commits (so the runner finds the row and what the caller saved with it)."""
    if name not in registry.background_tasks:
        raise KeyError(f"No background task is registered as {name!r}.")
    task = BackgroundTask.objects.create(
        organisation_id=organisation_id, owner=owner, created_by=owner, updated_by=owner,
        name=name, title=title[:200], arguments=arguments, total=total, url=url)
    transaction.on_commit(lambda: dispatch(task.pk))
    return task


def dispatch(task_id: int) -> None:
    how = runner()
    if how == "celery":
        from borough.core.tasks import run_background_task

        try:
            run_background_task.delay(task_id)
        except Exception:  # noqa: BLE001 - the broker is down: the task waits (run_late)
            log.warning("could not send background task %s; it waits for "
                        "core-run-waiting-tasks", task_id, exc_info=True)
    elif how == "thread":
        threading.Thread(target=_run_in_thread, args=(task_id,), daemon=True,
                         name=f"borough-task-{task_id}").start()
    # "worker": `borough worker` finds it waiting.


def _run_in_thread(task_id: int) -> None:
    try:
        run_task(task_id, via="thread")
    except Exception:  # noqa: BLE001 - recorded on the task; a thread has no one to tell
        log.exception("background task %s failed", task_id)
    finally:
        connections.close_all()


def _claimable(now) -> Q:
    return Q(status=TaskStatus.QUEUED) | Q(status=TaskStatus.RUNNING,
                                           heartbeat_at__lt=now - STALE_AFTER)


def claim(task_id: int, *, via: str) -> BackgroundTask | None:
    """Take the task to run it, if it is waiting (or its runner died); None if another
    runner has it or it has finished."""
    now = timezone.now()
    if not _alive_elsewhere(task_id, now):
        taken = BackgroundTask.objects.filter(_claimable(now), pk=task_id).update(
            status=TaskStatus.RUNNING, via=via, attempts=F("attempts") + 1, started_at=now,
            heartbeat_at=now, done=0)
        if taken:
            return BackgroundTask.objects.select_related("owner").get(pk=task_id)
    return None


def _alive_elsewhere(task_id: int, now) -> bool:
    """On SQLite a running task's sign of life is its progress file (module docstring)."""
    path = progress_path(task_id)
    try:
        return now.timestamp() - path.stat().st_mtime < STALE_AFTER.total_seconds()
    except OSError:
        return False


def run_task(task_id: int, *, via: str) -> BackgroundTask | None:
    """Run one task if it can be claimed; record its outcome. Returns the task as it
    ended, or None if it was not this runner's to run."""
    task = claim(task_id, via=via)
    if task is None:
        return None
    func = registry.background_tasks.get(task.name)
    progress = Progress(task)
    try:
        if func is None:
            raise TaskFailed(f"This version of Borough has no task called {task.name}.")
        outcome = func(task, progress)
    except TaskFailed as exc:
        _finish(task, progress, TaskStatus.FAILED, exc.outcome, exc.errors)
    except Exception as exc:
        _finish(task, progress, TaskStatus.FAILED, "The task stopped with an error. Try "
                "again; if it fails again, tell your administrator.",
                [f"{type(exc).__name__}: {exc}"])
        raise
    else:
        _finish(task, progress, TaskStatus.SUCCEEDED, str(outcome or ""), [])
    return task


def _finish(task: BackgroundTask, progress: Progress, status: str, outcome: str,
            errors: list) -> None:
    progress.close()
    task.status = status
    task.outcome = outcome
    task.errors = errors[:ERRORS_KEPT]
    task.done = progress.done if status == TaskStatus.FAILED else max(progress.done,
                                                                      task.total)
    task.total = max(task.total, progress.total)
    task.finished_at = task.heartbeat_at = timezone.now()
    task.save(update_fields=["status", "outcome", "errors", "done", "total", "finished_at",
                             "heartbeat_at", "updated_at"])


def waiting_ids(now=None, *, queued_before=None) -> list[int]:
    now = now or timezone.now()
    rows = BackgroundTask.objects.filter(_claimable(now))
    if queued_before is not None:
        rows = rows.filter(created_at__lt=queued_before)
    return list(rows.order_by("id").values_list("id", flat=True)[:100])


def run_waiting(*, via: str = "worker", queued_before=None) -> int:
    """Run every task that is waiting (or whose runner died): `borough worker`'s turn."""
    ran = 0
    for task_id in waiting_ids(queued_before=queued_before):
        try:
            ran += run_task(task_id, via=via) is not None
        except Exception:  # noqa: BLE001 - recorded on the task; the next one still runs
            log.exception("background task %s failed", task_id)
            ran += 1
    return ran


def run_late() -> str:
    """The periodic job core-run-waiting-tasks: tasks waiting for more than a minute (their
    runner never got them: the broker was down, the web process stopped) run here."""
    ran = run_waiting(via="job", queued_before=timezone.now() - timedelta(minutes=1))
    return f"{ran} waiting background tasks run"


def stalled(now):
    """Tasks whose runner stopped giving signs of life (registry.stalled_checks)."""
    from borough.core.jobs import Stalled

    rows = BackgroundTask.objects.filter(status=TaskStatus.RUNNING,
                                         heartbeat_at__lt=now - STALE_AFTER)
    rows = [t for t in rows.only("id", "heartbeat_at") if not _alive_elsewhere(t.pk, now)]
    return Stalled("background-tasks", "Background tasks (imports) whose runner stopped; "
                   "`borough worker` runs them again.", len(rows),
                   min((t.heartbeat_at for t in rows), default=None))


# --- Progress --------------------------------------------------------------------------------


def progress_path(task_id: int) -> Path:
    return Path(settings.DATA_DIR) / "task-progress" / f"{int(task_id)}.json"


class Progress:
    """How far a running task has got, written beside its transaction (module docstring),
    at most once a PROGRESS_EVERY seconds."""

    def __init__(self, task: BackgroundTask):
        self.task_id = task.pk
        self.total = task.total
        self.done = 0
        self._written_at = 0.0
        self._connection = None

    def set_total(self, total: int) -> None:
        self.total = total
        self._write()

    def advance(self, done: int) -> None:
        self.done = done
        if time.monotonic() - self._written_at >= PROGRESS_EVERY or done >= self.total:
            self._write()

    def _write(self) -> None:
        self._written_at = time.monotonic()
        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.in_atomic_block:
            BackgroundTask.objects.filter(pk=self.task_id).update(
                done=self.done, total=self.total, heartbeat_at=timezone.now())
        elif connection.vendor == "postgresql":
            self._write_aside(connection)
        else:
            self._write_file()

    def _write_aside(self, connection) -> None:
        try:
            if self._connection is None:
                self._connection = type(connection)(dict(connection.settings_dict),
                                                    connection.alias)
            with self._connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {BackgroundTask._meta.db_table} SET done = %s, total = %s, "  # noqa: S608 - metadata
                    "heartbeat_at = %s WHERE id = %s",
                    [self.done, self.total, timezone.now(), self.task_id])
        except Exception:  # noqa: BLE001 - progress is a courtesy; the work goes on
            log.warning("could not write the progress of task %s", self.task_id,
                        exc_info=True)

    def _write_file(self) -> None:
        path = progress_path(self.task_id)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".progress-")
            with os.fdopen(handle, "w") as out:
                json.dump({"done": self.done, "total": self.total}, out)
            os.replace(temporary, path)
        except OSError:
            log.warning("could not write the progress of task %s", self.task_id,
                        exc_info=True)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        progress_path(self.task_id).unlink(missing_ok=True)


def current(task: BackgroundTask) -> tuple[int, int]:
    """(done, total) of a task as the page shows it: from the progress file while a task
    runs on SQLite, else from the row."""
    if task.status == TaskStatus.RUNNING:
        try:
            data = json.loads(progress_path(task.pk).read_text())
            return int(data["done"]), int(data["total"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return task.done, task.total
