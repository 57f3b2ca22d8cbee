"""One FilterSet per model: the list pages, their exports and the API share them."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q

from borough.core.filters import ScopedFilterSet
from borough.organisation.models import Person
from borough.standards import models as m
from borough.standards.actions import queries, services


def _checkboxes():
    return forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"})


def _yes_no():
    return forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])


def _themes(request):
    return m.Theme.objects.filter(framework__in=queries.newest_frameworks()).select_related(
        "framework")


def _standards(request):
    return queries.standards_choices()


class ActionFilterSet(ScopedFilterSet):
    """The action plan's filters: page, export and API."""

    q = filters.CharFilter(method="search", label="Reference or words in the title")
    status = filters.MultipleChoiceFilter(choices=m.ActionStatus.choices, widget=_checkboxes())
    rag = filters.MultipleChoiceFilter(choices=m.RAG.choices, widget=_checkboxes(), label="RAG")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue", widget=_yes_no())
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    theme = filters.ModelChoiceFilter(queryset=_themes, method="filter_theme",
                                      empty_label="Any theme")
    standard = filters.ModelChoiceFilter(queryset=_standards, field_name="standards",
                                         empty_label="Any standard")
    objective = filters.ModelChoiceFilter(queryset=m.CorporateObjective.objects.all(),
                                          field_name="objectives",
                                          label="Corporate plan objective",
                                          empty_label="Any objective")
    target = filters.ModelChoiceFilter(queryset=m.Target.objects.all(), field_name="targets",
                                       empty_label="Any target")
    cycle = filters.ModelChoiceFilter(queryset=m.AssessmentCycle.objects.all(),
                                      label="Raised by review", empty_label="Any review")
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte",
                                   label="Due on or after")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte",
                                    label="Due on or before")

    class Meta:
        model = m.Action
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(reference__iexact=value) | Q(title__icontains=value))

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status__in=m.OPEN_ACTION_STATUSES, due_on__lt=services.today())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_theme(self, queryset, name, value):
        # Where the plan lists it, or (with no theme of its own) the theme of a standard.
        return queryset.filter(Q(theme=value) | Q(theme__isnull=True, standards__theme=value)
                               ).distinct()


class CorporateObjectiveFilterSet(ScopedFilterSet):
    q = filters.CharFilter(method="search", label="Code or words in the title")

    class Meta:
        model = m.CorporateObjective
        fields = ["is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__iexact=value.strip()) | Q(title__icontains=value.strip()))


class TargetFilterSet(CorporateObjectiveFilterSet):
    class Meta:
        model = m.Target
        fields = ["scope", "is_active"]


class ReportReviewFilterSet(ScopedFilterSet):
    report = filters.ChoiceFilter(choices=[(k, v[0]) for k, v in queries.REPORTS.items()],
                                  empty_label="Any report")
    reviewed_after = filters.DateFilter(field_name="reviewed_on", lookup_expr="gte",
                                        label="Reviewed on or after")
    reviewed_before = filters.DateFilter(field_name="reviewed_on", lookup_expr="lte",
                                         label="Reviewed on or before")

    class Meta:
        model = m.ReportReview
        fields = []
