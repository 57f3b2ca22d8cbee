"""The committee report of an assessment cycle: the page and its PDF."""

from django.urls import path

from borough.standards.report import views

urlpatterns = [
    path("cycles/<int:pk>/report/", views.CycleReportView.as_view(), name="cycle_report"),
    path("cycles/<int:pk>/report.pdf", views.CycleReportPdfView.as_view(), name="cycle_report_pdf"),
]
