"""The Celery app. Without CELERY_BROKER_URL tasks run inline (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

app = Celery("borough")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
