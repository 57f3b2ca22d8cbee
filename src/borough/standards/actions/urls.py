"""The action plan's pages (namespace "standards")."""

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.standards import models as m
from borough.standards.actions import services, views

urlpatterns = [
    *crud_urls(registry.get(m.Action), "actions", list=views.ActionPlanView,
               export=views.ActionPlanExportView, detail=views.ActionDetailView,
               add=views.ActionCreateView, edit=views.ActionEditView),
    *action_urls(services.ACTION_ACTIONS, "actions", page=views.action_page),
    *crud_urls(registry.get(m.CorporateObjective), "objectives"),
    *crud_urls(registry.get(m.Target), "targets"),
    *crud_urls(registry.get(m.ReportReview), "reviews", add=views.ReportReviewCreateView,
               edit=views.ReportReviewEditView),
]
