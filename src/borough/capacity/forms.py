from borough.capacity import models as m
from borough.core.forms import ScopedModelForm


class MetricForm(ScopedModelForm):
    class Meta:
        model = m.Metric
        fields = ["configuration_item", "name", "unit", "kind", "description",
                  "warning_threshold", "critical_threshold", "direction", "capacity",
                  "forecast_horizon_days", "source_key"]
