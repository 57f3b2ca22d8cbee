"""Mail received: the one door for every message, whether the SMTP gateway, the IMAP
poller or a release from the quarantine brought it. Mail is transport: this records the
message exactly once, cuts loops, spots automatic mail and keeps the quarantine; what a
message means is decided by the modules' inbound handlers (core.inbound), asked in turn.

Each message is recorded once per organisation (by its Message-ID, or its bytes when it
has none), in the same transaction as whatever the handler that claims it writes (the
ticket, the reply): a crash rolls both back and the mail server's retry processes it
again; a second delivery is counted as a duplicate and changes nothing."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from borough.core import attachments as stored_files
from borough.core import audit
from borough.core.inbound import Action, Handled, InboundHandler, InboundMail, MailAttachment
from borough.core.models import AuditAction
from borough.core.registry import registry
from borough.mail import outbound, parsing, threads
from borough.mail.models import InboundMessage, Mailbox, Outcome
from borough.mail.parsing import ParsedMail, Unreadable

log = logging.getLogger(__name__)

OUTCOMES = {Action.OPENED: Outcome.TICKET, Action.ADDED: Outcome.REPLY,
            Action.NOTED: Outcome.NOTED}
FIELDS = ["outcome", "reason", "handled_by", "thread_type", "thread_id", "person",
          "new_contact"]


class Quarantine(Exception):
    """This message needs a person to look at it first; the text says why."""

    def __init__(self, reason: str, handled_by: str = ""):
        super().__init__(reason)
        self.handled_by = handled_by


def mailbox_for(addresses) -> Mailbox | None:
    """The active mailbox among a message's recipients (the first that matches)."""
    wanted = [a.strip().lower() for a in addresses if a]
    boxes = {b.address: b for b in Mailbox.objects.filter(address__in=wanted, is_active=True)}
    return next((boxes[a] for a in wanted if a in boxes), None)


def deliver(raw: bytes, *, mailbox: Mailbox, via: str) -> InboundMessage:
    """Record and act on one received message; returns its record (a duplicate returns
    the first one's, its count raised). Never raises for what the message contains."""
    message_id = parsing.quick_message_id(raw)
    try:
        if len(raw) > settings.MAIL_MAX_BYTES:
            raise Quarantine(f"Larger than the limit of {settings.MAIL_MAX_BYTES // 2**20} MB "
                             f"({len(raw) / 2**20:.1f} MB).")
        parsed = parsing.parse(raw)
    except (Unreadable, Quarantine) as exc:
        return _quarantine(raw, mailbox, via, message_id, str(exc))
    key = parsing.message_key(parsed.message_id, raw)
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                organisation_id=mailbox.organisation_id, mailbox=mailbox, message_key=key,
                message_id=parsed.message_id, via=via, sender=parsed.sender,
                sender_name=parsed.sender_name, subject=parsed.subject, size=len(raw),
                text=parsed.text, html=parsed.html, outcome=Outcome.QUARANTINED)
            try:
                _act(record, parsed, mailbox)
            except Quarantine as exc:
                _keep_raw(record, raw, str(exc), handled_by=exc.handled_by)
            return record
    except IntegrityError:
        if not InboundMessage.objects.filter(organisation_id=mailbox.organisation_id,
                                             message_key=key).exists():
            raise  # not this message's key: a real failure, and the sender retries
        return _duplicate(mailbox.organisation_id, key)


def _messages(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _duplicate(organisation_id: int, key: str) -> InboundMessage:
    InboundMessage.objects.filter(organisation_id=organisation_id, message_key=key).update(
        duplicates=F("duplicates") + 1)
    return InboundMessage.objects.get(organisation_id=organisation_id, message_key=key)


def _quarantine(raw, mailbox, via, message_id, reason) -> InboundMessage:
    key = parsing.message_key(message_id, raw)
    sender = _header_text(raw, b"from")
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                organisation_id=mailbox.organisation_id, mailbox=mailbox, message_key=key,
                message_id=message_id, via=via, sender=sender[:320],
                subject=_header_text(raw, b"subject")[:500], size=len(raw),
                outcome=Outcome.QUARANTINED)
            _keep_raw(record, raw, reason)
            return record
    except IntegrityError:
        return _duplicate(mailbox.organisation_id, key)


def _header_text(raw: bytes, name: bytes) -> str:
    """A header's raw text, for listing a message that would not parse."""
    head = raw[:65536].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(name + b":"):
            return line[len(name) + 1:].decode("utf-8", "replace").strip()
    return ""


def _keep_raw(record: InboundMessage, raw: bytes, reason: str, *, handled_by: str = "") -> None:
    name = f"mail-{secrets.token_hex(24)}"
    path = stored_files.storage_root() / name
    with open(path, "xb") as out:
        out.write(raw)
    record.raw_name, record.reason, record.outcome = name, reason, Outcome.QUARANTINED
    record.handled_by, record.thread, record.person, record.new_contact = \
        handled_by, None, None, False
    record.save(update_fields=["raw_name", *FIELDS])


# --- handing the message to the modules -------------------------------------------------

def _act(record: InboundMessage, parsed: ParsedMail, mailbox: Mailbox, *,
         release: bool = False) -> None:
    """Cut loops; otherwise ask each handler in turn until one claims the message. What
    it did is recorded here; a refusal (or nobody claiming a person's mail) raises
    Quarantine, for the caller to keep the message for a person."""
    loop = _loop_reason(parsed, mailbox.organisation_id, record)
    if loop:
        return _record(record, Outcome.LOOP, loop)
    message = _message(record, parsed, mailbox, release=release)
    for handler in registry.inbound_handlers:
        result = _ask(handler, message)
        if result is None:
            continue
        if result.action == Action.REFUSED:
            raise Quarantine(result.reason or f"Refused by {handler.name}.", handler.name)
        outcome = Outcome.AUTO if message.automatic else OUTCOMES[result.action]
        reason = " ".join(filter(None, [message.automatic, result.reason]))
        return _record(record, outcome, reason, handled_by=handler.name, result=result)
    if message.automatic:
        return _record(record, Outcome.AUTO, message.automatic)
    asked = ", ".join(h.name for h in registry.inbound_handlers) or "none registered"
    raise Quarantine(f"Nothing in Borough took this message: no module claimed it (asked: "
                     f"{asked}).")


def _message(record, parsed: ParsedMail, mailbox: Mailbox, *, release: bool) -> InboundMail:
    return InboundMail(
        organisation_id=mailbox.organisation_id, mailbox=mailbox.address,
        sender=parsed.sender, sender_name=parsed.sender_name, subject=parsed.subject,
        text=parsed.text, html=parsed.html, message_id=parsed.message_id,
        replies_to=tuple(parsed.replies_to),
        answers=threads.records_answered(mailbox.organisation_id, parsed.replies_to),
        attachments=tuple(MailAttachment(a.name, a.content) for a in parsed.attachments),
        automatic=parsed.machine, released=release, message_pk=record.pk)


class _Undo(Exception):
    """Roll back what a handler wrote, keeping what it answered."""

    def __init__(self, result: Handled | None):
        self.result = result


def _ask(handler: InboundHandler, message: InboundMail) -> Handled | None:
    """One handler's answer, in a savepoint of its own. Passing or refusing undoes
    anything it wrote, as does a refusal the services raised (ValidationError,
    PermissionDenied); so does opening or adding anything for automatic mail, which is
    never answered."""
    try:
        with transaction.atomic():
            result = handler.handle(message)
            if result is None or result.action == Action.REFUSED or (
                    message.automatic and result.action != Action.NOTED):
                raise _Undo(result)
            return result
    except _Undo as undo:
        if undo.result is None or undo.result.action == Action.REFUSED:
            return undo.result
        log.error("inbound handler %s acted on automatic mail; undone", handler.name)
        return Handled.noted(reason=f"{handler.name} tried to act on automatic mail: undone.")
    except (ValidationError, PermissionDenied) as exc:
        # Something in the message a module refuses (an address the directory will not
        # store, say): a person decides, rather than the sender retrying forever.
        raise Quarantine("Could not process it: " + _messages(exc), handler.name) from None


def _record(record, outcome, reason="", *, handled_by="", result: Handled | None = None):
    record.outcome, record.reason, record.handled_by = outcome, reason, handled_by
    record.thread = getattr(result, "record", None)
    record.person = getattr(result, "person", None)
    record.new_contact = bool(getattr(result, "new_contact", False))
    record.save(update_fields=FIELDS)


def _loop_reason(parsed: ParsedMail, organisation_id: int, record) -> str:
    if parsed.loop_token == outbound.loop_token():
        return "Sent by Borough itself (X-Borough-Loop)"
    if Mailbox.objects.filter(address=parsed.sender).exists():
        return f"From one of Borough's own mailboxes ({parsed.sender})"
    since = timezone.now() - timedelta(hours=1)
    recent = (InboundMessage.objects.filter(organisation_id=organisation_id,
                                            sender=parsed.sender, created_at__gte=since)
              .exclude(pk=record.pk).count())
    if recent >= settings.MAIL_LOOP_LIMIT:
        return (f"More than {settings.MAIL_LOOP_LIMIT} messages from {parsed.sender} in an "
                "hour: the rest are not answered")
    return ""


# --- the quarantine ---------------------------------------------------------------------

def release(record: InboundMessage, *, actor) -> InboundMessage:
    """Process a quarantined message as if it had passed: unknown charsets read with
    replacement characters, and the handlers told a person released it, so they take
    what they refused for who sent it (a reply from someone not on the ticket, say)."""
    _require_manager(actor, record)
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=record.pk)
        if locked.outcome != Outcome.QUARANTINED:
            raise ValidationError("This message is no longer in the quarantine.")
        raw = raw_of(locked)
        try:
            parsed = parsing.parse(raw, lenient=True)
        except Unreadable as exc:
            raise ValidationError(f"It still cannot be read: {exc} Discard it instead.") \
                from None
        mailbox = locked.mailbox or Mailbox.objects.filter(
            organisation_id=locked.organisation_id).first()
        if mailbox is None:
            raise ValidationError("The organisation has no mailbox to receive it into.")
        locked.sender, locked.sender_name = parsed.sender, parsed.sender_name
        locked.text, locked.html = parsed.text, parsed.html
        try:
            with transaction.atomic():
                _act(locked, parsed, mailbox, release=True)
        except Quarantine as exc:
            raise ValidationError(str(exc)) from None
        locked.via = "release"
        locked.reason = " ".join(filter(None, [f"Released by {actor}.", locked.reason]))
        name, locked.raw_name = locked.raw_name, ""
        locked.save(update_fields=["via", "reason", "raw_name", "sender", "sender_name",
                                   "text", "html"])
        audit.record(locked, AuditAction.EVENT, actor=actor,
                     changes={"outcome": [Outcome.QUARANTINED.label,
                                          locked.get_outcome_display()]},
                     note="Released from the quarantine.")
        transaction.on_commit(lambda: _forget_raw(name))
    return locked


def discard(record: InboundMessage, *, actor, reason: str = "") -> InboundMessage:
    _require_manager(actor, record)
    with transaction.atomic():
        locked = InboundMessage.objects.select_for_update().get(pk=record.pk)
        if locked.outcome != Outcome.QUARANTINED:
            raise ValidationError("This message is no longer in the quarantine.")
        name = locked.raw_name
        reason = (reason or "").strip()[:500]
        locked.outcome, locked.raw_name = Outcome.DISCARDED, ""
        locked.reason = " ".join(filter(None, [locked.reason, f"Discarded by {actor}.",
                                               reason]))
        locked.save(update_fields=["outcome", "raw_name", "reason"])
        audit.record(locked, AuditAction.EVENT, actor=actor,
                     changes={"outcome": [Outcome.QUARANTINED.label,
                                          Outcome.DISCARDED.label]},
                     note=" ".join(filter(None, ["Discarded from the quarantine.", reason])))
        transaction.on_commit(lambda: _forget_raw(name))
    return locked


def _require_manager(actor, record) -> None:
    from borough.core import services

    services.require(actor, "change", InboundMessage, record.organisation_id)


def raw_of(record: InboundMessage) -> bytes:
    """The message as received, while it is in the quarantine."""
    if not record.raw_name:
        raise ValidationError("The message's original is no longer kept.")
    with open(stored_files.storage_root() / record.raw_name, "rb") as source:
        return source.read()


def _forget_raw(name: str) -> None:
    if name:
        (stored_files.storage_root() / name).unlink(missing_ok=True)
