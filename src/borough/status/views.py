"""Service status pages: the status page (every live service's state now, what is
happening and coming up, recent history, subscribing), an announcement's page with its
updates and actions, announcing a major incident's outage, and the panels other pages
show (the portal's and the home page's current announcements, the ticket's)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from borough.core import scope
from borough.core.actions import failure, offered
from borough.core.api.viewsets import model_key
from borough.core.forms import add_service_error
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectCreateView, ObjectDetailView
from borough.servicedesk.models import DONE_STATUSES, Ticket
from borough.status import forms, queries, services
from borough.status import models as m


class StatusPageView(EntryViewMixin, TemplateView):
    """The council's status page: for everyone signed in to it, requesters included."""

    permission_action = "view"
    template_name = "status/status_page.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organisation_id = user.active_organisation_id
        now = timezone.now()
        current, upcoming = queries.current_and_upcoming(user, now)
        context.update(
            current=current, upcoming=upcoming,
            general=[a for a in current if not a.services.all()],
            states=queries.service_states(user, organisation_id, current, upcoming),
            recent=queries.recent(user, now),
            may_subscribe=scope.can(user, "add", m.Subscription, organisation_id),
            may_announce=scope.can(user, "add", m.Announcement, organisation_id),
            history_days=queries.HISTORY_DAYS, upcoming_days=queries.UPCOMING_DAYS)
        return context


PERIODS = (30, 91, 365)


class FiguresView(EntryViewMixin, TemplateView):
    """Outages and degraded service per service over a period, with the minutes lost:
    what the availability work reads (status.queries.outages_by_service)."""

    permission_action = "change"  # the people who publish announcements
    template_name = "status/figures.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("days", "91")
        days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 91
        end = timezone.now()
        rows = queries.outages_by_service(self.request.user.active_organisation_id,
                                          end - timedelta(days=days), end, now=end)
        context.update(rows=rows, days=days, periods=PERIODS,
                       total_outages=sum(r.outages for r in rows),
                       total_minutes=sum(r.minutes_lost for r in rows))
        return context


class SubscribeView(EntryViewMixin, TemplateView):
    """POST only: subscribe the signed-in person to a service, or unsubscribe them."""

    permission_action = "add"
    http_method_names = ["post"]
    unsubscribe = False

    def post(self, request, pk):
        service = queries.subscribable_services(request.user.active_organisation_id).filter(
            pk=pk).first()
        if service is None:
            raise Http404("No such service.")
        try:
            if self.unsubscribe:
                services.unsubscribe(service, actor=request.user)
                messages.success(request, f"You will no longer be emailed about {service.name}.")
            else:
                services.subscribe(service, actor=request.user)
                messages.success(request, f"You will be emailed when {service.name} has an "
                                          "announcement.")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseRedirect(reverse("status:page") + f"#service-{service.pk}")


class UnsubscribeView(SubscribeView):
    permission_action = "delete"
    unsubscribe = True


class AnnouncementCreateView(ObjectCreateView):
    """A new announcement, opened through services.announce (its subscribers emailed)."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None:
            form.initial.setdefault("starts_at", timezone.localtime().replace(
                second=0, microsecond=0))
        return form

    def save(self, form, instance):
        data = form.cleaned_data
        return services.announce(
            self.request.user.active_organisation_id, actor=self.request.user,
            title=data["title"], kind=data["kind"], services=data["services"],
            starts_at=data["starts_at"], expected_end_at=data.get("expected_end_at"),
            description=data.get("description", ""),
            idempotency_key=model_key(m.Announcement, data.get("submission_key")))


class AnnouncementDetailView(ObjectDetailView):
    template_name = "status/announcement_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("source_type", "created_by",
                                                     "updated_by")

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        announcement, user = context["object"], self.request.user
        offers = offered(services.ANNOUNCEMENT_ACTIONS, announcement, user,
                         "status:announcement", forms)
        context["record_actions"] = [
            (offer.action, offer.url, offer.form or offer.action.form(record=announcement,
                                                                      user=user))
            for offer in offers.values()]
        context["action_error"] = failure(forms)
        context["conflict"] = conflict
        context["updates"] = list(announcement.updates.all())
        context["services"] = list(announcement.services.all())
        context["source_url"] = source_url(announcement, user)
        return context


def source_url(announcement: m.Announcement, user) -> str:
    """A link to the record it came from, for those who may open it."""
    if announcement.source_type_id is None:
        return ""
    model = announcement.source_type.model_class()
    if model is None or model not in registry.entries:
        return ""
    found = model.objects.visible_to(user).filter(pk=announcement.source_id).first()
    if found is None:
        return ""
    if model is Ticket and not user.has_perm("servicedesk.work_tickets", found):
        return ""
    return found.get_absolute_url()


def announcement_page(request, record, *, forms=None, conflict=None, status=200):
    """The announcement's page with a failed action's form bound (core.views.actions)."""
    view = AnnouncementDetailView(entry=registry.get(m.Announcement))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


class AnnounceOutageView(EntryViewMixin, TemplateView):
    """"Announce outage" on a major incident: the announcement's wording and services,
    taken from the ticket; opened through services.announce_outage."""

    permission_action = "add"
    template_name = "status/announce_outage.html"

    def ticket(self) -> Ticket:
        ticket = get_object_or_404(Ticket.objects.visible_to(self.request.user)
                                   .select_related("service"), pk=self.kwargs["pk"])
        if not self.request.user.has_perm("servicedesk.work_tickets", ticket):
            raise PermissionDenied("Only service desk staff can announce an incident.")
        return ticket

    def form(self, ticket, data=None):
        services_offered = queries.subscribable_services(ticket.organisation_id)
        initial = {"title": ticket.title, "kind": m.Kind.OUTAGE,
                   "services": [ticket.service_id] if ticket.service_id else []}
        return forms.OutageForm(data, services=services_offered, initial=initial,
                                auto_id="outage-%s")

    def get(self, request, pk):
        ticket = self.ticket()
        return self.render_to_response(self.get_context_data(ticket=ticket,
                                                             form=self.form(ticket)))

    def post(self, request, pk):
        ticket = self.ticket()
        form = self.form(ticket, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                announcement = services.announce_outage(
                    ticket, actor=request.user, title=data["title"], kind=data["kind"],
                    services=list(data["services"]), description=data["description"],
                    expected_end_at=data.get("expected_end_at"),
                    idempotency_key=model_key(m.Announcement, data.get("submission_key")))
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{announcement.reference} is announced. It closes "
                                          f"when {ticket.reference} is resolved.")
                return HttpResponseRedirect(announcement.get_absolute_url())
        return self.render_to_response(self.get_context_data(ticket=ticket, form=form),
                                       status=400)


class SubscriptionCreateView(ObjectCreateView):
    """Subscribing from the list: the person signed in, to a live service."""

    def save(self, form, instance):
        new = form.save(commit=False)
        new.organisation_id = self.request.user.active_organisation_id
        new.user = self.request.user
        return services.add_subscription(
            new, actor=self.request.user,
            idempotency_key=model_key(m.Subscription, form.cleaned_data.get("submission_key")))


# --- panels on other pages -----------------------------------------------------------------

def _visible_now(user) -> dict | None:
    if not scope.can(user, "view", m.Announcement, None):
        return None
    current, upcoming = queries.current_and_upcoming(user)
    return {"current": current, "upcoming": upcoming,
            "status_url": reverse("status:page")}


def portal_panel(subject, user) -> dict | None:
    """The portal home's section: what is down or planned, so a requester need not ask."""
    return _visible_now(user)


def home_panel(request) -> dict | None:
    """The home page's section, for everyone, only when something is happening or
    coming up."""
    found = _visible_now(request.user)
    if found is None or not (found["current"] or found["upcoming"]):
        return None
    return found


def ticket_panel(ticket: Ticket, user) -> dict | None:
    """On a major incident's page: its announcements, and "Announce outage" while it is
    open and not announced. Nothing (no query) on other tickets."""
    if not ticket.is_major_incident:
        return None
    announcements = queries.for_source(ticket, user)
    may_announce = (ticket.status not in DONE_STATUSES
                    and not any(a.is_open for a in announcements)
                    and scope.can(user, "add", m.Announcement, ticket.organisation_id))
    if not announcements and not may_announce:
        return None
    return {"announcements": announcements, "may_announce": may_announce,
            "announce_url": reverse("status:announce_outage", args=[ticket.pk])}
