"""`crud_urls(entry)` lists the generic pages of one registered model explicitly."""

from __future__ import annotations

from django.urls import path, re_path

from borough.core.registry import ModelEntry
from borough.core.views.imports import ObjectImportView
from borough.core.views.lists import ObjectExportView, ObjectListView
from borough.core.views.records import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
)


def crud_urls(entry: ModelEntry, prefix: str, **overrides) -> list:
    """URL patterns named `<model>_<action>` under `prefix/`; pass a view to override one."""
    name = entry.model_name
    views = {
        "list": ObjectListView, "export": ObjectExportView, "add": ObjectCreateView,
        "import": ObjectImportView,
        "detail": ObjectDetailView, "history": ObjectHistoryView,
        "edit": ObjectEditView, "delete": ObjectDeleteView,
    } | overrides
    # An app's own add view carries rules (who may set what, which service runs) that the
    # generic import would skip, so such a model imports only through a view the app passes.
    importable = "import" in overrides or views["add"] is ObjectCreateView
    return [
        path(f"{prefix}/", views["list"].as_view(entry=entry), name=f"{name}_list"),
        re_path(rf"^{prefix}/export/(?P<format>csv|xlsx)/$", views["export"].as_view(entry=entry),
                name=f"{name}_export"),
        path(f"{prefix}/add/", views["add"].as_view(entry=entry), name=f"{name}_add"),
        *([path(f"{prefix}/import/", views["import"].as_view(entry=entry), name=f"{name}_import")]
          if importable else []),
        path(f"{prefix}/<int:pk>/", views["detail"].as_view(entry=entry), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/history/", views["history"].as_view(entry=entry),
             name=f"{name}_history"),
        path(f"{prefix}/<int:pk>/edit/", views["edit"].as_view(entry=entry), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", views["delete"].as_view(entry=entry),
             name=f"{name}_delete"),
    ]
