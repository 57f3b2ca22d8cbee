"""Notifications out: the demo agent answers tickets through the service desk's own
`reply`, which queues one email to each requester (borough.mail.outbound.on_notices);
then the emails are sent, by a Celery worker on Redis (`borough worker`, its own process)
or by the periodic send (`mail-send-queued`, run back to back in this process), to the
sink. Checked: every email arrived once, with its Message-ID, threaded on the message
that opened its ticket, the ticket's reference in the subject."""

from __future__ import annotations

import time
from unittest import mock

from bench.email.ingest import percentiles


def queue(tickets: list, count: int, agent) -> tuple[list[int], float]:
    """`count` staff replies, round the tickets; returns the emails' ids and the seconds.

    Without a broker, Borough sends each email inline as its change commits (the task
    runs eagerly); with one, it hands the task to the broker. Either way the sending
    would be mixed into the queueing, so here the hand-over (`outbound._send_later`) is
    replaced by a list for the duration: the rows are queued exactly as in life, and the
    same function is called with them afterwards (Redis) or the periodic send picks them
    up (no broker). Only the benchmark's process is patched."""
    from borough.mail import outbound
    from borough.servicedesk import services as desk

    handed: list[int] = []
    started = time.perf_counter()
    with mock.patch.object(outbound, "_send_later", handed.extend):
        for n in range(count):
            ticket = tickets[n % len(tickets)]
            ticket.refresh_from_db()
            desk.reply(ticket, body=f"Thanks for reporting this. Update {n // len(tickets) + 1}: "
                       "we are looking into it and will be in touch.", actor=agent)
    return handed, time.perf_counter() - started


def send_in_process(pks: list[int]) -> dict:
    """The periodic send (`mail-send-queued`, at most 500 a run) until none is left."""
    from borough.core.jobs import run_job
    from borough.mail.models import OutboundEmail, SendStatus

    runs = []
    started = time.time()
    while OutboundEmail.objects.filter(pk__in=pks, status=SendStatus.QUEUED).exists():
        runs.append(run_job("mail-send-queued", via="in-process"))
        if len(runs) > len(pks) // 500 + 5:
            break  # not moving: the check below reports what is left
    return {"started": started, "runs": runs}


def send_with_worker(pks: list[int], broker: str, timeout: float) -> dict:
    """Hand the ids to Redis as Borough does after a commit (`outbound._send_later`, one
    task each) while the worker is already listening; wait until every email is sent."""
    from borough.celery import app
    from borough.mail import outbound
    from borough.mail.models import OutboundEmail, SendStatus

    if app.conf.broker_url != broker:
        raise RuntimeError(f"this process's broker is {app.conf.broker_url!r}, not {broker!r}")
    app.conf.task_always_eager = False
    try:
        started = time.time()
        outbound._send_later(pks)  # a broker that fails here leaves them to the sweep
        handed = time.time()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not OutboundEmail.objects.filter(
                    pk__in=pks, status__in=[SendStatus.QUEUED, SendStatus.SENDING]).exists():
                break
            time.sleep(0.05)
    finally:
        app.conf.task_always_eager = True
    return {"started": started, "handed_seconds": round(handed - started, 3)}


def sent_by_the_sweep(since) -> int:
    """Emails the periodic send (beat's `mail-send-queued`) sent meanwhile, not the tasks."""
    from borough.core.models import JobRun

    results = JobRun.objects.filter(name="mail-send-queued", started_at__gte=since,
                                    via="celery").values_list("result", flat=True)
    return sum(int(r.split(" ", 1)[0]) for r in results if r and r.split(" ", 1)[0].isdigit())


def check(pks: list[int], expected_root: dict[int, str], sink_records: list[dict],
          started: float) -> dict:
    """The emails against the sink; `expected_root`: ticket id -> the Message-ID of the
    message that opened it (every email about the ticket answers it)."""
    from borough.mail import outbound
    from borough.mail.models import OutboundEmail

    emails = list(OutboundEmail.objects.filter(pk__in=pks).prefetch_related("thread"))
    statuses: dict[str, int] = {}
    for email in emails:
        statuses[email.status] = statuses.get(email.status, 0) + 1
    at_sink: dict[str, list[dict]] = {}
    for record in sink_records:
        at_sink.setdefault(record["message-id"], []).append(record)
    once = headers_ok = 0
    bad: list[str] = []
    for email in emails:
        got = at_sink.get(email.message_id, [])
        once += len(got) == 1
        if not got:
            continue
        record = got[0]
        root = expected_root.get(email.thread_id)
        problems = [name for name, ok in (
            ("In-Reply-To", root is not None and record["in-reply-to"] == root),
            ("References", root is not None and record["references"] == root),
            ("reference in subject", f"[{email.thread.reference}]" in (record["subject"] or "")),
            ("recipient", record["rcpt_tos"] == [email.recipient]),
            ("X-Borough-Loop", record["x-borough-loop"] == outbound.loop_token()),
            ("Auto-Submitted", record["auto-submitted"] == "auto-generated"),
        ) if not ok]
        headers_ok += not problems
        if problems and len(bad) < 5:
            bad.append(f"{email.message_id}: {', '.join(problems)}")
    sent_at = [e.sent_at.timestamp() for e in emails if e.sent_at]
    finished = max(sent_at, default=started)
    arrivals = sorted(r["t"] for r in sink_records)
    counts = {
        "queued": {"expected": len(pks), "found": len(emails)},
        "sent": {"expected": len(pks), "found": statuses.get("sent", 0)},
        "sent_first_time": {"expected": len(pks),
                            "found": sum(1 for e in emails if e.attempts == 1)},
        "at_sink_once": {"expected": len(pks), "found": once},
        "sink_messages": {"expected": len(pks), "found": len(sink_records)},
        "headers_right": {"expected": len(pks), "found": headers_ok},
    }
    for entry in counts.values():
        entry["ok"] = entry["expected"] == entry["found"]
    seconds = finished - started
    # Time from handing an email over to its arrival: by sink arrival order against the
    # hand-over, only meaningful as a spread (the first to the last).
    return {
        "emails": len(emails), "statuses": statuses,
        "seconds": round(seconds, 3),
        "emails_per_second": round(len(emails) / seconds, 1) if seconds > 0 else None,
        "first_arrival_after_ms": round((arrivals[0] - started) * 1000, 1) if arrivals else None,
        "gap_between_arrivals_ms": percentiles(
            [(b - a) * 1000 for a, b in zip(arrivals, arrivals[1:], strict=False)]),
        "counts": counts, "ok": all(e["ok"] for e in counts.values()),
        "examples": bad,
    }
