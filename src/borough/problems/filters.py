"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem
from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import Person
from borough.problems import models as m
from borough.servicedesk.models import Category


class CauseCategoryFilterSet(WordSearchFilterSet):
    search_fields = ("name", "description")
    is_active = filters.BooleanFilter(label="In use")

    class Meta:
        model = m.CauseCategory
        fields = []


class TrendRuleFilterSet(WordSearchFilterSet):
    search_fields = ("name",)
    group_by = filters.ChoiceFilter(choices=m.GroupBy.choices, empty_label="Any grouping")
    is_active = filters.BooleanFilter(label="In use")

    class Meta:
        model = m.TrendRule
        fields = []


class ProblemFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "description", "root_cause", "workaround")
    status = filters.MultipleChoiceFilter(choices=m.Status.choices)
    is_open = filters.BooleanFilter(method="filter_open", label="Open")
    origin = filters.ChoiceFilter(choices=m.Origin.choices, empty_label="Any origin")
    priority = filters.ChoiceFilter(choices=m.Priority.choices, empty_label="Any priority")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    cause_category = filters.ModelChoiceFilter(queryset=m.CauseCategory.objects.all(),
                                               empty_label="Any cause")
    ci = filters.ModelChoiceFilter(field_name="cis", queryset=ConfigurationItem.objects.all(),
                                   label="Configuration item", empty_label="Any item")

    class Meta:
        model = m.Problem
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=m.OPEN) if value else queryset.exclude(
            status__in=m.OPEN)


class AnalysisStepFilterSet(WordSearchFilterSet):
    search_fields = ("text", "problem__reference")
    problem = filters.ModelChoiceFilter(queryset=m.Problem.objects.all(),
                                        empty_label="Any problem")

    class Meta:
        model = m.AnalysisStep
        fields = []


class ProblemIncidentFilterSet(WordSearchFilterSet):
    search_fields = ("problem__reference", "ticket__reference", "ticket__title")
    problem = filters.ModelChoiceFilter(queryset=m.Problem.objects.all(),
                                        empty_label="Any problem")

    class Meta:
        model = m.ProblemIncident
        fields = []


class KnownErrorFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "symptoms", "workaround", "root_cause")
    is_active = filters.BooleanFilter(label="Current")
    problem = filters.ModelChoiceFilter(queryset=m.Problem.objects.all(),
                                        empty_label="Any problem")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    category = filters.ModelChoiceFilter(queryset=Category.objects.all(),
                                         empty_label="Any category")

    class Meta:
        model = m.KnownError
        fields = []


class KnownErrorUseFilterSet(WordSearchFilterSet):
    search_fields = ("known_error__reference", "ticket__reference")
    known_error = filters.ModelChoiceFilter(queryset=m.KnownError.objects.all(),
                                            empty_label="Any known error")
    fixed = filters.BooleanFilter(label="It fixed it")

    class Meta:
        model = m.KnownErrorUse
        fields = []
