"""Self-service for staff: raise, follow, reply, confirm or reopen, and rate."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from borough.core.actions import failure, offered
from borough.core.forms import add_service_error
from borough.core.queries import attachments_for
from borough.core.registry import registry
from borough.servicedesk import concerns, forms, queries, services
from borough.servicedesk.models import EntryKind, Status, Ticket, TimelineEntry
from borough.servicedesk.views.workspace import TicketMixin, TicketPermissionMixin

# The portal's pages other apps add panels to (registry.add_page_panel; their context is
# given None): its home, and the page where a requester asks for help (the knowledge base
# suggests articles there as they type).
PORTAL_HOME = "servicedesk.portal_home"
PORTAL_NEW = "servicedesk.portal_new"


class PortalHomeView(TicketPermissionMixin, TemplateView):
    permission_action = "view"
    template_name = "servicedesk/portal/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        mine = Ticket.objects.visible_to(self.request.user).filter(
            requester__user=self.request.user).order_by("-created_at")
        context["open_tickets"] = [t for t in mine if t.status not in (Status.CLOSED,
                                                                        Status.CANCELLED)][:50]
        context["closed_tickets"] = [t for t in mine if t.status in (Status.CLOSED,
                                                                      Status.CANCELLED)][:20]
        # What other apps show requesters here (service status: what is down or planned;
        # the knowledge base).
        context["panels"] = registry.page_panels_for(PORTAL_HOME, None, self.request.user)
        return context


class PortalNewView(TicketPermissionMixin, TemplateView):
    permission_action = "add"
    template_name = "servicedesk/portal/new.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = registry.page_panels_for(PORTAL_NEW, None, self.request.user)
        return context

    def systems(self, person) -> list:
        """The systems to ask about: the requester's unit's and the council's services."""
        org_id = self.request.user.active_organisation_id
        return concerns.portal_systems(org_id, getattr(person, "service_unit_id", None))

    def get(self, request):
        person = queries.person_for(request.user, request.user.active_organisation_id)
        return self.render_to_response(self.get_context_data(form=forms.PortalTicketForm(
            initial={"submission_key": uuid.uuid4().hex}, systems=self.systems(person))))

    def post(self, request):
        org_id = request.user.active_organisation_id
        person = queries.person_for(request.user, org_id)
        form = forms.PortalTicketForm(request.POST, request.FILES, systems=self.systems(person))
        if person is None:
            form.add_error(None, "Your account is not linked to anyone in the staff directory. "
                                 "Call the service desk instead.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.raise_ticket(
                    org_id, actor=request.user, ticket_type=data["ticket_type"], title=data["title"],
                    description=data["description"], impact=3, urgency=data["urgency"],
                    idempotency_key=data.get("submission_key") or None,
                    files=data["attachments"], **form.concerns())
            except ValidationError as exc:
                add_service_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Thank you. Your reference is {ticket.reference}.")
                return HttpResponseRedirect(reverse("servicedesk:portal_ticket", args=[ticket.pk]))
        form.files_not_kept()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortalTicketView(TicketMixin, TemplateView):
    template_name = "servicedesk/portal/ticket.html"
    related = (*TicketMixin.related, *concerns.REQUESTER_RELATED)

    def get_context_data(self, **kwargs):
        ticket = self.get_ticket(kwargs["pk"])
        return portal_context(self.request, ticket, forms=kwargs.get("forms"))


def portal_context(request, ticket, *, forms=None) -> dict:
    forms = forms or {}
    user = request.user
    offers = offered(services.TICKET_ACTIONS, ticket, user, "servicedesk:portal_ticket", forms)
    return {
        "ticket": ticket,
        "system": concerns.system_in_words(ticket),
        "timeline": TimelineEntry.objects.visible_to(user)
        .filter(ticket=ticket, kind__in=[EntryKind.REPLY, EntryKind.STATUS,
                                         EntryKind.SATISFACTION]),
        "actions": {name: offer for name, offer in offers.items()
                    if name in ("reply", "confirm", "reopen", "rate")},
        "reply_form": forms.get("reply") or services.reply.form(record=ticket, user=user),
        "reopen_form": forms.get("reopen") or services.reopen.form(record=ticket, user=user),
        "rate_form": forms.get("rate") or services.rate.form(record=ticket, user=user),
        "rating": getattr(ticket, "satisfaction", None) if hasattr(ticket, "satisfaction")
        else None,
        "is_requester": ticket.requester.user_id == user.pk,
        # The files sent with the request (or added by the desk), so none seems lost.
        "attachments": attachments_for(ticket, user),
        "action_error": failure(forms),
    }


def portal_page(request, ticket, *, forms=None, conflict=None, status=400):
    """The requester's page of their ticket again, with the form they sent and its
    messages (the record action failed)."""
    fresh = Ticket.objects.visible_to(request.user).select_related(
        "requester", *concerns.REQUESTER_RELATED).get(pk=ticket.pk)
    return render(request, "servicedesk/portal/ticket.html",
                  portal_context(request, fresh, forms=forms), status=status)


def portal_url(ticket) -> str:
    return reverse("servicedesk:portal_ticket", args=[ticket.pk])
