"""The page a requester's email links to: their ticket, and confirming the fix,
reopening or rating it, with no login. The signed link (servicedesk.links) is the key to
one ticket for one person; the services decide what that person may do.

Emails sent before the page moved here link to /mail/t/<token>/: that address answers
with a redirect to this page that keeps the method, so its buttons still work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from borough.core.actions import failure
from borough.core.views.actions import perform
from borough.servicedesk import concerns, links, services
from borough.servicedesk.models import PUBLIC_KINDS, Satisfaction, Ticket

NOT_VALID = "This link is not valid, or it is too old."


# What the person a signed link speaks for may do from it (record actions of the ticket).
LINK_ACTIONS = ("confirm", "reopen", "rate")


def ticket_for(token):
    """The ticket and requester the signed link is for; 404 for any other token."""
    found = links.read(token)
    if found is None:
        raise Http404(NOT_VALID)
    ticket = Ticket.objects.filter(pk=found[0]).select_related(
        "requester", *concerns.REQUESTER_RELATED).first()
    if ticket is None or ticket.requester_id != found[1]:
        raise Http404(NOT_VALID)
    return ticket, ticket.requester


def link_page(request, token, ticket, person, *, forms=None, status=200):
    forms = forms or {}
    timeline = ticket.timeline.filter(kind__in=PUBLIC_KINDS).order_by("created_at", "id")
    return render(request, "servicedesk/requester_link.html", {
        "ticket": ticket, "person": person, "system": concerns.system_in_words(ticket),
        "timeline": timeline, "token": token,
        "rating": Satisfaction.objects.filter(ticket=ticket).first(),
        "rate_form": forms.get("rate") or services.rate.form(record=ticket),
        "reopen_form": forms.get("reopen"),
        "action_error": failure(forms),
    }, status=status)


class RequesterLinkView(View):
    permission_action = "public"  # the signed link is the permission
    http_method_names = ["get", "post"]

    def get(self, request, token):
        ticket, person = ticket_for(token)
        return link_page(request, token, ticket, person)

    def post(self, request, token):
        # A page opened before each action had an address of its own (at /mail/t/ too)
        # posts here, naming the action: it is done by that action's own view.
        name = request.POST.get("action")
        if name not in LINK_ACTIONS:
            ticket_for(token)
            messages.error(request, "Choose what to do.")
            return HttpResponseRedirect(reverse("servicedesk:requester_link", args=[token]))
        view = RequesterLinkActionView(record_action=services.TICKET_ACTIONS[name])
        return view.post(request, token)


class RequesterLinkActionView(View):
    """One of LINK_ACTIONS from the signed link's page: the ticket's record action, done
    by Borough on behalf of the requester (`sender`), checked as any other."""

    permission_action = "public"  # the signed link is the permission
    http_method_names = ["post"]
    record_action = None

    def post(self, request, token):
        ticket, person = ticket_for(token)
        action = self.record_action
        form = action.form(request.POST, record=ticket)
        try:
            result, _ = perform(action, form, ticket, None, sender=person)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        if form.errors:
            return link_page(request, token, ticket, person, forms={action.name: form},
                             status=400)
        messages.success(request, action.message(result))
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
