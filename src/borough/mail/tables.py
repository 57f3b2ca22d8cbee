from __future__ import annotations

import django_tables2 as tables

from borough.core.tables import BaseTable
from borough.mail import models as m


def event_label(value: str) -> str:
    if value in m.Event.values:
        return m.Event(value).label
    return "Daily digest" if value == "digest" else value


def _ticket_url(record):
    return record.ticket.get_absolute_url() if record.ticket_id else None


class MailboxTable(BaseTable):
    name = tables.Column(linkify=True)
    is_default = tables.BooleanColumn(verbose_name="Sends notifications", yesno="Yes,No")
    is_active = tables.BooleanColumn(verbose_name="Active", yesno="Yes,No")
    last_polled_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Last read")

    class Meta(BaseTable.Meta):
        model = m.Mailbox
        fields = ("name", "address", "is_active", "is_default", "imap_host", "last_polled_at")
        empty_text = "No mailboxes yet."


class NotificationTemplateTable(BaseTable):
    event = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.NotificationTemplate
        fields = ("event", "subject", "updated_at")
        empty_text = "Every event uses Borough's own wording."


class InboundMessageTable(BaseTable):
    created_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Received")
    # Every row links to its message, a blank subject too.
    subject = tables.Column(linkify=True, verbose_name="Subject", empty_values=())
    sender = tables.Column(verbose_name="From")
    outcome = tables.Column()
    ticket = tables.Column(linkify=_ticket_url, verbose_name="Ticket",
                           accessor="ticket__reference", order_by=("ticket__reference",))

    class Meta(BaseTable.Meta):
        model = m.InboundMessage
        fields = ("created_at", "subject", "sender", "outcome", "ticket")
        empty_text = "No messages match."

    def render_subject(self, value):
        return value or "(no subject)"


class OutboundEmailTable(BaseTable):
    created_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Written")
    subject = tables.Column(linkify=True)
    recipient = tables.Column(verbose_name="To")
    status = tables.Column()
    ticket = tables.Column(linkify=_ticket_url, verbose_name="Ticket",
                           accessor="ticket__reference", order_by=("ticket__reference",))

    class Meta(BaseTable.Meta):
        model = m.OutboundEmail
        # Five columns fit beside the filters; the page of each email has the rest.
        fields = ("created_at", "subject", "recipient", "status", "ticket")
        empty_text = "No emails match."
