"""Availability pages beyond the generic outage pages: the availability report (every
live service, a month or twelve, met or missed, a chart with its table), and the POSTs
that record outages from a major incident's or a change's page."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from borough.availability import models as m
from borough.availability import queries, services
from borough.availability.presenters import month_label, per_cent, row
from borough.changes.models import Change
from borough.core import scope
from borough.core.charts import BAR, HBAR, Chart, Series
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.servicedesk.models import Ticket


class ReportView(EntryViewMixin, TemplateView):
    """Every live service's availability against its target: one month in detail, or
    twelve months side by side."""

    entry = registry.get(m.Outage)
    permission_action = "view"
    template_name = "availability/report.html"

    def get(self, request, *args, **kwargs):
        unknown = set(request.GET) - {"month", "months"}
        if unknown:
            return HttpResponse("The availability report takes month (YYYY-MM) and months "
                                "(1 or 12).", status=400,
                                content_type="text/plain; charset=utf-8")
        from rest_framework.exceptions import ValidationError as ApiError

        from borough.availability.api import read_months

        params = {k: v for k, v in request.GET.items() if v}
        error = None
        if params.get("months") not in (None, "1", "12"):
            error = "Show 1 month or 12 months."
            params.pop("months")
        try:
            months = read_months(params)
        except ApiError as exc:
            detail = exc.detail
            error = " ".join(str(m) for v in detail.values() for m in
                             (v if isinstance(v, list) else [v]))
            months = read_months({})
        found = queries.availability(queries.measured_services(request.user), request.user,
                                     months)
        context = self.get_context_data(
            error=error, months=months, single=len(months) == 1,
            month_value=months[-1].strftime("%Y-%m"), chart=None,
            month_labels=[month_label(mo) for mo in months])
        if len(months) == 1:
            rows = [(s.service, row(s.months[0][1])) for s in found if s.months]
            context["rows"] = rows
            measured = [(s.service, s.months[0][1]) for s in found
                        if s.months and s.months[0][1].availability is not None]
            context["chart"] = Chart(
                title=f"Availability by service, {month_label(months[0])}",
                description="Each live service's availability in the month, in per cent of "
                            "its agreed service time, beside its target.",
                x_labels=[s.name for s, _f in measured], kind=HBAR, unit="%", decimals=2,
                series=[Series("Availability", [f.availability for _s, f in measured]),
                        Series("Target", [float(f.target) if f.target is not None else None
                                          for _s, f in measured], in_chart=False)],
                x_title="Service", y_max=100, key="availability-month")
        else:
            context["grid"] = [(s.service, [(month_label(mo), per_cent(fig.availability),
                                             fig.met) for mo, fig in s.months],
                                s.met_count, s.missed_count) for s in found]
            measured_months = [mo for mo in months if any(
                mo == month for s in found for month, _f in s.months)]
            met = [sum(1 for s in found for month, fig in s.months
                       if month == mo and fig.met) for mo in measured_months]
            missed = [sum(1 for s in found for month, fig in s.months
                          if month == mo and fig.met is False) for mo in measured_months]
            context["chart"] = Chart(
                title="Services meeting their availability target, by month",
                description="How many live services met and missed their availability "
                            "target each month.",
                x_labels=[month_label(mo) for mo in measured_months], kind=BAR,
                series=[Series("Met", met, palette=0), Series("Missed", missed, palette=1)],
                unit="services", decimals=0, x_title="Month", key="availability-months")
        return self.render_to_response(context)


class RecordView(LoginRequiredMixin, View):
    """POST from a major incident's or a change's page: record its outages."""

    permission_action = "add"
    http_method_names = ["post"]
    model = None
    detail = ""

    def record(self, target, user):
        raise NotImplementedError

    def post(self, request, pk):
        target = get_object_or_404(self.model.objects.visible_to(request.user), pk=pk)
        if not scope.can(request.user, "add", m.Outage, target.organisation_id):
            raise PermissionDenied("Your role does not allow you to record outages.")
        back = reverse(self.detail, args=[target.pk])
        try:
            recorded = self.record(target, request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError)
                           else str(exc))
            return HttpResponseRedirect(back)
        if recorded.created:
            names = ", ".join(o.service.name for o in recorded.created)
            messages.success(request, f"Outages recorded for {names}.")
        if recorded.skipped:
            messages.warning(request, "Not recorded: " + " ".join(recorded.skipped))
        return HttpResponseRedirect(back)


class FromIncidentView(RecordView):
    model = Ticket
    detail = "servicedesk:ticket_detail"

    def record(self, target, user):
        return services.record_from_major_incident(target, actor=user)


class FromChangeView(RecordView):
    model = Change
    detail = "changes:change_detail"

    def record(self, target, user):
        return services.record_from_change(target, actor=user)


def now_month() -> date:
    today = timezone.localdate()
    return date(today.year, today.month, 1)
