"""Change management's pages beyond the generic ones: a change's page (its conflicts,
risk answers, the impact analysis it keeps, the board's votes, the incidents it caused, the
problems it fixes, its planned-work announcement and the actions the reader may take),
raising one (from a problem: its permanent fix), linking an incident it caused (or raising
one), a meeting's page with its agenda and the printable
agenda and minutes, the forward schedule (month, week, list) and the figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from borough.catalogue.models import BusinessService
from borough.changes import calendar as ical
from borough.changes import forms, queries, services
from borough.changes import models as m
from borough.changes.lifecycle import CHANGE, is_chair, seat_of
from borough.core.actions import failure, offered
from borough.core.api.viewsets import model_key
from borough.core.ids import parse_id
from borough.core.registry import registry
from borough.core.views import feeds as feeds_views
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectCreateView, ObjectDetailView
from borough.problems.models import Problem
from borough.status import queries as status_queries

ZONE = ZoneInfo(settings.TIME_ZONE)


def _actions(actions, record, user, url_base, forms_=None) -> list:
    return [(offer.action, offer.url, offer.form or offer.action.form(record=record, user=user))
            for offer in offered(actions, record, user, url_base, forms_).values()]


class ChangeDetailView(ObjectDetailView):
    template_name = "changes/change_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related(
            "template", "requester", "owner", "board__chair", "board__chair_deputy",
            "authorised_by", "created_by", "updated_by")

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        change, user = context["object"], self.request.user
        context["record_actions"] = _actions(services.CHANGE_ACTIONS, change, user,
                                             "changes:change", forms)
        context["action_error"] = failure(forms)
        context["conflict"] = conflict
        context["items"] = list(change.configuration_items.all().select_related("ci_class"))
        context["services"] = list(change.services.all())
        context["conflicts"] = (queries.conflicts_of(change) if change.status in m.PLANNED
                                or change.status == m.Status.DRAFT else [])
        context["votes"] = queries.votes_of(change) if change.round else []
        context["seats"] = seats(change, context["votes"])
        context["quorum"] = change.board.quorum if change.board_id else None
        context["incidents"] = queries.incidents_caused_by(change, user)
        context["announcements"] = status_queries.for_source(change, user)
        context["problems"] = queries.problems_fixed_by(change, user)
        context["my_seat"] = seat_of(user, change) if change.status == m.Status.AUTHORISATION \
            else None
        context["is_chair"] = is_chair(user, change.board) if change.board_id else False
        context["agenda"] = list(change.agenda_items.select_related("meeting__board"))
        context["lifecycle_state"] = CHANGE.label(change.status)
        return context


def seats(change: m.Change, votes: list) -> list[dict]:
    """Each active seat of the change's board with its vote in this round, if cast."""
    if not change.board_id:
        return []
    cast = {v.seat_id: v for v in votes}
    return [{"seat": s, "vote": cast.get(s.pk)} for s in change.board.members.filter(
        is_active=True).select_related("member", "deputy")]


def change_page(request, record, *, forms=None, conflict=None, status=200):
    """The change's page with a failed action's form bound (core.views.actions)."""
    view = ChangeDetailView(entry=registry.get(m.Change))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


def _refused(request, message: str):
    """A page asked for with a record the user cannot see (or none): said, with a 400."""
    return render(request, "400.html", {"message": message}, status=400)


def _asked(request, name: str, queryset):
    """The record `?<name>=<id>` names among `queryset` (visible to the user): (record,
    None); or (None, None) when not asked; or (None, refusal) when it names none."""
    raw = request.GET.get(name)
    if raw is None:
        return None, None
    record = queryset.filter(pk=parse_id(raw) or 0).first()
    if record is None:
        noun = queryset.model._meta.verbose_name
        return None, _refused(request, f"No {noun} you can read has the id “{raw[:20]}”: "
                                       f"open the {noun} and follow its link again.")
    return record, None


class ChangeCreateView(ObjectCreateView):
    """Raising a change; from a problem's page (`?problem=<id>`), its permanent fix: the
    form starts from the problem (title, why, its service and items) and links it."""

    def get(self, request, *args, **kwargs):
        problem, refusal = _asked(request, "problem", Problem.objects.visible_to(request.user))
        if refusal is not None:
            return refusal
        form = self.get_form(None)
        if problem is not None:
            form.initial.update(fix_of(problem))
        return self.render_to_response(self.get_context_data(form=form, object=None))


def fix_of(problem: Problem) -> dict:
    """A change's form filled in from the problem whose permanent fix it makes."""
    why = (problem.root_cause or problem.description or "").strip()
    return {"title": f"Permanent fix for {problem.reference}: {problem.title}"[:200],
            "reason": f"The permanent fix for problem {problem.reference}."
                      + (f" Root cause: {why}" if why else ""),
            "services": [problem.service_id] if problem.service_id else [],
            "configuration_items": list(problem.cis.all()),
            "problems": [problem.pk]}


class CausedIncidentCreateView(ObjectCreateView):
    """Linking an incident a change caused (from the change's page, `?change=<id>`): one
    already raised, or a new one raised with the link (services.link_caused_incident)."""

    def get(self, request, *args, **kwargs):
        change, refusal = _asked(request, "change", m.Change.objects.visible_to(request.user))
        if refusal is not None:
            return refusal
        form = self.get_form(None)
        if change is not None:
            form.initial["change"] = change.pk
        return self.render_to_response(self.get_context_data(form=form, object=None))

    def get_form(self, instance, data=None, files=None):
        if instance is None:
            instance = self.model(organisation_id=self.request.user.active_organisation_id)
        return self.entry.form(data=data, files=files, instance=instance,
                               user=self.request.user, offer_new=True)

    def save(self, form, instance):
        data = form.cleaned_data
        return services.link_caused_incident(
            data["change"], actor=self.request.user, ticket=data.get("ticket"),
            title=data.get("new_title") or "", description=data.get("new_description") or "",
            note=data.get("note") or "",
            idempotency_key=model_key(m.CausedIncident, data.get("submission_key")))


class MeetingDetailView(ObjectDetailView):
    template_name = "changes/meeting_detail.html"

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = context["object"]
        context.update(agenda_context(meeting))
        context["record_actions"] = _actions(services.MEETING_ACTIONS, meeting,
                                             self.request.user, "changes:meeting", forms)
        context["action_error"] = failure(forms)
        return context


def agenda_context(meeting: m.Meeting) -> dict:
    items = list(meeting.items.select_related("change__owner", "change__template"))
    for item in items:
        item.conflicts = queries.conflicts_of(item.change)
        item.votes = queries.votes_of(item.change)
    return {"agenda": items, "attendees": list(meeting.attendees.all()),
            "members": list(meeting.board.members.filter(is_active=True).select_related(
                "member", "deputy"))}


def meeting_page(request, record, *, forms=None, conflict=None, status=200):
    view = MeetingDetailView(entry=registry.get(m.Meeting))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


class MeetingPrintView(EntryViewMixin, TemplateView):
    """The agenda and minutes on a page of their own, for printing (a print stylesheet
    leaves out Borough's header and menus)."""

    entry = registry.get(m.Meeting)
    permission_action = "view"
    template_name = "changes/meeting_print.html"

    def get(self, request, pk):
        meeting = get_object_or_404(m.Meeting.objects.visible_to(request.user)
                                    .select_related("board__chair"), pk=pk)
        return self.render_to_response(self.get_context_data(object=meeting,
                                                             **agenda_context(meeting)))


# --- the forward schedule ------------------------------------------------------------------

VIEWS = ("month", "week", "list")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZONE)


class ScheduleView(EntryViewMixin, TemplateView):
    """The forward schedule of change: a month or a week as a calendar, or a list, with
    blackout and freeze windows and every conflict the schedule finds."""

    entry = registry.get(m.Change)
    permission_action = "view"
    template_name = "changes/schedule.html"

    def get(self, request, *args, **kwargs):
        unknown = sorted(set(request.GET) - {"view", "date", "service"})
        view = request.GET.get("view", "month")
        raw_day = request.GET.get("date", "")
        try:
            day = date.fromisoformat(raw_day) if raw_day else timezone.localdate()
        except ValueError:
            day = None
        service_id = parse_id(request.GET.get("service")) if request.GET.get("service") else None
        if unknown or view not in VIEWS or day is None or (
                request.GET.get("service") and service_id is None):
            return HttpResponse(
                "Unknown or malformed parameter: the schedule takes view (month, week or "
                "list), date (like 2026-05-01) and service (a service's id).", status=400,
                content_type="text/plain; charset=utf-8")
        if view == "week":
            first = day - timedelta(days=day.weekday())
            last = first + timedelta(days=7)
            previous, following = first - timedelta(days=7), last
        else:
            first = day.replace(day=1)
            last = (first + timedelta(days=32)).replace(day=1)
            previous = (first - timedelta(days=1)).replace(day=1)
            following = last
        found = queries.schedule(request.user, _local_midnight(first), _local_midnight(last),
                                 service_id=service_id)
        conflicted = found.conflicted
        services_ = list(BusinessService.objects.visible_to(request.user).order_by("name"))
        context = self.get_context_data(
            view=view, first=first, last=last - timedelta(days=1), schedule=found,
            conflicted=conflicted, services=services_, service_id=service_id,
            previous=previous.isoformat(), following=following.isoformat(),
            weeks=_weeks(first, last, found, conflicted) if view != "list" else [],
            rows=[(c, conflicted.get(c.pk, [])) for c in found.changes])
        return self.render_to_response(context)


def _weeks(first: date, last: date, found: queries.Schedule, conflicted) -> list[list[dict]]:
    """The calendar's weeks, Monday first, each day with the changes and windows on it."""
    start = first - timedelta(days=first.weekday())
    days = []
    day = start
    while day < last or day.weekday() != 0:
        lo, hi = _local_midnight(day), _local_midnight(day + timedelta(days=1))
        days.append({
            "date": day, "outside": not (first <= day < last),
            "changes": [(c, bool(conflicted.get(c.pk))) for c in found.changes
                        if c.planned_start < hi and c.planned_end > lo],
            "windows": [w for w in found.windows if w.starts_at < hi and w.ends_at > lo]})
        day += timedelta(days=1)
    return [days[i:i + 7] for i in range(0, len(days), 7)]


class FiguresView(EntryViewMixin, TemplateView):
    """Change success rate, emergency change ratio and changes causing incidents, over the
    last twelve months and the last three, each with the counts behind it."""

    entry = registry.get(m.Change)
    permission_action = "view"
    template_name = "changes/figures.html"

    def get(self, request, *args, **kwargs):
        if request.GET:
            return HttpResponse("The figures page takes no parameters.", status=400,
                                content_type="text/plain; charset=utf-8")
        now = timezone.now()
        changes = m.Change.objects.visible_to(request.user)
        periods = [("The last 12 months", queries.figures(changes, now - timedelta(days=365),
                                                          now)),
                   ("The last 3 months", queries.figures(changes, now - timedelta(days=91),
                                                         now))]
        return self.render_to_response(self.get_context_data(periods=periods))


# --- the schedule as iCalendar ------------------------------------------------------------

class FeedsView(EntryViewMixin, TemplateView):
    """The signed-in person's secret addresses of the schedule: every change they may
    read, or one service's; make one (shown once), stop one."""

    entry = registry.get(m.Change)
    permission_action = "view"
    template_name = "changes/feeds.html"

    def _services(self):
        return BusinessService.objects.visible_to(self.request.user).order_by("name")

    def feeds(self):
        return list(m.ScheduleFeed.objects.filter(
            user=self.request.user, organisation_id=self.request.user.active_organisation_id,
            revoked_at__isnull=True).select_related("service"))

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(
            feeds=self.feeds(), form=forms.FeedForm(services=self._services())))

    def post(self, request, *args, **kwargs):
        form = forms.FeedForm(request.POST, services=self._services())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(feeds=self.feeds(),
                                                                 form=form), status=400)
        feed, raw = services.create_feed(
            request.user, request.user.active_organisation_id, actor=request.user,
            service=form.cleaned_data["service"],
            idempotency_key=form.cleaned_data["submission_key"] or None)
        if feed is None:
            messages.info(request, "That was sent twice: the address was made the first "
                                   "time. If you did not copy it, stop it and make another.")
            return HttpResponseRedirect(reverse("changes:feeds"))
        address = request.build_absolute_uri(reverse("changes:feed", args=[raw]))
        return self.render_to_response(self.get_context_data(
            feeds=self.feeds(), form=forms.FeedForm(services=self._services()),
            new_address=address, new=feed))


class FeedRevokeView(feeds_views.FeedRevokeView):
    model = m.ScheduleFeed
    back = "changes:feeds"


class FeedView(View):
    """The schedule (iCalendar, RFC 5545) at a secret address, for calendar programs,
    which cannot sign in: three months back to a year ahead, as its owner may read it.
    Read-only; an unknown or stopped address is a 404."""

    permission_action = "public"
    http_method_names = ["get", "head"]

    def get(self, request, secret):
        reader = services.feed_reader(secret)
        if reader is None:
            raise Http404("No such calendar.")
        user, feed = reader
        now = timezone.now()
        found = m.Change.objects.visible_to(user).filter(
            status__in=(*m.PLANNED, *m.FINISHED), planned_start__lt=now + timedelta(days=366),
            planned_end__gt=now - timedelta(days=92))
        if feed.service_id:
            found = found.filter(services=feed.service_id)
        name = f"Changes: {feed.service.name}" if feed.service_id else "Forward schedule of change"
        body = ical.render(list(found.order_by("planned_start", "pk")[:2000]),
                           base_url=request.build_absolute_uri("/"), name=name)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="changes.ics"'
        response["Cache-Control"] = "private, max-age=900"
        response["X-Robots-Tag"] = "noindex"
        return response


