#!/usr/bin/env python3
"""Email benchmark: messages in over SMTP, notifications out through the worker.

    .venv/bin/python bench/email/run.py --db sqlite|postgres|both --messages 2000 \
        [--notifications 1000] [--threads 4]
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/email/run.py ...

Per database: a fresh database (SQLite in a temporary directory, or PostgreSQL
`borough_bench_email` on 127.0.0.1:5432 as user postgres, dropped and recreated),
migrated, with the demo's councils and Copeland's desk, a directory of requesters and a
mailbox (bench/email/desk.py). A local SMTP sink (bench/email/sink.py, its own process)
stands in for the council's mail server: EMAIL_HOST points at it.

1. Ingest: `borough mailgate` (its own process, production settings) receives the plan
   of bench/email/workload.py from client threads using smtplib; a watcher thread polls
   the database for each message's ticket or reply. Rate, time to the 250 and time until
   visible; then the database is checked against what was sent.
2. Notifications: the demo agent answers tickets (servicedesk.services.reply), which
   queues one email each; they are sent by `borough worker` on Redis when
   CELERY_BROKER_URL is set, else by the periodic send (`mail-send-queued`) in this
   process; the sink must receive each exactly once, threaded and referenced.

Writes bench/results/email-<db>-<messages>[-redis].json and prints a table. Exits 1 when
a count is wrong. Only 127.0.0.1 is contacted; every process started is stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import smtplib
import string
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# As a script, Python puts bench/email/ first on the path: import the benchmark's parts
# as bench.email.* from the repository's root instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import run as desk_bench  # noqa: E402 - machine(), spare_port(), memory_mb()...
from bench.email import sink, workload  # noqa: E402
from bench.servicedesk.load import cpu_seconds  # noqa: E402

VENV = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
PG_NAME = "borough_bench_email"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
# Settings from the caller's environment that would change what is measured.
CLEARED_PREFIXES = ("EMAIL_", "MAIL_", "MAILGATE_", "CELERY_", "DATABASE_", "BOROUGH_")
CLEARED = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DEFAULT_FROM_EMAIL", "LOG_LEVEL",
           "DJANGO_SETTINGS_MODULE"}


def log(message: str) -> None:
    print(f"[email {time.strftime('%H:%M:%S')}] {message}", flush=True)


def clean_environment() -> dict:
    return {k: v for k, v in os.environ.items()
            if k not in CLEARED and not k.startswith(CLEARED_PREFIXES)}


def wait_for_smtp(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with code {process.returncode}")
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
                if smtp.noop()[0] == 250:
                    return
        except (OSError, smtplib.SMTPException):
            time.sleep(0.2)
    raise RuntimeError("the gateway did not answer in time")


def wait_for_line(path: Path, text: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[1]} exited with code {process.returncode}: "
                               f"{tail(path)}")
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{process.args[1]} did not start in time: {tail(path)}")


def tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def stop(process: subprocess.Popen | None, timeout: float = 30) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in desk_bench.children(process.pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait(timeout=10)


def redis_queue_length(url: str) -> int | None:
    try:
        import redis

        return redis.Redis.from_url(url, socket_connect_timeout=2).llen("celery")
    except Exception:  # noqa: BLE001 - informative only
        return None


def bench_one(db: str, args) -> dict:
    keep = args.keep or args.data_dir is not None
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix=f"borough-bench-email-{db}-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    broker = os.environ.get("CELERY_BROKER_URL", "")
    database_url = PG_URL if db == "postgres" else f"sqlite:///{data_dir / 'borough.sqlite3'}"
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    sink_port, gateway_port = desk_bench.spare_port(), desk_bench.spare_port()
    base = {**clean_environment(), "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "borough.settings", "BOROUGH_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "DEBUG": "false",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink_port),
            # One key for every process: the loop token on outgoing mail is made from it.
            "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50))}
    production = {**base, "BOROUGH_MODE": "production", "ALLOWED_HOSTS": "127.0.0.1"}
    sink_file = data_dir / "sink.jsonl"
    sink_file.unlink(missing_ok=True)
    processes: list[subprocess.Popen] = []
    log(f"=== {db}: {args.messages:,} messages, {args.notifications:,} notifications, "
        f"data in {data_dir} ===")
    load_before = os.getloadavg()
    try:
        sink_process = subprocess.Popen(
            [str(VENV / "python"), "-m", "bench.email.sink", "--port", str(sink_port),
             "--out", str(sink_file)], cwd=ROOT, env=base, stdout=subprocess.PIPE, text=True)
        processes.append(sink_process)
        if sink_process.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")
        if db == "postgres":
            desk_bench.postgres_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            desk_bench.postgres_admin(f"CREATE DATABASE {PG_NAME}")
        os.environ.clear()
        # With a broker, this process knows it from the start (Celery fixes its broker
        # connection early), but runs tasks inline until the emails are handed to it.
        os.environ.update({**base, "BOROUGH_MODE": "development",
                           **({"CELERY_BROKER_URL": broker} if broker else {})})
        import django

        django.setup()
        from borough.celery import app

        app.conf.task_always_eager = True
        return measure(db, args, data_dir, broker, production, sink_file, gateway_port,
                       processes, load_before)
    finally:
        for process in reversed(processes):
            stop(process)
        if not keep:
            if db == "postgres":
                with contextlib.suppress(Exception):
                    from django.db import connections

                    connections.close_all()
                    desk_bench.postgres_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            shutil.rmtree(data_dir, ignore_errors=True)


def measure(db, args, data_dir, broker, production, sink_file, gateway_port, processes,
            load_before) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.email import desk, ingest, notify
    from borough.mail.models import InboundMessage, Outcome
    from borough.servicedesk.models import Channel, Ticket

    setup = {}
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    setup["migrate_seconds"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    people = workload.people_needed(args.messages)
    the_desk = desk.prepare(people, args.directory, seed=args.seed)
    plan = workload.plan(args.messages, args.threads, seed=args.seed,
                         people=[(p.email, p.full_name) for p in the_desk.people],
                         address=the_desk.mailbox.address)
    existing = desk.raise_existing(the_desk, plan.existing_requesters, seed=args.seed)
    workload.build(plan, existing, seed=args.seed)
    setup.update({"seed_seconds": round(time.monotonic() - started, 1),
                  "directory_people": max(people, args.directory), "known_senders": people,
                  "tickets_raised_before": len(existing),
                  "senders": plan.counts["senders"],
                  "most_messages_from_one_sender": plan.counts["busiest_sender"]})
    log(f"desk ready: {people} of {max(people, args.directory)} requesters send, "
        f"{len(existing)} tickets to answer "
        f"({setup['migrate_seconds']} s migrate, {setup['seed_seconds']} s seed)")

    # --- 1. ingest over SMTP ------------------------------------------------------------
    gateway_log = data_dir / "mailgate.log"
    with open(gateway_log, "w") as out:
        gateway = subprocess.Popen(
            [str(VENV / "borough"), "mailgate", "--host", "127.0.0.1", "--port",
             str(gateway_port)], cwd=ROOT, env=production, stdout=out, stderr=subprocess.STDOUT)
    processes.append(gateway)
    wait_for_smtp(gateway_port, gateway)
    warm = ingest.warm_up(gateway_port, the_desk.mailbox.address, args.threads)
    since = timezone.now()
    mark = len(sink.read(sink_file))
    cpu_before = cpu_seconds([gateway.pid])
    log(f"gateway up on port {gateway_port} (pid {gateway.pid}); sending")
    figures = ingest.send(plan, gateway_port)
    cpu_after = cpu_seconds([gateway.pid])
    memory = desk_bench.memory_mb(gateway.pid)
    stop(gateway)
    checked = ingest.check(plan, existing, since, sink.read(sink_file)[mark:])
    log(f"ingest: {figures['messages_per_second']} messages/s; counts "
        f"{'right' if checked['ok'] else 'WRONG'}")
    figures.update({
        "gateway": {"command": "borough mailgate (its own process, production settings)",
                    "acknowledgements": "sent inline to the sink before the 250 (no broker: "
                                        "tasks run eagerly)",
                    "cpu_ms_per_message": round((cpu_after - cpu_before) * 1000
                                                / figures["messages"], 1)
                    if cpu_before is not None and cpu_after is not None else None,
                    "rss_mb": memory.get("VmRSS"), "peak_rss_mb": memory.get("VmHWM"),
                    "log_tail": tail(gateway_log, 5) if not checked["ok"] else ""},
        "client_threads": args.threads, "warm_up_messages": warm, "mix": plan.expected(),
        **checked})

    # --- 2. notifications through the worker --------------------------------------------
    tickets = list(Ticket.objects.filter(created_at__gte=since, channel=Channel.EMAIL)
                   .order_by("pk"))
    roots = dict(InboundMessage.objects.filter(created_at__gte=since, outcome=Outcome.TICKET)
                 .values_list("thread_id", "message_id"))
    pks, queue_seconds = notify.queue(tickets, args.notifications, the_desk.agent)
    log(f"queued {len(pks):,} emails in {queue_seconds:.1f} s; sending")
    mark = len(sink.read(sink_file))
    worker = None
    if broker:
        worker_log = data_dir / "worker.log"
        with open(worker_log, "w") as out:
            worker = subprocess.Popen(
                [str(VENV / "borough"), "worker", "--concurrency", str(args.worker_concurrency)],
                cwd=ROOT, env={**production, "CELERY_BROKER_URL": broker},
                stdout=out, stderr=subprocess.STDOUT)
        processes.append(worker)
        wait_for_line(worker_log, " ready.", worker)
        phase_start = timezone.now()
        sending = notify.send_with_worker(pks, broker, timeout=max(120, len(pks) / 2))
        path = (f"Celery worker on Redis (`borough worker --concurrency "
                f"{args.worker_concurrency}`: prefork, with beat), one send_email task per "
                "email, handed over by outbound._send_later")
    else:
        sending = notify.send_in_process(pks)
        path = ("the periodic send (`mail-send-queued`, outbound.send_queued: at most 500 a "
                "run) run back to back in the benchmark's process, as without a broker")
    sent = notify.check(pks, roots, sink.read(sink_file)[mark:], sending["started"])
    if worker is not None:
        sent["worker_rss_mb"] = desk_bench.memory_mb(worker.pid).get("VmRSS")
        stop(worker)
        sent["left_in_the_redis_queue"] = redis_queue_length(broker)
        sent["handed_to_redis_seconds"] = sending["handed_seconds"]
        sent["sent_by_beats_periodic_send_instead"] = notify.sent_by_the_sweep(phase_start)
    else:
        sent["runs"] = sending["runs"]
    sent.update({"path": path, "queued_by": "servicedesk.services.reply by the demo agent "
                 "(one email to the requester each)", "queue_seconds": round(queue_seconds, 2),
                 "queued_per_second": round(len(pks) / queue_seconds, 1) if queue_seconds else None})
    log(f"notifications: {sent['emails_per_second']} emails/s; counts "
        f"{'right' if sent['ok'] else 'WRONG'}")

    machine = {**desk_bench.machine(), "load_average_before": [round(x, 2) for x in load_before],
               "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    if db == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            machine["postgresql"] = cursor.fetchone()[0]
    return {
        "benchmark": "email", "database": "postgresql" if db == "postgres" else "sqlite",
        "messages": args.messages, "notifications": args.notifications,
        "broker": "redis" if broker else None,
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine, "setup": setup, "ingest": figures, "notifications_sent": sent,
        "ok": checked["ok"] and sent["ok"],
    }


def summary(result: dict) -> str:
    ingest, sent = result["ingest"], result["notifications_sent"]
    mix = ingest["mix"]
    lines = [
        f"\n{result['database']} · {result['messages']:,} messages ({mix['new']:,} new, "
        f"{mix['replies']:,} replies, {mix['duplicate']:,} duplicates) over "
        f"{ingest['client_threads']} SMTP connections · {ingest['seconds']} s · "
        f"{ingest['messages_per_second']} messages/s · gateway "
        f"{ingest['gateway']['cpu_ms_per_message']} ms CPU a message",
        f"{'ms':<26} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}",
    ]
    for label, entry in (("accepted (250), all", ingest["accepted_ms"]["all"]),
                         ("visible: new ticket", ingest["visible_ms"]["new"]),
                         ("visible: reply", ingest["visible_ms"]["reply"]),
                         ("accepted: duplicate", ingest["accepted_ms"]["duplicate"])):
        lines.append(f"{label:<26} {entry.get('p50_ms', '-'):>8} {entry.get('p95_ms', '-'):>8} "
                     f"{entry.get('p99_ms', '-'):>8} {entry.get('max_ms', '-'):>8}")
    how = "Celery worker on Redis" if result["broker"] else "in-process periodic send"
    lines.append(f"notifications: {sent['emails']:,} emails in {sent['seconds']} s = "
                 f"{sent['emails_per_second']} emails/s ({how})")
    for phase, checked in (("ingest", ingest), ("notifications", sent)):
        wrong = [f"{name}: expected {c['expected']}, found {c['found']}"
                 for name, c in checked["counts"].items() if not c["ok"]]
        lines.append(f"{phase} counts: " + ("all right" if not wrong else "WRONG — "
                                             + "; ".join(wrong)))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Email benchmark.")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--notifications", type=int, help="Default: half the messages.")
    parser.add_argument("--threads", type=int, default=4, help="SMTP client connections.")
    parser.add_argument("--worker-concurrency", type=int, default=2,
                        help="With CELERY_BROKER_URL: `borough worker --concurrency`.")
    parser.add_argument("--directory", type=int, default=2000,
                        help="Requesters in the council's directory (senders are looked up).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", help="Keep the SQLite file and logs here.")
    parser.add_argument("--keep", action="store_true",
                        help="Keep the temporary directory (and the PostgreSQL database).")
    parser.add_argument("--out", help="Write the result here instead of bench/results/.")
    parser.add_argument("--no-write", action="store_true", help="Do not write the result.")
    args = parser.parse_args()
    if args.notifications is None:
        args.notifications = max(1, args.messages // 2)
    if not (VENV / "borough").exists():
        sys.exit("Run `make install` first: the benchmark uses .venv/bin/borough.")
    if args.db == "both":  # Django is set up once per process: one database each
        argv = [a for a in sys.argv[1:] if a not in ("both", "--db", "--db=both")]
        codes = [subprocess.run([sys.executable, __file__, "--db", db, *argv]).returncode
                 for db in ("sqlite", "postgres")]
        sys.exit(max(codes))

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    result = bench_one(args.db, args)
    if not args.no_write:
        suffix = "-redis" if result["broker"] else ""
        path = (Path(args.out) if args.out
                else RESULTS / f"email-{args.db}-{args.messages}{suffix}.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1) + "\n")
        log(f"wrote {path}")
    print(summary(result), flush=True)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
