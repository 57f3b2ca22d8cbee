"""One filter definition per model: the list page, its exports and the API."""

import django_filters as filters

from borough.availability import models as m
from borough.catalogue.models import BusinessService
from borough.core.filters import WordSearchFilterSet


class OutageFilterSet(WordSearchFilterSet):
    search_fields = ("reference", "cause", "service__name")
    service = filters.ModelChoiceFilter(queryset=BusinessService.objects.all(),
                                        empty_label="Any service")
    kind = filters.ChoiceFilter(choices=m.Kind.choices, label="Planned or unplanned",
                                empty_label="Either")
    source = filters.MultipleChoiceFilter(choices=m.Source.choices)
    ongoing = filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull",
                                    label="Still down")
    started_from = filters.DateFilter(field_name="started_at", lookup_expr="date__gte",
                                      label="Started on or after")
    started_before = filters.DateFilter(field_name="started_at", lookup_expr="date__lt",
                                        label="Started before")
    ticket = filters.NumberFilter(field_name="ticket", label="Major incident id")
    change = filters.NumberFilter(field_name="change", label="Change id")
    configuration_item = filters.NumberFilter(field_name="configuration_item",
                                              label="Monitored item id")

    class Meta:
        model = m.Outage
        fields = []
