"""Messages in over SMTP: client threads send the plan to the gateway with smtplib, one
connection each, while a watcher thread polls the database on its own connection for the
moment each message's ticket or reply is there. Then the database is checked against
what was sent: a benchmark that loses or doubles mail measures nothing."""

from __future__ import annotations

import smtplib
import statistics
import threading
import time
from datetime import datetime

from bench.email import workload
from bench.email.workload import DUPLICATE, NEW, REPLIES, Plan

POLL_PAUSE = 0.002  # seconds between the watcher's queries: its resolution, and its cost


def percentiles(values_ms: list[float]) -> dict:
    ms = sorted(values_ms)
    if not ms:
        return {"count": 0}

    def pct(p):  # nearest rank, as bench/servicedesk/load.py
        return ms[min(len(ms) - 1, max(0, round(p / 100 * len(ms) + 0.5) - 1))]

    return {"count": len(ms), "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(pct(95), 1), "p99_ms": round(pct(99), 1),
            "max_ms": round(ms[-1], 1), "mean_ms": round(statistics.fmean(ms), 1)}


class Watcher(threading.Thread):
    """Polls for the messages in flight: a message is visible once its InboundMessage
    row is committed with its ticket (the ticket, or the reply's timeline entry, commits
    in the same transaction)."""

    def __init__(self):
        super().__init__(name="watcher", daemon=True)
        self.lock = threading.Lock()
        self.pending: dict[str, float] = {}
        self.seen: dict[str, float] = {}
        self.finish = threading.Event()
        self.rounds = 0
        self.query_seconds = 0.0
        self.error: str | None = None

    def expect(self, message_id: str) -> None:
        with self.lock:
            self.pending[message_id] = time.perf_counter()

    def run(self) -> None:
        from django.db import connection

        from borough.mail.models import InboundMessage

        table = connection.ops.quote_name(InboundMessage._meta.db_table)
        deadline = None
        try:
            while True:
                with self.lock:
                    wanted = list(self.pending)
                if not wanted:
                    if self.finish.is_set():
                        return
                    time.sleep(POLL_PAUSE)
                    continue
                if self.finish.is_set():
                    deadline = deadline or time.monotonic() + 15
                    if time.monotonic() > deadline:
                        return  # never visible: left in `pending`, reported as such
                marks = ", ".join(["%s"] * len(wanted))
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT message_id FROM {table} WHERE message_id IN ({marks}) "  # noqa: S608
                        "AND thread_id IS NOT NULL AND outcome IN ('ticket', 'reply')", wanted)
                    found = [row[0] for row in cursor.fetchall()]
                now = time.perf_counter()
                self.rounds += 1
                self.query_seconds += now - started
                with self.lock:
                    for message_id in found:
                        if message_id in self.pending:
                            del self.pending[message_id]
                            self.seen[message_id] = now
                time.sleep(POLL_PAUSE)
        except Exception as exc:  # noqa: BLE001 - reported in the result
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()


def warm_up(port: int, address: str, threads: int, per_thread: int = 3) -> int:
    """A few messages on as many connections before the clock starts, as a gateway that
    has been running for a while: its threads' database connections open, its code
    loaded. They open tickets that the checks and the second phase leave out."""
    from email.message import EmailMessage

    def one(lane: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
            for n in range(per_thread):
                message = EmailMessage()
                message["From"] = sender = f"warm.up.{lane}@parish.example.org.uk"
                message["To"] = address
                message["Subject"] = f"Warm-up {lane}.{n}"
                message["Message-ID"] = f"<warm-up.{lane}.{n}.{time.time_ns()}@client.example>"
                message.set_content("Warming up the gateway.")
                smtp.sendmail(sender, [address],
                              message.as_bytes(policy=message.policy.clone(linesep="\r\n")))

    workers = [threading.Thread(target=one, args=(lane,)) for lane in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return threads * per_thread


def send(plan: Plan, port: int) -> dict:
    """Send the plan over SMTP; returns the timings and what the gateway answered."""
    watcher = Watcher()
    watcher.start()
    sent: dict[int, tuple[float, float, str]] = {}  # item -> (before, accepted, answer)
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(plan.threads + 1)

    def client(lane: list[int]) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port, timeout=120)
        try:
            smtp.ehlo("bench.client.example")
            barrier.wait()
            for index in lane:
                item = plan.items[index]
                if item.kind != DUPLICATE:
                    watcher.expect(item.message_id)
                before = time.perf_counter()
                try:
                    refused = smtp.sendmail(item.sender, [plan.address], item.raw)
                    answer = "250" if not refused else f"refused {refused}"
                except smtplib.SMTPResponseException as exc:
                    answer = f"{exc.smtp_code} {exc.smtp_error!r}"
                except (smtplib.SMTPException, OSError) as exc:
                    answer = f"{type(exc).__name__}: {exc}"
                    smtp.close()
                    smtp = smtplib.SMTP("127.0.0.1", port, timeout=120)
                    smtp.ehlo("bench.client.example")
                accepted = time.perf_counter()
                with lock:
                    sent[index] = (before, accepted, answer)
                    if answer != "250" and len(errors) < 20:
                        errors.append(f"{item.kind} {item.message_id}: {answer}")
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    threads = [threading.Thread(target=client, args=(lane,), name=f"client-{n}")
               for n, lane in enumerate(plan.lanes)]
    for thread in threads:
        thread.start()
    barrier.wait()  # every client connected and greeted: the clock starts now
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    finished = time.perf_counter()
    watcher.finish.set()
    watcher.join()
    if watcher.error:
        errors.append(f"watcher: {watcher.error}")
    first = min((b for b, _, _ in sent.values()), default=started)
    last = max((a for _, a, _ in sent.values()), default=finished)
    accepted_ms = {group: [] for group in ("all", "new", "reply", "duplicate")}
    visible_ms = {group: [] for group in ("all", "new", "reply")}
    before_250 = 0
    for index, (before, accepted, answer) in sent.items():
        item = plan.items[index]
        group = "reply" if item.kind in REPLIES else item.kind
        if answer == "250":
            accepted_ms["all"].append((accepted - before) * 1000)
            accepted_ms[group].append((accepted - before) * 1000)
        if item.kind != DUPLICATE and item.message_id in watcher.seen:
            seen = watcher.seen[item.message_id]
            visible_ms["all"].append((seen - before) * 1000)
            visible_ms[group].append((seen - before) * 1000)
            before_250 += seen <= accepted
    answers = [a for _, _, a in sent.values()]
    return {
        "messages": len(sent), "accepted_250": answers.count("250"),
        "not_accepted": len(answers) - answers.count("250"),
        "seconds": round(last - first, 3),
        "messages_per_second": round(len(sent) / (last - first), 1) if last > first else None,
        "accepted_ms": {k: percentiles(v) for k, v in accepted_ms.items()},
        "visible_ms": {k: percentiles(v) for k, v in visible_ms.items()},
        "never_visible": len(watcher.pending),
        "visible_before_the_250": before_250,
        "watcher": {"rounds": watcher.rounds, "pause_ms": POLL_PAUSE * 1000,
                    "mean_query_ms": round(watcher.query_seconds / watcher.rounds * 1000, 2)
                    if watcher.rounds else None},
        "errors": errors,
    }


def check(plan: Plan, existing: list[dict], since: datetime, sink_records: list[dict]) -> dict:
    """The database after the run against the plan; and the acknowledgements (and other
    notifications the messages caused) against what the sink received."""
    from borough.mail.models import InboundMessage, OutboundEmail
    from borough.servicedesk.models import Channel, EntryKind, Ticket, TimelineEntry

    expected = plan.expected()
    rows = {r["message_id"]: r for r in InboundMessage.objects.filter(created_at__gte=since)
            .values("message_id", "outcome", "thread_id", "duplicates", "new_contact")}
    outcomes: dict[str, int] = {}
    for row in rows.values():
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
    wrong_ticket, missing = [], []
    for item in plan.items:
        if item.kind == DUPLICATE:
            continue
        row = rows.get(item.message_id)
        if row is None:
            missing.append(item.message_id)
            continue
        if item.kind == workload.THREAD:
            want = rows.get(plan.items[item.original].message_id, {}).get("thread_id")
        elif item.kind in (workload.ACK, workload.SUBJECT):
            want = existing[item.existing]["pk"]
        else:
            want = row["thread_id"]
        if want is None or row["thread_id"] != want:
            wrong_ticket.append(item.message_id)
    duplicates = {item.message_id for item in plan.items if item.kind == DUPLICATE}
    opened_by = {row["thread_id"]: mid for mid, row in rows.items() if row["outcome"] == "ticket"}
    tickets = Ticket.objects.filter(created_at__gte=since, channel=Channel.EMAIL).count()
    replies_on_timeline = TimelineEntry.objects.filter(
        created_at__gte=since, kind=EntryKind.REPLY, author__isnull=True).count()

    # Everything queued while the messages came in (acknowledgements, staff told of
    # replies) was sent inline by the gateway, so should be at the sink exactly once.
    emails = list(OutboundEmail.objects.filter(created_at__gte=since)
                  .values("message_id", "status", "event", "thread_id", "in_reply_to",
                          "subject", "recipient"))
    at_sink: dict[str, list[dict]] = {}
    for record in sink_records:
        at_sink.setdefault(record["message-id"], []).append(record)
    acks = [e for e in emails if e["event"] == "ticket-created"]
    acks_threaded = sum(
        1 for e in acks if at_sink.get(e["message_id"])
        and at_sink[e["message_id"]][0]["in-reply-to"] == opened_by.get(e["thread_id"]))
    counts = {
        "new_tickets": {"expected": expected[NEW], "found": outcomes.get("ticket", 0)},
        "tickets_by_email": {"expected": expected[NEW], "found": tickets},
        "replies": {"expected": expected["replies"], "found": outcomes.get("reply", 0)},
        "replies_on_timeline": {"expected": expected["replies"], "found": replies_on_timeline},
        "messages_on_the_wrong_ticket": {"expected": 0, "found": len(wrong_ticket)},
        "messages_not_recorded": {"expected": 0, "found": len(missing)},
        "other_outcomes": {"expected": {}, "found": {k: v for k, v in outcomes.items()
                                                    if k not in ("ticket", "reply")}},
        "duplicates_counted": {"expected": expected[DUPLICATE],
                               "found": sum(rows[m]["duplicates"] for m in duplicates
                                            if m in rows)},
        "new_contacts": {"expected": expected["new_contacts"],
                         "found": sum(1 for r in rows.values() if r["new_contact"])},
        "acknowledgements": {"expected": expected[NEW], "found": len(acks)},
        "acknowledgements_threaded_on_the_message": {"expected": expected[NEW],
                                                     "found": acks_threaded},
        "emails_caused_not_sent": {"expected": 0,
                                   "found": sum(1 for e in emails if e["status"] != "sent")},
        "emails_at_sink": {"expected": len(emails),
                           "found": sum(1 for e in emails if len(at_sink.get(e["message_id"],
                                                                               [])) == 1)},
        "sink_messages": {"expected": len(emails), "found": len(sink_records)},
    }
    for entry in counts.values():
        entry["ok"] = entry["expected"] == entry["found"]
    examples = {"wrong_ticket": wrong_ticket[:5], "not_recorded": missing[:5]}
    return {"counts": counts, "ok": all(e["ok"] for e in counts.values()),
            "examples": {k: v for k, v in examples.items() if v},
            "emails_caused": {event: sum(1 for e in emails if e["event"] == event)
                              for event in sorted({e["event"] for e in emails})}}
