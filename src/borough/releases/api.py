"""The release management API: one explicit serializer and viewset per model. A release's
moves (plan, start-test, record-test, go, no-go, go-live, close, cancel) are its record
actions (core.api.actions); its software comes with it."""

from __future__ import annotations

from rest_framework import serializers

from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.releases import filters as f
from borough.releases import models as m
from borough.releases import queries, services


class ReleaseItemBriefSerializer(serializers.ModelSerializer):
    software_name = serializers.CharField(source="software.name", read_only=True)

    class Meta:
        model = m.ReleaseItem
        fields = ["id", "software", "software_name", "from_version", "to_version", "licence",
                  "note"]
        read_only_fields = fields


class ReleaseSerializer(BaseModelSerializer):
    items = ReleaseItemBriefSerializer(many=True, read_only=True,
                                       help_text="The software it delivers, with versions.")
    # Kept by Borough and blank until tested: said so in the schema.
    test_result = serializers.ChoiceField(choices=m.TestResult.choices, allow_blank=True,
                                          read_only=True)
    decision = serializers.ChoiceField(choices=m.Decision.choices, allow_blank=True,
                                       read_only=True)

    class Meta:
        model = m.Release
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "description",
                  "release_type", "status", "owner", "changes", "planned_test_date",
                  "planned_live_date", "release_notes", "test_started_at", "test_result",
                  "test_notes", "tested_at", "decision", "decision_note", "decided_at",
                  "decided_by", "no_go_count", "deployed_at", "live_notes", "review", "closed_at", "items"]
        read_only_fields = ["reference", "status", "test_started_at", "test_result",
                            "test_notes", "tested_at", "decision", "decision_note",
                            "decided_at", "decided_by", "no_go_count", "deployed_at", "live_notes", "review",
                            "closed_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "changes" in attrs:
            release = self.instance or m.Release(
                organisation_id=self.context["request"].user.active_organisation_id)
            problems = queries.changes_errors(release, attrs["changes"])
            if problems:
                raise serializers.ValidationError({"changes": problems})
        return attrs


class ReleaseItemSerializer(BaseModelSerializer):
    class Meta:
        model = m.ReleaseItem
        fields = [*BaseModelSerializer.base_fields(), "release", "software", "from_version",
                  "to_version", "licence", "note"]


class ReleaseViewSet(BaseModelViewSet):
    model = m.Release
    serializer_class = ReleaseSerializer
    filterset_class = f.ReleaseFilterSet
    ordering_fields = ("reference", "planned_live_date", "deployed_at", "created_at",
                       "updated_at", "id")
    select_related = ("owner", "decided_by")
    prefetch_related = ("changes", "items__software")
    record_actions = services.RELEASE_ACTIONS


class ReleaseItemViewSet(BaseModelViewSet):
    model = m.ReleaseItem
    serializer_class = ReleaseItemSerializer
    filterset_class = f.ReleaseItemFilterSet
    ordering_fields = ("id",)
    select_related = ("release", "software", "licence")
