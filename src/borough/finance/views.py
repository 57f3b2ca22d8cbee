"""Finance's own pages: budget monitoring, total costs, recharge runs and the recharge
statement of a service unit (page, PDF and spreadsheet)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import slugify
from django.views.generic import TemplateView

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem
from borough.core import scope
from borough.core.charts import LINE, Chart, Series
from borough.core.exports import neutralise, xlsx_cell
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.finance import costs, forms, monitoring, queries, services
from borough.finance import models as m
from borough.finance.monitoring import ZERO
from borough.finance.years import FinancialYear, current
from borough.organisation.models import ServiceUnit
from borough.organisation.queries import own_service_unit_id

PDF_STYLESHEETS = ("finance/statement-print.css",)


class FinanceViewMixin(LoginRequiredMixin):
    """A finance page: `permission_action` on `permission_model` in the active
    organisation (SECURITY.md rule 7), like core's EntryViewMixin for models without an
    entry of their own (runs and their lines)."""

    permission_model = m.RechargeLine
    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not scope.can(request.user, self.permission_action, self.permission_model, None):
            raise PermissionDenied("Your role does not allow you to see this page.")
        return super().dispatch(request, *args, **kwargs)


class YearMixin:
    def chosen_year(self) -> tuple[forms.YearChoiceForm, FinancialYear, bool]:
        form = forms.YearChoiceForm(self.request.GET or None)
        valid = not form.is_bound or form.is_valid()
        return form, form.chosen(current()), valid


def outturn_chart(year: FinancialYear, totals: monitoring.Row) -> Chart:
    """The year so far at each month's end, all cost centres: the budget, what was spent,
    and the forecast (whose last point is the forecast outturn); its table beside it."""
    months = totals.months
    spent, actual = [], ZERO
    for month in months:
        actual += month.actual
        spent.append(actual if month.started else None)
    return Chart(
        title=f"Budget, actual and forecast outturn, {year}, year so far by month",
        description="For all cost centres, at the end of each month: the budget so far, the "
                    "actual spend so far (months that have started) and the forecast, whose "
                    "March figure is the forecast outturn.",
        x_labels=[month.label for month in months],
        series=[Series("Budget", [month.budget_to_month for month in months]),
                Series("Actual", spent),
                Series("Forecast", [month.forecast_to_month for month in months])],
        unit="£", kind=LINE, decimals=2, x_title="Month end", key="budget-outturn",
        empty_text=f"No budget, spend or commitment is recorded for {year}.")


class MonitoringView(YearMixin, EntryViewMixin, TemplateView):
    """Budget against actual and committed, month by month, and the forecast outturn."""

    entry = registry.get(m.Budget)
    permission_action = "view"
    template_name = "finance/monitoring.html"

    def get(self, request, *args, **kwargs):
        form, year, valid = self.chosen_year()
        context = self.get_context_data(form=form, year=year, **self.figures(year))
        return self.render_to_response(context, status=200 if valid else 400)

    def figures(self, year: FinancialYear) -> dict:
        user = self.request.user
        today = timezone.localdate()
        figures = monitoring.monitor(user.active_organisation_id, year, today)
        commitments = (m.Commitment.objects.visible_to(user)
                       .filter(year=year.start_year, status=m.CommitmentStatus.OPEN)
                       .select_related("cost_centre").order_by("date", "pk"))
        reviews = (m.BudgetReview.objects.visible_to(user).filter(year=year.start_year)
                   .select_related("reviewed_by")[:12])
        totals = figures.totals
        totals.running()
        return {"figures": figures, "totals": totals, "commitments": commitments,
                "chart": outturn_chart(year, totals),
                "reviews": reviews, "review_form": forms.BudgetReviewForm(),
                "can_review": scope.can(user, "add", m.BudgetReview, None),
                "previous": year.previous(), "next": year.next()}

    def post(self, request, *args, **kwargs):
        """Record that the person reviewed the figures of the year shown."""
        form, year, valid = self.chosen_year()
        if not scope.can(request.user, "add", m.BudgetReview, None):
            raise PermissionDenied("Your role does not allow you to record budget reviews.")
        review = forms.BudgetReviewForm(request.POST)
        if not valid or not review.is_valid():
            context = self.get_context_data(form=form, year=year, **self.figures(year))
            context["review_form"] = review
            return self.render_to_response(context, status=400)
        services.record_review(request.user.active_organisation_id, year, actor=request.user,
                               note=review.cleaned_data["note"])
        messages.success(request, f"Your review of the {year} budget is recorded.")
        return redirect(f"{request.path}?year={year.label}")


class CostsView(YearMixin, EntryViewMixin, TemplateView):
    """The total cost of every system and service in a year (finance.costs)."""

    entry = registry.get(m.CostLine)
    permission_action = "view"
    template_name = "finance/costs.html"

    def get(self, request, *args, **kwargs):
        form, year, valid = self.chosen_year()
        found = costs.organisation_costs(request.user.active_organisation_id, year)
        systems = {ci.pk: ci for ci in ConfigurationItem.objects.visible_to(request.user)
                   .filter(pk__in=list(found.systems)).select_related("service_unit")}
        services_ = {s.pk: s for s in BusinessService.objects.visible_to(request.user)
                     .filter(pk__in=list(found.services)).select_related("service_unit")}
        system_rows = sorted(((systems[pk], total) for pk, total in found.systems.items()
                              if pk in systems), key=lambda r: (-r[1].total, r[0].name))
        service_rows = sorted(((services_[pk], total) for pk, total in found.services.items()
                               if pk in services_), key=lambda r: (-r[1].total, r[0].name))
        unshared = {ci.pk: ci for ci in ConfigurationItem.objects.visible_to(request.user)
                    .filter(pk__in=list(found.unshared))}
        context = self.get_context_data(
            form=form, year=year, system_rows=system_rows, service_rows=service_rows,
            unshared=[(unshared[pk], amount) for pk, amount in found.unshared.items()
                      if pk in unshared],
            kinds=[costs.CONTRACT, costs.LINES, costs.LICENCE, costs.STAFF, costs.INFRASTRUCTURE],
            kind_labels=costs.KIND_LABELS, previous=year.previous(), next=year.next())
        return self.render_to_response(context, status=200 if valid else 400)


RUNS_SHOWN = 50


class RechargeRunsView(FinanceViewMixin, TemplateView):
    """The history of recharge runs (who ran each, when, for which year, its totals, its
    statements, and which runs a later or issued one superseded), and running the
    recharge of a year."""

    permission_model = m.RechargeRun
    permission_action = "view"
    template_name = "finance/recharge_runs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        runs = m.RechargeRun.objects.visible_to(user)
        issued = set(runs.filter(issued_at__isnull=False).values_list("year", flat=True))
        this_year = current().start_year
        context.setdefault("run_form", forms.RechargeRunForm(
            initial={"year": None if this_year in issued else this_year}, issued=issued))
        context["years"] = [FinancialYear(y) for y in runs.order_by("-year").values_list(
            "year", flat=True).distinct()]
        chosen = self.request.GET.get("year", "")
        context["chosen_year"] = None
        if chosen:
            try:
                context["chosen_year"] = FinancialYear.parse(chosen)
            except ValueError:
                context["year_error"] = f"“{chosen[:20]}” is not a financial year: all " \
                                        "years are shown."
            else:
                runs = runs.filter(year=context["chosen_year"].start_year)
        shown = list(runs.select_related("run_by", "issued_by")[:RUNS_SHOWN + 1])
        context["more_runs"] = len(shown) > RUNS_SHOWN
        shown = shown[:RUNS_SHOWN]
        superseded = queries.superseded_by(shown)
        statements = queries.run_statements(shown)
        context["runs"] = [(run, superseded.get(run.pk), statements[run.pk]) for run in shown]
        context["can_run"] = scope.can(user, "add", m.RechargeRun, None)
        return context

    def post(self, request, *args, **kwargs):
        if not scope.can(request.user, "add", m.RechargeRun, None):
            raise PermissionDenied("Your role does not allow you to run recharges.")
        form = forms.RechargeRunForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(run_form=form), status=400)
        year = FinancialYear(form.cleaned_data["year"])
        try:
            run = services.run_recharges(request.user.active_organisation_id, year,
                                         actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("year", message)
            return self.render_to_response(self.get_context_data(run_form=form), status=400)
        messages.success(request, f"The {year} recharge is worked out as {run.reference}: "
                                  "check the statements, then issue them.")
        return redirect(run.get_absolute_url())


class RunMixin:
    def get_run(self, pk) -> m.RechargeRun:
        run = queries.runs_visible_to(self.request.user).filter(pk=pk).first()
        if run is None:
            raise Http404("No such recharge run.")
        return run


class RechargeRunView(RunMixin, FinanceViewMixin, TemplateView):
    permission_action = "view"
    template_name = "finance/recharge_run.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.get_run(self.kwargs["pk"])
        user = self.request.user
        finance = queries.reads_finance(user)
        units = queries.statement_units(user, run)
        if not finance and len(units) == 1:
            context["only_unit"] = units[0]
        context.update(run=run, year=FinancialYear(run.year), reads_finance=finance,
                       totals=queries.unit_totals(run) if finance else [],
                       units=units,
                       can_issue=(finance and run.issued_at is None
                                  and scope.can(user, "change", m.RechargeRun, None)))
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if "only_unit" in context:
            return redirect("finance:statement", pk=context["run"].pk,
                            unit=context["only_unit"].pk)
        return self.render_to_response(context)

    def post(self, request, pk):
        run = self.get_run(pk)
        if not scope.can(request.user, "change", m.RechargeRun, None):
            raise PermissionDenied("Your role does not allow you to issue recharges.")
        try:
            services.issue_run(run, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(run.get_absolute_url())
        messages.success(request, f"{run.reference} is issued: each head of service can "
                                  "read their unit's statement.")
        return redirect(run.get_absolute_url())


def statement_context(user, run: m.RechargeRun, unit_pk: int) -> dict:
    unit = ServiceUnit.objects.filter(organisation_id=run.organisation_id,
                                      pk=unit_pk).select_related("head").first()
    if unit is None:
        raise Http404("No such service unit.")
    lines = queries.statement_lines(user, run, unit)
    if not lines:
        # Nothing of this unit's that this person may read (another unit's statement, or
        # a unit with nothing recharged): the same answer either way.
        raise Http404("No such statement.")
    total = sum((line.amount for line in lines), 0)
    return {"run": run, "unit": unit, "lines": lines, "total": total,
            "year": FinancialYear(run.year), "draft": run.issued_at is None}


class StatementView(RunMixin, FinanceViewMixin, TemplateView):
    """A service unit's recharge statement: each pool, its basis, the unit's measure
    against everyone's, its share and the amount."""

    permission_action = "view"
    template_name = "finance/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.get_run(self.kwargs["pk"])
        context.update(statement_context(self.request.user, run, self.kwargs["unit"]))
        from borough.core import pdf

        context["pdf_available"] = pdf.available()
        return context


def statement_filename(context: dict, extension: str) -> str:
    return (f"recharge-{context['year'].start_year}-{slugify(context['unit'].name)[:60]}"
            f".{extension}")


class StatementPdfView(RunMixin, FinanceViewMixin, TemplateView):
    permission_action = "view"

    def get(self, request, pk, unit):
        from borough.core import pdf

        context = statement_context(request.user, self.get_run(pk), unit)
        return pdf.download(request, "finance/statement_pdf.html", context,
                            filename=statement_filename(context, "pdf"),
                            stylesheets=PDF_STYLESHEETS,
                            unavailable="finance/pdf_unavailable.html")


def safe_cell(value):
    return neutralise(xlsx_cell(value))


def statement_workbook(context: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Recharge statement"
    sheet.append([safe_cell(f"ICT recharge statement {context['year']}: "
                            f"{context['unit'].name}")])
    sheet.append([safe_cell(f"Run {context['run'].reference}"
                            + (" (draft, not issued)" if context["draft"] else ""))])
    sheet.append([])
    sheet.append(["Cost pool", "Allocated by", "Your measure", "Everyone's measure",
                  "Your share (%)", "Pool (£)", "Recharge (£)"])
    for line in context["lines"]:
        sheet.append([safe_cell(line.pool_name), safe_cell(line.get_basis_display()),
                      line.measure, line.total_measure, line.share_percent,
                      line.pool_amount, line.amount])
        for column in (6, 7):
            sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
    sheet.append(["Total", "", "", "", "", "", context["total"]])
    sheet.cell(row=sheet.max_row, column=7).number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class StatementXlsxView(RunMixin, FinanceViewMixin, TemplateView):
    permission_action = "view"

    def get(self, request, pk, unit):
        context = statement_context(request.user, self.get_run(pk), unit)
        response = HttpResponse(
            statement_workbook(context),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = (
            f'attachment; filename="{statement_filename(context, "xlsx")}"')
        return response


class MyStatementView(FinanceViewMixin, TemplateView):
    """Where a head of service starts: their unit's statement in the latest issued run."""

    permission_action = "view"
    template_name = "finance/my_statement.html"

    def get(self, request, *args, **kwargs):
        organisation_id = request.user.active_organisation_id
        unit_id = own_service_unit_id(request.user, organisation_id)
        runs = queries.runs_visible_to(request.user).filter(issued_at__isnull=False)
        run = runs.order_by("-year", "-issued_at").first()
        if run is not None and unit_id is not None and m.RechargeLine.objects.visible_to(
                request.user).filter(run=run, service_unit_id=unit_id).exists():
            return redirect("finance:statement", pk=run.pk, unit=unit_id)
        return self.render_to_response(self.get_context_data(run=run, unit_id=unit_id))
