"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue.models import BusinessService
from borough.continuity import models as m
from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import Person, Site


class BusinessImpactAnalysisFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "service__name", "summary")
    status = filters.MultipleChoiceFilter(choices=m.AnalysisStatus.choices)
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    review_due_before = filters.DateFilter(field_name="review_due", lookup_expr="lt",
                                           label="Review due before")

    class Meta:
        model = m.BusinessImpactAnalysis
        fields = []


class ImpactRowFilterSet(WordSearchFilterSet):
    search_fields = ("notes", "analysis__reference")
    # By id (the analysis's page links here): an analysis is named by its service, which a
    # select of them all would read one by one.
    analysis = filters.NumberFilter(field_name="analysis", label="Analysis id")

    class Meta:
        model = m.ImpactRow
        fields = []


class ContinuityPlanFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "scope")
    status = filters.MultipleChoiceFilter(choices=m.PlanStatus.choices)
    kind = filters.ChoiceFilter(choices=m.PlanKind.choices, empty_label="Any kind")
    service = filters.ModelChoiceFilter(field_name="services",
                                        queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    site = filters.ModelChoiceFilter(queryset=Site.objects.all(), empty_label="Any site")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    review_due_before = filters.DateFilter(field_name="review_due", lookup_expr="lt",
                                           label="Review due before")

    class Meta:
        model = m.ContinuityPlan
        fields = []


class PlanContactFilterSet(WordSearchFilterSet):
    search_fields = ("role", "name", "employer", "person__full_name")
    plan = filters.ModelChoiceFilter(queryset=m.ContinuityPlan.objects.all(),
                                     empty_label="Any plan")

    class Meta:
        model = m.PlanContact
        fields = []


class PlanStepFilterSet(WordSearchFilterSet):
    search_fields = ("instruction", "done_by")
    plan = filters.ModelChoiceFilter(queryset=m.ContinuityPlan.objects.all(),
                                     empty_label="Any plan")

    class Meta:
        model = m.PlanStep
        fields = []


class RecoveryItemFilterSet(WordSearchFilterSet):
    search_fields = ("configuration_item__name", "note")
    plan = filters.ModelChoiceFilter(queryset=m.ContinuityPlan.objects.all(),
                                     empty_label="Any plan")
    configuration_item = filters.NumberFilter(field_name="configuration_item",
                                              label="Configuration item id")

    class Meta:
        model = m.RecoveryItem
        fields = []


class ContinuityTestFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "scenario", "lessons", "plan__title")
    plan = filters.ModelChoiceFilter(queryset=m.ContinuityPlan.objects.all(),
                                     empty_label="Any plan")
    kind = filters.ChoiceFilter(choices=m.TestKind.choices, empty_label="Any kind")
    result = filters.MultipleChoiceFilter(choices=m.TestResult.choices)
    tested_from = filters.DateFilter(field_name="tested_on", lookup_expr="gte",
                                     label="Tested on or after")
    tested_before = filters.DateFilter(field_name="tested_on", lookup_expr="lt",
                                       label="Tested before")

    class Meta:
        model = m.ContinuityTest
        fields = []


class FollowUpFilterSet(WordSearchFilterSet):
    search_fields = ("description", "test__reference")
    test = filters.NumberFilter(field_name="test", label="DR test id")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    done = filters.BooleanFilter()

    class Meta:
        model = m.FollowUp
        fields = []
