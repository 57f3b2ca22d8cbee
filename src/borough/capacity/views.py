"""Capacity's pages beyond the generic ones: a metric's page (its latest value against
its thresholds, headroom, and the last 30 days as a chart with its table), the upload of
measurements, and the collection runs' read-only list and pages."""

from __future__ import annotations

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.generic import TemplateView

from borough.capacity import filters, forecasting, queries, reports, services, tables
from borough.capacity import models as m
from borough.capacity.ingest import zone
from borough.core import charts, exports, scope
from borough.core.actions import offered
from borough.core.registry import ModelEntry, registry
from borough.core.views.base import EntryViewMixin
from borough.core.views.imports import ObjectImportView
from borough.core.views.lists import ObjectExportView, ObjectListView
from borough.core.views.records import ObjectDetailView, ObjectHistoryView, ObjectMixin

# The generic list, export and history pages for runs, which Borough writes: no add,
# change or delete pages, and an API route of their own.
RUNS = ModelEntry(m.CollectionRun, filters.CollectionRunFilterSet, tables.CollectionRunTable)
CHART_DAYS = 30


def number(value: float | None) -> str | None:
    return None if value is None else tables.number(value)


def with_unit(metric: m.Metric, value: float | None) -> str | None:
    text = number(value)
    if text is None:
        return None
    return f"{text} {UNIT_LABELS[metric.unit]}" if metric.unit != m.Unit.OTHER else text


UNIT_LABELS = dict(m.Unit.choices)  # get_unit_display() flattens the choices on each call


def day_chart(metric: m.Metric, days: list[queries.Day]) -> charts.Chart:
    unit = metric.get_unit_display() if metric.unit != m.Unit.OTHER else ""
    return charts.Chart(
        title=f"{metric.name}, the last {len(days)} days",
        description=f"The daily mean and maximum of {metric}, one point a day.",
        x_labels=[f"{d.day:%d %b}" for d in days],
        series=[charts.Series("Mean", [d.mean for d in days]),
                charts.Series("Maximum", [d.maximum for d in days]),
                charts.Series("95th percentile", [d.p95 for d in days], in_chart=False),
                charts.Series("Points", [d.count for d in days], unit="", in_chart=False)],
        unit=unit, kind=charts.LINE, x_title="Day", decimals=2, key="metric-days",
        empty_text="No measurements in the last 30 days.")


def forecast_chart(metric: m.Metric, forecast: m.Forecast) -> charts.Chart:
    """Each week of the horizon: the expected value, the interval and the threshold."""
    unit = metric.get_unit_display() if metric.unit != m.Unit.OTHER else ""
    weeks = forecast.days[6::7] or forecast.days[-1:]
    series = [charts.Series("Expected", [e for _, e, _, _ in weeks]),
              # The interval's two sides alike; red is the threshold's.
              charts.Series(f"Lower ({forecast.level:.0%} interval)",
                            [max(lo, 0) for _, _, lo, _ in weeks], palette=2),
              charts.Series(f"Upper ({forecast.level:.0%} interval)",
                            [hi for _, _, _, hi in weeks], palette=2)]
    if metric.critical_threshold is not None:
        series.append(charts.Series("Critical threshold",
                                    [metric.critical_threshold] * len(weeks), palette=1))
    return charts.Chart(
        title=f"{metric.name}, forecast {forecast.metric.forecast_horizon_days} days ahead",
        description=f"The daily {forecast.figure} of {metric} expected each week ahead, with "
                    "the range it is expected within, against the critical threshold.",
        x_labels=[datetime.date.fromisoformat(d).strftime("%d %b %Y") for d, *_ in weeks],
        series=series, unit=unit, kind=charts.LINE, x_title="Week", decimals=2,
        key="metric-forecast")


def forecast_rows(metric: m.Metric, forecast: m.Forecast) -> list[tuple[str, str | None]]:
    def day(value):
        return f"{value:%-d %B %Y}" if value else None

    if metric.critical_threshold is None:
        critical = "No critical threshold set"
    elif forecast.critical_already:
        critical = "Already past it"
    elif forecast.critical_on:
        critical = f"Expected on {day(forecast.critical_on)}" + (
            f"; could be as soon as {day(forecast.critical_earliest)}"
            if forecast.critical_earliest else "") + (
            f"; almost surely by {day(forecast.critical_latest)}"
            if forecast.critical_latest else "")
    else:
        critical = (f"Not expected within {metric.forecast_horizon_days} days" + (
            f" (could be as soon as {day(forecast.critical_earliest)})"
            if forecast.critical_earliest else ""))
    rows = [("Critical threshold crossed", critical)]
    if metric.warning_threshold is not None:
        rows.append(("Warning threshold crossed", "Expected on " + day(forecast.warning_on)
                     if forecast.warning_on else
                     f"Not expected within {metric.forecast_horizon_days} days"))
    rows.append(("Made", f"{forecast.made_at.astimezone(zone()):%-d %B %Y %H:%M} from "
                         f"{forecast.points} days of daily {forecast.figure}s, "
                         f"{day(forecast.fitted_from)} to {day(forecast.fitted_to)} "
                         f"({forecast.components})"))
    if forecast.backtest_days:
        off = (f"{forecast.backtest_percentage_error:.1f}%"
               if forecast.backtest_percentage_error is not None
               else with_unit(metric, forecast.backtest_error))
        rows.append(("How good it has been",
                     f"Forecasting its last {forecast.backtest_days} days from the days "
                     f"before them was off by {off} on average, and "
                     f"{forecast.backtest_coverage:.0%} of the actual values fell within "
                     f"the {forecast.level:.0%} interval"))
    else:
        rows.append(("How good it has been", "Not yet measured: too little history"))
    return rows


class MetricDetailView(ObjectDetailView):
    template_name = "capacity/metric_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("configuration_item")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        metric = context["object"]
        days = queries.recent_days(metric, CHART_DAYS)
        context["chart"] = day_chart(metric, days)
        context["standing"] = [
            ("Latest value", with_unit(metric, metric.latest_value)),
            ("Taken at", metric.latest_at),
            ("Against its thresholds", metric.state_label),
            ("Headroom", with_unit(metric, metric.headroom)),
            ("Used of its capacity", None if metric.used_of_capacity is None
             else f"{metric.used_of_capacity:.1f}%"),
        ]
        context["points_url"] = reverse("api:capacity-metric-points", args=[metric.pk])
        context["rollups_url"] = reverse("api:capacity-metric-rollups", args=[metric.pk])
        context["is_unmapped"] = metric.mapping == m.Mapping.UNMAPPED
        context["min_days"] = forecasting.MIN_DAYS
        forecast = (m.Forecast.objects.filter(metric=metric)
                    .select_related("problem", "change").first())
        if forecast is not None:
            context["forecast"] = forecast
            context["forecast_rows"] = forecast_rows(metric, forecast)
            context["forecast_chart"] = forecast_chart(metric, forecast)
            # The capacity problem or change raised, for those who may read it.
            for name in ("problem", "change"):
                raised = getattr(forecast, name)
                context[f"forecast_{name}"] = (raised if raised and scope.can(
                    self.request.user, "view", type(raised), metric.organisation_id)
                    else None)
        return context


class PointImportView(ObjectImportView):
    """Uploading measurements (a perfmon, PRTG or vendor export) through the metric's
    entry: its own importer (capacity.importers)."""

    importer_key = "capacity.point"


class CollectionRunListView(ObjectListView):
    permission_action = "view"


class CollectionRunExportView(ObjectExportView):
    permission_action = "view"


class CollectionRunDetailView(ObjectMixin, TemplateView):
    permission_action = "view"
    template_name = "capacity/collectionrun_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("requested_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.get_object()
        context.update(object=run, tabs=self.tabs(run, "detail"), rows=[
            ("How they came", run.get_source_display()), ("From", run.detail),
            ("By", run.requested_by), ("Started", run.started_at),
            ("Finished", run.finished_at)])
        created_url = reverse("capacity:metric_list") + "?" + urlencode(
            {"mapping": m.Mapping.UNMAPPED})
        context["counts"] = [
            ("Lines or rows read", run.lines, None), ("Points kept", run.accepted, None),
            ("Lines or rows refused", run.refused, None),
            ("Text values skipped", run.skipped, None),
            ("New metrics waiting to be attached", run.metrics_created, created_url)]
        context["can_see_metrics"] = scope.can(self.request.user, "view", m.Metric,
                                               run.organisation_id)
        return context


class CollectionRunHistoryView(ObjectHistoryView):
    permission_action = "view"


class PrometheusSourceDetailView(ObjectDetailView):
    """A source with its metrics, its latest runs and “Query now”."""

    template_name = "capacity/prometheussource_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source, user = context["object"], self.request.user
        context["record_actions"] = [
            (o.action, o.url, o.action.form(record=source, user=user))
            for o in offered(services.PROMETHEUS_ACTIONS, source, user,
                             "capacity:prometheussource").values()]
        context["source_metrics"] = list(
            m.Metric.objects.visible_to(user).filter(prometheus_source=source)
            .select_related("configuration_item").order_by("name", "pk")[:200])
        context["source_runs"] = list(
            m.CollectionRun.objects.visible_to(user).filter(
                organisation_id=source.organisation_id, source=m.Source.PROMETHEUS,
                detail__startswith=f"{source.name} (").order_by("-started_at", "-pk")[:10])
        return context


def _figure(metric: m.Metric, value: float | None) -> str:
    return with_unit(metric, value) or "–"


def report_rows(months) -> list[list[object]]:
    """The report's table and spreadsheet rows: item, metric, its figures."""
    rows = []
    for item, found in months:
        for month in found:
            metric = month.metric
            rows.append([
                str(item), metric.name, month.days, _figure(metric, month.mean),
                _figure(metric, month.peak),
                f"{month.peak_day:%-d %b}" if month.peak_day else "–",
                _figure(metric, month.p95), _figure(metric, month.headroom_at_peak),
                m.State(month.state_at_peak).label,
                "Already past it" if month.critical_already else (
                    f"{month.critical_on:%-d %b %Y}" if month.critical_on else "–")])
    return rows


CHARTED = 25
SHARE_CAP = 999.0  # a downward metric at nothing is infinitely past its threshold


def share_of_critical(month) -> float:
    """The peak as a percentage of the critical threshold (for a metric crossed
    downwards, the threshold as a percentage of its lowest figure): past 100 is past it."""
    limit = month.metric.critical_threshold
    if month.metric.direction == m.Direction.BELOW:
        return min(100 * limit / month.peak, SHARE_CAP) if month.peak > 0 else SHARE_CAP
    return 100 * month.peak / limit


REPORT_HEADINGS = ["Configuration item", "Metric", "Days with figures", "Mean", "Peak",
                   "Peak on", "Highest daily 95th percentile", "Headroom at the peak",
                   "At the peak", "Critical threshold expected"]


class MonthReportView(EntryViewMixin, TemplateView):
    """A month's utilisation of a subject's metrics, as a page, XLSX and PDF: a business
    service's (what its head of service is sent) or one configuration item's."""

    entry = registry.get(m.Metric)
    permission_action = "view"
    template_name = "capacity/service_report.html"

    def subject(self, pk):
        raise NotImplementedError

    def months(self, subject, first):
        raise NotImplementedError

    def url(self, subject, first) -> str:
        raise NotImplementedError

    def texts(self, subject) -> dict:
        """The page's introduction and what it says when nothing is measured."""
        raise NotImplementedError

    def get(self, request, pk, year, month):
        subject = self.subject(pk)
        # The years the capacity plan takes: year 1 has no month before it to link to.
        if not 1990 <= year <= 2200:
            raise Http404("No such month.")
        try:
            first = datetime.date(year, month, 1)
        except ValueError:
            raise Http404("No such month.") from None
        months = self.months(subject, first)
        rows = report_rows(months)
        stem = f"utilisation-{subject.reference}-{first:%Y-%m}"
        if request.GET.get("format") == "xlsx":
            return exports.xlsx_response([REPORT_HEADINGS, *rows], stem)
        table = [list(zip(REPORT_HEADINGS, row, strict=True)) for row in rows]
        texts = self.texts(subject)
        if request.GET.get("format") == "pdf":
            return self.pdf(subject, first, table, stem, texts)
        previous = reports.previous_month(first)
        following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        measured = sorted((mo for _item, found in months for mo in found
                           if mo.peak is not None and mo.metric.critical_threshold),
                          key=share_of_critical, reverse=True)
        title = f"Peaks of {texts['whose']} in {first:%B %Y}"
        if len(measured) > CHARTED:
            # A bar a metric stops being readable long before a thousand of them.
            measured = measured[:CHARTED]
            title = (f"The {CHARTED} peaks nearest their critical threshold, {texts['whose']} "
                     f"in {first:%B %Y}")
        chart = charts.Chart(
            title=title,
            description="Each metric's peak in the month as a share of its critical "
                        "threshold, highest first: past 100% is past the threshold. The "
                        "table below gives every metric.",
            x_labels=[f"{mo.metric}" for mo in measured],
            series=[charts.Series("Peak, share of the critical threshold",
                                  [round(share_of_critical(mo), 1) for mo in measured])],
            unit="%", kind=charts.HBAR, key="service-peaks",
            empty_text="No metric with a critical threshold has figures in this month.")
        here = self.url(subject, first)
        return self.render_to_response(self.get_context_data(
            subject=subject, month=first, headings=REPORT_HEADINGS, chart=chart,
            rows=table, pdf_url=here + "?format=pdf", xlsx=here + "?format=xlsx",
            previous=self.url(subject, previous),
            following=(self.url(subject, following)
                       if following <= timezone.localdate() else None), **texts))

    def pdf(self, subject, first, table, stem, texts):
        from borough.core import pdf

        return pdf.download(
            self.request, "capacity/service_report_pdf.html",
            {"subject": subject, "month": first, "headings": REPORT_HEADINGS, "rows": table,
             **texts},
            filename=f"{stem}.pdf", stylesheets=("capacity/report-print.css",),
            unavailable="capacity/pdf_unavailable.html",
            unavailable_context={"subject": subject, "page": self.url(subject, first)})


class ServiceReportView(MonthReportView):
    """A business service's month: the items it runs on through the CMDB."""

    def subject(self, pk):
        from borough.catalogue.models import BusinessService

        return get_object_or_404(BusinessService.objects.visible_to(self.request.user), pk=pk)

    def months(self, subject, first):
        return reports.service_month(subject, first, self.request.user)

    def url(self, subject, first) -> str:
        return reports.report_url(subject, first)

    def texts(self, subject) -> dict:
        return {"whose": f"{subject.name}'s systems",
                "intro": f"The configuration items {subject.name} runs on (its components and "
                         "what they depend on in the CMDB) with the metrics measured on them: "
                         "each metric's month from its daily figures, its peak against its "
                         "critical threshold, and when its forecast expects the threshold to "
                         "be reached.",
                "empty": f"No utilisation is measured on what {subject.name} runs on, or none "
                         "you may read. Metrics are added on each configuration item's page."}


class ItemReportView(MonthReportView):
    """One configuration item's month: its own metrics."""

    def subject(self, pk):
        from borough.cmdb.models import ConfigurationItem

        return get_object_or_404(ConfigurationItem.objects.visible_to(self.request.user),
                                 pk=pk)

    def months(self, subject, first):
        return reports.item_month(subject, first, self.request.user)

    def url(self, subject, first) -> str:
        return reports.item_report_url(subject, first)

    def texts(self, subject) -> dict:
        return {"whose": subject.name,
                "intro": f"The metrics measured on {subject.name}: each one's month from its "
                         "daily figures, its peak against its critical threshold, and when "
                         "its forecast expects the threshold to be reached.",
                "empty": f"No utilisation is measured on {subject.name}, or none you may "
                         "read. Metrics are added on the item's page."}


class ReportListView(EntryViewMixin, TemplateView):
    """Last month's utilisation report of each live service."""

    entry = registry.get(m.Metric)
    permission_action = "view"
    template_name = "capacity/report_list.html"

    def get_context_data(self, **kwargs):
        from borough.catalogue.models import BusinessService, ServiceStatus

        first = reports.previous_month()
        services = (BusinessService.objects.visible_to(self.request.user)
                    .filter(status=ServiceStatus.LIVE).order_by("name", "pk"))
        year = first.year if first.month >= 4 else first.year - 1
        kwargs.update(plan_url=reverse("capacity:capacity_plan", args=[year]),
                      plan_label=f"{year}/{(year + 1) % 100:02d}")
        return super().get_context_data(month=first, services=[
            (service, reports.report_url(service, first)) for service in services], **kwargs)


class CapacityPlanView(EntryViewMixin, TemplateView):
    """The capacity plan of a financial year, assembled from the monthly reports: each
    service's peak month by month against its thresholds, and the overloads the
    forecasts expect. As a page and a PDF."""

    entry = registry.get(m.Metric)
    permission_action = "view"
    template_name = "capacity/capacity_plan.html"

    def get(self, request, year):
        from borough.core import pdf

        if not 1990 <= year <= 2200:
            raise Http404("No such year.")
        organisation_id = getattr(request.user, "active_organisation_id", None)
        services, expected = reports.capacity_plan(organisation_id, year, request.user)
        context = {"year": year, "label": f"{year}/{(year + 1) % 100:02d}",
                   "months": [f"{d:%b %Y}" for d in reports.year_months(year)],
                   "services": services, "expected": expected,
                   "previous": reverse("capacity:capacity_plan", args=[year - 1]),
                   "following": reverse("capacity:capacity_plan", args=[year + 1]),
                   "pdf_url": reverse("capacity:capacity_plan", args=[year]) + "?format=pdf"}
        if request.GET.get("format") == "pdf":
            return pdf.download(request, "capacity/capacity_plan_pdf.html", context,
                                filename=f"capacity-plan-{year}-{(year + 1) % 100:02d}.pdf",
                                stylesheets=("capacity/report-print.css",),
                                unavailable="capacity/pdf_unavailable.html",
                                unavailable_context={"subject": None, "page": reverse(
                                    "capacity:capacity_plan", args=[year])})
        return self.render_to_response(self.get_context_data(**context))
