"""The page a requester's email links to: their ticket, and confirming the fix,
reopening or rating it, with no login. The signed link is the key to one ticket for one
person; the services decide what that person may do."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from borough.mail import links


class TicketLinkView(View):
    permission_action = "public"  # the signed link is the permission
    http_method_names = ["get", "post"]

    def _records(self, token):
        from borough.organisation.models import Person
        from borough.servicedesk.models import Ticket

        found = links.read(token)
        if found is None:
            raise Http404("This link is not valid, or it is too old.")
        ticket = Ticket.objects.filter(pk=found[0]).select_related("requester").first()
        person = Person.objects.filter(pk=found[1]).first()
        if ticket is None or person is None or ticket.requester_id != person.pk:
            raise Http404("This link is not valid, or it is too old.")
        return ticket, person

    def get(self, request, token):
        from borough.servicedesk.forms import RateForm
        from borough.servicedesk.models import PUBLIC_KINDS, Satisfaction

        ticket, person = self._records(token)
        timeline = ticket.timeline.filter(kind__in=PUBLIC_KINDS).order_by("created_at", "id")
        return render(request, "mail/ticket_link.html", {
            "ticket": ticket, "person": person, "timeline": timeline, "token": token,
            "rating": Satisfaction.objects.filter(ticket=ticket).first(),
            "rate_form": RateForm(),
        })

    def post(self, request, token):
        from borough.servicedesk import services

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
        return HttpResponseRedirect(reverse("mail:ticket_link", args=[token]))
