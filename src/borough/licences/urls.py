from django.urls import path, re_path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.imports import ObjectImportView
from borough.licences import models as m
from borough.licences import views

app_name = "licences"

# Mounted under /commercial/ beside suppliers and contracts (borough/urls.py).
urlpatterns = [
    path("licence-compliance/", views.ComplianceView.as_view(), name="compliance"),
    re_path(r"^licence-compliance/export/(?P<format>csv|xlsx)/$",
            views.ComplianceView.as_view(), name="compliance_export"),
    *crud_urls(registry.get(m.Licence), "licences", detail=views.LicenceDetailView),
    # Their add views only preselect the licence: importing checks the same rules.
    *crud_urls(registry.get(m.Entitlement), "licence-entitlements",
               add=views.FromLicenceCreateView, **{"import": ObjectImportView}),
    *crud_urls(registry.get(m.ConsumptionCount), "licence-counts",
               add=views.FromLicenceCreateView, **{"import": ObjectImportView}),
]
