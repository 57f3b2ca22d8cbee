from django.urls import path

from borough.continuity import models as m
from borough.continuity import services, views
from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls

app_name = "continuity"

urlpatterns = [
    *crud_urls(registry.get(m.BusinessImpactAnalysis), "impact-analyses",
               detail=views.AnalysisDetailView),
    *action_urls(services.ANALYSIS_ACTIONS, "impact-analyses", page=views.analysis_page),
    *crud_urls(registry.get(m.ImpactRow), "impacts"),
    path("plans/<int:pk>/print/", views.PlanPrintView.as_view(), name="plan_print"),
    path("plans/<int:pk>/plan.pdf", views.PlanPdfView.as_view(), name="plan_pdf"),
    path("plans/<int:pk>/revisions/<int:number>/", views.RevisionView.as_view(),
         name="plan_revision"),
    *crud_urls(registry.get(m.ContinuityPlan), "plans", detail=views.PlanDetailView),
    *action_urls(services.PLAN_ACTIONS, "plans", page=views.plan_page),
    *crud_urls(registry.get(m.PlanContact), "plan-contacts"),
    *crud_urls(registry.get(m.PlanStep), "plan-steps"),
    *crud_urls(registry.get(m.RecoveryItem), "items-to-recover"),
    *crud_urls(registry.get(m.ContinuityTest), "dr-tests", detail=views.TestDetailView),
    *crud_urls(registry.get(m.FollowUp), "follow-ups"),
]
