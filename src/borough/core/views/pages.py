from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.views import View
from django.views.generic import TemplateView

from borough.core.context_processors import menu_for
from borough.core.home import panels_for
from borough.core.search import MIN_LENGTH, search


class HomeView(LoginRequiredMixin, TemplateView):
    permission_action = "view"
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sections"] = menu_for(self.request)
        context["panels"] = panels_for(self.request)
        return context


class SectionView(LoginRequiredMixin, View):
    """An app's own address (/service-desk/) opens the first page of its menu section
    under that address that the user may open: for an app with a section of its own, the
    page the top navigation links to, so the two agree; for one whose pages sit in a
    shared section (email's, under Administration), its own first page."""

    permission_action = "view"
    section: str = ""
    # What the app's pages are, in words, for the refusal ("no email page").
    noun: str = ""

    def get(self, request, *args, **kwargs):
        pages = [p for p in menu_for(request).get(self.section, ())
                 if p["url"].startswith(request.path)]
        if not pages:
            raise PermissionDenied(
                f"Your role opens no {self.noun or self.section.lower()} page.")
        return HttpResponseRedirect(pages[0]["url"])


class SearchView(LoginRequiredMixin, TemplateView):
    permission_action = "view"
    template_name = "core/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text = self.request.GET.get("q", "")[:200]
        context["q"] = text
        context["too_short"] = 0 < len(text.strip()) < MIN_LENGTH
        context["groups"] = search(self.request.user, text)
        return context


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured (tasks run inline)"
    from borough.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any broker failure is reported, not raised
        return f"unavailable: {type(exc).__name__}"


class HealthView(View):
    """Public liveness report: database, broker and the periodic jobs' last outcomes.
    Says nothing about data."""

    permission_action = "public"

    def get(self, request):
        try:
            with connection.cursor() as cursor:  # the probe reads no table: no ORM spelling
                cursor.execute("SELECT 1")
            database = "ok"
        except Exception as exc:  # noqa: BLE001
            database = f"unavailable: {type(exc).__name__}"
        broker = broker_status()
        healthy = database == "ok" and not broker.startswith("unavailable")
        body = {"status": "ok" if healthy else "degraded", "database": database, "broker": broker}
        if database == "ok":
            # Job names and outcomes only (no results or errors: this page is public).
            # A failing job degrades nothing here: the site still serves.
            from borough.core.jobs import job_statuses, queue_length, stalled_work

            try:
                statuses = job_statuses()
                body["queue_length"] = queue_length()
                body["jobs"] = {s.name: s.last.outcome if s.last else "not run yet"
                                for s in statuses}
                body["failing_jobs"] = [s.name for s in statuses if s.failing]
                # Work a worker took and never finished (it died holding it): counts only,
                # and a warning, not a failure; /jobs/ shows what they are.
                body["warnings"] = {s.name: s.count for s in stalled_work()}
            except (OperationalError, InterfaceError) as exc:
                # The database went away after the probe (a restart): still unavailable.
                healthy = False
                body = {"status": "degraded", "database": f"unavailable: {type(exc).__name__}",
                        "broker": broker}
        return JsonResponse(body, status=200 if healthy else 503)


class NotificationsView(LoginRequiredMixin, TemplateView):
    """The signed-in user's own notifications; opening the page marks them read."""

    permission_action = "view"
    template_name = "core/notifications.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from borough.core.models import Notification

        context = super().get_context_data(**kwargs)
        mine = Notification.objects.visible_to(self.request.user)
        context["notifications"] = list(mine[:100])
        return context | {"mark_read_at": timezone.now()}

    def post(self, request):
        from django.http import HttpResponseRedirect
        from django.urls import reverse
        from django.utils import timezone

        from borough.core.models import Notification

        Notification.objects.visible_to(request.user).filter(read_at__isnull=True).update(
            read_at=timezone.now())
        return HttpResponseRedirect(reverse("core:notifications"))
