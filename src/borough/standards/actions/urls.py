"""The action plan's pages (namespace "standards")."""

from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.standards import models as m
from borough.standards.actions import views

urlpatterns = [
    *crud_urls(registry.get(m.Action), "actions", list=views.ActionPlanView,
               export=views.ActionPlanExportView, detail=views.ActionDetailView,
               add=views.ActionCreateView, edit=views.ActionEditView),
    path("actions/<int:pk>/updates/", views.ActionUpdateView.as_view(entry=registry.get(m.Action)),
         name="action_update_add"),
    *crud_urls(registry.get(m.CorporateObjective), "objectives"),
    *crud_urls(registry.get(m.Target), "targets"),
    *crud_urls(registry.get(m.ReportReview), "reviews", add=views.ReportReviewCreateView,
               edit=views.ReportReviewEditView),
]
