"""The SMTP gateway (`borough mailgate`): the council's mail server relays the service
desk's addresses to it. A message is accepted (250) only once it is recorded, so a crash
loses nothing: the sending server keeps it and tries again (451). Recipients that are not
an active mailbox are refused at RCPT (550), so the sender hears at once."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connections

from borough.mail import inbound

log = logging.getLogger(__name__)


def _mailbox_for(address: str):
    close_old_connections()
    return inbound.mailbox_for([address])


def _deliver(raw: bytes, addresses: list[str]) -> list[int]:
    """Deliver to each distinct mailbox among the recipients (one per organisation)."""
    close_old_connections()
    try:
        seen, records = set(), []
        for address in addresses:
            box = inbound.mailbox_for([address])
            if box is not None and box.pk not in seen:
                seen.add(box.pk)
                records.append(inbound.deliver(raw, mailbox=box, via="smtp").pk)
        return records
    finally:
        close_old_connections()


class Handler:
    """Database work runs in the handler's own threads, each with its own connection,
    kept between messages; they end (and their connections close) when the gateway
    stops."""

    def __init__(self, workers: int = 4):
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mailgate")

    async def _in_pool(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(self.pool, func, *args)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address,
                          rcpt_options):
        try:
            box = await self._in_pool(_mailbox_for, address)
        except Exception:  # noqa: BLE001 - temporary: the sender keeps the mail and retries
            log.exception("could not look up the mailbox %s", address)
            return "451 4.3.0 Could not check the address; try again later"
        if box is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await self._in_pool(_deliver, raw, list(envelope.rcpt_tos))
        except Exception:  # noqa: BLE001 - tell the sender to retry; nothing is lost
            log.exception("mail from %s not recorded; the sender will retry",
                          envelope.mail_from)
            return "451 4.3.0 Could not record the message; try again later"
        return "250 2.0.0 Message accepted"


class Gateway(Controller):
    def stop(self, *args, **kwargs):
        super().stop(*args, **kwargs)
        pool = self.handler.pool
        # One task per thread (each waits for the others), so every thread closes its own
        # connection: a connection is closed only from the thread that opened it.
        together = threading.Barrier(pool._max_workers)

        def close_own():
            connections.close_all()
            together.wait(timeout=10)

        for _ in range(pool._max_workers):
            pool.submit(close_own)
        pool.shutdown(wait=True)


def controller(host: str | None = None, port: int | None = None) -> Gateway:
    """The gateway, not yet started. It takes mail up to twice MAIL_MAX_BYTES, so mail
    over the limit is quarantined (seen by a person) rather than bounced unread."""
    return Gateway(
        Handler(), hostname=host or settings.MAILGATE_HOST,
        port=settings.MAILGATE_PORT if port is None else port,
        data_size_limit=2 * settings.MAIL_MAX_BYTES, decode_data=False,
        server_hostname=settings.MAIL_DOMAIN, ready_timeout=10)
