"""Assessment pages, under /standards/ (namespace "standards")."""

from django.urls import path, re_path

from borough.core.registry import registry
from borough.core.urls_helper import crud_urls
from borough.standards import models as m
from borough.standards.assessments import views

_cycles = registry.get(m.AssessmentCycle)

urlpatterns = [
    *crud_urls(_cycles, "cycles", add=views.CycleCreateView, detail=views.CycleDetailView,
               edit=views.CycleEditView, delete=views.CycleDeleteView),
    path("cycles/<int:pk>/compare/", views.CycleCompareView.as_view(entry=_cycles),
         name="assessmentcycle_compare"),
    re_path(r"^cycles/(?P<pk>\d+)/(?P<action>submit|approve|reopen)/$",
            views.CycleActionView.as_view(), name="assessmentcycle_action"),
    path("ratings/<int:pk>/", views.RatingView.as_view(), name="rating_detail"),
    re_path(r"^ratings/(?P<pk>\d+)/(?P<action>rate|answer|evidence|remove-evidence|sign-off)/$",
            views.RatingActionView.as_view(), name="rating_action"),
    path("evidence/files/<int:pk>/", views.EvidenceFileView.as_view(), name="evidence_file"),
]
