"""The licences' pages beyond the generic ones: a licence's page (its position, the
records behind its count, its entitlements and counts), adding an entitlement or a count
from it (and back), and the compliance page of every licence with its export."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from borough.core import charts, exports, scope
from borough.core.ids import parse_id
from borough.core.money import pence
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectCreateView, ObjectDetailView
from borough.licences import forms, queries, standing
from borough.licences import models as m
from borough.licences.api import filtered

PER_PAGE = 50
# Bars in the chart of the largest risks and savings: the table beside it has the same rows.
CHART_ROWS = 10


class LicenceDetailView(ObjectDetailView):
    template_name = "licences/licence_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "software__ci_class", "supplier", "contract", "standard_build")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        licence, user = context["object"], self.request.user
        position = queries.position_of(licence)
        items, item_total = queries.items_behind(position, user)
        context.update(
            position=position, items_behind=items, items_behind_total=item_total,
            entitlements=list(licence.entitlements.select_related("contract")
                              .order_by("-term_start", "-pk")),
            counts=list(licence.counts.select_related("counted_by")
                        .order_by("-counted_on", "-pk")[:20]),
            in_force_ids={e.pk for e in position.in_force},
            can_add_entitlement=scope.can(user, "add", m.Entitlement, None),
            can_add_count=(scope.can(user, "add", m.ConsumptionCount, None)
                           and licence.counted_from == m.CountedFrom.ENTERED))
        return context


class FromLicenceCreateView(ObjectCreateView):
    """Adding an entitlement or a count from a licence's page: `?licence=<id>` chooses
    the licence, and saving goes back to it."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None and (pk := parse_id(self.request.GET.get("licence"))):
            licence = m.Licence.objects.visible_to(self.request.user).filter(pk=pk).first()
            if licence is not None:
                form.initial["licence"] = licence.pk
        return form

    def detail_url(self, obj) -> str:
        return obj.licence.get_absolute_url()


class ComplianceView(EntryViewMixin, TemplateView):
    """Every licence with its position today, the largest risk first, filterable by
    supplier, software and position; CSV and spreadsheet exports of the same rows."""

    entry = registry.get(m.Licence)
    permission_action = "view"
    template_name = "licences/compliance.html"

    def get(self, request, *args, **kwargs):
        form = forms.ComplianceForm(request.GET or None, user=request.user)
        if request.GET and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        chosen = form.cleaned_data if form.is_bound else {}
        licences = filtered(queries.licences_for(request.user), chosen)
        status = chosen.get("status") or None
        fmt = kwargs.get("format")
        if fmt:
            found = queries.compliance(licences, status=status)
            rows = [[exports.neutralise(c) for c in row] for row in export_rows(found)]
            respond = exports.csv_response if fmt == "csv" else exports.xlsx_response
            return respond(rows, "licence-compliance")
        page, found, charted = self.page(request, licences, status)
        query = request.GET.copy()
        query.pop("page", None)
        return self.render_to_response(self.get_context_data(
            form=form, compliance=found, page_obj=page, counts=found.counts,
            chart=chart_of(charted), query=query.urlencode()))

    def page(self, request, licences, status):
        """The page asked for, worked out by the database (licences.standing): only the
        licences shown (and charted) get their full positions."""
        day = timezone.localdate()
        organisation_id = request.user.active_organisation_id
        asked = request.GET.get("page")

        def standings(number):
            return standing.standings(licences, organisation_id, day=day, status=status,
                                      offset=(number - 1) * PER_PAGE, limit=PER_PAGE,
                                      chart=CHART_ROWS)

        try:
            number = max(int(asked), 1) if asked else 1
        except (TypeError, ValueError):
            number = 1
        found = standings(number)
        last = Paginator(range(found.total), PER_PAGE).get_page(number).number
        if last != number:  # beyond the last page: the last one, as get_page does
            number, found = last, standings(last)
        ids = [*found.page_ids, *found.chart_ids]
        by_id = {p.licence.pk: p for p in queries.positions(
            queries.licences_for(request.user).filter(pk__in=ids), day)}
        shown = [by_id[pk] for pk in found.page_ids if pk in by_id]
        window = Window(found.total, (number - 1) * PER_PAGE, shown)
        return (Paginator(window, PER_PAGE).get_page(number), found,
                [by_id[pk] for pk in found.chart_ids if pk in by_id])


class Window:
    """One page of positions standing in for the whole list, for Django's Paginator: its
    length is every licence's, and it answers only for the page it holds."""

    def __init__(self, total: int, offset: int, positions: list):
        self.total, self.offset, self.positions = total, offset, positions

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice) and (index.start or 0) == self.offset:
            return self.positions
        raise IndexError("Only the page worked out is held.")


def export_rows(found: queries.Compliance) -> list[list[object]]:
    rows = [["Reference", "Licence", "Software", "Supplier", "Licence model",
             "Use counted from", "Entitled", "Used", "Position", "Short", "Unused",
             "Unit cost (£)", "True-up cost (£)", "Saving (£)"]]
    for p in found.positions:
        licence = p.licence
        rows.append([licence.reference, licence.name, licence.software.name,
                     licence.supplier.name, licence.get_licence_model_display(),
                     licence.get_counted_from_display(), p.entitled, p.used, p.status_label,
                     p.shortfall, p.unused,
                     str(pence(p.unit_cost)) if p.unit_cost is not None else "",
                     str(p.true_up_cost) if p.true_up_cost is not None else "",
                     str(p.saving)])
    return rows


def chart_of(positions: list[queries.Position]) -> charts.Chart | None:
    """The largest risks and savings as bars, with the same figures in its table."""
    rows = [p for p in positions if (p.true_up_cost or Decimal(0)) > 0 or p.saving > 0]
    rows = rows[:CHART_ROWS]
    if not rows:
        return None
    return charts.Chart(
        title="The largest licence risks and savings",
        description="For each licence over-used, what buying the licences it is short of "
                    "would cost; for each under-used, what its unused licences cost.",
        x_labels=[p.licence.name for p in rows],
        series=[charts.Series("True-up cost", [p.true_up_cost or Decimal(0) for p in rows],
                              palette=1),
                charts.Series("Unused licences' cost", [p.saving for p in rows],
                              palette=0)],
        unit="£", kind=charts.HBAR, x_title="Licence", decimals=2, key="licence-money")
