"""The standards pages: each part lists its own URL patterns."""

from django.urls import path

from borough.core.views.pages import SectionView
from borough.standards.actions import urls as actions
from borough.standards.assessments import urls as assessments
from borough.standards.entries import SECTION
from borough.standards.framework import urls as framework
from borough.standards.report import urls as report

app_name = "standards"

urlpatterns = [path("", SectionView.as_view(section=SECTION), name="home"),
               *framework.urlpatterns, *assessments.urlpatterns, *actions.urlpatterns,
               *report.urlpatterns]
