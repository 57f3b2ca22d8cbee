from django.urls import path

from borough.catalogue import models as m
from borough.catalogue import services, views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.core.views.imports import ObjectImportView

app_name = "catalogue"

urlpatterns = [
    path("services/single-points-of-failure/", views.SinglePointsView.as_view(),
         name="single_points"),
    *crud_urls(registry.get(m.BusinessService), "services",
               detail=views.BusinessServiceDetailView),
    *crud_urls(registry.get(m.ServiceComponent), "components",
               add=views.ServiceComponentCreateView,
               # Its add view only preselects the service: importing checks the same rules.
               **{"import": ObjectImportView}),
    *crud_urls(registry.get(m.ServiceLevelAgreement), "slas",
               detail=views.ServiceLevelAgreementDetailView),
    path("slas/<int:pk>/pdf/", views.ServiceLevelAgreementPdfView.as_view(),
         name="servicelevelagreement_pdf"),
    *action_urls(services.SLA_ACTIONS, "slas"),
    *crud_urls(registry.get(m.OperationalLevelAgreement), "olas"),
]
