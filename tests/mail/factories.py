"""Factories for email: mailboxes, templates and the records the mail system writes."""

from __future__ import annotations

import factory

from borough.mail import models as mail
from borough.servicedesk import notices
from tests.organisation.factories import OrgOwnedFactory


class MailboxFactory(OrgOwnedFactory):
    class Meta:
        model = mail.Mailbox

    name = factory.Sequence(lambda n: f"Mailbox {n}")
    address = factory.Sequence(lambda n: f"help{n}@council{n}.example.gov.uk")


class NotificationTemplateFactory(OrgOwnedFactory):
    class Meta:
        model = mail.NotificationTemplate

    # One template per event and organisation; consecutive ones differ in event (and str).
    event = factory.Sequence(lambda n: notices.EVENTS[n % len(notices.EVENTS)].key)
    subject = "{{ summary }}"
    text_body = "Hello {{ recipient_name }},\n\n{{ body }}\n\n{{ url }}"


class InboundMessageFactory(OrgOwnedFactory):
    """A quarantined message (without its original kept)."""

    class Meta:
        model = mail.InboundMessage

    mailbox = factory.SubFactory(MailboxFactory, organisation=factory.SelfAttribute("..organisation"))
    message_key = factory.Sequence(lambda n: f"{n:064x}")
    message_id = factory.Sequence(lambda n: f"<m{n}@client.example>")
    via = "smtp"
    sender = factory.Sequence(lambda n: f"sender{n}@example.org")
    subject = factory.Sequence(lambda n: f"Received message {n}")
    outcome = mail.Outcome.QUARANTINED
    reason = "Unknown character set “x-unknown”."


class OutboundEmailFactory(OrgOwnedFactory):
    class Meta:
        model = mail.OutboundEmail

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.gov.uk")
    event = notices.ASSIGNED
    subject = factory.Sequence(lambda n: f"Sent email {n}")
    message_id = factory.Sequence(lambda n: f"<s{n}.borough@borough.example>")
    status = mail.SendStatus.SENT


FACTORIES = {
    mail.Mailbox: MailboxFactory,
    mail.NotificationTemplate: NotificationTemplateFactory,
    mail.InboundMessage: InboundMessageFactory,
    mail.OutboundEmail: OutboundEmailFactory,
}
