from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from borough.catalogue.models import BusinessService
from borough.cmdb.models import ConfigurationItem
from borough.core import scope, suggestions
from borough.core.api.serializers import BaseModelSerializer, ScopedPrimaryKeyRelatedField
from borough.core.api.viewsets import (
    IDEMPOTENCY_HEADER,
    BaseModelViewSet,
    required_version,
    write_data,
)
from borough.organisation.models import Person, ServiceUnit, Site
from borough.servicedesk import concerns, queries, services
from borough.servicedesk import filters as f
from borough.servicedesk import models as m


class CategorySerializer(BaseModelSerializer):
    class Meta:
        model = m.Category
        fields = [*BaseModelSerializer.base_fields(), "name", "ticket_type", "parent",
                  "is_active"]


class PriorityRuleSerializer(BaseModelSerializer):
    class Meta:
        model = m.PriorityRule
        fields = [*BaseModelSerializer.base_fields(), "impact", "urgency", "priority"]


class SLAPolicySerializer(BaseModelSerializer):
    class Meta:
        model = m.SLAPolicy
        fields = [*BaseModelSerializer.base_fields(), "name", "priority", "ticket_type",
                  "business_service", "response_minutes", "resolution_minutes", "business_hours",
                  "compliance_target", "is_active"]


class CannedResponseSerializer(BaseModelSerializer):
    class Meta:
        model = m.CannedResponse
        fields = [*BaseModelSerializer.base_fields(), "title", "body", "is_active"]


class DeskSettingsSerializer(BaseModelSerializer):
    class Meta:
        model = m.DeskSettings
        fields = [*BaseModelSerializer.base_fields(), "reopen_days", "auto_close_days",
                  "warning_percent"]


class CategoryViewSet(BaseModelViewSet):
    model = m.Category
    serializer_class = CategorySerializer
    filterset_class = f.CategoryFilterSet


class PriorityRuleViewSet(BaseModelViewSet):
    model = m.PriorityRule
    serializer_class = PriorityRuleSerializer
    filterset_class = f.PriorityRuleFilterSet


class SLAPolicyViewSet(BaseModelViewSet):
    model = m.SLAPolicy
    serializer_class = SLAPolicySerializer
    filterset_class = f.SLAPolicyFilterSet


class CannedResponseViewSet(BaseModelViewSet):
    model = m.CannedResponse
    serializer_class = CannedResponseSerializer
    filterset_class = f.CannedResponseFilterSet


class DeskSettingsViewSet(BaseModelViewSet):
    model = m.DeskSettings
    serializer_class = DeskSettingsSerializer
    filterset_class = f.DeskSettingsFilterSet


class RequesterField(ScopedPrimaryKeyRelatedField):
    """A person the caller can see, with the service unit and site a new ticket copies,
    and the login its acknowledgement goes to."""

    def get_queryset(self):
        return super().get_queryset().select_related("service_unit", "site", "user")


class DeskRecordField(ScopedPrimaryKeyRelatedField):
    """A service unit, site or category of the caller's organisation, checked against the
    desk's cached configuration as the staff form checks it: a dictionary look-up, not a
    query. One the caller's role may not see is refused like an id that does not exist."""

    def to_internal_value(self, data):
        records = self.parent.desk_records(self.field_name, self.queryset.model)
        try:
            record = records.get(int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if record is None:
            self.fail("does_not_exist", pk_value=data)
        return record


class TicketSerializer(BaseModelSerializer):
    requester = RequesterField(queryset=Person.objects.all(), required=False)
    # Blank until resolved (and again once reopened): declared so the schema says so.
    resolution_code = serializers.ChoiceField(choices=m.ResolutionCode.choices,
                                              allow_blank=True, read_only=True)
    service_unit = DeskRecordField(queryset=ServiceUnit.objects.all(), required=False,
                                   allow_null=True)
    site = DeskRecordField(queryset=Site.objects.all(), required=False, allow_null=True)
    category = DeskRecordField(queryset=m.Category.objects.all(), required=False,
                               allow_null=True)
    plain_status = serializers.CharField(read_only=True)
    # What it concerns: an id among the records the caller can see (another council's reads
    # as one that does not exist), with its reference and name to read.
    ci = ScopedPrimaryKeyRelatedField(queryset=ConfigurationItem.objects.all(), required=False,
                                      allow_null=True, help_text="The configuration item's id.")
    ci_display = serializers.SerializerMethodField(
        help_text="The configuration item's reference and name, “CI-000123 Payroll server”.")
    service = ScopedPrimaryKeyRelatedField(
        queryset=BusinessService.objects.all(), required=False, allow_null=True,
        help_text="The business service's id.")
    service_display = serializers.SerializerMethodField(
        help_text="The business service's reference and name, “SVC-000004 Payroll”.")
    business_service = serializers.CharField(
        required=False, allow_blank=True, max_length=200, label="service as reported",
        help_text="The service as the requester named it, kept as typed.")
    configuration_item = serializers.CharField(
        required=False, allow_blank=True, max_length=200, label="system as reported",
        help_text="The system as the requester named it, kept as typed.")

    def get_ci_display(self, ticket) -> str | None:
        return _display(ticket, "ci")

    def get_service_display(self, ticket) -> str | None:
        return _display(ticket, "service")

    desk = None  # (organisation, DeskConfig) once a desk record was checked

    def desk_records(self, name: str, model) -> dict:
        user = self.context["request"].user
        org_id = user.active_organisation_id
        if self.desk is None:
            self.desk = queries.organisation_and_config(org_id)
        return self.desk[1].records[name] if scope.can(user, "view", model, org_id) else {}

    class Meta:
        model = m.Ticket
        fields = [*BaseModelSerializer.base_fields(), "reference", "ticket_type", "title",
                  "description", "requester", "channel", "service_unit", "site", "category",
                  "impact", "urgency", "priority", "status", "plain_status", "team", "assignee",
                  "is_major_incident", "parent", "ci", "ci_display", "service",
                  "service_display", "configuration_item", "business_service",
                  "response_due_at", "resolution_due_at", "responded_at", "resolved_at",
                  "closed_at", "response_breached_at", "resolution_breached_at", "reopen_count",
                  "minutes_to_respond", "minutes_to_resolve", "resolution_code"]
        read_only_fields = ["reference", "priority", "status", "team", "assignee", "parent",
                            "is_major_incident", "response_due_at", "resolution_due_at",
                            "responded_at", "resolved_at", "closed_at", "response_breached_at",
                            "resolution_breached_at", "reopen_count", "minutes_to_respond",
                            "minutes_to_resolve", "resolution_code"]
        extra_kwargs = {"requester": {"required": False}}


def _display(ticket, name: str) -> str | None:
    """A linked record's "REFERENCE Name": from the viewset's annotations when it listed
    the tickets (no join, no query a row), else from the record."""
    if getattr(ticket, f"{name}_id", None) is None:
        return None
    annotated = getattr(ticket, f"{name}_label", None)
    return annotated if annotated is not None else suggestions.label(getattr(ticket, name))


class TimelineEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = m.TimelineEntry
        fields = ["id", "kind", "body", "author_name", "data", "created_at"]


class TicketLinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = m.TicketLink
        fields = ["id", "from_ticket", "to_ticket", "kind", "created_at"]


class WorkLogSerializer(serializers.ModelSerializer):
    worked_by_name = serializers.SerializerMethodField(help_text="Who did the work.")

    class Meta:
        model = m.WorkLog
        fields = ["id", "ticket", "worked_by", "worked_by_name", "worked_on", "minutes",
                  "note", "team", "created_at"]

    def get_worked_by_name(self, log) -> str:
        user = log.worked_by
        return user.get_full_name() or user.username


class WorkLogListSerializer(serializers.Serializer):
    total_minutes = serializers.IntegerField(help_text="All the time logged on the ticket.")
    entries = WorkLogSerializer(many=True)


class TicketViewSet(BaseModelViewSet):
    """Tickets. Creating and editing go through the service desk's services; the lifecycle
    is the record actions (assign, reply, note, status, priority, resolve, close, confirm,
    reopen, cancel, rate, link, major), each a POST here."""

    model = m.Ticket
    serializer_class = TicketSerializer
    filterset_class = f.TicketFilterSet
    # No joins: relations are returned as ids (DRF reads requester_id etc. without loading
    # the row) and `display` is the ticket's own text. Six joins cost more to plan than the
    # page of 25 took to read.
    select_related = ()
    ordering_fields = ("resolution_due_at", "created_at", "priority", "reference", "id")
    http_method_names = ["get", "post", "patch", "head", "options"]
    record_actions = services.TICKET_ACTIONS
    result_serializers = {m.TimelineEntry: TimelineEntrySerializer,
                          m.TicketLink: TicketLinkSerializer, m.WorkLog: WorkLogSerializer}
    action_permissions = {"timeline": "view", "work_log": "view"}

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.raise_ticket(
            self.request.user.active_organisation_id, actor=self.request.user,
            ticket_type=data.get("ticket_type", m.TicketType.INCIDENT), title=data["title"],
            description=data["description"], requester=data.get("requester"),
            channel=m.Channel.API, service_unit=data.get("service_unit"), site=data.get("site"),
            category=data.get("category"), impact=data.get("impact", 3),
            urgency=data.get("urgency", 3), ci=data.get("ci"), service=data.get("service"),
            configuration_item=data.get("configuration_item", ""),
            business_service=data.get("business_service", ""),
            idempotency_key=self.request.META.get(IDEMPOTENCY_HEADER), desk=serializer.desk)

    def perform_update(self, serializer):
        data = write_data(serializer)
        impact, urgency = data.pop("impact", None), data.pop("urgency", None)
        data.pop("requester", None)
        version = required_version(self.request)
        ticket = serializer.instance
        if impact is not None or urgency is not None:
            ticket = services.change_priority(
                ticket, actor=self.request.user, expected_version=version,
                impact=impact or ticket.impact, urgency=urgency or ticket.urgency)
            version = ticket.version
        if data:
            ticket = services.update_ticket(ticket, actor=self.request.user,
                                            expected_version=version, **data)
        serializer.instance = ticket

    def get_queryset(self):
        return concerns.with_concern_labels(super().get_queryset())

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        ticket = self.get_object()
        entries = m.TimelineEntry.objects.visible_to(request.user).filter(ticket=ticket)
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @extend_schema(responses=WorkLogListSerializer)
    @action(detail=True, methods=["get"], url_path="work-log")
    def work_log(self, request, pk=None):
        """The time logged on the ticket (staff only), latest first, with the total.
        Log more with POST …/log-time/."""
        ticket = self.get_object()
        if not scope.can(request.user, "view", m.WorkLog, ticket.organisation_id):
            raise PermissionDenied("Your role does not allow you to read the time logged.")
        found = queries.work_log(ticket, request.user)
        return Response(WorkLogListSerializer(found).data)
