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
from borough.core.models import Attachment
from borough.core.queries import detail_rows, history_for
from borough.core.views.records import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectEditView,
    ObjectMixin,
    show_conflict,
)
from borough.standards import models as m
from borough.standards.assessments import forms, services
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
                                  expected_version=int(version) if version and version.isdigit() else None)
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
        can_change = scope.can(user, "change", m.AssessmentCycle, cycle.organisation_id)
        can_approve = scope.can(user, "approve", m.AssessmentCycle, cycle.organisation_id)
        status = cycle.status
        context.update(
            tabs=cycle_tabs(cycle, "detail"),
            heat=heat_map(cycle, ratings, outcomes),
            gaps=gaps,
            rated=sum(1 for r in ratings if r.current_level is not None),
            signed_off=sum(1 for r in ratings if r.reviewed_by_id),
            total=len(ratings),
            missing=services.missing_for(cycle, signed_off=True) if not cycle.is_locked else [],
            can_submit=can_change and status == m.CycleStatus.IN_PROGRESS,
            can_reopen=can_change and status == m.CycleStatus.IN_REVIEW,
            can_approve=can_approve and can_change and status == m.CycleStatus.IN_REVIEW,
            rows=detail_rows(cycle, ("framework", "starts_on", "ends_on", "status")),
        )
        return context


class CycleActionView(LoginRequiredMixin, View):
    """POST submit / approve / reopen from the cycle page."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        if not scope.can(request.user, "change", m.AssessmentCycle, None):
            raise PermissionDenied("Your role does not allow you to change assessment cycles.")
        cycle = get_object_or_404(m.AssessmentCycle.objects.visible_to(request.user), pk=pk)
        version = request.POST.get("version", "")
        version = int(version) if version.isdigit() else None
        note = request.POST.get("note", "")
        try:
            if action == "submit":
                services.submit_cycle(cycle, actor=request.user, expected_version=version, note=note)
                messages.success(request, f"“{cycle}” is now awaiting approval.")
            elif action == "reopen":
                services.reopen_cycle(cycle, actor=request.user, expected_version=version, note=note)
                messages.success(request, f"“{cycle}” is open for assessment again.")
            else:
                services.approve_cycle(cycle, actor=request.user, expected_version=version)
                messages.success(request, f"“{cycle}” is approved and locked.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except (PermissionDenied, core_services.StaleVersionError) as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("standards:assessmentcycle_detail", args=[pk]))


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


def rating_context(request, rating, **extra) -> dict:
    user = request.user
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
        "can_sign_off": can_change and scope.can(user, "approve", m.AssessmentCycle, org)
        and rating.current_level is not None and rating.assessor_id != user.pk,
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
        context["rate_form"] = forms.RateForm(initial={
            "current_level": rating.current_level, "target_level": rating.target_level,
            "commentary": rating.commentary, "version": rating.version})
    context.setdefault("evidence_form", forms.EvidenceForm(rating=rating))
    context.setdefault("sign_off_form", forms.SignOffForm(initial={"version": rating.version}))
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


ACTION_PERMISSIONS = {
    "rate": ("change", m.StandardAssessment),
    "answer": ("change", m.CriterionResult),
    "evidence": ("add", m.Evidence),
    "remove-evidence": ("delete", m.Evidence),
    "sign-off": ("change", m.StandardAssessment),
}


def _version(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


class RatingActionView(LoginRequiredMixin, View):
    """POST-only changes from the standard assessment page. Errors re-render the page
    (status 400) with the input kept; criterion answers swap in place with HTMX."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        needed, model = ACTION_PERMISSIONS[action]
        if not scope.can(request.user, needed, model, None):
            raise PermissionDenied("Your role does not allow you to change this assessment.")
        rating = get_object_or_404(_rating_queryset(request.user), pk=pk)
        handler = getattr(self, "do_" + action.replace("-", "_"))
        return handler(request, rating)

    def back(self, rating, anchor=""):
        return HttpResponseRedirect(reverse("standards:rating_detail", args=[rating.pk]) + anchor)

    def page(self, request, rating, status=400, **extra):
        rating = _rating_queryset(request.user).get(pk=rating.pk)
        return render(request, "standards/assessments/rating_detail.html",
                      rating_context(request, rating, **extra), status=status)

    def do_rate(self, request, rating):
        form = forms.RateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.rate_standard(
                    rating, actor=request.user, current_level=data["current_level"],
                    target_level=data["target_level"], commentary=data["commentary"],
                    expected_version=data["version"])
            except core_services.StaleVersionError as exc:
                show_conflict(form, exc)
                return self.page(request, rating, rate_form=form, conflict=exc)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Rating of “{rating.standard}” saved.")
                return self.back(rating)
        return self.page(request, rating, rate_form=form)

    def do_answer(self, request, rating):
        result = get_object_or_404(m.CriterionResult.objects.visible_to(request.user),
                                   pk=_version(request.POST.get("result")), rating=rating)
        form = forms.AnswerForm(request.POST)
        error = message = None
        if form.is_valid():
            try:
                services.answer_criterion(result, actor=request.user, met=form.met_value,
                                          note=form.cleaned_data["note"],
                                          expected_version=form.cleaned_data["version"])
            except ValidationError as exc:
                error = " ".join(exc.messages)
            except core_services.StaleVersionError as exc:
                error = str(exc)
            else:
                message = "Answer saved."
        else:
            error = " ".join(e for errs in form.errors.values() for e in errs)
        anchor = f"#criterion-{result.criterion_id}"
        if request.htmx:
            rating = _rating_queryset(request.user).get(pk=rating.pk)
            context = rating_context(request, rating, answer_error=error,
                                     answer_message=message, answered=result.criterion_id)
            return render(request, "standards/assessments/includes/criteria_panel.html", context,
                          status=422 if error else 200)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, message)
        return self.back(rating, anchor)

    def do_evidence(self, request, rating):
        form = forms.EvidenceForm(request.POST, request.FILES, rating=rating)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = services.find_record(data["record"], actor=request.user) \
                    if data["record"] else None
                services.add_evidence(
                    rating, actor=request.user, title=data["title"], note=data["note"],
                    criterion=data["criterion"], record=record, url=data["url"], files=data["files"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Evidence “{data['title']}” added.")
                return self.back(rating, "#evidence")
        return self.page(request, rating, evidence_form=form)

    def do_remove_evidence(self, request, rating):
        item = get_object_or_404(m.Evidence.objects.visible_to(request.user),
                                 pk=_version(request.POST.get("evidence")), rating=rating)
        try:
            services.remove_evidence(item, actor=request.user, expected_version=_version(request.POST.get(
                "version")))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except core_services.StaleVersionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Evidence “{item.title}” removed.")
        return self.back(rating, "#evidence")

    def do_sign_off(self, request, rating):
        form = forms.SignOffForm(request.POST)
        if form.is_valid():
            try:
                services.sign_off_rating(rating, actor=request.user, note=form.cleaned_data["review_note"],
                                         expected_version=form.cleaned_data["version"])
            except ValidationError as exc:
                _add_errors(form, exc)
            except core_services.StaleVersionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"“{rating.standard}” signed off.")
                return self.back(rating)
        return self.page(request, rating, sign_off_form=form)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


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
