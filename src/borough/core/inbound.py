"""The hook between mail received and the modules that act on it.

`borough.mail` owns the transport: it receives a message, records it exactly once, cuts
loops, spots automatic mail, keeps the quarantine. What the message *means* (a new
ticket, a reply, a change approved by email) belongs to the module it concerns. Each
module registers an `InboundHandler` in its `entries.py`:

    registry.add_inbound_handler(InboundHandler("approvals", approvals.handle, order=50))

Handlers are asked in `order` (lower first; the service desk is 100 and claims every
message a person writes, so a more specific handler registers below it). Each gets an
`InboundMail` and either passes (returns None: the next handler is asked) or claims the
message by returning a `Handled`: it opened a record, added to one, took note of it, or
refused it with a reason (the message goes to the quarantine for a person to decide).

A handler runs inside the transaction that records the message, in a savepoint of its
own: what it writes commits with the message's record, or not at all. A refusal, or a
`ValidationError`/`PermissionDenied` it raises, rolls back what it wrote and
quarantines the message with the reason; any other exception fails the delivery, and
the mail server retries it later. When no handler claims a message a person wrote, it is
quarantined ("nothing in Borough took it"); automatic mail nobody claims is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class MailAttachment:
    name: str
    content: bytes


@dataclass(frozen=True)
class InboundMail:
    """One received message, as handlers see it. Read-only: handlers report what they did
    through their `Handled`, never by changing mail's records."""

    organisation_id: int  # the organisation of the mailbox it came to
    mailbox: str  # the address it came to
    sender: str  # the From address, lower case
    sender_name: str
    subject: str
    text: str  # the plain text, or the HTML's words (at most 50,000 characters)
    html: str  # the HTML part, sanitised; "" without one
    message_id: str
    # In-Reply-To, then References newest first: the Message-IDs it answers.
    replies_to: tuple[str, ...] = ()
    # The records those ids lead to, nearest first, as ("app_label.model", id): emails
    # Borough sent or received about them, and the thread ids Borough made up for them.
    # Only records of this organisation's emails; a handler still checks its own rows.
    answers: tuple[tuple[str, int], ...] = ()
    attachments: tuple[MailAttachment, ...] = ()
    # Why a machine wrote it (RFC 3834 Auto-Submitted, bulk Precedence, a bounce...), or
    # "". Automatic mail is recorded, never answered: a handler may say which record it
    # concerns (`Handled.noted(record)`) but must not open or add anything; mail undoes
    # a handler that does.
    automatic: str = ""
    # A person released it from the quarantine: take what you would otherwise refuse for
    # who sent it (a reply from someone not on the ticket, say).
    released: bool = False
    message_pk: int | None = None  # mail's record of it (InboundMessage), for reference


class Action(StrEnum):
    OPENED = "opened"  # a new record (a ticket)
    ADDED = "added"  # added to an existing record (a reply, a note, an approval)
    NOTED = "noted"  # claimed, nothing opened or added (automatic mail about a record)
    REFUSED = "refused"  # a person must decide: the quarantine, with the reason


@dataclass(frozen=True)
class Handled:
    """What a handler did with a message it claimed."""

    action: Action
    record: object = None  # the model instance opened, added to or concerned
    reason: str = ""  # kept on the message's record (for a refusal: why, in the quarantine)
    person: object = None  # the sender's directory entry, if the handler looked it up
    new_contact: bool = False  # the handler added the sender to the directory

    @classmethod
    def opened(cls, record, **kwargs) -> Handled:
        return cls(Action.OPENED, record, **kwargs)

    @classmethod
    def added(cls, record, **kwargs) -> Handled:
        return cls(Action.ADDED, record, **kwargs)

    @classmethod
    def noted(cls, record=None, **kwargs) -> Handled:
        return cls(Action.NOTED, record, **kwargs)

    @classmethod
    def refused(cls, reason: str, **kwargs) -> Handled:
        return cls(Action.REFUSED, reason=reason, **kwargs)


@dataclass(frozen=True)
class InboundHandler:
    name: str  # recorded on every message it claims ("servicedesk")
    handle: Callable[[InboundMail], Handled | None]
    order: int = 100  # lower is asked first
