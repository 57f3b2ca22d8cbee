"""Factories for capacity's metrics."""

from __future__ import annotations

import factory

from borough.capacity import models as m
from tests.cmdb.factories import ConfigurationItemFactory
from tests.organisation.factories import OrgOwnedFactory


class MetricFactory(OrgOwnedFactory):
    class Meta:
        model = m.Metric

    configuration_item = factory.SubFactory(
        ConfigurationItemFactory, organisation=factory.SelfAttribute("..organisation"))
    name = factory.Sequence(lambda n: f"cpu_used {n}")
    unit = m.Unit.PERCENT
    kind = m.Kind.GAUGE
    warning_threshold = 80.0
    critical_threshold = 95.0


class PrometheusSourceFactory(OrgOwnedFactory):
    class Meta:
        model = m.PrometheusSource

    name = factory.Sequence(lambda n: f"Prometheus {n}")
    base_url = "http://127.0.0.1:9090"


class CapacitySettingsFactory(OrgOwnedFactory):
    class Meta:
        model = m.CapacitySettings

    overload_action = m.OverloadAction.PROBLEM


FACTORIES = {m.Metric: MetricFactory, m.PrometheusSource: PrometheusSourceFactory,
             m.CapacitySettings: CapacitySettingsFactory}
