from __future__ import annotations

import django_tables2 as tables
from django.db.models import QuerySet

from borough.core import notifications
from borough.core.tables import BaseTable
from borough.mail import models as m


def event_label(value: str) -> str:
    return "Daily digest" if value == "digest" else notifications.label_of(value)


def _thread_url(record):
    thread = record.thread
    return thread.get_absolute_url() if hasattr(thread, "get_absolute_url") else None


def thread_label(thread) -> str:
    """A record as the mail lists name it: its reference, if people quote one."""
    return getattr(thread, "reference", "") or str(thread)


class ThreadedTable(BaseTable):
    """A list of mail, with the record each concerns (of any module, so prefetched by
    content type: one query per kind of record on the page)."""

    # Sorted by kind of record, then in the order they were made (for tickets, their
    # references' order).
    thread = tables.Column(linkify=_thread_url, verbose_name="About", empty_values=(),
                           order_by=("thread_type", "thread_id"))

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QuerySet):
            data = data.prefetch_related("thread")
        super().__init__(data, *args, **kwargs)

    def render_thread(self, record):
        if record.thread is not None:
            return thread_label(record.thread)
        return "Deleted" if record.thread_id else "—"


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

    def render_event(self, value):
        return event_label(value)


class InboundMessageTable(ThreadedTable):
    created_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Received")
    # Every row links to its message, a blank subject too.
    subject = tables.Column(linkify=True, verbose_name="Subject", empty_values=())
    sender = tables.Column(verbose_name="From")
    outcome = tables.Column()

    class Meta(BaseTable.Meta):
        model = m.InboundMessage
        fields = ("created_at", "subject", "sender", "outcome", "thread")
        empty_text = "No messages match."

    def render_subject(self, value):
        return value or "(no subject)"


class OutboundEmailTable(ThreadedTable):
    created_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Written")
    subject = tables.Column(linkify=True)
    recipient = tables.Column(verbose_name="To")
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = m.OutboundEmail
        # Five columns fit beside the filters; the page of each email has the rest.
        fields = ("created_at", "subject", "recipient", "status", "thread")
        empty_text = "No emails match."
