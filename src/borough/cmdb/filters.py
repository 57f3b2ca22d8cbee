import django_filters as filters

from borough.cmdb import models as m
from borough.core.filters import WordSearchFilterSet
from borough.organisation.models import ServiceUnit, Site, Team


class CIClassFilterSet(WordSearchFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = m.CIClass
        fields = ["is_active"]


class ConfigurationItemFilterSet(WordSearchFilterSet):
    """One definition for the list page, its exports and the API."""

    search_fields = ("reference", "name")
    ci_class = filters.ModelChoiceFilter(queryset=m.CIClass.objects.all(), label="Class",
                                         empty_label="Any class")
    status = filters.ChoiceFilter(choices=m.Status.choices, empty_label="Any status")
    criticality = filters.ChoiceFilter(choices=m.Criticality.choices,
                                       empty_label="Any criticality")
    data_classification = filters.ChoiceFilter(choices=m.DataClassification.choices,
                                               empty_label="Any classification")
    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all(),
                                             label="Owning service unit",
                                             empty_label="Any service unit")
    support_team = filters.ModelChoiceFilter(queryset=Team.objects.all(),
                                             empty_label="Any team")
    site = filters.ModelChoiceFilter(queryset=Site.objects.all(), empty_label="Any site")
    discovery_source = filters.ModelChoiceFilter(
        queryset=m.DirectorySource.objects.all(), label="Found by",
        empty_label="Any directory source")
    # Flagged by discovery: gone from the directory, or disabled there.
    missing_from_directory = filters.BooleanFilter(
        field_name="missing_from_directory_since", lookup_expr="isnull", exclude=True,
        label="Missing from the directory")

    class Meta:
        model = m.ConfigurationItem
        fields = []


class RelationshipFilterSet(WordSearchFilterSet):
    search_fields = ("source__name", "target__name", "redundancy_group")
    relationship_type = filters.ChoiceFilter(choices=m.RelationshipType.choices, label="Type",
                                             empty_label="Any type")
    source = filters.ModelChoiceFilter(queryset=m.ConfigurationItem.objects.all())
    target = filters.ModelChoiceFilter(queryset=m.ConfigurationItem.objects.all())

    class Meta:
        model = m.Relationship
        fields = []


class BaselineFilterSet(WordSearchFilterSet):
    search_fields = ("name", "description")
    scope = filters.ChoiceFilter(choices=m.BaselineScope.choices, empty_label="Any scope")

    class Meta:
        model = m.Baseline
        fields = []
