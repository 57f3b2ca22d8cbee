from django.urls import path

from borough.cmdb import baseline_views, history_views, views
from borough.cmdb import models as m
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "cmdb"

items = registry.get(m.ConfigurationItem)
baselines = registry.get(m.Baseline)

urlpatterns = [
    *crud_urls(items, "items", detail=views.ConfigurationItemDetailView,
               add=views.ConfigurationItemCreateView,
               history=history_views.ConfigurationItemHistoryView),
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
]
