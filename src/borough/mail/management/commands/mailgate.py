from __future__ import annotations

import signal
import threading

from django.conf import settings

from borough.core.management.base import BoroughCommand
from borough.mail.gateway import controller


class Command(BoroughCommand):
    help = ("Receive mail over SMTP for the organisations' mailboxes (the council's mail "
            "server relays to it). MAILGATE_HOST and MAILGATE_PORT say where it listens.")

    def add_options(self, parser):
        parser.add_argument("--host", default=settings.MAILGATE_HOST)
        parser.add_argument("--port", type=int, default=settings.MAILGATE_PORT)

    def run(self, *args, **options):
        gate = controller(options["host"], options["port"])
        gate.start()
        self.stdout.write(f"Receiving mail on {options['host']}:{options['port']} "
                          "(Ctrl+C to stop).")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            gate.stop()
