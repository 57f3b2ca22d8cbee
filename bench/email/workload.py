"""The messages the email benchmark sends, decided before the run: what each one is, who
sends it, and which client thread sends it in what order. No Django here.

The mix (of N messages):

- 62 % new tickets, half from people in the directory and half from senders Borough
  has never seen (each becomes a new contact);
- 15 % replies threaded on a message sent earlier in the run (In-Reply-To and
  References name it, as a mail client's "reply" does): matched by the Message-ID
  Borough recorded;
- 10 % replies to the acknowledgement of a ticket raised before the run (In-Reply-To
  the acknowledgement's Message-ID, "Re: [INC-…] We have received: …"): matched by the
  email Borough sent;
- 8 % replies quoting "[INC-…]" in the subject and nothing else (a client that drops the
  thread headers): matched by the reference;
- the rest (5 %) duplicates: the same bytes of a new ticket's message delivered again,
  as a mail server does when it did not hear the 250.

A reply or a duplicate is sent by the same client thread as the message it follows, after
it: that message was accepted (so recorded) before. Every sender stays well under
MAIL_LOOP_LIMIT messages, so none of them is cut as a loop.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate

NEW, THREAD, ACK, SUBJECT, DUPLICATE = ("new", "reply-thread", "reply-ack", "reply-subject",
                                        "duplicate")
REPLIES = (THREAD, ACK, SUBJECT)
SHARES = {NEW: 0.62, THREAD: 0.15, ACK: 0.10, SUBJECT: 0.08}
MESSAGES_PER_KNOWN_SENDER = 6  # sizes the directory: MAIL_LOOP_LIMIT is 30 an hour
LOOP_LIMIT = 30

SUBJECTS = [
    "Printer on floor 2 jams", "Cannot sign in to the revenues system", "Laptop will not charge",
    "New starter needs an account", "Outlook keeps asking for my password",
    "VPN drops every few minutes", "Shared drive folder missing", "Phone handset has no dial tone",
    "Planning portal very slow", "Request: second monitor", "Teams camera not detected",
    "Benefits scanner not scanning to email", "Password reset please", "Locked out of my account",
    "Council tax batch job failed overnight", "Wi-Fi in the civic centre chamber",
    "Software install: GIS viewer", "Email bouncing back from a supplier",
    "Mobile phone replacement", "Cannot print to the A3 plotter",
]
SENTENCES = [
    "It started this morning after the update.", "Nobody else in the team seems affected.",
    "I have restarted twice and it makes no difference.", "This is stopping me working.",
    "A resident is waiting on the phone for this.", "The error says the service is unavailable.",
    "It worked fine on Friday.", "I am in the office until five today.",
    "My extension is 4412 if you need to call.", "Screenshot attached if that helps.",
    "The same thing happened last month.", "Could someone come and have a look?",
    "It only happens on the second floor.", "I have tried a different browser as well.",
]
UNKNOWN_DOMAINS = ["copeland.example.gov.uk", "supplier.example.com", "parish.example.org.uk"]


@dataclass
class Item:
    index: int
    kind: str
    sender: str
    sender_name: str
    message_id: str
    subject: str = ""
    original: int | None = None  # the item it follows: a threaded reply, a duplicate
    existing: int | None = None  # the ticket raised before the run it answers
    known: bool = True  # the sender is in the directory (else a new contact)
    raw: bytes = b""


@dataclass
class Plan:
    messages: int
    threads: int
    address: str  # the mailbox every message is sent to
    items: list[Item]
    lanes: list[list[int]]  # per client thread: item indexes in sending order
    existing_requesters: list[int]  # per ticket raised before the run: a known sender's index
    counts: dict = field(default_factory=dict)

    def expected(self) -> dict:
        by_kind = {kind: sum(1 for i in self.items if i.kind == kind)
                   for kind in (NEW, *REPLIES, DUPLICATE)}
        return {**by_kind, "replies": sum(by_kind[k] for k in REPLIES),
                "new_contacts": sum(1 for i in self.items if i.kind == NEW and not i.known)}


def mix(messages: int) -> dict:
    counts = {kind: round(share * messages) for kind, share in SHARES.items()}
    counts[NEW] = max(1, counts[NEW])
    counts[THREAD] = min(counts[THREAD], counts[NEW])
    counts[DUPLICATE] = max(0, messages - sum(counts.values()))
    while sum(counts.values()) > messages:  # tiny runs: trim the replies
        biggest = max(REPLIES, key=lambda k: counts[k])
        counts[biggest] -= 1
    return counts


def people_needed(messages: int) -> int:
    """Directory entries that send: the known share of the mix over a few messages each."""
    counts = mix(messages)
    known = counts[NEW] / 2 + counts[ACK] + counts[SUBJECT] + counts[THREAD] / 2
    return max(4, math.ceil(known / MESSAGES_PER_KNOWN_SENDER))


def plan(messages: int, threads: int, *, people: list[tuple[str, str]], address: str,
         seed: int = 1) -> Plan:
    """`people`: (email, full name) of directory entries the known senders are drawn from."""
    rng = random.Random(seed)
    counts = mix(messages)
    token = f"{seed}.{rng.randrange(16 ** 8):08x}"
    items: list[Item] = []

    def add(kind, sender, name, **extra) -> Item:
        index = len(items)
        item = Item(index, kind, sender, name, f"<bench.{token}.{index}@client.example>",
                    **extra)
        items.append(item)
        return item

    existing = counts[ACK] + counts[SUBJECT]
    existing_requesters = [j % len(people) for j in range(existing)]
    new_items = []
    for n in range(counts[NEW]):
        if n % 2 == 0:
            email, name = people[(existing + n // 2) % len(people)]
            known = True
        else:
            domain = UNKNOWN_DOMAINS[n % len(UNKNOWN_DOMAINS)]
            name = f"Sender {n}"
            email, known = f"sender.{token.replace('.', '-')}.{n}@{domain}", False
        new_items.append(add(NEW, email, name, subject=rng.choice(SUBJECTS), known=known))
    lanes: list[list[int]] = [[] for _ in range(threads)]
    order = list(new_items)
    rng.shuffle(order)
    for n, item in enumerate(order):
        lanes[n % threads].append(item.index)
    lane_of = {index: n for n, lane in enumerate(lanes) for index in lane}

    def after(original: Item, item: Item) -> None:
        lane = lanes[lane_of[original.index]]
        start = lane.index(original.index) + 1
        lane.insert(rng.randint(start, len(lane)), item.index)
        lane_of[item.index] = lane_of[original.index]

    for original in rng.sample(new_items, counts[THREAD]):
        after(original, add(THREAD, original.sender, original.sender_name,
                            subject=f"Re: {original.subject}", original=original.index,
                            known=original.known))
    for original in rng.choices(new_items, k=counts[DUPLICATE]):
        item = add(DUPLICATE, original.sender, original.sender_name, original=original.index,
                   subject=original.subject, known=original.known)
        item.message_id = original.message_id
        after(original, item)
    kinds = [ACK] * counts[ACK] + [SUBJECT] * counts[SUBJECT]
    rng.shuffle(kinds)
    for j, kind in enumerate(kinds):
        email, name = people[existing_requesters[j]]
        item = add(kind, email, name, existing=j)
        lane = lanes[rng.randrange(threads)]
        position = rng.randint(0, len(lane))
        lane.insert(position, item.index)
    per_sender: dict[str, int] = {}
    for item in items:
        if item.kind != DUPLICATE:
            per_sender[item.sender] = per_sender.get(item.sender, 0) + 1
    busiest = max(per_sender.values())
    if busiest >= LOOP_LIMIT:
        raise ValueError(f"a sender would send {busiest} messages, over the loop limit: "
                         "give the plan more people")
    result = Plan(messages, threads, address, items, lanes, existing_requesters, counts)
    result.counts["busiest_sender"] = busiest
    result.counts["senders"] = len(per_sender)
    return result


def build(plan: Plan, existing: list[dict], *, seed: int = 1) -> None:
    """Write every message's bytes. `existing`: per ticket raised before the run, its
    reference, title and acknowledgement (`ack_id`, `ack_subject`, `root`)."""
    rng = random.Random(seed * 7919)
    for item in plan.items:
        if item.kind == DUPLICATE:
            continue  # the original's bytes, filled in below
        headers = {}
        if item.kind == THREAD:
            original = plan.items[item.original]
            headers = {"In-Reply-To": original.message_id, "References": original.message_id}
            body = (f"{text(rng, 1, 3)}\n\nOn {formatdate(localtime=True)}, "
                    f"{original.sender_name} wrote:\n> {original.subject}")
        elif item.kind == ACK:
            ticket = existing[item.existing]
            item.subject = f"Re: {ticket['ack_subject']}"
            headers = {"In-Reply-To": ticket["ack_id"],
                       "References": f"{ticket['root']} {ticket['ack_id']}"}
            body = f"{text(rng, 1, 3)}\n\n> We have logged your request as {ticket['reference']}."
        elif item.kind == SUBJECT:
            ticket = existing[item.existing]
            item.subject = f"RE: [{ticket['reference']}] {ticket['title']}"
            body = text(rng, 1, 4)
        else:
            body = text(rng, 2, 6)
        item.raw = _message(item, plan.address, body, headers, rng)
    for item in plan.items:
        if item.kind == DUPLICATE:
            item.raw = plan.items[item.original].raw


def text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(low, high)))


def _message(item: Item, to: str, body: str, headers: dict, rng: random.Random) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr((item.sender_name, item.sender))
    message["To"] = to
    message["Subject"] = item.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = item.message_id
    for name, value in headers.items():
        message[name] = value
    message.set_content(body)
    roll = rng.random()
    if roll < 0.2:  # an HTML part as well, as most mail clients send
        paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n") if line)
        message.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    elif roll < 0.3:  # a small log file attached
        lines = [f"2025-01-{d:02d} 09:{m:02d} ERROR service unavailable (code {rng.randrange(999)})"
                 for d in range(1, 29) for m in range(0, 60, 15)]
        message.add_attachment("\n".join(lines).encode(), maintype="text", subtype="plain",
                               filename="error-log.txt")
    # As a mail server sends it: CRLF line ends (smtplib sends bytes as they are).
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
