import django_filters as filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy

from borough.catalogue import queries as catalogue_queries
from borough.cmdb import queries as cmdb_queries
from borough.core.filters import ScopedFilterSet, SuggestedRecordFilter, WordSearchFilterSet
from borough.organisation.models import ServiceUnit, Site, Team
from borough.servicedesk import models as m
from borough.servicedesk import queries


def _checkboxes():
    return forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"})


def _yes_no():
    return forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


def _assignees(request):
    """The desk's workers, from the configuration each process keeps: building the
    four-table query on every request cost more than the rest of the filter form."""
    from borough.accounts.models import User

    organisation_id = getattr(getattr(request, "user", None), "active_organisation_id", None)
    if organisation_id is None:
        return User.objects.none()
    config = queries.desk_config(organisation_id, getattr(request, "organisation", None))
    return User.objects.filter(pk__in=[user.pk for user in config.workers]).order_by(
        "first_name", "last_name")


class TicketFilterSet(ScopedFilterSet):
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
    team = filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="Any team")
    # By name, among the people who work tickets here (an id in the API, as before).
    assignee = filters.ModelChoiceFilter(
        queryset=_assignees, label="Assigned to", empty_label="Anyone",
        widget=forms.Select(attrs={"data-borough-autocomplete": ""}))
    category = filters.ModelChoiceFilter(queryset=m.Category.objects.all(),
                                         empty_label="Any category")
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             empty_label="Any service unit")
    site = filters.ModelChoiceFilter(queryset=Site.objects.all(), empty_label="Any site")
    ci = SuggestedRecordFilter(
        queryset=lambda request: cmdb_queries.choosable_items(getattr(request, "user", None)),
        noun="configuration item", label="Configuration item",
        suggest_url=reverse_lazy("api:cmdb-configurationitem-suggest"))
    service = SuggestedRecordFilter(
        queryset=lambda request: catalogue_queries.choosable_services(
            getattr(request, "user", None)),
        noun="business service", label="Business service",
        suggest_url=reverse_lazy("api:catalogue-businessservice-suggest"))
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
        breached = queries.breached_filter()
        return queryset.filter(breached) if value else queryset.exclude(breached)


class CategoryFilterSet(WordSearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = m.Category
        fields = ["ticket_type", "is_active"]


class PriorityRuleFilterSet(ScopedFilterSet):
    class Meta:
        model = m.PriorityRule
        fields = ["impact", "urgency", "priority"]


class SLAPolicyFilterSet(ScopedFilterSet):
    class Meta:
        model = m.SLAPolicy
        fields = ["priority", "ticket_type", "business_service", "is_active"]


class CannedResponseFilterSet(WordSearchFilterSet):
    search_fields = ("title",)

    class Meta:
        model = m.CannedResponse
        fields = ["is_active"]


class DeskSettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = m.DeskSettings
        fields = []
