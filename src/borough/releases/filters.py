"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import Person
from borough.releases import models as m


class ReleaseFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "title", "description", "release_notes")
    status = filters.MultipleChoiceFilter(choices=m.Status.choices)
    release_type = filters.ChoiceFilter(choices=m.ReleaseType.choices, label="Type",
                                        empty_label="Any type")
    owner = filters.ModelChoiceFilter(queryset=Person.objects.all(), empty_label="Anyone")
    test_result = filters.ChoiceFilter(choices=m.TestResult.choices, label="Test result",
                                       empty_label="Any result")
    live_from = filters.DateFilter(field_name="planned_live_date", lookup_expr="gte",
                                   label="Planned live on or after")
    live_before = filters.DateFilter(field_name="planned_live_date", lookup_expr="lt",
                                     label="Planned live before")
    deployed_from = filters.DateFilter(field_name="deployed_at", lookup_expr="date__gte",
                                       label="Went live on or after")
    deployed_before = filters.DateFilter(field_name="deployed_at", lookup_expr="date__lt",
                                         label="Went live before")
    change = filters.NumberFilter(field_name="changes", label="Change id")

    class Meta:
        model = m.Release
        fields = []


class ReleaseItemFilterSet(WordSearchFilterSet):
    search_fields = ("software__name", "from_version", "to_version", "note")
    release = filters.ModelChoiceFilter(queryset=m.Release.objects.all(),
                                        empty_label="Any release")
    software = filters.NumberFilter(field_name="software", label="Software id")

    class Meta:
        model = m.ReleaseItem
        fields = []
