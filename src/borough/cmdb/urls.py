from django.urls import path

from borough.cmdb import models as m
from borough.cmdb import views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.imports import ObjectImportView

app_name = "cmdb"

urlpatterns = [
    # The items' import runs the item form's own rules (cmdb/importers.py), so the
    # generic import page serves it although the add page is the CMDB's own.
    *crud_urls(registry.get(m.ConfigurationItem), "items",
               detail=views.ConfigurationItemDetailView, add=views.ConfigurationItemCreateView,
               **{"import": ObjectImportView}),
    path("items/systems-return/", views.SystemsReturnImportView.as_view(
        entry=registry.get(m.ConfigurationItem)), name="systems_return_import"),
    *crud_urls(registry.get(m.Relationship), "relationships"),
    *crud_urls(registry.get(m.CIClass), "classes"),
]
