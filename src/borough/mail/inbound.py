"""Mail received, turned into tickets and replies: the one door for every message,
whether the SMTP gateway, the IMAP poller or a release from the quarantine brought it.

Each message is recorded once per organisation (by its Message-ID, or its bytes when it
has none), in the same transaction as the ticket or reply it makes: a crash rolls both
back and the mail server's retry processes it again; a second delivery is counted as a
duplicate and changes nothing."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from borough.core import attachments as stored_files
from borough.core import audit
from borough.core.models import AuditAction
from borough.mail import outbound, parsing
from borough.mail.models import InboundMessage, Mailbox, OutboundEmail, Outcome
from borough.mail.parsing import ParsedMail, Unreadable

log = logging.getLogger(__name__)

STAFF_COMMANDS = {"#resolve", "#note"}


class Quarantine(Exception):
    """This message needs a person to look at it first; the text says why."""


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
                with transaction.atomic():
                    _act(record, parsed, mailbox)
            except Quarantine as exc:
                _keep_raw(record, raw, str(exc))
            except (ValidationError, PermissionDenied) as exc:
                # Something in the message the desk refuses (an address it will not
                # store, say): a person decides, rather than the sender retrying forever.
                _keep_raw(record, raw, "Could not process it: " + _messages(exc))
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


def _keep_raw(record: InboundMessage, raw: bytes, reason: str) -> None:
    name = f"mail-{secrets.token_hex(24)}"
    path = stored_files.storage_root() / name
    with open(path, "xb") as out:
        out.write(raw)
    record.raw_name, record.reason, record.outcome = name, reason, Outcome.QUARANTINED
    record.ticket = None
    record.save(update_fields=["raw_name", "reason", "outcome", "ticket"])


# --- deciding what a message is ---------------------------------------------------------

def _act(record: InboundMessage, parsed: ParsedMail, mailbox: Mailbox, *,
         release: bool = False) -> None:
    organisation_id = mailbox.organisation_id
    loop = _loop_reason(parsed, organisation_id, record)
    if loop:
        return _set(record, Outcome.LOOP, loop)
    ticket = _matched_ticket(parsed, organisation_id)
    if parsed.machine:
        return _set(record, Outcome.AUTO, parsed.machine, ticket=ticket)
    person, created = _person(parsed, organisation_id)
    record.person, record.new_contact = person, created
    if ticket is not None:
        return _follow_up(record, parsed, ticket, person, release=release)
    return _open(record, parsed, person, created)


def _set(record, outcome, reason="", *, ticket=None) -> None:
    record.outcome, record.reason, record.ticket = outcome, reason, ticket
    record.save(update_fields=["outcome", "reason", "ticket", "person", "new_contact"])


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


def _matched_ticket(parsed: ParsedMail, organisation_id: int):
    """The ticket this message answers: by the emails it replies to, then by a reference
    in its subject. Only this organisation's tickets."""
    from borough.servicedesk.models import Ticket

    tickets = Ticket.objects.filter(organisation_id=organisation_id)
    if parsed.replies_to:
        for message_id in parsed.replies_to:
            ticket_id = outbound.ticket_id_from_root(message_id)
            if ticket_id:
                found = tickets.filter(pk=ticket_id).first()
                if found:
                    return found
        ids = parsed.replies_to
        sent = dict(OutboundEmail.objects.filter(
            organisation_id=organisation_id, message_id__in=ids, ticket__isnull=False)
            .values_list("message_id", "ticket_id"))
        received = dict(InboundMessage.objects.filter(
            organisation_id=organisation_id, message_id__in=ids, ticket__isnull=False)
            .values_list("message_id", "ticket_id"))
        for message_id in ids:
            ticket_id = sent.get(message_id) or received.get(message_id)
            if ticket_id:
                return tickets.get(pk=ticket_id)
    for reference in parsing.references_in_subject(parsed.subject):
        found = tickets.filter(reference=reference).first()
        if found:
            return found
    return None


def _person(parsed: ParsedMail, organisation_id: int):
    """The directory entry for the sender; an unknown sender is added as a contact."""
    from borough.core import services
    from borough.organisation.models import Person

    found = (Person.objects.filter(organisation_id=organisation_id, email__iexact=parsed.sender)
             .order_by("-is_active", "id").select_related("user").first())
    if found is not None:
        return found, False
    person = Person(organisation_id=organisation_id, email=parsed.sender,
                    full_name=parsed.sender_name or parsed.sender.split("@")[0])
    return services.create_record(person, actor=None,
                                  note="Added from an email by an unknown sender"), True


def _staff_user(person, ticket):
    """The sender's login if they work the organisation's tickets: their directory entry's,
    or else an active login with the same address."""
    from django.contrib.auth import get_user_model

    candidates = [person.user] if person.user_id else list(
        get_user_model().objects.filter(email__iexact=person.email, is_active=True)[:5])
    for user in candidates:
        if user.is_active and user.has_perm("servicedesk.work_tickets", ticket):
            return user
    return None


def _open(record, parsed: ParsedMail, person, created: bool, *, note: str = "") -> None:
    from borough.servicedesk import services as desk
    from borough.servicedesk.models import Channel

    record.reason = note

    def linked(ticket):
        record.ticket = ticket  # before the acknowledgement, which threads on it
        record.outcome = Outcome.TICKET
        record.save(update_fields=["ticket", "outcome", "reason", "person", "new_contact"])
        _attach(ticket, parsed, record)
        if created or note:
            desk.add_note(ticket, body=" ".join(filter(None, [
                note, "Raised by email from an unknown sender, added as a contact: check "
                "who they are." if created else ""])), actor=None)

    try:
        desk.raise_ticket(
            record.organisation_id, actor=None, ticket_type="incident",
            title=parsed.subject[:200] or "(no subject)",
            description=parsed.text or "(The email had no text.)", requester=person, channel=Channel.EMAIL,
            then=linked)
    except ValidationError as exc:
        raise Quarantine("Could not open a ticket: " + " ".join(exc.messages)) from None


def _follow_up(record, parsed: ParsedMail, ticket, person, *, release: bool) -> None:
    from borough.servicedesk import services as desk
    from borough.servicedesk.models import Status

    staff = _staff_user(person, ticket)
    is_requester = person.pk == ticket.requester_id or (
        person.email and person.email.lower() == (ticket.requester.email or "").lower())
    if staff is None and not is_requester and not release:
        raise Quarantine(f"A reply to {ticket.reference} from {parsed.sender}, who is not its "
                         "requester or service desk staff.")
    body = parsed.text or "(The email had no text.)"
    closed = ticket.status in (Status.CLOSED, Status.CANCELLED) or (
        ticket.status == Status.RESOLVED and not desk.within_reopen_window(ticket))
    if closed:
        return _open(record, parsed, person, record.new_contact,
                     note=f"Follows {ticket.reference}, which was already closed.")
    try:
        if staff is not None:
            _staff_reply(ticket, body, staff)
        elif ticket.status == Status.RESOLVED:
            desk.reopen(ticket, actor=None, reason=body, sender=person, by_email=True)
        else:
            desk.reply(ticket, body=body, actor=None, sender=person, by_email=True)
    except (ValidationError, PermissionDenied) as exc:
        raise Quarantine(f"Could not add it to {ticket.reference}: {_messages(exc)}") from None
    _attach(ticket, parsed, record)
    _set(record, Outcome.REPLY, record.reason, ticket=ticket)


def _staff_reply(ticket, body: str, user) -> None:
    """Staff answer by email: a public reply, or a first line `#resolve` (the rest is
    the resolution) or `#note` (an internal note)."""
    from borough.servicedesk import services as desk

    first, _, rest = body.partition("\n")
    command = first.strip().lower()
    if command == "#resolve":
        desk.resolve(ticket, actor=user, note=rest.strip() or "Resolved by email.")
    elif command == "#note":
        desk.add_note(ticket, body=rest.strip() or first, actor=user)
    else:
        desk.reply(ticket, body=body, actor=user, by_email=True)


def _attach(ticket, parsed: ParsedMail, record) -> None:
    """Keep the attachments within the limits; name the ones refused on the record."""
    refused = []
    for item in parsed.attachments:
        upload = SimpleUploadedFile(item.name, item.content)
        try:
            stored_files.add_attachment(ticket, upload, actor=None)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    if refused:
        record.reason = " ".join(filter(None, [record.reason, "Attachments not kept:",
                                               *refused]))
        record.save(update_fields=["reason"])


# --- the quarantine ---------------------------------------------------------------------

def release(record: InboundMessage, *, actor) -> InboundMessage:
    """Process a quarantined message as if it had passed: unknown charsets read with
    replacement characters, a reply from someone else added to the ticket."""
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
