"""The Celery app. Without CELERY_BROKER_URL tasks run inline (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

app = Celery("borough")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_registered_jobs(sender, **kwargs):
    from borough.core.registry import registry

    sender.conf.beat_schedule = {
        name: {"task": "borough.core.tasks.run_periodic_job", "schedule": float(interval),
               "args": (name,)}
        for name, (_func, interval) in registry.periodic_jobs.items()
    }
