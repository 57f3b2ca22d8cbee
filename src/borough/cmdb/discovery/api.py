"""Directory sources (a register, with Run now as POST …/run/) and their runs
(read-only: Borough writes them)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from borough.cmdb.discovery import filters as f
from borough.cmdb.discovery import services
from borough.cmdb.models import DirectorySource, DiscoveryRun
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import ORGANISATION_HEADER, BaseModelViewSet, ScopedListMixin


class DirectorySourceSerializer(BaseModelSerializer):
    class Meta:
        model = DirectorySource
        fields = [*BaseModelSerializer.base_fields(), "name", "is_enabled", "server_uri",
                  "start_tls", "bind_dn", "password_env", "base_dn", "search_filter",
                  "server_class", "device_class", "server_os_contains", "server_ous", "site",
                  "run_every_hours", "page_size", "attribute_map"]


class DiscoveryRunSerializer(BaseModelSerializer):
    class Meta:
        model = DiscoveryRun
        fields = [*BaseModelSerializer.base_fields(), "source", "trigger", "requested_by",
                  "outcome", "started_at", "finished_at", "seen", "created", "changed",
                  "unchanged", "skipped", "vanished", "returned", "pages", "error", "warnings"]
        read_only_fields = fields


class DirectorySourceViewSet(BaseModelViewSet):
    model = DirectorySource
    serializer_class = DirectorySourceSerializer
    filterset_class = f.DirectorySourceFilterSet
    ordering_fields = ("name", "id")
    select_related = ("server_class", "device_class", "site")
    action_permissions = {"run": "change"}

    @extend_schema(
        request=None, summary="Run discovery now",
        description="Reads the directory and reconciles its computers with the CMDB "
                    "(docs/cmdb.md). Answers with the run: waiting to start when a worker "
                    "will do it, finished when Borough runs tasks inline. Refused (400) "
                    "while another run of the source is waiting or running, or when the "
                    "source is not enabled.",
        responses={202: OpenApiResponse(DiscoveryRunSerializer, description="The run.")})
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        run = services.request_run(self.get_object(), actor=request.user)
        run.refresh_from_db()
        return Response(DiscoveryRunSerializer(run, context=self.get_serializer_context()).data,
                        status=status.HTTP_202_ACCEPTED)


@extend_schema(parameters=[ORGANISATION_HEADER])
class DiscoveryRunViewSet(ScopedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Each run of a directory source and what it did."""

    model = DiscoveryRun
    serializer_class = DiscoveryRunSerializer
    filterset_class = f.DiscoveryRunFilterSet
    ordering_fields = ("created_at", "id")
    select_related = ("source",)
