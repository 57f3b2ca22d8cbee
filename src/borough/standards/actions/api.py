"""The action plan's API: actions (writes through the services, progress notes at
`updates/`, the spreadsheet at `export/csv/` and `export/xlsx/`), corporate plan
objectives, targets and report reviews."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.core import exports
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import (
    IDEMPOTENCY_HEADER,
    LIST_CONTROL_PARAMS,
    BaseModelViewSet,
    model_key,
    required_version,
    write_data,
)
from borough.standards import models as m
from borough.standards.actions import filters as f
from borough.standards.actions import plan, queries, services
from borough.standards.validation import MAX_TEXT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

class CorporateObjectiveSerializer(BaseModelSerializer):
    class Meta:
        model = m.CorporateObjective
        fields = [*BaseModelSerializer.base_fields(), "code", "title", "plan", "description",
                  "is_active"]


class TargetSerializer(BaseModelSerializer):
    class Meta:
        model = m.Target
        fields = [*BaseModelSerializer.base_fields(), "code", "title", "scope", "description",
                  "is_active"]


class CorporateObjectiveViewSet(BaseModelViewSet):
    model = m.CorporateObjective
    serializer_class = CorporateObjectiveSerializer
    filterset_class = f.CorporateObjectiveFilterSet
    ordering_fields = ("code", "title", "id")


class TargetViewSet(BaseModelViewSet):
    model = m.Target
    serializer_class = TargetSerializer
    filterset_class = f.TargetFilterSet
    ordering_fields = ("code", "scope", "title", "id")


@extend_schema_field({"type": "string", "pattern": f"^({'|'.join(m.ActionStatus.values)})$",
                      "description": "not-started, in-progress, blocked, done or cancelled"})
class ActionStatusField(serializers.ChoiceField):
    """An action's status. Described inline in the schema (a pattern, not an enum): several
    models have a field called `status` with different choices, and drf-spectacular would
    give their enums colliding names (only settings.ENUM_NAME_OVERRIDES can name them)."""

    def __init__(self, **kwargs):
        super().__init__(choices=m.ActionStatus.choices, **kwargs)


class ActionUpdateSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    status = ActionStatusField(read_only=True)

    class Meta:
        model = m.ActionUpdate
        fields = ["id", "note", "status", "rag", "created_at", "author"]

    def get_author(self, obj) -> str:
        user = obj.created_by
        return (user.get_full_name() or user.username) if user else "Borough"


class ActionUpdateInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT)
    status = ActionStatusField()
    rag = serializers.ChoiceField(choices=m.RAG.choices)
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The action's version you read; a stale one is refused with 409.")


class ActionSerializer(BaseModelSerializer):
    status = ActionStatusField(required=False)
    overdue = serializers.SerializerMethodField()
    latest_update = serializers.SerializerMethodField()

    class Meta:
        model = m.Action
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "description",
                  "theme", "owner", "due_on", "status", "rag", "completed_on", "cycle",
                  "standards", "objectives", "targets", "reminded_at", "overdue",
                  "latest_update"]

    def get_overdue(self, obj) -> bool:
        return services.is_overdue(obj)

    @extend_schema_field(ActionUpdateSerializer(allow_null=True))
    def get_latest_update(self, obj) -> dict | None:
        latest = plan.latest_update(obj)
        return ActionUpdateSerializer(latest).data if latest else None


class ActionViewSet(BaseModelViewSet):
    """The action plan. Creating and changing go through the action plan's services (ICT
    Managers and Administrators); an action's owner adds progress notes at `updates/`."""

    model = m.Action
    serializer_class = ActionSerializer
    filterset_class = f.ActionFilterSet
    select_related = ("theme", "owner", "cycle")
    prefetch_related = ("standards", "objectives", "targets", "updates__created_by")
    ordering_fields = ("due_on", "reference", "status", "rag", "id", "created_at", "updated_at")
    # The progress action decides who may add a note (managers, and the action's owner).
    action_permissions = {"updates": "view", "export": "view"}
    record_actions = services.ACTION_ACTIONS
    result_serializers = {m.ActionUpdate: ActionUpdateSerializer}

    def perform_create(self, serializer):
        serializer.instance = services.create_action(
            self.request.user.active_organisation_id, actor=self.request.user, **write_data(serializer),
            idempotency_key=model_key(m.Action, self.request.META.get(IDEMPOTENCY_HEADER)))

    def perform_update(self, serializer):
        version = required_version(self.request)
        serializer.instance = services.update_action(
            serializer.instance, actor=self.request.user, **write_data(serializer), expected_version=version)

    @extend_schema(methods=["GET"], request=None, responses=ActionUpdateSerializer(many=True))
    @extend_schema(methods=["POST"], request=ActionUpdateInputSerializer,
                   responses={201: ActionUpdateSerializer})
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None):
        """The action's progress notes, newest first; POST adds one (owner or manager), the
        same as `progress/`."""
        if request.method == "POST":
            return self.progress(request, pk=pk)
        record = get_object_or_404(self.get_queryset(), pk=pk)
        notes = (m.ActionUpdate.objects.visible_to(request.user).filter(action=record)
                 .select_related("created_by"))
        return Response(ActionUpdateSerializer(notes, many=True).data)

    @extend_schema(request=None, responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The action plan"),
        (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The action plan"),
    })
    @action(detail=False, methods=["get"], url_path=r"export/(?P<file_format>csv|xlsx)")
    def export(self, request, file_format=None):
        """The action plan as a spreadsheet, with the same filters as the list."""
        filters = set(self.filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - filters - LIST_CONTROL_PARAMS)
        if unknown:
            raise ValidationError({"detail": (
                f"Unknown parameter {', '.join(unknown)}. "
                f"Filters here are: {', '.join(sorted(filters))}.")})
        rows = plan.export_rows(self.filter_queryset(self.get_queryset()))
        return exports.FORMATS[file_format](rows, "action-plan")


class ReportReviewSerializer(BaseModelSerializer):
    report = serializers.ChoiceField(choices=[(k, v[0]) for k, v in queries.REPORTS.items()])

    class Meta:
        model = m.ReportReview
        fields = [*BaseModelSerializer.base_fields(), "report", "reviewed_on", "meeting", "note"]


class ReportReviewViewSet(BaseModelViewSet):
    """Recorded reviews of reports (evidence that management reads them)."""

    model = m.ReportReview
    serializer_class = ReportReviewSerializer
    filterset_class = f.ReportReviewFilterSet
    ordering_fields = ("reviewed_on", "id", "created_at")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.record_review(
            self.request.user.active_organisation_id, actor=self.request.user, report=data["report"],
            reviewed_on=data["reviewed_on"], meeting=data.get("meeting", ""), note=data.get("note", ""),
            idempotency_key=model_key(m.ReportReview, self.request.META.get(IDEMPOTENCY_HEADER)))

    def perform_update(self, serializer):
        version = required_version(self.request)
        serializer.instance = services.update_review(
            serializer.instance, actor=self.request.user, **write_data(serializer), expected_version=version)
