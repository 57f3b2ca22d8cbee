"""A local SMTP server that takes every message and writes one JSON line per message
(arrival time, envelope, the threading headers) to a file: where the benchmark points
Borough's EMAIL_HOST. Its own process, so its work is not charged to what is measured.

    python -m bench.email.sink --port 2526 --out sink.jsonl

Prints "ready" once it listens; stops on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

HEADERS = ("Message-ID", "In-Reply-To", "References", "Subject", "Auto-Submitted",
           "X-Borough-Loop", "From", "To")


class Counting:
    def __init__(self, out):
        self.out = out
        self.parser = BytesParser(policy=policy.default)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        head = self.parser.parsebytes(raw, headersonly=True)
        record = {"t": time.time(), "mail_from": envelope.mail_from,
                  "rcpt_tos": list(envelope.rcpt_tos), "size": len(raw)}
        for name in HEADERS:
            value = head.get(name)
            record[name.lower()] = " ".join(str(value).split()) if value is not None else None
        self.out.write(json.dumps(record) + "\n")
        self.out.flush()  # written before the 250: the sender's success means it is here
        return "250 2.0.0 OK"


def read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path) as source:
        return [json.loads(line) for line in source if line.endswith("\n")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with open(args.out, "a") as out:
        server = Controller(Counting(out), hostname="127.0.0.1", port=args.port,
                            decode_data=False, ready_timeout=10)
        server.start()
        print("ready", flush=True)
        try:
            stop.wait()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
