"""The IMAP poller: reads each mailbox that has an IMAP server (hosted Exchange, say)."""

from __future__ import annotations


def poll_all() -> str:
    raise NotImplementedError("the IMAP poller is being built")
