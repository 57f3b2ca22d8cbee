"""Procurement's pages beyond the generic ones: a request's page (its business case, its
options, its approval route with who decides now, the decisions and the actions the
reader may take, the contract it became, the procedure it follows), and adding,
changing and removing options through the services that keep the request's value."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from borough.core import scope
from borough.core import services as core_services
from borough.core.actions import failure, offered
from borough.core.api.viewsets import model_key
from borough.core.ids import parse_id
from borough.core.registry import registry
from borough.core.views.lists import ObjectListView
from borough.core.views.records import (
    ObjectCreateView,
    ObjectDeleteView,
    ObjectDetailView,
    ObjectEditView,
)
from borough.library import queries as library_queries
from borough.library.models import Topic
from borough.procurement import models as m
from borough.procurement import services


def procedure(organisation_id: int) -> list:
    """The council's published ICT procurement procedure (the library), for the pages to
    link: what a requester and an approver work to."""
    return library_queries.current_documents(organisation_id, Topic.ICT_PROCUREMENT)


class ProcurementRequestListView(ObjectListView):
    template_name = "procurement/procurementrequest_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["procedure"] = procedure(self.request.user.active_organisation_id)
        return context


class ProcurementRequestDetailView(ObjectDetailView):
    template_name = "procurement/procurementrequest_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "service_unit", "requester__user", "owner__user", "current_step", "contract",
            "created_by", "updated_by")

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = context["object"], self.request.user
        context["options"] = list(request.options.select_related("supplier"))
        route = list(request.route.filter(round=request.round).prefetch_related(
            "approvers", "delegations__delegated_by", "delegations__deputy"))
        context["route"] = route
        context["decisions"] = list(request.decisions.select_related("decided_by", "step"))
        offers = offered(services.REQUEST_ACTIONS, request, user,
                         "procurement:procurementrequest", forms)
        context["record_actions"] = [
            (offer.action, offer.url, offer.form or offer.action.form(record=request,
                                                                      user=user))
            for offer in offers.values()]
        context["action_error"] = failure(forms)
        context["conflict"] = conflict
        context["can_edit_options"] = (request.status in (*m.EDITABLE, *m.WAITING)
                                       and scope.can(user, "add", m.ProcurementOption,
                                                     request.organisation_id))
        context["procedure"] = procedure(request.organisation_id)
        context["objectives"] = list(request.objectives.all())
        context["standards"] = list(request.standards.all())
        context["value_now"] = next((o.whole_life_cost for o in context["options"]
                                     if o.is_recommended), None)
        return context


def request_page(request, record, *, forms=None, conflict=None, status=200):
    """The request's page with a failed action's form bound (core.views.actions)."""
    view = ProcurementRequestDetailView(entry=registry.get(m.ProcurementRequest))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


def contract_page(record) -> str:
    """After "Create the contract": the contract's page, which shows the request."""
    fresh = m.ProcurementRequest.objects.filter(pk=record.pk).select_related("contract").first()
    if fresh is not None and fresh.contract_id:
        return fresh.contract.get_absolute_url()
    return record.get_absolute_url()


def option_warning(request: m.ProcurementRequest | None) -> str:
    """Said on an option's form before saving: changing a waiting request's options
    returns it to draft."""
    if request is None or request.status not in m.WAITING:
        return ""
    return (f"{request.reference} is waiting for approval. Saving a change to its options "
            "returns it to draft: the approvals given so far no longer count, and it must "
            "be submitted again.")


class OptionWarningMixin:
    def option_request(self, context) -> m.ProcurementRequest | None:
        option = context.get("object")
        if option is not None and option.request_id:
            return option.request
        form = context.get("form")
        pk = parse_id(str(form.initial.get("request") or "")) if form is not None else None
        return (m.ProcurementRequest.objects.visible_to(self.request.user).filter(pk=pk)
                .first() if pk else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["edit_warning"] = (context.get("edit_warning")
                                   or option_warning(self.option_request(context)))
        return context


class OptionCreateView(OptionWarningMixin, ObjectCreateView):
    """Adding an option from a request's page (`?request=<id>`), and back to it; saved
    through services.save_option."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None and (pk := parse_id(self.request.GET.get("request"))):
            found = m.ProcurementRequest.objects.visible_to(self.request.user).filter(
                pk=pk).first()
            if found is not None:
                form.initial["request"] = found.pk
        return form

    def detail_url(self, obj) -> str:
        return obj.request.get_absolute_url() + "#options"

    def save(self, form, instance):
        option = form.save(commit=False)
        option.organisation_id = self.request.user.active_organisation_id
        return services.save_option(
            option, actor=self.request.user,
            idempotency_key=model_key(m.ProcurementOption,
                                      form.cleaned_data.get("submission_key")))


class OptionEditView(OptionWarningMixin, ObjectEditView):
    def detail_url(self, obj) -> str:
        return obj.request.get_absolute_url() + "#options"

    def save(self, form, instance):
        return services.save_option(instance, actor=self.request.user,
                                    data=form.model_data(),
                                    expected_version=form.cleaned_data.get("version"))


class OptionDeleteView(ObjectDeleteView):
    def post(self, request, *args, **kwargs):
        option = self.get_object()
        try:
            services.remove_option(option, actor=request.user,
                                   expected_version=parse_id(request.POST.get("version")))
        except (ValidationError, core_services.StaleVersionError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return self.render_to_response(self.get_context_data(error=message), status=400)
        messages.success(request, f"Option “{option.description}” removed from "
                                  f"{option.request.reference}.")
        return HttpResponseRedirect(reverse(self.entry.url_name("list")))


def contract_panel(contract, user) -> dict | None:
    """The contract page's section: the request it was bought through, for those who may
    read it."""
    found = m.ProcurementRequest.objects.visible_to(user).filter(contract=contract).select_related(
        "current_step").first()
    if found is None:
        exception = m.ProcurementException.objects.visible_to(user).filter(
            contract=contract).select_related("agreed_by").first()
        if exception is None:
            return None
        return {"exception": exception}
    return {"request": found,
            "url": reverse("procurement:procurementrequest_detail", args=[found.pk])}
