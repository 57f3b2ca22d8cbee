from django.urls import path, re_path

from borough.capacity import models as m
from borough.capacity import services, views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls

app_name = "capacity"

RUNS = views.RUNS

urlpatterns = [
    *crud_urls(registry.get(m.Metric), "metrics", detail=views.MetricDetailView),
    *crud_urls(registry.get(m.PrometheusSource), "prometheus-sources",
               detail=views.PrometheusSourceDetailView),
    *action_urls(services.PROMETHEUS_ACTIONS, "prometheus-sources"),
    *crud_urls(registry.get(m.CapacitySettings), "settings"),
    path("measurements/import/", views.PointImportView.as_view(entry=registry.get(m.Metric)),
         name="point_import"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("plan/<int:year>/", views.CapacityPlanView.as_view(), name="capacity_plan"),
    path("reports/services/<int:pk>/<int:year>/<int:month>/", views.ServiceReportView.as_view(),
         name="service_report"),
    path("reports/items/<int:pk>/<int:year>/<int:month>/", views.ItemReportView.as_view(),
         name="item_report"),
    path("collection-runs/", views.CollectionRunListView.as_view(entry=RUNS),
         name="collectionrun_list"),
    re_path(r"^collection-runs/export/(?P<format>csv|xlsx)/$",
            views.CollectionRunExportView.as_view(entry=RUNS), name="collectionrun_export"),
    path("collection-runs/<int:pk>/", views.CollectionRunDetailView.as_view(entry=RUNS),
         name="collectionrun_detail"),
    path("collection-runs/<int:pk>/history/",
         views.CollectionRunHistoryView.as_view(entry=RUNS), name="collectionrun_history"),
]
