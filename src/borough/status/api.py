"""The service status API: announcements (opened through status.services, so their
subscribers are emailed; `incident` announces a major incident's outage), their updates
with them, their record actions (post-update, resolve, cancel, reopen), and the signed-in
person's subscriptions."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from borough.core.api.serializers import BaseModelSerializer, ScopedPrimaryKeyRelatedField
from borough.core.api.viewsets import IDEMPOTENCY_HEADER, BaseModelViewSet, model_key, write_data
from borough.servicedesk.models import Ticket
from borough.status import filters as f
from borough.status import models as m
from borough.status import queries, services


class AnnouncementUpdateSerializer(serializers.ModelSerializer):
    posted_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = m.AnnouncementUpdate
        fields = ["id", "posted_at", "author_name", "body", "closing"]
        read_only_fields = fields


class AnnouncementSerializer(BaseModelSerializer):
    updates = AnnouncementUpdateSerializer(many=True, read_only=True)
    source_type = serializers.SerializerMethodField(
        help_text="The kind of record it was announced from (servicedesk.ticket…), if any.")
    incident = ScopedPrimaryKeyRelatedField(
        queryset=Ticket.objects.filter(is_major_incident=True), write_only=True,
        required=False, allow_null=True,
        help_text="On creation: the major incident whose outage this announces; resolving "
                  "the incident then resolves the announcement.")
    starts_at = serializers.DateTimeField(required=False,
                                          help_text="Now, if not given; for an incident, "
                                                    "when it was raised.")

    class Meta:
        model = m.Announcement
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "kind",
                  "services", "description", "starts_at", "expected_end_at", "state",
                  "resolved_at", "source_type", "source_id", "source_text", "updates",
                  "incident"]
        read_only_fields = ["reference", "state", "resolved_at", "source_id", "source_text"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True,
                                  "help_text": "What people will notice, in a line; for an "
                                               "incident, its title if left out."}}

    def get_source_type(self, obj) -> str:
        return obj.source_type.app_labeled_name if obj.source_type_id else ""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and attrs.get("incident") is not None:
            raise serializers.ValidationError(
                {"incident": "An announcement's incident is given when it is opened."})
        if self.instance is None and not attrs.get("incident") and not (
                attrs.get("title") or "").strip():
            raise serializers.ValidationError({"title": "Enter what people will notice."})
        if self.instance is not None and "title" in attrs and not attrs["title"].strip():
            raise serializers.ValidationError({"title": "Enter what people will notice."})
        return attrs


class LiveServiceField(serializers.PrimaryKeyRelatedField):
    """A live service of the caller's organisation: anyone may subscribe to one, though a
    requester cannot open the catalogue (the portal names the same services)."""

    def get_queryset(self):
        request = self.context.get("request")
        organisation_id = getattr(getattr(request, "user", None), "active_organisation_id",
                                  None)
        return queries.subscribable_services(organisation_id)


class SubscriptionSerializer(BaseModelSerializer):
    user = serializers.StringRelatedField(read_only=True)
    service = LiveServiceField()

    class Meta:
        model = m.Subscription
        fields = [*BaseModelSerializer.base_fields(), "service", "user"]


class AnnouncementViewSet(BaseModelViewSet):
    model = m.Announcement
    serializer_class = AnnouncementSerializer
    filterset_class = f.AnnouncementFilterSet
    ordering_fields = ("starts_at", "expected_end_at", "resolved_at", "created_at", "id")
    select_related = ("source_type",)
    prefetch_related = ("services", "updates")
    record_actions = services.ANNOUNCEMENT_ACTIONS
    result_serializers = {m.AnnouncementUpdate: AnnouncementUpdateSerializer}

    def perform_create(self, serializer):
        data = write_data(serializer)
        incident = data.pop("incident", None)
        key = model_key(m.Announcement, self.request.META.get(IDEMPOTENCY_HEADER))
        user = self.request.user
        if incident is not None:
            serializer.instance = services.announce_outage(
                incident, actor=user, title=data.get("title", ""),
                kind=data.get("kind", m.Kind.OUTAGE),
                services=data.get("services") or None, description=data.get("description", ""),
                starts_at=data.get("starts_at"), expected_end_at=data.get("expected_end_at"),
                idempotency_key=key)
            return
        serializer.instance = services.announce(
            user.active_organisation_id, actor=user, title=data.get("title", ""),
            kind=data.get("kind", m.Kind.INFORMATION), services=data.get("services", []),
            starts_at=data.get("starts_at") or timezone.now(),
            expected_end_at=data.get("expected_end_at"),
            description=data.get("description", ""), idempotency_key=key)


    def perform_update(self, serializer):
        serializer.validated_data.pop("incident", None)
        super().perform_update(serializer)


class SubscriptionViewSet(BaseModelViewSet):
    """A subscription is the signed-in person's own: the user is never sent."""

    model = m.Subscription
    serializer_class = SubscriptionSerializer
    filterset_class = f.SubscriptionFilterSet
    ordering_fields = ("created_at", "id")
    select_related = ("service", "user")

    def perform_create(self, serializer):
        data = write_data(serializer)
        serializer.instance = services.add_subscription(
            m.Subscription(**data, organisation_id=self.request.user.active_organisation_id,
                           user=self.request.user),
            actor=self.request.user,
            idempotency_key=model_key(m.Subscription,
                                      self.request.META.get(IDEMPOTENCY_HEADER)))
