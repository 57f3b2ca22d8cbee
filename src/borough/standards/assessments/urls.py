"""Assessment pages, under /standards/ (namespace "standards")."""

from django.urls import path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.core.views.actions import action_urls
from borough.standards import models as m
from borough.standards.assessments import services, views

_cycles = registry.get(m.AssessmentCycle)

urlpatterns = [
    *crud_urls(_cycles, "cycles", add=views.CycleCreateView, detail=views.CycleDetailView,
               edit=views.CycleEditView, delete=views.CycleDeleteView),
    path("cycles/<int:pk>/compare/", views.CycleCompareView.as_view(entry=_cycles),
         name="assessmentcycle_compare"),
    *action_urls(services.CYCLE_ACTIONS, "cycles"),
    path("ratings/<int:pk>/", views.RatingView.as_view(), name="rating_detail"),
    *action_urls(services.RATING_ACTIONS, "ratings", url_names="rating", page=views.rating_page,
                 back=views.rating_url),
    *action_urls(services.ANSWER_ACTIONS, "criteria", url_names="criterionresult",
                 panel=views.criteria_panel, page=views.answer_page, back=views.answer_url),
    *action_urls(services.EVIDENCE_ACTIONS, "evidence", url_names="evidence",
                 page=views.evidence_page, back=views.evidence_url),
    path("evidence/files/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence_file"),
]
