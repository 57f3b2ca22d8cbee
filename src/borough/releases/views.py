"""Release management's pages beyond the generic ones: a release's page (its changes, its
software, its stages and the actions the reader may take) and the figures."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from borough.core import scope
from borough.core.actions import failure, offered
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin
from borough.core.views.records import ObjectDetailView
from borough.releases import models as m
from borough.releases import queries, services
from borough.releases.lifecycle import RELEASE


def _actions(actions, record, user, url_base, forms_=None) -> list:
    return [(offer.action, offer.url, offer.form or offer.action.form(record=record, user=user))
            for offer in offered(actions, record, user, url_base, forms_).values()]


class ReleaseDetailView(ObjectDetailView):
    template_name = "releases/release_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "decided_by", "created_by",
                                                     "updated_by")

    def get_context_data(self, forms=None, conflict=None, **kwargs):
        context = super().get_context_data(**kwargs)
        release, user = context["object"], self.request.user
        context["record_actions"] = _actions(services.RELEASE_ACTIONS, release, user,
                                             "releases:release", forms)
        context["action_error"] = failure(forms)
        context["conflict"] = conflict
        context["changes"] = list(release.changes.all().select_related("owner")
                                  .order_by("reference"))
        context["software"] = list(release.items.select_related("software", "licence"))
        context["may_add_software"] = (release.status in m.BEFORE_LIVE and scope.can(
            user, "add", m.ReleaseItem, release.organisation_id))
        context["lifecycle_state"] = RELEASE.label(release.status)
        return context


def release_page(request, record, *, forms=None, conflict=None, status=200):
    """The release's page with a failed action's form bound (core.views.actions)."""
    view = ReleaseDetailView(entry=registry.get(m.Release))
    view.setup(request, pk=record.pk)
    response = view.render_to_response(view.get_context_data(forms=forms, conflict=conflict))
    response.status_code = status
    return response


class FiguresView(EntryViewMixin, TemplateView):
    """Releases live, the share tested first, emergencies, on time and no-go decisions,
    over the last twelve months and the last three, each with its counts."""

    entry = registry.get(m.Release)
    permission_action = "view"
    template_name = "releases/figures.html"

    def get(self, request, *args, **kwargs):
        if request.GET:
            return HttpResponse("The figures page takes no parameters.", status=400,
                                content_type="text/plain; charset=utf-8")
        now = timezone.now()
        releases = m.Release.objects.visible_to(request.user)
        periods = [(label, queries.figures(releases, now - timedelta(days=days), now))
                   for label, days in (("The last 12 months", 365), ("The last 3 months", 91))]
        return self.render_to_response(self.get_context_data(periods=periods))
