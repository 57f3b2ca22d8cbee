"""The service desk's inbound handler (core.inbound): mail to a council's mailbox becomes
a new ticket, or a reply on the ticket it answers.

Mail (the transport) asks it about every message that is not a loop, in the transaction
that records the message. It claims every message a person wrote, so handlers for more
specific mail (approvals by email, say) register before it. Everything it changes goes
through the desk's services; the directory is read through organisation.queries and
added to through organisation.services.

- The ticket: the records the message's threading headers lead to (mail works those out
  from the emails Borough sent and received, and its made-up thread ids), then a
  reference in square brackets in the subject; only the mailbox's organisation's tickets.
- The sender: the directory entry with their address. Someone unknown is added as a
  contact when a ticket needs them (as its requester, or as the author of a released
  reply); a new ticket then says so in an internal note.
- A reply from the requester is a public reply (reopening a ticket resolved within the
  desk's window); from staff, a reply from them, or `#resolve` / `#note` on its first
  line; from anyone else it is refused, for a person to release. A reply to a closed
  ticket, or one resolved before the window, opens a new ticket that notes the old one.
- Automatic mail is never answered: it is linked to the ticket it answers, if any."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.accounts import queries as accounts
from borough.core import attachments as stored_files
from borough.core.inbound import Handled, InboundHandler, InboundMail
from borough.organisation import queries as directory
from borough.organisation import services as directory_services
from borough.servicedesk import services
from borough.servicedesk.models import Channel, Status, Ticket

NO_TEXT = "(The email had no text.)"
UNKNOWN_SENDER = ("Raised by email from an unknown sender, added as a contact: check who "
                  "they are.")
REFERENCE = re.compile(r"\[([A-Z]{2,5}-\d{1,12})\]", re.ASCII)  # "Re: [INC-000123] Printer"
TICKET = Ticket._meta.label_lower


def handle(message: InboundMail) -> Handled | None:
    ticket = matched_ticket(message)
    if message.automatic:
        return Handled.noted(ticket) if ticket is not None else None
    person = directory.person_by_email(message.organisation_id, message.sender)
    if ticket is not None:
        return _follow_up(message, ticket, person)
    return _open(message, person)


HANDLER = InboundHandler("Service desk", handle, order=100)


def matched_ticket(message: InboundMail) -> Ticket | None:
    """The ticket the message answers: by the emails it replies to, then by a reference
    in its subject. Only the organisation's tickets."""
    tickets = Ticket.objects.filter(organisation_id=message.organisation_id)
    for label, pk in message.answers:
        if label == TICKET:
            found = tickets.filter(pk=pk).first()
            if found is not None:
                return found
    for reference in REFERENCE.findall(message.subject):
        found = tickets.filter(reference=reference).first()
        if found is not None:
            return found
    return None


def _add_contact(message: InboundMail):
    return directory_services.add_person_from_email(
        message.organisation_id, actor=None, email=message.sender,
        full_name=message.sender_name)


def _open(message: InboundMail, person, *, note: str = "") -> Handled:
    created = person is None
    if created:
        person = _add_contact(message)
    try:
        ticket = services.raise_ticket(
            message.organisation_id, actor=None, ticket_type="incident",
            title=message.subject[:200] or "(no subject)",
            description=message.text or NO_TEXT, requester=person, channel=Channel.EMAIL)
    except ValidationError as exc:
        return Handled.refused("Could not open a ticket: " + " ".join(exc.messages))
    refused = _attach(ticket, message)
    if created or note:
        services.add_note(ticket, actor=None, body=" ".join(filter(None, [
            note, UNKNOWN_SENDER if created else ""])))
    return Handled.opened(ticket, reason=_reason(note, refused), person=person,
                          new_contact=created)


def _follow_up(message: InboundMail, ticket: Ticket, person) -> Handled:
    staff = _staff_user(person, message.sender, ticket)
    requester = ticket.requester
    is_requester = (person is not None and person.pk == requester.pk) or (
        message.sender == (requester.email or "").lower())
    if staff is None and not is_requester and not message.released:
        return Handled.refused(f"A reply to {ticket.reference} from {message.sender}, who is "
                               "not its requester or service desk staff.")
    if ticket.status in (Status.CLOSED, Status.CANCELLED) or (
            ticket.status == Status.RESOLVED and not services.within_reopen_window(ticket)):
        return _open(message, person,
                     note=f"Follows {ticket.reference}, which was already closed.")
    created = False
    if staff is None and person is None:
        person, created = (requester, False) if is_requester else (_add_contact(message), True)
    body = message.text or NO_TEXT
    try:
        if staff is not None:
            _staff_reply(ticket, body, staff)
        elif ticket.status == Status.RESOLVED:
            services.reopen(ticket, actor=None, reason=body, sender=person, by_email=True)
        else:
            services.reply(ticket, actor=None, body=body, sender=person, by_email=True)
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return Handled.refused(f"Could not add it to {ticket.reference}: {text}")
    return Handled.added(ticket, reason=_reason("", _attach(ticket, message)), person=person,
                         new_contact=created)


def _staff_user(person, address: str, ticket: Ticket):
    """The sender's login if they work the organisation's tickets: their directory entry's,
    or else an active login with the same address."""
    candidates = ([person.user] if person is not None and person.user_id
                  else accounts.active_users_with_email(address))
    for user in candidates:
        if user.is_active and user.has_perm("servicedesk.work_tickets", ticket):
            return user
    return None


def _staff_reply(ticket: Ticket, body: str, user) -> None:
    """Staff answer by email: a public reply, or a first line `#resolve` (the rest is
    the resolution) or `#note` (an internal note)."""
    first, _, rest = body.partition("\n")
    command = first.strip().lower()
    if command == "#resolve":
        # Mail has no list to choose a resolution code from: never required here.
        services.resolve(ticket, actor=user, note=rest.strip() or "Resolved by email.",
                         code_required=False)
    elif command == "#note":
        services.add_note(ticket, actor=user, body=rest.strip() or first)
    else:
        services.reply(ticket, actor=user, body=body, by_email=True)


def _attach(ticket: Ticket, message: InboundMail) -> list[str]:
    """Keep the attachments within the limits; the reasons for those refused."""
    refused = []
    for item in message.attachments:
        try:
            stored_files.add_attachment(ticket, SimpleUploadedFile(item.name, item.content),
                                        actor=None)
        except ValidationError as exc:
            refused.append(" ".join(exc.messages))
    return refused


def _reason(note: str, refused: list[str]) -> str:
    """What the message's record says: a note, and the attachments not kept by name."""
    return " ".join(filter(None, [note, "Attachments not kept:" if refused else "", *refused]))
