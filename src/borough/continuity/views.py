"""Continuity's pages beyond the generic ones: an analysis's page (its impacts over time,
what the service depends on in the CMDB, its actions), a plan's page (contacts, steps, the
items to recover beside the order the CMDB suggests, revisions, tests, actions), a plan
printable and as a PDF, an issued revision, and a DR test's page (what it achieved against
each objective)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views.generic import TemplateView

from borough.catalogue import queries as catalogue
from borough.continuity import models as m
from borough.continuity import queries, services
from borough.core import scope
from borough.core.actions import failure, offered
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectDetailView

PDF_STYLESHEETS = ("continuity/plan-print.css",)


def _actions(actions, record, user, url_base, forms_=None) -> list:
    return [(offer.action, offer.url, offer.form or offer.action.form(record=record, user=user))
            for offer in offered(actions, record, user, url_base, forms_).values()]


class AnalysisDetailView(ObjectDetailView):
    template_name = "continuity/businessimpactanalysis_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("service", "assessed_by", "approved_by")

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        bia, user = context["object"], self.request.user
        context["record_actions"] = _actions(services.ANALYSIS_ACTIONS, bia, user,
                                             "continuity:businessimpactanalysis", forms)
        context["action_error"] = failure(forms)
        context["impacts"] = list(m.ImpactRow.objects.visible_to(user).filter(analysis=bia))
        context["may_add_impact"] = scope.can(user, "add", m.ImpactRow, bia.organisation_id)
        context["dependencies"] = catalogue.dependencies_of(bia.service, user)
        context["service"] = bia.service
        return context


def analysis_page(request, record, *, forms=None, conflict=None, status=200):
    view = AnalysisDetailView(entry=registry.get(m.BusinessImpactAnalysis))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms))
    response.status_code = status
    return response


class PlanDetailView(ObjectDetailView):
    template_name = "continuity/continuityplan_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("site", "owner", "approved_by")

    def get_context_data(self, forms=None, **kwargs):
        from borough.core import pdf

        context = super().get_context_data(**kwargs)
        plan, user = context["object"], self.request.user
        context["record_actions"] = _actions(services.PLAN_ACTIONS, plan, user,
                                             "continuity:continuityplan", forms)
        context["action_error"] = failure(forms)
        context["services"] = list(plan.services.all())
        context["contacts"] = list(m.PlanContact.objects.visible_to(user).filter(plan=plan)
                                   .select_related("person"))
        context["steps"] = list(m.PlanStep.objects.visible_to(user).filter(plan=plan))
        items = queries.recovery_items(plan, user)
        context["suggestions"] = queries.suggested_order(plan, items) if items else []
        context["order_differs"] = any(s.moves for s in context["suggestions"])
        context["recovery_items"] = items
        context["revisions"] = queries.revisions_of(plan)
        context["changed_since_revision"] = queries.changed_since_revision(plan)
        context["tests"] = list(m.ContinuityTest.objects.visible_to(user).filter(plan=plan)
                                .order_by("-tested_on", "-pk")[:10])
        context["may_add"] = {model._meta.model_name: scope.can(user, "add", model,
                                                                 plan.organisation_id)
                              for model in (m.PlanContact, m.PlanStep, m.RecoveryItem,
                                            m.ContinuityTest)}
        context["pdf_available"] = pdf.available()
        return context


def plan_page(request, record, *, forms=None, conflict=None, status=200):
    view = PlanDetailView(entry=registry.get(m.ContinuityPlan))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms))
    response.status_code = status
    return response


class PlanReadMixin(EntryViewMixin):
    entry = registry.get(m.ContinuityPlan)
    permission_action = "view"

    def plan(self, pk):
        return get_object_or_404(m.ContinuityPlan.objects.visible_to(self.request.user)
                                 .select_related("site", "owner"), pk=pk)


class PlanPrintView(PlanReadMixin, TemplateView):
    """The plan as it reads now, to print: no navigation, every part in order."""

    template_name = "continuity/plan_print.html"

    def get(self, request, pk):
        plan = self.plan(pk)
        return self.render_to_response(self.get_context_data(
            plan=plan, content=queries.content(plan), revision=None))


class PlanPdfView(PlanReadMixin, TemplateView):
    """The plan as it reads now as a PDF (core.pdf); 503 with what to install when
    WeasyPrint cannot run."""

    def get(self, request, pk):
        from borough.core import pdf

        plan = self.plan(pk)
        name = f"{slugify(plan.reference)}-{slugify(plan.title)[:60]}.pdf"
        return pdf.download(request, "continuity/plan_pdf.html",
                            {"plan": plan, "content": queries.content(plan)},
                            filename=name, stylesheets=PDF_STYLESHEETS,
                            unavailable="continuity/pdf_unavailable.html",
                            unavailable_context={"object": plan})


class RevisionView(PlanReadMixin, TemplateView):
    """An issued revision of a plan, as it read when it was approved."""

    template_name = "continuity/plan_print.html"

    def get(self, request, pk, number):
        plan = self.plan(pk)
        revision = plan.revisions.select_related("issued_by").filter(number=number).first()
        if revision is None:
            raise Http404("No such revision.")
        return self.render_to_response(self.get_context_data(
            plan=plan, content=revision.content, revision=revision))


class TestDetailView(ObjectDetailView):
    template_name = "continuity/continuitytest_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("plan")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        test, user = context["object"], self.request.user
        context["measured"] = test.measured()
        context["rto_met"] = test.met_rto()
        context["rpo_met"] = test.met_rpo()
        context["participants"] = list(test.participants.all())
        context["follow_ups"] = list(m.FollowUp.objects.visible_to(user).filter(test=test)
                                     .select_related("owner", "problem", "change"))
        context["may_add_follow_up"] = scope.can(user, "add", m.FollowUp,
                                                 test.organisation_id)
        return context
