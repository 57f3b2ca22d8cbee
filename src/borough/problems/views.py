"""Problem management's pages beyond the generic ones: a problem's page (its incidents,
its analysis, its known errors and the actions the reader may take), raising one (from
incidents), the trends that propose problems, the figures, the known errors suggested for
a ticket, and the panel on the ticket page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from borough.core import scope
from borough.core.actions import failure, offered
from borough.core.api.viewsets import model_key
from borough.core.ids import parse_id
from borough.core.registry import registry
from borough.core.services import StaleVersionError
from borough.core.views.actions import RecordActionView
from borough.core.views.records import ObjectCreateView, ObjectDetailView
from borough.knowledge import queries as knowledge_queries
from borough.problems import models as m
from borough.problems import queries, services
from borough.servicedesk.models import Ticket


def may_work(user) -> bool:
    return user.has_perm("problems.work_problems")


class ProblemDetailView(ObjectDetailView):
    template_name = "problems/problem_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "service", "cause_category",
                                                     "created_by", "updated_by")

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        problem, user = context["object"], self.request.user
        context["incidents"] = list(
            Ticket.objects.visible_to(user).filter(
                pk__in=problem.incidents.values("ticket_id")).order_by("-created_at")[:200])
        context["steps"] = list(problem.steps.all())
        context["known_errors"] = list(problem.known_errors.all())
        context["cis"] = list(problem.cis.all())
        offers = offered(services.PROBLEM_ACTIONS, problem, user, "problems:problem", forms)
        context["record_actions"] = [
            (offer.action, offer.url, offer.form or offer.action.form(record=problem,
                                                                      user=user))
            for offer in offers.values()]
        context["action_error"] = failure(forms)
        context["conflict"] = conflict
        context["can_add_step"] = scope.can(user, "add", m.AnalysisStep,
                                            problem.organisation_id)
        return context


def problem_page(request, record, *, forms=None, conflict=None, status=200):
    """The problem's page with a failed action's form bound (core.views.actions)."""
    view = ProblemDetailView(entry=registry.get(m.Problem))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


class ProblemCreateView(ObjectCreateView):
    """Raising a problem, proactively or from incidents (`?incidents=INC-000123` from a
    ticket's page): saved through services.raise_problem, which links them."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None and "incidents" in form.fields:
            form.initial["incidents"] = (self.request.GET.get("incidents") or "")[:5000]
            if not form.initial.get("title"):
                form.initial["title"] = (self.request.GET.get("title") or "")[:200]
        return form

    def save(self, form, instance):
        problem = form.save(commit=False)
        problem.organisation_id = self.request.user.active_organisation_id
        return services.raise_problem(
            problem, actor=self.request.user, incidents=form.cleaned_data.get("incidents") or [],
            cis=list(form.cleaned_data.get("cis") or []),
            idempotency_key=model_key(m.Problem, form.cleaned_data.get("submission_key")))


class WorkMixin(LoginRequiredMixin):
    """Pages of problem management staff."""

    permission_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope.can(request.user, "view", m.Problem,
                                                           None):
            raise PermissionDenied("Your role does not allow you to read problems.")
        return super().dispatch(request, *args, **kwargs)


class TrendsView(WorkMixin, TemplateView):
    """Repeated incidents, as the council's trend rules see them, that propose problems."""

    template_name = "problems/trends.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["trends"] = queries.trends(user, user.active_organisation_id)
        context["rules"] = list(m.TrendRule.objects.visible_to(user).filter(is_active=True))
        context["may_raise"] = scope.can(user, "add", m.Problem, None) and may_work(user)
        return context


class RaiseFromTrendView(WorkMixin, View):
    """POST: a problem from a trend's incidents (those of its window on its CI, category or
    service), linked to it, with the CI or service set."""

    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        if not (scope.can(user, "add", m.Problem, None) and may_work(user)):
            raise PermissionDenied("Only problem management staff can raise problems.")
        rule = m.TrendRule.objects.visible_to(user).filter(
            pk=parse_id(request.POST.get("rule"))).first()
        key = parse_id(request.POST.get("key"))
        if rule is None or key is None:
            raise Http404("No such trend.")
        incidents = list(queries.trend_incidents(rule, key, user))
        if not incidents:
            messages.error(request, "That trend has no incidents any more.")
            return HttpResponseRedirect(reverse("problems:trends"))
        field = queries.GROUP_FIELD[rule.group_by]
        subject = getattr(incidents[0], field)
        problem = m.Problem(organisation_id=user.active_organisation_id, origin=m.Origin.TREND,
                            title=f"Repeated incidents: {subject}"[:200],
                            description=f"{len(incidents)} incidents on {subject} within "
                                        f"{rule.window_days} days ({rule.name}).")
        if field == "service":
            problem.service = subject
        try:
            problem = services.raise_problem(
                problem, actor=user, incidents=incidents,
                cis=[subject] if field == "ci" else [],
                idempotency_key=model_key(m.Problem, request.POST.get("submission_key")))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("problems:trends"))
        messages.success(request, f"{problem.reference} raised from {len(incidents)} incidents.")
        return HttpResponseRedirect(problem.get_absolute_url())


class FiguresView(WorkMixin, TemplateView):
    """Problems open and their age, known errors with workarounds, incidents reopened after
    a problem's fix, and deflections by the knowledge base."""

    template_name = "problems/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation_id = self.request.user.active_organisation_id
        since = timezone.now() - timezone.timedelta(days=91)
        context["open"] = queries.open_problems(organisation_id)
        context["known_errors"] = queries.known_error_figures(organisation_id)
        context["reopened"] = queries.reopened_after_fix(organisation_id)
        context["deflections"] = knowledge_queries.deflections(organisation_id, since=since)
        return context


class SuggestedKnownErrorsView(LoginRequiredMixin, TemplateView):
    """The known errors a ticket suggests (its CI, service, category and words): drawn into
    the ticket page by HTMX after it loads, or as a page of its own without JavaScript."""

    template_name = "problems/suggested.html"
    partial_template_name = "problems/includes/suggested.html"
    permission_action = "view"

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("servicedesk.work_tickets"):
            raise PermissionDenied("Only service desk staff can look up known errors.")
        ticket = get_object_or_404(Ticket.objects.visible_to(request.user),
                                   pk=parse_id(request.GET.get("ticket")) or 0)
        context = {"ticket": ticket,
                   "suggestions": queries.ticket_suggestions(ticket, request.user),
                   "articles": knowledge_queries.staff_suggestions(
                       request.user, f"{ticket.title} {ticket.description[:500]}")}
        template = self.partial_template_name if request.htmx else self.template_name
        response = self.response_class(request, template, context)
        response["Vary"] = "HX-Request"
        return response


class LinkTicketView(LoginRequiredMixin, View):
    """POST from the ticket page: link this incident to a problem given by reference."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, pk):
        ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
        back = reverse("servicedesk:ticket_detail", args=[ticket.pk])
        text = (request.POST.get("problem") or "").strip().upper()
        problem = m.Problem.objects.visible_to(request.user).filter(reference=text).first()
        if problem is None:
            messages.error(request, f"No problem has the reference {text or '(none given)'}.")
            return HttpResponseRedirect(back)
        try:
            services.link_incidents(problem, actor=request.user, incidents=[ticket])
        except (ValidationError, PermissionDenied, StaleVersionError) as exc:
            messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError)
                           else str(exc))
        else:
            messages.success(request, f"{ticket.reference} linked to {problem.reference}.")
        return HttpResponseRedirect(back)


class OnTicketActionView(RecordActionView):
    """A known error's action taken from a ticket's page (apply, this fixed it): back to
    that ticket's page afterwards."""

    def back_url(self, record) -> str:
        ticket = parse_id(self.request.POST.get("ticket"))
        if ticket and Ticket.objects.visible_to(self.request.user).filter(pk=ticket).exists():
            return reverse("servicedesk:ticket_detail", args=[ticket])
        return super().back_url(record)


def ticket_panel(ticket, user) -> dict | None:
    """The ticket page's problem panel (registry.add_page_panel): the problem its incident
    is linked to with the workaround to apply, or ways to link or raise one, and where the
    known errors it suggests are drawn. No query unless the incident is linked."""
    if ticket.ticket_type != "incident" or not scope.can(user, "view", m.Problem,
                                                         ticket.organisation_id):
        return None
    problem_id = getattr(ticket, "linked_problem_id", None)
    problem = queries.problem_for_ticket_page(problem_id, user) if problem_id else None
    known_error = None
    if problem is not None and problem.known_error_id:
        known_error = {"pk": problem.known_error_id, "reference": problem.known_error_reference,
                       "workaround": problem.known_error_workaround}
    return {"ticket": ticket, "problem": problem, "known_error": known_error,
            "may_work": may_work(user),
            "may_raise": scope.can(user, "add", m.Problem, ticket.organisation_id),
            "suggest_url": f"{reverse('problems:suggested')}?ticket={ticket.pk}"}
