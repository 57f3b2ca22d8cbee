"""Self-service for staff: raise, follow, reply, confirm or reopen, and rate."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from borough.servicedesk import forms, queries, services
from borough.servicedesk.models import EntryKind, Status, Ticket, TimelineEntry
from borough.servicedesk.views.workspace import TicketMixin, TicketPermissionMixin


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
        return context


class PortalNewView(TicketPermissionMixin, TemplateView):
    permission_action = "add"
    template_name = "servicedesk/portal/new.html"

    def get(self, request):
        return self.render_to_response(
            {"form": forms.PortalTicketForm(initial={"submission_key": uuid.uuid4().hex})})

    def post(self, request):
        form = forms.PortalTicketForm(request.POST)
        org_id = request.user.active_organisation_id
        if queries.person_for(request.user, org_id) is None:
            form.add_error(None, "Your account is not linked to anyone in the staff directory. "
                                 "Call the service desk instead.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.raise_ticket(
                    org_id, actor=request.user, ticket_type=data["ticket_type"], title=data["title"],
                    description=data["description"], impact=3, urgency=data["urgency"],
                    idempotency_key=data.get("submission_key") or None)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, f"Thank you. Your reference is {ticket.reference}.")
                return HttpResponseRedirect(reverse("servicedesk:portal_ticket", args=[ticket.pk]))
        return self.render_to_response({"form": form}, status=400)


class PortalTicketView(TicketMixin, TemplateView):
    template_name = "servicedesk/portal/ticket.html"

    def get_context_data(self, **kwargs):
        ticket = self.get_ticket(kwargs["pk"])
        return {
            "ticket": ticket,
            "timeline": TimelineEntry.objects.visible_to(self.request.user)
            .filter(ticket=ticket, kind__in=[EntryKind.REPLY, EntryKind.STATUS,
                                             EntryKind.SATISFACTION]),
            "reply_form": kwargs.get("reply_form") or forms.ReplyForm(),
            "rate_form": kwargs.get("rate_form") or forms.RateForm(),
            "rating": getattr(ticket, "satisfaction", None) if hasattr(ticket, "satisfaction")
            else None,
            "is_requester": ticket.requester.user_id == self.request.user.pk,
        }


class PortalActionView(TicketMixin, View):
    # Replying, confirming, reopening and rating are writes: roles that may raise tickets
    # (requesters, staff) may do them on tickets they see; an Auditor may not (rule 6).
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request, pk, action):
        ticket = self.get_ticket(pk)
        try:
            if action == "reply":
                services.reply(ticket, body=request.POST.get("body", ""), actor=request.user)
                messages.success(request, "Your reply has been sent.")
            elif action == "confirm":
                services.confirm_resolution(ticket, actor=request.user)
                messages.success(request, "Thank you for confirming. The ticket is closed.")
            elif action == "reopen":
                services.reopen(ticket, actor=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "We have reopened your ticket.")
            elif action == "rate":
                services.rate(ticket, actor=request.user, score=request.POST.get("score"),
                              comment=request.POST.get("comment", ""))
                messages.success(request, "Thank you for your feedback.")
            else:
                raise PermissionDenied("Unknown action.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("servicedesk:portal_ticket", args=[pk]))
