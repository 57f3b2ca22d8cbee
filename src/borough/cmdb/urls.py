from django.urls import path

from borough.cmdb import models as m
from borough.cmdb import system_views, views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "cmdb"

urlpatterns = [
    path("systems/", system_views.SystemsCatalogueView.as_view(), name="systems_catalogue"),
    path("systems/<int:pk>/", system_views.SystemDetailView.as_view(), name="system_detail"),
    path("map/", system_views.ArchitectureMapView.as_view(), name="architecture_map"),
    *crud_urls(registry.get(m.ConfigurationItem), "items",
               detail=views.ConfigurationItemDetailView, add=views.ConfigurationItemCreateView),
    *crud_urls(registry.get(m.Relationship), "relationships"),
    *crud_urls(registry.get(m.CIClass), "classes"),
]
