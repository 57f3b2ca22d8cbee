from django.urls import path

from borough.commercial import models as m
from borough.commercial import services, views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.core.views.imports import ObjectImportView

app_name = "commercial"

# Add pages started from another record's page preselect it; the generic import still
# checks the same rules, the models' clean().
IMPORTS = {"import": ObjectImportView}

urlpatterns = [
    path("renewals/", views.RenewalsView.as_view(), name="renewals"),
    path("renewals/calendar/", views.CalendarFeedsView.as_view(), name="calendar_feeds"),
    path("renewals/calendar/<int:pk>/revoke/", views.CalendarFeedRevokeView.as_view(),
         name="calendarfeed_revoke"),
    path("calendar/<str:secret>/renewals.ics", views.CalendarFeedView.as_view(),
         name="calendar_feed"),
    *crud_urls(registry.get(m.Supplier), "suppliers", detail=views.SupplierDetailView),
    path("suppliers/<int:pk>/review/", views.RecordReviewView.as_view(),
         name="supplier_review"),
    *crud_urls(registry.get(m.SupplierContact), "supplier-contacts",
               add=views.SupplierContactCreateView, **IMPORTS),
    *crud_urls(registry.get(m.SupplierCategory), "supplier-categories"),
    *crud_urls(registry.get(m.Contract), "contracts", detail=views.ContractDetailView,
               add=views.ContractCreateView, **IMPORTS),
    *action_urls(services.CONTRACT_ACTIONS, "contracts"),
    *crud_urls(registry.get(m.ContractCover), "contract-covers",
               add=views.ContractCoverCreateView, **IMPORTS),
    *crud_urls(registry.get(m.SupplierReview), "supplier-reviews",
               detail=views.SupplierReviewDetailView),
    *crud_urls(registry.get(m.SupplierReviewScore), "review-scores"),
    *crud_urls(registry.get(m.UncontractedSystem), "no-contract-reasons",
               add=views.UncontractedSystemCreateView, **IMPORTS),
    *crud_urls(registry.get(m.ReviewCriterion), "review-criteria"),
    *crud_urls(registry.get(m.CommercialSettings), "settings"),
]
