"""Mail over SMTP in the tests, in one place: a message as a mail client writes it
(`email`), Borough's SMTP gateway running in this process on a free port (`gateway`),
sending to it as a mail server does (`send`), and a mail server that takes what Borough
sends over SMTP (`sink`). Mail Borough sends through Django's in-memory backend (the
test settings' default) is read from `django.core.mail.outbox`, as usual.

The gateway's thread writes through its own database connection: tests that use it are
`django_db(transaction=True)` so that the data they made is committed and seen."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

DESK_ADDRESS = "ithelp@copeland.example.gov.uk"
RITA = "rita@copeland.example.gov.uk"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def email(*, sender=RITA, subject="Printer jams", body="It jams.", to=DESK_ADDRESS,
          message_id=None, headers=None, html=None, attachments=(), charset=None) -> bytes:
    """A message as a mail client sends it: bytes, lines ending CRLF."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="client.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, **({"charset": charset} if charset else {}))
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes(policy=policy.SMTP)


@contextmanager
def gateway() -> Iterator[object]:
    """Borough's SMTP gateway (`borough mailgate`'s controller), started on a free port
    with the settings in force now (MAIL_MAX_BYTES is read when it starts)."""
    from borough.mail import gateway as mailgate

    running = mailgate.controller("127.0.0.1", free_port())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def send(server, raw: bytes, *, to=(DESK_ADDRESS,), sender=RITA) -> dict:
    """Deliver one message to a running server (`gateway()`); returns the recipients it
    refused, as smtplib does. Refusals of every recipient, or of the data, raise."""
    with smtplib.SMTP(server.hostname, server.port, timeout=30) as client:
        return client.sendmail(sender, list(to), raw)


@dataclass
class Sink:
    """What a mail server received: each message's envelope and the client's address."""

    hostname: str = ""
    port: int = 0
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    peers: list[tuple[str, int]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.peers.append(session.peer)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@contextmanager
def sink(settings) -> Iterator[Sink]:
    """A mail server on a free port that Borough sends to: Django's SMTP backend is
    pointed at it (through pytest-django's `settings`) until the block ends."""
    from aiosmtpd.controller import Controller

    caught = Sink()
    server = Controller(caught, hostname="127.0.0.1", port=free_port())
    server.start()
    caught.hostname, caught.port = server.hostname, server.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.hostname, server.port
    try:
        yield caught
    finally:
        server.stop()


def deliver(raw: bytes, mailbox):
    """A message handed to the gateway's inbound door as the SMTP server would."""
    from borough.mail import inbound

    return inbound.deliver(raw, mailbox=mailbox, via="smtp")
