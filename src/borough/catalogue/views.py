"""The catalogue's pages beyond the generic ones: a service's page (its components, what
it depends on, its single points of failure, its agreements), adding a component from
it (and back), an agreement's page with its actions and its PDF, and the single points
of failure of every live service."""

from __future__ import annotations

from django.views.generic import TemplateView

from borough.catalogue import forms, queries
from borough.catalogue import models as m
from borough.catalogue.services import SLA_ACTIONS
from borough.cmdb.models import Criticality
from borough.core import scope
from borough.core.actions import offered
from borough.core.ids import parse_id
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectCreateView, ObjectDetailView

PDF_STYLESHEETS = ("catalogue/agreement-print.css",)
# The printed agreement's name for the sections other apps add (registry.add_page_panel,
# given the agreement; their templates are drawn by WeasyPrint, so plain markup only).
AGREEMENT_PDF = "catalogue.agreement_pdf"


class BusinessServiceDetailView(ObjectDetailView):
    template_name = "catalogue/businessservice_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("service_unit", "owner", "support_team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service, user = context["object"], self.request.user
        context["components"] = queries.components_of(service, user)
        context["dependencies"] = queries.dependencies_of(service, user)
        context["single_points"] = queries.single_points_of_failure(service, user)
        context["agreements"] = queries.agreements_of(service, user)
        context["operational_agreements"] = queries.operational_agreements_of(service, user)
        context["can_edit_components"] = {
            action: scope.can(user, action, m.ServiceComponent, None)
            for action in ("add", "delete")}
        context["can_add_agreement"] = scope.can(user, "add", m.ServiceLevelAgreement, None)
        return context


class ServiceComponentCreateView(ObjectCreateView):
    """Adding a component from a service's page: `?service=<id>` chooses the service,
    and saving goes back to it."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None and (pk := parse_id(self.request.GET.get("service"))):
            service = m.BusinessService.objects.visible_to(self.request.user).filter(
                pk=pk).first()
            if service is not None:
                form.initial["service"] = service.pk
        return form

    def detail_url(self, obj) -> str:
        return obj.service.get_absolute_url()


class ServiceLevelAgreementMixin:
    def get_queryset(self):
        return super().get_queryset().select_related(
            "service", "customer_service_unit", "signatory__user", "ict_contact",
            "customer_contact", "agreed_by")


class ServiceLevelAgreementDetailView(ServiceLevelAgreementMixin, ObjectDetailView):
    template_name = "catalogue/servicelevelagreement_detail.html"

    def get_context_data(self, **kwargs):
        from borough.core import pdf

        context = super().get_context_data(**kwargs)
        sla = context["object"]
        context["record_actions"] = [
            (offer.action, offer.url, offer.form or offer.action.form(record=sla))
            for offer in offered(SLA_ACTIONS, sla, self.request.user,
                                 "catalogue:servicelevelagreement").values()]
        context["contact_rows"] = [
            ("ICT contact", _person(sla.ict_contact)),
            ("Customer contact", _person(sla.customer_contact))]
        context["pdf_available"] = pdf.available()
        context["pdf_install_hint"] = pdf.INSTALL_HINT
        return context


def _person(person) -> str:
    if person is None:
        return ""
    return f"{person}, {person.email}" if person.email else str(person)


def agreement_pdf_name(sla: m.ServiceLevelAgreement) -> str:
    """e.g. sla-000003-council-tax.pdf"""
    from django.utils.text import slugify

    return f"{slugify(sla.reference)}-{slugify(sla.service.name)[:60]}.pdf"


class ServiceLevelAgreementPdfView(ServiceLevelAgreementMixin, EntryViewMixin, TemplateView):
    """The agreement, printable: the same figures as its page, drawn by WeasyPrint
    (core.pdf). Without WeasyPrint's libraries, a 503 page saying what to install."""

    entry = registry.get(m.ServiceLevelAgreement)
    permission_action = "view"

    def get(self, request, pk):
        from django.shortcuts import get_object_or_404

        from borough.core import pdf

        sla = get_object_or_404(self.get_queryset(), pk=pk)
        # What other apps add to the printed agreement (availability against its target).
        panels = registry.page_panels_for(AGREEMENT_PDF, sla, request.user)
        return pdf.download(request, "catalogue/agreement_pdf.html",
                            {"sla": sla, "panels": panels},
                            filename=agreement_pdf_name(sla), stylesheets=PDF_STYLESHEETS,
                            unavailable="catalogue/pdf_unavailable.html",
                            unavailable_context={"object": sla})


class SinglePointsView(EntryViewMixin, TemplateView):
    """Every live service (of the criticalities chosen; critical by default) with the
    configuration items whose loss alone stops it."""

    entry = registry.get(m.BusinessService)
    permission_action = "view"
    template_name = "catalogue/single_points.html"

    def get(self, request, *args, **kwargs):
        form = forms.SinglePointsForm(request.GET or None)
        if request.GET and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=[]),
                                           status=400)
        chosen = form.cleaned_data["criticality"] if form.is_bound else [Criticality.CRITICAL]
        services = list(queries.live_services(request.user, chosen))
        points = queries.single_points_of_each(services, request.user)
        components = queries.component_counts(services)
        rows = [(service, components.get(service.pk, 0), points[service.pk])
                for service in services]
        return self.render_to_response(self.get_context_data(form=form, rows=rows,
                                                             chosen=chosen))
