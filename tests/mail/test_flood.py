"""The flood: nearly two thousand messages over SMTP from four connections at once —
new tickets in several charsets, replies, duplicates (some sent at the same moment),
automatic replies, loops, malformed, unknown charsets and oversized mail — then the exact
counts of everything they should have made. Nothing lost, nothing twice. The client
behaves as a mail server does: a 4xx answer is tried again."""

from __future__ import annotations

import random
import smtplib
import threading
import time
from collections import Counter

import pytest
from django.db.models import Sum

from borough.mail import outbound
from borough.mail.models import InboundMessage, OutboundEmail
from borough.organisation.models import Person
from borough.servicedesk.models import EntryKind, Ticket, TimelineEntry
from tests import smtp
from tests.smtp import DESK_ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)

# (charset, text): the body every new ticket of that charset must read back exactly.
CHARSETS = [
    ("utf-8", "Ni allaf argraffu o'r swyddfa ŵyr — diolch"),
    ("iso-8859-1", "Le café ne démarre pas"),
    ("windows-1252", "Invoice for €120 won’t print"),
    ("koi8-r", "Принтер не работает"),
    ("shift_jis", "プリンターが動きません"),
    ("iso-8859-2", "Drukarka nie działa: błąd"),
]
KNOWN, UNKNOWN = 120, 80
NEW, REPLIES, DUPLICATES, AUTO, LOOPS, MALFORMED, ODD_CHARSET, OVERSIZED = (
    720, 360, 240, 200, 100, 100, 100, 20)


def message(sender, subject, body, *, charset="utf-8", number, headers=None) -> bytes:
    return smtp.email(sender=sender, subject=subject, body=body, charset=charset,
                      message_id=f"<flood-{number}@client.example>", headers=headers)


def deliver_all(port: int, messages: list[bytes], connections: int = 4) -> Counter:
    """Send every message, from `connections` clients at once; retry 4xx answers."""
    answers: Counter = Counter()
    lock = threading.Lock()
    queue = list(messages)

    def client():
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as connection:
            while True:
                with lock:
                    if not queue:
                        return
                    raw = queue.pop()
                for _attempt in range(30):
                    try:
                        connection.sendmail("flood@client.example", [DESK_ADDRESS], raw)
                        outcome = "accepted"
                        break
                    except smtplib.SMTPDataError as refused:
                        if refused.smtp_code >= 500:
                            outcome = f"refused {refused.smtp_code}"
                            break
                        time.sleep(0.05)
                else:
                    outcome = "gave up"
                with lock:
                    answers[outcome] += 1

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def gate(mailbox, settings):
    """The gateway with a 64 KB limit (set before it starts, which is when it reads it)."""
    settings.MAIL_MAX_BYTES = 64 * 1024
    with smtp.gateway() as running:
        yield running


def test_a_flood_of_mail_is_counted_exactly(gate, desk, mailbox):
    rng = random.Random(20261205)
    known = [Person.objects.create(organisation=desk.org, full_name=f"Known {n}",
                                   email=f"known{n}@copeland.example.gov.uk")
             for n in range(KNOWN)]
    senders = [p.email for p in known] + [f"new{n}@elsewhere.example" for n in range(UNKNOWN)]
    number = iter(range(10**6))

    # Round one: new tickets (each charset in turn), and the mail that must open nothing.
    new = {}
    for n in range(NEW):
        charset, text = CHARSETS[n % len(CHARSETS)]
        subject = f"Flood {n}"
        new[subject] = (senders[n % len(senders)], f"{text} ({n})")
        new[subject] = (new[subject][0], new[subject][1],
                        message(new[subject][0], subject, new[subject][1], charset=charset,
                                number=next(number)))
    firsts = [raw for _sender, _text, raw in new.values()]
    at_once = rng.sample(firsts, DUPLICATES // 2)  # the same message twice, in one round
    machine = [("Auto-Submitted", "auto-replied"), ("Precedence", "bulk"),
               ("X-Auto-Response-Suppress", "All"), ("Precedence", "junk")]
    auto = [message(f"robot{n}@vendor.example", "Out of office", "I am away.",
                    number=next(number), headers=dict([machine[n % len(machine)]]))
            for n in range(AUTO)]
    loops = [message(DESK_ADDRESS if n % 2 else f"relay{n}@vendor.example", "Re: notice",
                     "Echo", number=next(number),
                     headers={} if n % 2 else {"X-Borough-Loop": outbound.loop_token()})
             for n in range(LOOPS)]
    malformed = [f"To: {DESK_ADDRESS}\r\nSubject: broken {n}\r\nMessage-ID: "
                 f"<bad-{n}@client.example>\r\n\r\nno sender\r\n".encode()
                 for n in range(MALFORMED)]
    odd = [f"From: odd{n}@odd.example\r\nTo: {DESK_ADDRESS}\r\nSubject: odd {n}"
           f"\r\nMessage-ID: <odd-{n}@client.example>\r\nContent-Type: text/plain; "
           f"charset=x-martian-{n % 3}\r\n\r\nZ\xfcrp\r\n".encode("latin-1")
           for n in range(ODD_CHARSET)]
    oversized = [message(senders[n], f"Scan {n}", "page\n" * 20000, number=next(number))
                 for n in range(OVERSIZED)]
    round_one = firsts + at_once + auto + loops + malformed + odd + oversized
    rng.shuffle(round_one)
    answers = deliver_all(gate.port, round_one)

    # Round two: replies from each ticket's requester (by reference, or In-Reply-To our
    # acknowledgement), and the rest of the duplicates, resent later.
    tickets = {t.title: t for t in Ticket.objects.select_related("requester")}
    assert len(tickets) == NEW
    acks = dict(OutboundEmail.objects.filter(event="ticket-created")
                .values_list("thread_id", "message_id"))
    replied = rng.sample(sorted(tickets), REPLIES)
    replies = []
    for n, title in enumerate(replied):
        ticket = tickets[title]
        threading_by = ({"In-Reply-To": acks[ticket.pk]} if n % 2 else {})
        subject = f"Re: {title}" if n % 2 else f"Re: [{ticket.reference}] {title}"
        replies.append(message(ticket.requester.email, subject, f"More about {title}",
                               number=next(number), headers=threading_by))
    later = rng.sample(firsts, DUPLICATES - DUPLICATES // 2)
    round_two = replies + later
    rng.shuffle(round_two)
    answers += deliver_all(gate.port, round_two)

    sent = len(round_one) + len(round_two)
    assert answers == Counter({"accepted": sent})
    outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes == Counter({"ticket": NEW, "reply": REPLIES, "auto": AUTO, "loop": LOOPS,
                                "quarantined": MALFORMED + ODD_CHARSET + OVERSIZED})
    assert InboundMessage.objects.aggregate(n=Sum("duplicates"))["n"] == DUPLICATES
    assert sum(outcomes.values()) + DUPLICATES == sent
    assert Ticket.objects.count() == NEW
    assert TimelineEntry.objects.filter(kind=EntryKind.REPLY).count() == REPLIES
    for ticket in Ticket.objects.select_related("requester"):
        sender, text, _raw = new[ticket.title]
        assert (ticket.description, ticket.requester.email) == (text, sender)
    for title in replied:
        assert tickets[title].timeline.filter(kind=EntryKind.REPLY).count() == 1
    # An acknowledgement for each ticket, and nothing to a machine or to ourselves.
    assert Counter(OutboundEmail.objects.values_list("event", flat=True)) == Counter(
        {"ticket-created": NEW})
    assert not OutboundEmail.objects.exclude(recipient__in=senders).exists()
    quarantined = InboundMessage.objects.filter(outcome="quarantined")
    assert quarantined.exclude(raw_name="").count() == MALFORMED + ODD_CHARSET + OVERSIZED
    assert Person.objects.filter(email__endswith="@elsewhere.example").count() == UNKNOWN
