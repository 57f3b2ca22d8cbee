"""What capacity adds to the registry: metrics (with their raw points and rollups read
through them), the collection runs Borough records, the upload of measurements, the
Utilisation panel on a configuration item's page, the rollup and retention jobs, and who
may read, keep and push them."""

from __future__ import annotations

from borough.capacity import (
    api,
    evidence,
    filters,
    forecasts,
    forms,
    importers,
    notices,
    prometheus,
    queries,
    reports,
    rollups,
    services,
    tables,
)
from borough.capacity import models as m
from borough.cmdb.models import ConfigurationItem
from borough.core import roles, scope
from borough.core.registry import DetailPanel, ModelEntry, NavLink

# Under Configuration: a metric is of a configuration item, and a section of its own
# wrapped the menu at 1280 px.
SECTION = "Configuration"

# Utilisation is no secret: every staff role reads it. The ICT manager and
# administrators keep the metrics and may push measurements (a collector's token is made
# for a user in one of those roles).
KEEPS_METRICS = [roles.ADMINISTRATOR, roles.ICT_MANAGER]


def utilisation(item, user) -> dict | None:
    """A configuration item's panel: its metrics with their latest values. Left out for
    people who may not read metrics, and for an item with none unless they may add one."""
    if not scope.can(user, "view", m.Metric, item.organisation_id):
        return None
    metrics = queries.metrics_of_item(item, user)
    can_add = scope.can(user, "add", m.Metric, item.organisation_id)
    if not metrics and not can_add:
        return None
    report = (reports.item_report_url(item, reports.previous_month())
              if any(mt.kind != m.Kind.UP_DOWN for mt in metrics) else None)
    return {"item": item, "metrics": metrics, "can_add": can_add, "report": report}


def register(registry) -> None:
    registry.add_notification_events("capacity", notices.EVENTS)
    entry = registry.register(ModelEntry(
        m.Metric, filters.MetricFilterSet, tables.MetricTable, forms.MetricForm,
        api.MetricSerializer, api.MetricViewSet,
        search_fields=("name", "source_key"), nav_section=SECTION, nav_order=10,
        detail_fields=("configuration_item", "name", "unit", "kind", "description",
                       "warning_threshold", "critical_threshold", "direction", "capacity",
                       "forecast_horizon_days", "shortest_outage_minutes", "source_key",
                       "prometheus_source", "promql",
                       "mapping")))
    registry.register(ModelEntry(
        m.PrometheusSource, filters.PrometheusSourceFilterSet, tables.PrometheusSourceTable,
        forms.PrometheusSourceForm, api.PrometheusSourceSerializer,
        api.PrometheusSourceViewSet, search_fields=("name", "base_url"), nav_section=SECTION,
        nav_order=30,
        detail_fields=("name", "base_url", "auth", "username", "secret_env", "step_seconds",
                       "first_run_hours", "is_active", "last_run_at")))
    # One per council, like the commercial and finance settings.
    registry.register(ModelEntry(
        m.CapacitySettings, filters.CapacitySettingsFilterSet, tables.CapacitySettingsTable,
        forms.CapacitySettingsForm, api.CapacitySettingsSerializer,
        api.CapacitySettingsViewSet, nav_section=SECTION, nav_order=60,
        detail_fields=("overload_action",)))
    registry.add_actions(services.PROMETHEUS_ACTIONS)
    registry.unlist(m.Point, "Raw measurements, written by pushes, uploads and sources and "
                             "never by people: read through their metric "
                             "(/api/capacity/metrics/<id>/points/).")
    registry.unlist(m.Rollup, "Hourly and daily figures computed by the rollup job: shown "
                              "on the metric's page and read through it "
                              "(/api/capacity/metrics/<id>/rollups/).")
    registry.unlist(m.Forecast, "Made by the nightly forecast job: shown on its metric's "
                                "page and in its API record (forecast).")
    registry.unlist(m.CollectionRun, "Written by Borough for each push, upload and source "
                                     "query: read-only pages at /capacity/collection-runs/ "
                                     "and /api/capacity/collection-runs/.")
    registry.nav_links.append(NavLink(SECTION, "Collection runs", "capacity:collectionrun_list",
                                      m.CollectionRun, order=50))
    registry.nav_links.append(NavLink(SECTION, "Upload measurements", "capacity:point_import",
                                      m.Metric, action="add", order=20))
    registry.api_routes.append(("capacity/collection-runs", api.CollectionRunViewSet,
                                "capacity-collectionrun"))
    registry.api_routes.append(("capacity/service-reports", api.ServiceReportViewSet,
                                "capacity-servicereport"))
    registry.api_routes.append(("capacity/item-reports", api.ItemReportViewSet,
                                "capacity-itemreport"))
    registry.importers["capacity.point"] = importers.PointImporter(entry)

    registry.grant_models(roles.READ_ALL_ROLES, [m.Metric, m.CollectionRun], ("view",))
    registry.grant_models(roles.READ_ALL_ROLES, [m.PrometheusSource], ("view",))
    registry.grant_models(roles.READ_ALL_ROLES, [m.CapacitySettings], ("view",))
    registry.grant_models(KEEPS_METRICS, [m.Metric, m.PrometheusSource, m.CapacitySettings],
                          ("add", "change", "delete"))
    registry.grant(roles.ADMINISTRATOR, ["capacity.push_metric"])
    registry.grant(roles.ICT_MANAGER, ["capacity.push_metric"])

    registry.add_detail_panel(ConfigurationItem, DetailPanel(
        "capacity-utilisation", "capacity/includes/utilisation_panel.html", utilisation,
        order=25, annotations=queries.item_annotations))
    registry.periodic_jobs["capacity-rollups"] = (rollups.roll_up_job, 900)
    registry.periodic_jobs["capacity-retention"] = (rollups.retention_job, 86400)
    registry.periodic_jobs["capacity-prometheus"] = (prometheus.collect_job, 300)
    registry.periodic_jobs["capacity-forecasts"] = (forecasts.forecast_job, 86400)
    registry.periodic_jobs["capacity-monthly-reports"] = (reports.publish_job, 86400)
    registry.nav_links.append(NavLink(SECTION, "Monthly reports", "capacity:report_list",
                                      m.Metric, order=30))
    for rule in evidence.RULES:
        registry.evidence_rules[rule.name] = rule
    registry.job_records.append(NavLink(SECTION, "Capacity collection runs",
                                        "capacity:collectionrun_list", m.CollectionRun))
