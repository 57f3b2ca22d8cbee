from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.accounts.models import User
from borough.core import scope
from borough.core.api.serializers import BaseModelSerializer, ScopedPrimaryKeyRelatedField
from borough.core.api.viewsets import IDEMPOTENCY_HEADER, BaseModelViewSet, expected_version
from borough.organisation.models import Person, ServiceUnit, Site, Team
from borough.servicedesk import filters as f
from borough.servicedesk import models as m
from borough.servicedesk import queries, services


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
                  "response_minutes", "resolution_minutes", "business_hours", "is_active"]


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
    service_unit = DeskRecordField(queryset=ServiceUnit.objects.all(), required=False,
                                   allow_null=True)
    site = DeskRecordField(queryset=Site.objects.all(), required=False, allow_null=True)
    category = DeskRecordField(queryset=m.Category.objects.all(), required=False,
                               allow_null=True)
    plain_status = serializers.CharField(read_only=True)

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
                  "is_major_incident", "parent", "business_service", "configuration_item",
                  "response_due_at", "resolution_due_at", "responded_at", "resolved_at",
                  "closed_at", "response_breached_at", "resolution_breached_at", "reopen_count",
                  "minutes_to_respond", "minutes_to_resolve"]
        read_only_fields = ["reference", "priority", "status", "team", "assignee", "parent",
                            "is_major_incident", "response_due_at", "resolution_due_at",
                            "responded_at", "resolved_at", "closed_at", "response_breached_at",
                            "resolution_breached_at", "reopen_count", "minutes_to_respond",
                            "minutes_to_resolve"]
        extra_kwargs = {"requester": {"required": False}}


class TimelineEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = m.TimelineEntry
        fields = ["id", "kind", "body", "author_name", "data", "created_at"]


class TextSerializer(serializers.Serializer):
    body = serializers.CharField()


@extend_schema_field(OpenApiTypes.INT)
class OrganisationUserField(serializers.PrimaryKeyRelatedField):
    """A user of the caller's active organisation: anyone else gets the same 400 as an
    id that does not exist (SECURITY.md rule 3)."""

    def get_queryset(self):
        request = self.context.get("request")
        org_id = getattr(getattr(request, "user", None), "active_organisation_id", None)
        return User.objects.filter(is_active=True, memberships__organisation_id=org_id,
                                   memberships__is_active=True).distinct()


class AssignSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), required=False,
                                        allow_null=True)
    assignee = OrganisationUserField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=m.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField()
    version = serializers.IntegerField(required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class TicketViewSet(BaseModelViewSet):
    """Tickets. Writes go through the service desk's services; lifecycle changes are actions."""

    model = m.Ticket
    serializer_class = TicketSerializer
    filterset_class = f.TicketFilterSet
    # No joins: relations are returned as ids (DRF reads requester_id etc. without loading
    # the row) and `display` is the ticket's own text. Six joins cost more to plan than the
    # page of 25 took to read.
    select_related = ()
    ordering_fields = ("resolution_due_at", "created_at", "priority", "reference", "id")
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {"reply": "view", "reopen": "view", "rate": "view", "close": "view",
                          "timeline": "view", "assign": "change", "note": "change",
                          "set_status": "change", "resolve": "change"}

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.raise_ticket(
                self.request.user.active_organisation_id, actor=self.request.user,
                ticket_type=data.get("ticket_type", m.TicketType.INCIDENT), title=data["title"],
                description=data["description"], requester=data.get("requester"), channel=m.Channel.API,
                service_unit=data.get("service_unit"), site=data.get("site"), category=data.get("category"),
                impact=data.get("impact", 3), urgency=data.get("urgency", 3),
                idempotency_key=self.request.META.get(IDEMPOTENCY_HEADER), desk=serializer.desk)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        impact, urgency = data.pop("impact", None), data.pop("urgency", None)
        version = expected_version(self.request)
        if version is None:
            raise ValidationError({"version": "Send the version you read (in the body or If-Match)."})
        ticket = serializer.instance
        if impact is not None or urgency is not None:
            ticket = services.change_priority(
                ticket, actor=self.request.user, impact=impact or ticket.impact,
                urgency=urgency or ticket.urgency, expected_version=version)
            version = ticket.version
        data.pop("requester", None)
        from borough.core import services as core_services

        serializer.instance = core_services.update_record(
            ticket, actor=self.request.user, data=data, expected_version=version) if data else ticket

    def _done(self, ticket):
        ticket.refresh_from_db()
        return Response(TicketSerializer(ticket, context=self.get_serializer_context()).data)

    @extend_schema(request=AssignSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        ticket = self.get_object()
        body = AssignSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        services.assign(ticket, actor=request.user, team=body.validated_data.get("team"),
                        assignee=body.validated_data.get("assignee"),
                        expected_version=expected_version(request))
        return self._done(ticket)

    @extend_schema(request=TextSerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        ticket = self.get_object()
        body = TextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.reply(ticket, body=body.validated_data["body"], actor=request.user)
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TextSerializer, responses={201: TimelineEntrySerializer})
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        ticket = self.get_object()
        body = TextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.add_note(ticket, body=body.validated_data["body"], actor=request.user)
        return Response(TimelineEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StatusSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        ticket = self.get_object()
        body = StatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.change_status(ticket, status=body.validated_data["status"], actor=request.user,
                               note=body.validated_data["note"], expected_version=expected_version(request))
        return self._done(ticket)

    @extend_schema(request=ResolveSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        ticket = self.get_object()
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.resolve(ticket, actor=request.user, note=body.validated_data["note"],
                         expected_version=expected_version(request))
        return self._done(ticket)

    @extend_schema(request=None, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        ticket = self.get_object()
        services.close(ticket, actor=request.user)
        return self._done(ticket)

    @extend_schema(request=ReasonSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        ticket = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.reopen(ticket, actor=request.user, reason=body.validated_data["reason"])
        return self._done(ticket)

    @extend_schema(request=RateSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        ticket = self.get_object()
        body = RateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rate(ticket, actor=request.user, score=body.validated_data["score"],
                      comment=body.validated_data["comment"])
        return self._done(ticket)

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        ticket = self.get_object()
        entries = m.TimelineEntry.objects.visible_to(request.user).filter(ticket=ticket)
        return Response(TimelineEntrySerializer(entries, many=True).data)
