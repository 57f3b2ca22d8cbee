"""Pages of discovery: a directory source's page (with Run now, its recent runs and what
it found), the Run now POST, and the runs' read-only list and pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from borough.cmdb.discovery import filters, services, tables
from borough.cmdb.discovery import validation as v
from borough.cmdb.models import ConfigurationItem, DirectorySource, DiscoveryRun, Trigger
from borough.core import scope
from borough.core.registry import ModelEntry
from borough.core.views.lists import ObjectExportView, ObjectListView
from borough.core.views.records import ObjectDetailView, ObjectHistoryView, ObjectMixin

# The generic list, export and history pages for runs, which Borough writes: no add,
# change or delete pages, and an API route of their own.
RUNS = ModelEntry(DiscoveryRun, filters.DiscoveryRunFilterSet, tables.DiscoveryRunTable)
RECENT_RUNS = 10


def items_url(**query) -> str:
    return reverse("cmdb:configurationitem_list") + "?" + urlencode(query)


class DirectorySourceDetailView(ObjectDetailView):
    template_name = "cmdb/directorysource_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("server_class", "device_class", "site")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source, user = context["object"], self.request.user
        context["runs"] = list(DiscoveryRun.objects.visible_to(user).filter(source=source)
                               .order_by("-created_at", "-id")[:RECENT_RUNS])
        found = ConfigurationItem.objects.visible_to(user).filter(
            discovery_source=source).aggregate(
            total=Count("id"), missing=Count("id", filter=Q(
                missing_from_directory_since__isnull=False)))
        context["found"] = found
        context["found_url"] = items_url(discovery_source=source.pk)
        context["missing_url"] = items_url(discovery_source=source.pk,
                                           missing_from_directory="true")
        context["attribute_rows"] = [
            (f"{what.replace('_', ' ').capitalize()}: {v.ATTRIBUTE_HELP[what]}", name)
            for what, name in source.attribute_names().items()]
        context["can_run"] = source.is_enabled and scope.can(
            user, "change", DirectorySource, source.organisation_id)
        return context


class RunNowView(ObjectMixin, TemplateView):
    """POST: ask for a run of the source; the page of the run follows."""

    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        source = self.get_object()
        try:
            run = services.request_run(source, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(self.detail_url(source))
        run.refresh_from_db()
        if run.finished:
            messages.success(request, f"Discovery from {source} finished: "
                                      f"{run.get_outcome_display().lower()}.")
        else:
            messages.success(request, f"Discovery from {source} has started. Reload this "
                                      "page to see how it went.")
        return HttpResponseRedirect(reverse("cmdb:discoveryrun_detail", args=[run.pk]))


class DiscoveryRunListView(ObjectListView):
    permission_action = "view"


class DiscoveryRunExportView(ObjectExportView):
    permission_action = "view"


class DiscoveryRunDetailView(ObjectMixin, TemplateView):
    permission_action = "view"
    template_name = "cmdb/discoveryrun_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("source", "requested_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.get_object()
        context.update(object=run, tabs=self.tabs(run, "detail"), rows=[
            ("Source", run.source), ("How it started", run.get_trigger_display()),
            ("Asked for by", run.requested_by or (
                "Borough's schedule" if run.trigger == Trigger.SCHEDULE else None)),
            ("Outcome", run.get_outcome_display()), ("Started", run.started_at),
            ("Finished", run.finished_at), ("Pages read", run.pages)])
        context["counts"] = [
            ("Computers read", run.seen, None), ("New", run.created, None),
            ("Changed", run.changed, None), ("Unchanged", run.unchanged, None),
            ("Not taken in", run.skipped, None),
            ("Gone from the directory or disabled", run.vanished, items_url(
                discovery_source=run.source_id, missing_from_directory="true")),
            ("Back in the directory", run.returned, None)]
        return context


class DiscoveryRunHistoryView(ObjectHistoryView):
    permission_action = "view"
