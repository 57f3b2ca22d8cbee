"""The Celery app. Without CELERY_BROKER_URL tasks run inline (settings)."""

import logging
import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

app = Celery("borough")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
log = logging.getLogger(__name__)


@app.on_after_finalize.connect
def schedule_registered_jobs(sender, **kwargs):
    from borough.core.registry import registry

    sender.conf.beat_schedule = {
        name: {"task": "borough.core.tasks.run_periodic_job", "schedule": float(interval),
               "args": (name,)}
        for name, (_func, interval) in registry.periodic_jobs.items()
    }


@beat_init.connect
def queue_overdue_jobs(sender=None, **kwargs):
    """As beat starts, queue each job that is overdue (core.jobs.due_at_start): beat's own
    schedule would first run it a whole interval later."""
    from borough.core.jobs import due_at_start
    from borough.core.tasks import run_periodic_job

    try:
        names = due_at_start()
    except Exception:  # noqa: BLE001 - the database may be down; beat's schedule still runs
        log.warning("Could not read the last job runs; overdue jobs wait for their interval.",
                    exc_info=True)
        return []
    for name in names:
        run_periodic_job.delay(name)
    if names:
        log.info("Queued overdue periodic jobs at start: %s", ", ".join(names))
    return names
