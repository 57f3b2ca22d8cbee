"""The background jobs' status, for platform administrators (superusers): the jobs are
the installation's, shared by every council it serves."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from borough.core import jobs
from borough.core.registry import registry


class JobsView(LoginRequiredMixin, TemplateView):
    permission_action = "view"
    template_name = "core/jobs.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_superuser:
            raise PermissionDenied("Only platform administrators see the background jobs.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from django.conf import settings

        return super().get_context_data(**kwargs) | {
            "statuses": jobs.job_statuses(), "queue_length": jobs.queue_length(),
            "stalled": jobs.stalled_work(), "records": registry.job_records,
            "broker": bool(settings.CELERY_BROKER_URL)}


class IsSuperuser(permissions.BasePermission):
    message = "Only platform administrators see the background jobs."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


class JobStatusSerializer(serializers.Serializer):
    name = serializers.CharField()
    interval_seconds = serializers.IntegerField()
    last_started_at = serializers.DateTimeField(allow_null=True)
    last_outcome = serializers.CharField(allow_null=True)
    last_result = serializers.CharField(allow_null=True)
    last_error = serializers.CharField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    failures_in_a_row = serializers.IntegerField()


def status_data(status: jobs.JobStatus) -> dict:
    last = status.last
    return {"name": status.name, "interval_seconds": status.interval_seconds,
            "last_started_at": last.started_at if last else None,
            "last_outcome": last.outcome if last else None,
            "last_result": last.result if last else None,
            "last_error": last.error if last else None,
            "last_success_at": status.last_success_at,
            "failures_in_a_row": status.failures_in_a_row}


class JobStatusViewSet(viewsets.ViewSet):
    """Each periodic job's last run, last success and failures since (superusers only)."""

    permission_classes = [permissions.IsAuthenticated, IsSuperuser]

    @extend_schema(responses=JobStatusSerializer(many=True))
    def list(self, request):
        data = [status_data(s) for s in jobs.job_statuses()]
        return Response(JobStatusSerializer(data, many=True).data)
