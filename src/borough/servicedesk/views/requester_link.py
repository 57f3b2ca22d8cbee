"""The page a requester's email links to: their ticket, and confirming the fix,
reopening or rating it, with no login. The signed link (servicedesk.links) is the key to
one ticket for one person; the services decide what that person may do.

Emails sent before the page moved here link to /mail/t/<token>/: that address answers
with a redirect to this page that keeps the method, so its buttons still work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from borough.servicedesk import links, services
from borough.servicedesk.forms import RateForm
from borough.servicedesk.models import PUBLIC_KINDS, Satisfaction, Ticket

NOT_VALID = "This link is not valid, or it is too old."


class RequesterLinkView(View):
    permission_action = "public"  # the signed link is the permission
    http_method_names = ["get", "post"]

    def _records(self, token):
        found = links.read(token)
        if found is None:
            raise Http404(NOT_VALID)
        ticket = Ticket.objects.filter(pk=found[0]).select_related("requester").first()
        if ticket is None or ticket.requester_id != found[1]:
            raise Http404(NOT_VALID)
        return ticket, ticket.requester

    def get(self, request, token):
        ticket, person = self._records(token)
        timeline = ticket.timeline.filter(kind__in=PUBLIC_KINDS).order_by("created_at", "id")
        return render(request, "servicedesk/requester_link.html", {
            "ticket": ticket, "person": person, "timeline": timeline, "token": token,
            "rating": Satisfaction.objects.filter(ticket=ticket).first(),
            "rate_form": RateForm(),
        })

    def post(self, request, token):
        ticket, person = self._records(token)
        action = request.POST.get("action")
        try:
            if action == "confirm":
                services.confirm_resolution(ticket, actor=None)
                messages.success(request, "Thank you for confirming. The ticket is closed.")
            elif action == "reopen":
                services.reopen(ticket, actor=None, sender=person,
                                reason=request.POST.get("reason", ""))
                messages.success(request, "We have reopened your ticket.")
            elif action == "rate":
                services.rate(ticket, actor=None, sender=person,
                              score=request.POST.get("score"),
                              comment=request.POST.get("comment", ""))
                messages.success(request, "Thank you for your feedback.")
            else:
                messages.error(request, "Choose what to do.")
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        return HttpResponseRedirect(reverse("servicedesk:requester_link", args=[token]))


class OldRequesterLinkView(View):
    """/mail/t/<token>/, where the page was: 308, so a form posted from a page opened
    before the move still reaches the new one as a POST. The token is checked there."""

    permission_action = "public"
    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, token):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request)
        return redirect("servicedesk:requester_link", token, permanent=True,
                        preserve_request=True)
