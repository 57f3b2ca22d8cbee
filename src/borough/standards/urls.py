"""The standards pages: each part lists its own URL patterns."""

from borough.standards.actions import urls as actions
from borough.standards.assessments import urls as assessments
from borough.standards.framework import urls as framework
from borough.standards.report import urls as report

app_name = "standards"

urlpatterns = [*framework.urlpatterns, *assessments.urlpatterns, *actions.urlpatterns,
               *report.urlpatterns]
