"""Assessment pages: the cycle page (heat map, gap list, approval), the comparison with
earlier cycles, and the standard assessment page with live evidence beside the
assessor's level. Every write goes through assessments.services."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from borough.core import attachments, charts, scope
from borough.core import services as core_services
from borough.core.actions import failure, offered
from borough.core.approvals import current_votes
from borough.core.ids import parse_id
from borough.core.models import Attachment
from borough.core.queries import detail_rows, history_for
from borough.core.views.records import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectEditView,
    ObjectMixin,
)
from borough.standards import models as m
from borough.standards.assessments import services
from borough.standards.assessments.evidence import evaluate_cycle, evaluate_rating

LEVEL_LABELS = dict(m.Level.choices)


def level_label(value) -> str:
    return LEVEL_LABELS.get(value, "Not rated") if value is not None else "Not rated"


# --- cycles: add, change, delete ----------------------------------------------------------

class CycleCreateView(ObjectCreateView):
    """Start a cycle: one rating per standard of the chosen framework version."""

    def save(self, form, instance):
        data = form.cleaned_data
        from borough.organisation.models import Organisation

        organisation = Organisation.objects.get(pk=self.request.user.active_organisation_id)
        return services.start_cycle(
            organisation, actor=self.request.user, framework=data["framework"], name=data["name"],
            starts_on=data["starts_on"], ends_on=data["ends_on"], summary=data.get("summary", ""),
            idempotency_key=f"standards.assessmentcycle:{data['submission_key']}"
            if data.get("submission_key") else None)


class CycleEditView(ObjectEditView):
    def get(self, request, *args, **kwargs):
        cycle = self.get_object()
        if cycle.is_locked:
            messages.error(request, services.locked_message(cycle))
            return HttpResponseRedirect(self.detail_url(cycle))
        return super().get(request, *args, **kwargs)

    def save(self, form, instance):
        return services.update_cycle(instance, actor=self.request.user, **form.model_data(),
                                     expected_version=form.cleaned_data.get("version"))


class CycleDeleteView(ObjectDeleteView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["object"].is_locked:
            context.setdefault("error", services.locked_message(context["object"]))
        return context

    def post(self, request, *args, **kwargs):
        cycle = self.get_object()
        version = request.POST.get("version")
        try:
            services.delete_cycle(cycle, actor=request.user,
                                  expected_version=parse_id(version))
        except (ValidationError, core_services.StaleVersionError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return self.render_to_response(self.get_context_data(error=message), status=400)
        messages.success(request, f"Assessment cycle “{cycle}” deleted.")
        return HttpResponseRedirect(reverse("standards:assessmentcycle_list"))


# --- the cycle page --------------------------------------------------------------------------

GAP_TEXT = {0: "On target", 1: "1 level below target"}


@dataclass
class Cell:
    rating: m.StandardAssessment
    outcome: object

    @property
    def gap_text(self) -> str:
        r = self.rating
        if r.current_level is None:
            return "Not rated"
        if r.target_level is None:
            return "No target set"
        if r.current_level > r.target_level:
            return "Above target"
        return GAP_TEXT.get(r.gap, f"{r.gap} levels below target")

    @property
    def css(self) -> str:
        r = self.rating
        if r.current_level is None or r.target_level is None:
            return "none"
        return str(min(r.gap, 3))

    @property
    def current(self) -> str:
        return level_label(self.rating.current_level)

    @property
    def target(self) -> str:
        return level_label(self.rating.target_level)

    @property
    def evidence(self) -> str:
        return self.outcome.supported_label if self.outcome else "Not checked"


def cycle_tabs(cycle, active: str) -> list[dict]:
    return [
        {"label": "Cycle", "url": reverse("standards:assessmentcycle_detail", args=[cycle.pk]),
         "active": active == "detail"},
        {"label": "Compare with previous cycles",
         "url": reverse("standards:assessmentcycle_compare", args=[cycle.pk]),
         "active": active == "compare"},
        {"label": "History", "url": reverse("standards:assessmentcycle_history", args=[cycle.pk]),
         "active": active == "history"},
    ]


def heat_map(cycle, ratings, outcomes) -> dict:
    themes: dict[int, dict] = {}
    for rating in ratings:
        theme = rating.standard.theme
        row = themes.setdefault(theme.pk, {"theme": theme, "cells": []})
        row["cells"].append(Cell(rating, outcomes.get(rating.standard_id)))
    rows = sorted(themes.values(), key=lambda r: (r["theme"].order, r["theme"].code))
    width = max((len(r["cells"]) for r in rows), default=0)
    for row in rows:
        row["padding"] = range(width - len(row["cells"]))
    return {"rows": rows, "width": width}


class CycleDetailView(ObjectMixin, TemplateView):
    template_name = "standards/assessments/cycle_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("framework", "approved_by")

    def get_context_data(self, **kwargs):
        cycle = self.get_object()
        user = self.request.user
        context = super().get_context_data(object=cycle, cycle=cycle, **kwargs)
        ratings = list(m.StandardAssessment.objects.visible_to(user).filter(cycle=cycle)
                       .select_related("standard", "standard__theme", "assessor", "reviewed_by"))
        outcomes = evaluate_cycle(cycle)
        cells = [Cell(r, outcomes.get(r.standard_id)) for r in ratings]
        gaps = sorted((c for c in cells if c.rating.gap),
                      key=lambda c: (-c.rating.gap, c.rating.standard.theme.order,
                                     c.rating.standard.order))
        context.update(
            tabs=cycle_tabs(cycle, "detail"),
            heat=heat_map(cycle, ratings, outcomes),
            gaps=gaps,
            rated=sum(1 for r in ratings if r.current_level is not None),
            signed_off=sum(1 for r in ratings if r.reviewed_by_id),
            total=len(ratings),
            missing=services.missing_for(cycle, signed_off=True) if not cycle.is_locked else [],
            actions=offered(services.CYCLE_ACTIONS, cycle, user, "standards:assessmentcycle"),
            # Votes exist only while it awaits approval: no query otherwise.
            votes=(current_votes(cycle, "approve")
                   if cycle.status == m.CycleStatus.IN_REVIEW else []),
            rows=detail_rows(cycle, ("framework", "starts_on", "ends_on", "status")),
        )
        return context


# --- compare with previous cycles --------------------------------------------------------------

class CycleCompareView(ObjectMixin, TemplateView):
    """Each standard's level across this organisation's cycles of the same framework code
    (matched by standard code): the progress over cycles."""

    template_name = "standards/assessments/cycle_compare.html"

    def get_context_data(self, **kwargs):
        cycle = self.get_object()
        user = self.request.user
        context = super().get_context_data(object=cycle, cycle=cycle, **kwargs)
        cycles = list(m.AssessmentCycle.objects.visible_to(user).filter(
            organisation_id=cycle.organisation_id, framework__code=cycle.framework.code)
            .order_by("starts_on", "pk"))
        ratings = m.StandardAssessment.objects.visible_to(user).filter(
            cycle__in=cycles).select_related("standard", "standard__theme")
        levels: dict[tuple[int, str], int | None] = {}
        names: dict[str, tuple] = {}
        for r in ratings:
            levels[(r.cycle_id, r.standard.code)] = r.current_level
            key = (0 if r.cycle_id == cycle.pk else 1, r.standard.theme.order, r.standard.order)
            if r.standard.code not in names or key < names[r.standard.code][0]:
                names[r.standard.code] = (key, r.standard.name, r.standard.theme.name)
        codes = sorted(names, key=lambda c: names[c][0])
        rows = []
        for code in codes:
            values = [levels.get((c.pk, code), "absent") for c in cycles]
            cells = [{"text": "Not assessed" if v == "absent" else level_label(v)} for v in values]
            known = [v for v in values if isinstance(v, int)]
            change = ""
            if len(known) >= 2:
                delta = known[-1] - known[0]
                change = ("Up " if delta > 0 else "Down " if delta < 0 else "No change") + (
                    f"{abs(delta)} level{'s' if abs(delta) != 1 else ''}" if delta else "")
            rows.append({"code": code, "name": names[code][1], "theme": names[code][2],
                         "cells": cells, "change": change})
        counts = {lv: [0] * len(cycles) for lv in m.Level.values}
        for i, c in enumerate(cycles):
            for (cycle_id, _code), value in levels.items():
                if cycle_id == c.pk and value is not None:
                    counts[value][i] += 1
        chart = charts.Chart(
            title="Standards at each level, by cycle",
            description="For each assessment cycle, how many standards the organisation rated "
                        "at each level.",
            x_labels=[c.name for c in cycles],
            series=[charts.Series(label, counts[value], palette=m.LEVEL_PALETTE[value])
                    for value, label in m.Level.choices],
            unit="standards", kind=charts.STACKED, x_title="Assessment cycle", decimals=0,
            key=f"cycle-{cycle.pk}-levels",
            empty_text="No standard has been rated in these cycles yet.")
        context.update(tabs=cycle_tabs(cycle, "compare"), cycles=cycles, rows=rows, chart=chart)
        return context


# --- the standard assessment page ---------------------------------------------------------------

def _rating_queryset(user, action="view"):
    return m.StandardAssessment.objects.visible_to(user, action).select_related(
        "standard", "standard__theme", "cycle", "cycle__framework", "assessor", "reviewed_by")


def rating_context(request, rating, *, forms=None, conflict=None, **extra) -> dict:
    """What the rating page shows. `forms`: an action's form bound with what was typed,
    after a try that failed (drawn in its place with its messages)."""
    user = request.user
    forms = forms or {}
    failed_answer = forms.get("answer")
    if failed_answer is not None:
        extra.setdefault("answer_forms", {failed_answer.record.criterion_id: failed_answer})
        extra.setdefault("answer_error", failure(forms))
        extra.setdefault("answered", failed_answer.record.criterion_id)
    for name, key in (("rate", "rate_form"), ("sign-off", "sign_off_form"),
                      ("evidence", "evidence_form")):
        if name in forms:
            extra.setdefault(key, forms[name])
    if "remove" in forms:
        extra.setdefault("evidence_error", failure(forms))
    if conflict is not None:
        extra.setdefault("conflict", conflict)
    cycle = rating.cycle
    outcome = evaluate_rating(rating)
    answers = {r.criterion_id: r for r in m.CriterionResult.objects.visible_to(user)
               .filter(rating=rating)}
    levels = []
    for level, label, rows in outcome.by_level():
        levels.append({"level": level, "label": label, "rows": [
            {"outcome": row, "answer": answers.get(row.criterion.pk),
             "form": extra.get("answer_forms", {}).get(row.criterion.pk)}
            for row in rows]})
    evidence = list(m.Evidence.objects.visible_to(user).filter(rating=rating)
                    .select_related("criterion", "record_type", "created_by"))
    files = services.evidence_files(evidence)
    locked = cycle.is_locked
    org = rating.organisation_id
    can_change = not locked and scope.can(user, "change", m.StandardAssessment, org)
    siblings = list(m.StandardAssessment.objects.visible_to(user).filter(cycle=cycle)
                    .order_by("standard__theme__order", "standard__order")
                    .values_list("pk", flat=True))
    index = siblings.index(rating.pk) if rating.pk in siblings else -1
    context = {
        "rating": rating, "cycle": cycle, "standard": rating.standard, "outcome": outcome,
        "levels": levels, "locked": locked,
        "evidence": [{"item": e, "files": files.get(e.pk, []), "page": services.record_url(e)}
                     for e in evidence],
        "can_change": can_change,
        "can_answer": not locked and scope.can(user, "change", m.CriterionResult, org),
        "can_add_evidence": not locked and scope.can(user, "add", m.Evidence, org),
        "can_remove_evidence": not locked and scope.can(user, "delete", m.Evidence, org),
        "can_sign_off": can_change and services.sign_off_rating.permitted(user, rating)
        and rating.current_level is not None and rating.assessor_id != user.pk,
        "actions": offered(services.RATING_ACTIONS, rating, user, "standards:rating"),
        "is_assessor": rating.assessor_id == user.pk,
        "assessor_level": level_label(rating.current_level),
        "target_level": level_label(rating.target_level),
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if 0 <= index < len(siblings) - 1 else None,
        "position": index + 1, "count": len(siblings),
        "history": history_for(rating, user, limit=50),
    }
    context.setdefault("rate_form", None)
    context.update(extra)
    if context["rate_form"] is None:
        context["rate_form"] = services.rate_standard.form(record=rating, user=user)
    context.setdefault("evidence_form", services.add_evidence.form(record=rating, user=user))
    context.setdefault("sign_off_form", services.sign_off_rating.form(record=rating, user=user))
    return context


class RatingView(LoginRequiredMixin, TemplateView):
    """The standard assessment page."""

    permission_action = "view"
    template_name = "standards/assessments/rating_detail.html"

    def get(self, request, pk):
        if not scope.can(request.user, "view", m.StandardAssessment, None):
            raise PermissionDenied("Your role does not allow you to view assessments.")
        rating = get_object_or_404(_rating_queryset(request.user), pk=pk)
        return self.render_to_response(rating_context(request, rating))


def rating_page(request, rating, *, forms=None, conflict=None, status=400):
    """The rating page again with the failing action's form bound (no JavaScript)."""
    fresh = _rating_queryset(request.user).get(pk=rating.pk)
    return render(request, "standards/assessments/rating_detail.html",
                  rating_context(request, fresh, forms=forms, conflict=conflict), status=status)


def answer_page(request, result, **kwargs):
    return rating_page(request, _rating_queryset(request.user).get(pk=result.rating_id), **kwargs)


def evidence_page(request, evidence, **kwargs):
    return rating_page(request, _rating_queryset(request.user).get(pk=evidence.rating_id), **kwargs)


def criteria_panel(request, result, *, forms=None, message=None, conflict=None, status=200):
    """The criteria panel drawn again in place after an answer (HTMX)."""
    rating = _rating_queryset(request.user).get(pk=result.rating_id)
    context = rating_context(request, rating, forms=forms, answer_message=message,
                             answered=result.criterion_id)
    return render(request, "standards/assessments/includes/criteria_panel.html", context,
                  status=status)


def rating_url(record) -> str:
    return reverse("standards:rating_detail", args=[getattr(record, "rating_id", record.pk)])


def answer_url(result) -> str:
    return rating_url(result) + f"#criterion-{result.criterion_id}"


def evidence_url(evidence) -> str:
    return rating_url(evidence) + "#evidence"


class EvidenceFileView(LoginRequiredMixin, View):
    """Download a file attached to evidence, only if the evidence itself is visible."""

    permission_action = "view"

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.visible_to(request.user), pk=pk,
            content_type=ContentType.objects.get_for_model(m.Evidence))
        get_object_or_404(m.Evidence.objects.visible_to(request.user), pk=attachment.object_id)
        try:
            handle = attachments.open_attachment(attachment)
        except FileNotFoundError:
            raise Http404("The file is missing from storage.") from None
        response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                                content_type=attachment.media_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
