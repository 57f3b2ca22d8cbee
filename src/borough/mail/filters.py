"""One filter definition per list: the page's filter panel, its export and the API."""

from __future__ import annotations

import django_filters as filters

from borough.core.filters import WordSearchFilterSet
from borough.mail import models as m


class MailboxFilterSet(WordSearchFilterSet):
    search_fields = ("name", "address")
    search_label = "Name or address"

    class Meta:
        model = m.Mailbox
        fields = ["is_active", "is_default"]


class NotificationTemplateFilterSet(WordSearchFilterSet):
    # No filter by event: an organisation has a template for a few, and the page of every
    # event (grouped by app) shows which.
    search_fields = ("subject", "text_body", "html_body")
    search_label = "Words in the subject or body"

    class Meta:
        model = m.NotificationTemplate
        fields = []


class InboundMessageFilterSet(WordSearchFilterSet):
    """Received messages. The page shows the quarantine unless another outcome (or "Any
    outcome") is chosen; the API lists every outcome unless asked."""

    search_fields = ("sender", "sender_name", "subject")
    search_label = "Sender or subject"
    outcome = filters.ChoiceFilter(choices=m.Outcome.choices, empty_label="Any outcome")
    received_after = filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                        label="Received on or after")
    received_before = filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                         label="Received on or before")

    class Meta:
        model = m.InboundMessage
        fields = []


class OutboundEmailFilterSet(WordSearchFilterSet):
    search_fields = ("recipient", "subject")
    search_label = "Recipient or subject"
    status = filters.ChoiceFilter(choices=m.SendStatus.choices, empty_label="Any status")
    sent_after = filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                    label="Written on or after")
    sent_before = filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                     label="Written on or before")

    class Meta:
        model = m.OutboundEmail
        fields = []
