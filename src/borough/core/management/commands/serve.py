from __future__ import annotations

import os
import sys

from django.conf import settings

from borough.core.management.base import BoroughCommand


class Command(BoroughCommand):
    help = "Serve Borough with gunicorn (production settings when run as `borough serve`)."

    def add_options(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "4")))

    def run(self, *args, **options):
        if settings.PRODUCTION:
            from django.core.management import call_command

            call_command("check", "--deploy", "--fail-level", "ERROR")
            call_command("collectstatic", "--no-input", verbosity=0)
        argv = [
            sys.executable, "-m", "gunicorn", "borough.wsgi:application",
            "--config", "python:borough.gunicorn_conf",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]), "--threads", str(options["threads"]),
            "--access-logfile", "-", "--forwarded-allow-ips", os.environ.get(
                "FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        # Persistent database connections, one per gunicorn thread: at most workers x threads
        # (settings.py says why other servers close theirs after each request).
        os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
        self.stdout.write(f"Serving Borough on http://{options['host']}:{options['port']}/")
        os.execv(sys.executable, argv)  # noqa: S606 - hand the process to gunicorn
