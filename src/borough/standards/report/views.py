"""The committee report: an HTML page in the normal layout, and the same report as a PDF.

Anyone who may view the cycle may read its report (AssessmentCycle.objects.visible_to);
another organisation's cycle is a 404. The PDF needs WeasyPrint's system libraries;
without them the page says what to install and the PDF address answers 503.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from borough.core import scope
from borough.standards.models import AssessmentCycle
from borough.standards.report.availability import INSTALL_HINT, pdf_available
from borough.standards.report.content import build_report


def _pdf():
    """The PDF module, imported on first use: loading WeasyPrint and Pango costs seconds
    and tens of megabytes, which no other page of a worker should pay for."""
    from borough.standards.report import pdf

    return pdf


def report_filename(cycle: AssessmentCycle) -> str:
    """e.g. cbc-annual-review-2026-27-committee-report.pdf"""
    name = slugify(cycle.name.replace("/", " ")) or f"cycle-{cycle.pk}"
    return f"{slugify(cycle.organisation.code)}-{name}-committee-report.pdf"


class CycleReportMixin(LoginRequiredMixin):
    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope.can(
                request.user, "view", AssessmentCycle, None):
            raise PermissionDenied("Your role does not allow you to see assessment cycles "
                                   "or their committee reports.")
        return super().dispatch(request, *args, **kwargs)

    def get_cycle(self, pk: int) -> AssessmentCycle:
        return get_object_or_404(
            AssessmentCycle.objects.visible_to(self.request.user)
            .select_related("organisation", "framework", "approved_by"), pk=pk)

    def context(self, cycle: AssessmentCycle, *, for_pdf: bool) -> dict:
        return {
            "report": build_report(cycle, user=self.request.user),
            "for_pdf": for_pdf,
            "pdf_available": pdf_available(),  # without loading WeasyPrint
            "pdf_install_hint": INSTALL_HINT,
            "pdf_url": reverse("standards:cycle_report_pdf", args=[cycle.pk]),
            "pdf_filename": report_filename(cycle),
        }


class CycleReportView(CycleReportMixin, View):
    permission_action = "view"

    def get(self, request, pk):
        cycle = self.get_cycle(pk)
        return render(request, "standards/report/report.html", self.context(cycle, for_pdf=False))


class CycleReportPdfView(CycleReportMixin, View):
    permission_action = "view"

    def get(self, request, pk):
        cycle = self.get_cycle(pk)
        pdf = _pdf()
        if not pdf.available():
            return render(request, "standards/report/pdf_unavailable.html", {
                "cycle": cycle, "install_hint": INSTALL_HINT,
                "report_url": reverse("standards:cycle_report", args=[cycle.pk]),
            }, status=503)
        html = render_to_string("standards/report/report_pdf.html",
                                self.context(cycle, for_pdf=True), request=request)
        document = pdf.render(html, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_filename(cycle)}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
