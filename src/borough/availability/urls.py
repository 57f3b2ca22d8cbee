from django.urls import path

from borough.availability import models as m
from borough.availability import views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls

app_name = "availability"

urlpatterns = [
    path("", views.ReportView.as_view(), name="report"),
    path("from-incident/<int:pk>/", views.FromIncidentView.as_view(), name="from_incident"),
    path("from-change/<int:pk>/", views.FromChangeView.as_view(), name="from_change"),
    *crud_urls(registry.get(m.Outage), "outages"),
]
