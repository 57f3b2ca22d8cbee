"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.catalogue.models import BusinessService
from borough.changes import models as m
from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import Person


class ChangeFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "description")
    status = filters.MultipleChoiceFilter(choices=m.Status.choices)
    change_type = filters.ChoiceFilter(choices=m.ChangeType.choices, label="Type",
                                       empty_label="Any type")
    risk_level = filters.ChoiceFilter(choices=m.Level.choices, label="Risk",
                                      empty_label="Any risk")
    outcome = filters.ChoiceFilter(choices=m.Outcome.choices, empty_label="Any outcome")
    origin = filters.ChoiceFilter(choices=m.Origin.choices, empty_label="Any origin")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    service = filters.ModelChoiceFilter(field_name="services",
                                        queryset=BusinessService.objects.all(),
                                        label="Business service", empty_label="Any service")
    ci = filters.NumberFilter(field_name="configuration_items", label="Configuration item id")
    problem = filters.NumberFilter(field_name="problems", label="Fixes problem id")
    board = filters.ModelChoiceFilter(queryset=m.Board.objects.all(),
                                      empty_label="Any board")
    starts_from = filters.DateFilter(field_name="planned_start", lookup_expr="date__gte",
                                     label="Window starts on or after")
    starts_before = filters.DateFilter(field_name="planned_start", lookup_expr="date__lt",
                                       label="Window starts before")
    caused_incidents = filters.BooleanFilter(field_name="incidents", lookup_expr="isnull",
                                             exclude=True, label="Caused incidents",
                                             distinct=True)

    class Meta:
        model = m.Change
        fields = []


class RiskQuestionFilterSet(WordSearchFilterSet):
    search_fields = ("question", "help_text")
    is_active = filters.BooleanFilter(label="Asked")

    class Meta:
        model = m.RiskQuestion
        fields = []


class ChangeTemplateFilterSet(WordSearchFilterSet):
    search_fields = ("name", "description")
    is_active = filters.BooleanFilter(label="In use")

    class Meta:
        model = m.ChangeTemplate
        fields = []


class BoardFilterSet(WordSearchFilterSet):
    search_fields = ("name",)
    kind = filters.ChoiceFilter(choices=m.BoardKind.choices, empty_label="Either")

    class Meta:
        model = m.Board
        fields = []


class BoardMemberFilterSet(WordSearchFilterSet):
    search_fields = ("member__full_name", "deputy__full_name", "represents")
    board = filters.ModelChoiceFilter(queryset=m.Board.objects.all(), empty_label="Any board")
    is_active = filters.BooleanFilter(label="Sits")

    class Meta:
        model = m.BoardMember
        fields = []


class MeetingFilterSet(WordSearchFilterSet):
    search_fields = ("location", "minutes")
    board = filters.ModelChoiceFilter(queryset=m.Board.objects.all(), empty_label="Any board")
    status = filters.ChoiceFilter(choices=m.MeetingStatus.choices, empty_label="Any status")

    class Meta:
        model = m.Meeting
        fields = []


class CausedIncidentFilterSet(WordSearchFilterSet):
    search_fields = ("note", "change__reference", "ticket__reference")
    change = filters.ModelChoiceFilter(queryset=m.Change.objects.all(),
                                       empty_label="Any change")

    class Meta:
        model = m.CausedIncident
        fields = []


class ScheduleWindowFilterSet(WordSearchFilterSet):
    search_fields = ("name", "reason")
    kind = filters.ChoiceFilter(choices=m.WindowKind.choices, empty_label="Either")

    class Meta:
        model = m.ScheduleWindow
        fields = []


class MaintenanceWindowFilterSet(WordSearchFilterSet):
    search_fields = ("service__name",)
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    weekday = filters.ChoiceFilter(choices=m.Weekday.choices, empty_label="Any day")

    class Meta:
        model = m.MaintenanceWindow
        fields = []


