from __future__ import annotations

import os
import sys
import time

from django.conf import settings

from borough.core import background
from borough.core.jobs import run_job
from borough.core.management.base import BoroughCommand
from borough.core.registry import registry


class Command(BoroughCommand):
    help = ("Run background jobs: a Celery worker with beat when CELERY_BROKER_URL is set, "
            "otherwise the periodic jobs and the waiting background tasks in this process.")

    def add_options(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Without a broker: run every periodic job and waiting task once "
                     "and exit.")
        parser.add_argument("--concurrency", type=int, default=2)

    def run(self, *args, **options):
        if settings.CELERY_BROKER_URL:
            argv = [sys.executable, "-m", "celery", "-A", "borough", "worker", "-B",
                    "--loglevel", "INFO", "--concurrency", str(options["concurrency"]),
                    "--schedule", str(settings.DATA_DIR / "celerybeat-schedule")]
            os.execv(sys.executable, argv)  # noqa: S606 - replace this process with Celery
        self.stdout.write("No CELERY_BROKER_URL: running periodic jobs and background tasks "
                          "in this process.")
        due = {name: 0.0 for name in registry.periodic_jobs}
        while True:
            now = time.monotonic()
            for name, (_func, interval) in registry.periodic_jobs.items():
                if now >= due[name]:
                    try:
                        self.stdout.write(f"{name}: {run_job(name, via='in-process')}")
                    except Exception as exc:  # noqa: BLE001 - one failing job must not stop others
                        self.stderr.write(f"{name} failed: {exc!r}")
                    due[name] = now + interval
            try:
                if ran := background.run_waiting(via="worker"):
                    self.stdout.write(f"background tasks run: {ran}")
            except Exception as exc:  # noqa: BLE001 - the periodic jobs must go on
                self.stderr.write(f"background tasks failed: {exc!r}")
            if options["once"]:
                return
            time.sleep(5)
