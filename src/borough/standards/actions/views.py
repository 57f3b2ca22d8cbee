"""The action plan pages: the plan grouped by theme, owner or due date, an action with its
progress notes, the forms (through the services) and the spreadsheet export; and the
review-recording page that the statistics page links to."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from borough.core import exports
from borough.core.actions import offered
from borough.core.api.viewsets import model_key
from borough.core.registry import registry
from borough.core.views.lists import BadParameters, FilteredTableMixin
from borough.core.views.records import (
    ObjectCreateView,
    ObjectDetailView,
    ObjectEditView,
)
from borough.standards.actions import plan, queries, services
from borough.standards.models import Action, ActionUpdate, ReportReview, Standard


class ActionPlanView(FilteredTableMixin, TemplateView):
    """/standards/actions/: the plan, grouped (`group=theme|owner|due`) and filtered."""

    template_name = "standards/actions/plan.html"
    partial_template_name = "standards/actions/includes/plan_groups.html"
    extra_params = frozenset({"group"})

    def get(self, request, *args, **kwargs):
        try:
            filterset, _table = self.build()
            by = request.GET.get("group") or "theme"
            if by not in plan.GROUPINGS:
                raise BadParameters(f"Group by must be one of {', '.join(plan.GROUPINGS)}.")
        except BadParameters as exc:
            return self.bad_request(str(exc))
        qs = _filtered(filterset)
        rows = plan.rows_for(plan.with_related(qs))
        query = {k: v for k, v in request.GET.lists() if k != "group"}
        context = self.get_context_data(
            filterset=filterset, groups=plan.group(rows, by), group_by=by,
            groupings=[{"key": key, "label": label, "active": key == by,
                        "url": "?" + urlencode({**query, "group": key}, doseq=True)}
                       for key, label in plan.GROUPINGS.items()],
            total=len(rows), overdue_total=sum(1 for r in rows if r.overdue),
            export_query=urlencode(query, doseq=True))
        template = self.partial_template_name if request.htmx else self.template_name
        response = self.response_class(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response


def _filtered(filterset):
    if not filterset.is_bound:
        return filterset.queryset
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


class ActionPlanExportView(FilteredTableMixin, TemplateView):
    """The plan as CSV or XLSX, with the page's filters: standards, objectives, targets and
    the latest progress note included."""

    extra_params = frozenset({"group"})

    def get(self, request, *args, **kwargs):
        try:
            filterset, _table = self.build()
        except BadParameters as exc:
            return self.bad_request(str(exc))
        rows = plan.export_rows(_filtered(filterset))
        return exports.FORMATS[self.kwargs["format"]](rows, "action-plan")


class ActionDetailView(ObjectDetailView):
    template_name = "standards/actions/action_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = context["object"]
        user = self.request.user
        # Read once, then shared by the row (theme, latest note) and the page's lists.
        prefetch_related_objects([action], Prefetch(
            "standards", queryset=Standard.objects.select_related("theme", "framework")), Prefetch(
            "updates", queryset=ActionUpdate.objects.visible_to(user).select_related("created_by")))
        context.update(
            row=plan.rows_for([action])[0],
            standards=action.standards.all(),
            objectives=action.objectives.all(), targets=action.targets.all(),
            updates=[(u, plan.STATUS_TAGS.get(u.status, "grey"), plan.RAG_TAGS.get(u.rag, "grey"))
                     for u in action.updates.all()],
            actions=offered(services.ACTION_ACTIONS, action, user, "standards:action",
                            kwargs.get("forms")),
        )
        failed = (kwargs.get("forms") or {}).get("progress")
        context["update_form"] = failed or services.add_action_update.form(record=action,
                                                                           user=user)
        return context


def action_page(request, action, *, forms=None, conflict=None, status=400):
    """The action's page again with the progress note that failed, and its messages."""
    view = ActionDetailView(entry=registry.get(Action), request=request,
                            kwargs={"pk": action.pk})
    context = view.get_context_data(forms=forms, conflict=conflict)
    return render(request, view.template_name, context, status=status)


class ActionCreateView(ObjectCreateView):
    def save(self, form, instance):
        return services.create_action(
            self.request.user.active_organisation_id, actor=self.request.user, **form.cleaned_data,
            idempotency_key=model_key(self.model, form.cleaned_data.get("submission_key")))


class ActionEditView(ObjectEditView):
    def save(self, form, instance):
        return services.update_action(instance, actor=self.request.user, **form.model_data(),
                                      expected_version=form.cleaned_data.get("version"))


class ReportReviewCreateView(ObjectCreateView):
    """Record a review; `?report=servicedesk-statistics` chooses the report (the statistics
    page links here)."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None:
            report = self.request.GET.get("report", "")
            if report in queries.REPORTS:
                form.initial["report"] = report
            form.initial["reviewed_on"] = form.initial.get("reviewed_on") or services.today()
        return form

    def save(self, form, instance):
        data = form.cleaned_data
        return services.record_review(
            self.request.user.active_organisation_id, actor=self.request.user, report=data["report"],
            reviewed_on=data["reviewed_on"], meeting=data["meeting"], note=data["note"],
            idempotency_key=model_key(ReportReview, data.get("submission_key")))


class ReportReviewEditView(ObjectEditView):
    def save(self, form, instance):
        return services.update_review(instance, actor=self.request.user, **form.model_data(),
                                      expected_version=form.cleaned_data.get("version"))
