"""One filter definition per model: the list pages, their exports and the API."""

import django_filters as filters

from borough.capacity import models as m
from borough.cmdb.models import ConfigurationItem
from borough.core.filters import ScopedFilterSet, WordSearchFilterSet


class MetricFilterSet(WordSearchFilterSet):
    search_fields = ("name", "configuration_item__name", "configuration_item__reference",
                     "source_key")
    configuration_item = filters.ModelChoiceFilter(
        queryset=ConfigurationItem.objects.all(), label="Configuration item",
        empty_label="Any item")
    name = filters.CharFilter(lookup_expr="icontains", label="Name contains")
    unit = filters.ChoiceFilter(choices=m.Unit.choices, empty_label="Any unit")
    kind = filters.ChoiceFilter(choices=m.Kind.choices, empty_label="Any kind")
    state = filters.ChoiceFilter(choices=m.State.choices, method="filter_state",
                                 label="Against its thresholds", empty_label="Any")
    mapping = filters.ChoiceFilter(choices=m.Mapping.choices, label="Attached",
                                   empty_label="Attached or not")
    prometheus_source = filters.ModelChoiceFilter(
        queryset=m.PrometheusSource.objects.all(), label="Prometheus source",
        empty_label="Any source")

    class Meta:
        model = m.Metric
        fields = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(m.Metric.state_q(value)) if value else queryset


class CollectionRunFilterSet(WordSearchFilterSet):
    search_fields = ("detail",)
    source = filters.ChoiceFilter(choices=m.Source.choices, empty_label="Any way in")
    with_problems = filters.BooleanFilter(field_name="refused", lookup_expr="gt",
                                          method="filter_problems",
                                          label="With lines refused")
    started_after = filters.DateTimeFilter(field_name="started_at", lookup_expr="gte",
                                           label="Started on or after")

    class Meta:
        model = m.CollectionRun
        fields = []

    def filter_problems(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(refused__gt=0) if value else queryset.filter(refused=0)


class PrometheusSourceFilterSet(WordSearchFilterSet):
    search_fields = ("name", "base_url")
    name = filters.CharFilter(lookup_expr="icontains", label="Name contains")
    auth = filters.ChoiceFilter(choices=m.PrometheusAuth.choices, label="Authentication",
                                empty_label="Any")
    is_active = filters.BooleanFilter(label="Active")

    class Meta:
        model = m.PrometheusSource
        fields = []


class CapacitySettingsFilterSet(ScopedFilterSet):
    class Meta:
        model = m.CapacitySettings
        fields = []
