import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from borough.servicedesk import models as m


def _checkboxes():
    return forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"})


def _yes_no():
    return forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


class TicketFilterSet(filters.FilterSet):
    """One definition for the queue page, the API and count links."""

    q = filters.CharFilter(method="search", label="Reference or words in the title")
    # Checkboxes, not a multiple <select>: one click each, and nothing hidden in a box.
    # distinct=False: a ticket's own columns, no join that could repeat a row, so the
    # count needs no COUNT(*) FROM (SELECT DISTINCT ...).
    status = filters.MultipleChoiceFilter(choices=m.Status.choices, widget=_checkboxes(),
                                          distinct=False)
    priority = filters.MultipleChoiceFilter(choices=m.Priority.choices, widget=_checkboxes(),
                                            distinct=False)
    ticket_type = filters.ChoiceFilter(choices=m.TicketType.choices, label="Type",
                                       empty_label="Any type")
    team = filters.ModelChoiceFilter(queryset=lambda request: _scoped(request, "organisation.Team"),
                                     empty_label="Any team")
    assignee = filters.NumberFilter(field_name="assignee_id", label="Assignee (user id)")
    category = filters.ModelChoiceFilter(
        queryset=lambda request: _scoped(request, "servicedesk.Category"),
        empty_label="Any category")
    service_unit = filters.ModelChoiceFilter(
        queryset=lambda request: _scoped(request, "organisation.ServiceUnit"),
        empty_label="Any service unit")
    site = filters.ModelChoiceFilter(queryset=lambda request: _scoped(request, "organisation.Site"),
                                     empty_label="Any site")
    opened_after = filters.DateFilter(field_name="created_at", lookup_expr="date__gte",
                                      label="Opened on or after")
    opened_before = filters.DateFilter(field_name="created_at", lookup_expr="date__lte",
                                       label="Opened on or before")
    breached = filters.BooleanFilter(method="filter_breached", label="SLA breached",
                                     widget=_yes_no())
    major = filters.BooleanFilter(field_name="is_major_incident", label="Major incident",
                                  widget=_yes_no())

    class Meta:
        model = m.Ticket
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(reference__iexact=value) | Q(title__icontains=value))

    def filter_breached(self, queryset, name, value):
        now = timezone.now()
        breached = (Q(resolution_breached_at__isnull=False) | Q(response_breached_at__isnull=False)
                    | Q(resolution_due_at__lt=now, clock_paused_at__isnull=True,
                        status__in=m.OPEN_STATUSES))
        return queryset.filter(breached) if value else queryset.exclude(breached)


def _scoped(request, label):
    from django.apps import apps

    model = apps.get_model(label)
    user = getattr(request, "user", None)
    return model.objects.visible_to(user) if user is not None else model.objects.none()


class CategoryFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = m.Category
        fields = ["ticket_type", "is_active"]


class PriorityRuleFilterSet(filters.FilterSet):
    class Meta:
        model = m.PriorityRule
        fields = ["impact", "urgency", "priority"]


class SLAPolicyFilterSet(filters.FilterSet):
    class Meta:
        model = m.SLAPolicy
        fields = ["priority", "ticket_type", "is_active"]


class CannedResponseFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", label="Search")

    class Meta:
        model = m.CannedResponse
        fields = ["is_active"]


class DeskSettingsFilterSet(filters.FilterSet):
    class Meta:
        model = m.DeskSettings
        fields = []
