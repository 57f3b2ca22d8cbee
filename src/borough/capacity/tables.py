import django_tables2 as tables
from django.utils.html import format_html

from borough.capacity import models as m
from borough.core.tables import BaseTable


def number(value: float) -> str:
    """42, 42.5, 1,234.57: at most two decimals, none that are zeros."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


class MetricTable(BaseTable):
    name = tables.Column(linkify=True)
    latest_value = tables.Column(verbose_name="Latest value")
    state = tables.Column(verbose_name="Against its thresholds", empty_values=(),
                          orderable=False)

    class Meta(BaseTable.Meta):
        model = m.Metric
        fields = ("name", "configuration_item", "unit", "latest_value", "latest_at", "state",
                  "warning_threshold", "critical_threshold")
        empty_text = "No metrics match."

    def render_latest_value(self, record, value):
        return number(value)

    def render_state(self, record):
        return format_html('<strong class="govuk-tag {}">{}</strong>', record.state_tag,
                           record.state_label)

    def value_state(self, record):
        return record.state_label


class CollectionRunTable(BaseTable):
    started_at = tables.DateTimeColumn(linkify=True, verbose_name="Started",
                                       format="j M Y, H:i:s")

    class Meta(BaseTable.Meta):
        model = m.CollectionRun
        fields = ("started_at", "source", "detail", "requested_by", "lines", "accepted",
                  "refused", "skipped", "metrics_created")
        empty_text = "No collection runs match."


class PrometheusSourceTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.PrometheusSource
        fields = ("name", "base_url", "auth", "step_seconds", "is_active", "last_run_at")
        empty_text = "No Prometheus sources match."


class CapacitySettingsTable(BaseTable):
    overload_action = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = m.CapacitySettings
        fields = ("overload_action",)
        empty_text = "No capacity settings yet: a forecast overload raises a problem."
