from django.urls import path, re_path

from borough.cmdb import baseline_views, history_views, system_views, views
from borough.cmdb import models as m
from borough.cmdb.discovery import views as discovery
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.imports import ObjectImportView

RUNS = discovery.RUNS

app_name = "cmdb"

items = registry.get(m.ConfigurationItem)
baselines = registry.get(m.Baseline)

urlpatterns = [
    # The items' import runs the item form's own rules (cmdb/importers.py), so the
    # generic import page serves it although the add page is the CMDB's own.
    *crud_urls(items, "items", detail=views.ConfigurationItemDetailView,
               add=views.ConfigurationItemCreateView,
               history=history_views.ConfigurationItemHistoryView,
               **{"import": ObjectImportView}),
    path("items/systems-return/", views.SystemsReturnImportView.as_view(entry=items),
         name="systems_return_import"),
    path("items/<int:pk>/as-of/", history_views.ConfigurationItemAsOfView.as_view(entry=items),
         name="configurationitem_as_of"),
    *crud_urls(registry.get(m.Relationship), "relationships"),
    *crud_urls(registry.get(m.CIClass), "classes"),
    *crud_urls(baselines, "baselines", add=baseline_views.BaselineCreateView,
               detail=baseline_views.BaselineDetailView,
               history=baseline_views.BaselineHistoryView, edit=baseline_views.BaselineEditView),
    path("baselines/<int:pk>/compare/",
         baseline_views.BaselineCompareView.as_view(entry=baselines), name="baseline_compare"),
    path("baselines/<int:pk>/compare/export/csv/",
         baseline_views.BaselineCompareExportView.as_view(entry=baselines),
         name="baseline_compare_export"),
    path("systems/", system_views.SystemsCatalogueView.as_view(), name="systems_catalogue"),
    path("systems/<int:pk>/", system_views.SystemDetailView.as_view(), name="system_detail"),
    path("map/", system_views.ArchitectureMapView.as_view(), name="architecture_map"),
    *crud_urls(registry.get(m.DirectorySource), "directory-sources",
               detail=discovery.DirectorySourceDetailView),
    path("directory-sources/<int:pk>/run/",
         discovery.RunNowView.as_view(entry=registry.get(m.DirectorySource)),
         name="directorysource_run"),
    # Discovery runs: read-only, written by Borough.
    path("discovery-runs/", discovery.DiscoveryRunListView.as_view(entry=RUNS),
         name="discoveryrun_list"),
    re_path(r"^discovery-runs/export/(?P<format>csv|xlsx)/$",
            discovery.DiscoveryRunExportView.as_view(entry=RUNS), name="discoveryrun_export"),
    path("discovery-runs/<int:pk>/", discovery.DiscoveryRunDetailView.as_view(entry=RUNS),
         name="discoveryrun_detail"),
    path("discovery-runs/<int:pk>/history/",
         discovery.DiscoveryRunHistoryView.as_view(entry=RUNS), name="discoveryrun_history"),
]
