"""One filter definition per list: the page's filter panel, its export and the API."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q

from borough.mail import models as m


class MailboxFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Name or address")

    class Meta:
        model = m.Mailbox
        fields = ["is_active", "is_default"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))


class NotificationTemplateFilterSet(filters.FilterSet):
    # No filter by event: there are seven at most, and the page of every event shows them.
    q = filters.CharFilter(method="search", label="Words in the subject or body")

    class Meta:
        model = m.NotificationTemplate
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(subject__icontains=value) | Q(text_body__icontains=value)
                               | Q(html_body__icontains=value))


class InboundMessageFilterSet(filters.FilterSet):
    """Received messages. The page shows the quarantine unless another outcome (or "Any
    outcome") is chosen; the API lists every outcome unless asked."""

    q = filters.CharFilter(method="search", label="Sender or subject")
    outcome = filters.ChoiceFilter(choices=m.Outcome.choices, empty_label="Any outcome")
    received_after = filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                        label="Received on or after")
    received_before = filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                         label="Received on or before")

    class Meta:
        model = m.InboundMessage
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(sender__icontains=value) | Q(sender_name__icontains=value)
                               | Q(subject__icontains=value))


class OutboundEmailFilterSet(filters.FilterSet):
    q = filters.CharFilter(method="search", label="Recipient or subject")
    status = filters.ChoiceFilter(choices=m.SendStatus.choices, empty_label="Any status")
    sent_after = filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                    label="Written on or after")
    sent_before = filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                     label="Written on or before")

    class Meta:
        model = m.OutboundEmail
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(recipient__icontains=value) | Q(subject__icontains=value))
