from django import forms

from borough.capacity import models as m
from borough.core.forms import ScopedModelForm


class MetricForm(ScopedModelForm):
    class Meta:
        model = m.Metric
        fields = ["configuration_item", "name", "unit", "kind", "description",
                  "warning_threshold", "critical_threshold", "direction", "capacity",
                  "forecast_horizon_days", "shortest_outage_minutes", "source_key",
                  "prometheus_source", "promql"]


class PrometheusSourceForm(ScopedModelForm):
    base_url = forms.URLField(label="Base URL", max_length=500, assume_scheme="https",
                              help_text=m.PrometheusSource._meta.get_field("base_url").help_text)

    class Meta:
        model = m.PrometheusSource
        fields = ["name", "base_url", "auth", "username", "secret_env", "step_seconds",
                  "first_run_hours", "is_active"]


class CapacitySettingsForm(ScopedModelForm):
    class Meta:
        model = m.CapacitySettings
        fields = ["overload_action"]
