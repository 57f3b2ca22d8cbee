"""Baseline pages beyond the generic list: taking one (through services.take_baseline),
its page with what it froze, and its comparison with now or a later moment (and CSV)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import TemplateView, View

from borough.cmdb import baselines, services
from borough.cmdb.history import when
from borough.cmdb.history_views import MomentForm, unknown_parameters
from borough.core.api.viewsets import model_key
from borough.core.exports import csv_response, neutralise
from borough.core.views.records import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectHistoryView,
    ObjectMixin,
)

# The most rows of each kind a page lists; the CSV export and the API give them all.
SHOWN = 200


class BaselineCreateView(ObjectCreateView):
    template_name = "cmdb/baseline_form.html"

    def save(self, form, instance):
        data = form.cleaned_data
        return services.take_baseline(
            self.request.user.active_organisation_id, actor=self.request.user,
            name=data["name"], description=data.get("description", ""), scope=data["scope"],
            ci_class=data.get("ci_class"), items=form.chosen_items,
            idempotency_key=model_key(self.model, data.get("submission_key")))


class BaselineEditView(ObjectMixin, View):
    """There is nothing to edit: a baseline is never changed once taken, whatever the
    role. The record is looked up first, so another council's is a 404 as elsewhere."""

    permission_action = "view"

    def get(self, request, *args, **kwargs):
        self.get_object()
        raise PermissionDenied("Your role does not allow you to change baselines: no one "
                               "can, since a baseline is never changed once it is taken. "
                               "Take a new one instead.")

    post = get


class BaselineTabsMixin:
    def tabs(self, obj, active: str) -> list[dict]:
        return [*super().tabs(obj, active), {
            "label": "Compare", "url": reverse("cmdb:baseline_compare", args=[obj.pk]),
            "active": active == "compare"}]


class BaselineHistoryView(BaselineTabsMixin, ObjectHistoryView):
    pass


class BaselineDetailView(BaselineTabsMixin, ObjectDetailView):
    template_name = "cmdb/baseline_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("ci_class", "taken_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        baseline = context["object"]
        context["rows"] = [("Scope", baseline.scope_text()), *context["rows"]]
        context["frozen_items"] = list(baseline.frozen_items.order_by("item_id")[:SHOWN])
        context["frozen_relationships"] = list(
            baseline.frozen_relationships.order_by("relationship_id")[:SHOWN])
        context["shown"] = SHOWN
        context["compare_form"] = MomentForm(date_required=False)
        return context


class BaselineCompareView(BaselineTabsMixin, ObjectMixin, TemplateView):
    """The baseline against now (no date) or a later moment, field by field."""

    template_name = "cmdb/baseline_compare.html"
    permission_action = "view"

    def read(self, request):
        baseline = self.get_object()
        form = MomentForm(request.GET, date_required=False)
        valid = form.is_valid()
        if unknown := unknown_parameters(request.GET, form):
            form.add_error(None, f"Unknown parameter {', '.join(unknown)}. This page takes "
                                 "date and time.")
            valid = False
        elif valid and form.moment is not None and form.moment < baseline.taken_at:
            form.add_error("date", "Choose a moment after the baseline was taken "
                                   f"({when(baseline.taken_at)}).")
            valid = False
        return baseline, form, valid

    def get(self, request, *args, **kwargs):
        baseline, form, valid = self.read(request)
        context = {"object": baseline, "form": form, "tabs": self.tabs(baseline, "compare"),
                   "shown": SHOWN}
        if valid:
            context["comparison"] = baselines.compare(baseline, request.user, form.moment)
            context["export_query"] = request.GET.urlencode()
        return self.render_to_response(self.get_context_data(**context),
                                       status=200 if valid else 400)


class BaselineCompareExportView(BaselineCompareView):
    """The comparison as CSV: every difference, one row per changed field."""

    def get(self, request, *args, **kwargs):
        baseline, form, valid = self.read(request)
        if not valid:
            return super().get(request, *args, **kwargs)
        comparison = baselines.compare(baseline, request.user, form.moment)
        rows = [[neutralise(cell) for cell in row] for row in comparison.csv_rows()]
        return csv_response(rows, f"baseline-{baseline.pk}-comparison")
