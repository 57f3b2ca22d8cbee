"""Service desk statistics for ICT managers: the page and its CSV / XLSX export."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from borough.core import exports, scope
from borough.servicedesk import statistics
from borough.servicedesk.statistics import MAX_PERIOD_DAYS
from borough.servicedesk.statistics_form import StatisticsForm, check_access, read_form

# The name ReportReview records give this page (standards.report-reviewed).
REVIEWED_REPORT = "servicedesk-statistics"

TEMPLATE = "servicedesk/statistics.html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsAccessMixin(LoginRequiredMixin):
    """Only people who see every ticket of the organisation (SECURITY.md rules 2, 7)."""

    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            check_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def read_form(self) -> StatisticsForm:
        return read_form(self.request.GET, self.request.user)

    def render_page(self, form: StatisticsForm, stats=None):
        context = {"form": form, "stats": stats, "max_period_days": MAX_PERIOD_DAYS,
                   "percentile": statistics.PERCENTILE}
        if stats is not None:
            context["sections"] = statistics.sections(stats, self.request.user)
            query = form.query()
            context["export_links"] = [
                (label, f"{reverse('servicedesk:statistics_export', args=[fmt])}?{query}")
                for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)"))
            ]
            # A management review of these figures is evidence for the standards module.
            if scope.organisation_ids(self.request.user, "standards.add_reportreview"):
                context["review_url"] = (f"{reverse('standards:reportreview_add')}"
                                         f"?report={REVIEWED_REPORT}")
        return render(self.request, TEMPLATE, context, status=400 if form.errors else 200)


class StatisticsView(StatisticsAccessMixin, View):
    permission_action = "view"

    def get(self, request):
        form = self.read_form()
        if form.errors:
            return self.render_page(form)
        stats = form.compute()
        return self.render_page(form, stats)


class StatisticsExportView(StatisticsAccessMixin, View):
    """Every table of the page: CSV with a heading before each table, or XLSX with a sheet
    per table. Every cell is neutralised against spreadsheet formulas (SECURITY.md rule 14)."""

    permission_action = "view"
    stem = "service-desk-statistics"

    def get(self, request, format):
        form = self.read_form()
        if form.errors:
            return self.render_page(form)
        stats = form.compute()
        tables = export_tables(stats, organisation=getattr(request, "organisation", None),
                               sections=statistics.sections(stats, request.user))
        if format == "xlsx":
            return xlsx_response(tables, self.stem)
        return csv_response(tables, self.stem)


def export_tables(stats, organisation=None, sections=()
                  ) -> list[tuple[str, list[list[object]]]]:
    """(title, rows) for the summary, each figure and each section other apps add,
    heading row first."""
    period = stats.period
    summary = [
        ["Measure", "Value", "Change on the previous period"],
        ["Organisation", str(organisation) if organisation else "", ""],
        ["From", period.date_from.isoformat(), ""],
        ["To", period.date_to.isoformat(), ""],
        ["Service unit", str(stats.service_unit) if stats.service_unit else "All", ""],
        ["Team", str(stats.team) if stats.team else "All", ""],
        ["Produced", timezone.localtime(stats.now).strftime("%Y-%m-%d %H:%M"), ""],
        *([label, value, stats.changes.get(label, "")] for label, value in stats.headlines),
    ]
    tables = [("Summary", summary)]
    tables += [(figure.chart.title, figure.chart.table_values()) for figure in stats.figures]
    tables += [(section["table"]["title"], [section["table"]["columns"],
                                            *section["table"]["rows"]])
               for _panel, section in sections]
    return [(title, [[exports.neutralise(cell) for cell in row] for row in rows])
            for title, rows in tables]


def csv_response(tables, stem: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, (title, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([exports.neutralise(title)])
        writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stem, "csv")}"'
    return response


def xlsx_response(tables, stem: str) -> HttpResponse:
    from openpyxl import Workbook  # here, not at start-up: ~10 MB a worker, for exports only

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, rows in tables:
        sheet = workbook.create_sheet(_sheet_name(title, used))
        for row in rows:
            sheet.append([c if isinstance(c, int | float | bool) or c is None else str(c)
                          for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stem, "xlsx")}"'
    return response


def _sheet_name(title: str, used: set[str]) -> str:
    """At most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title).strip()[:31] or "Sheet"
    name, n = clean, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
