"""The problems API: one explicit serializer and viewset per model. A problem's moves
(investigate, record-known-error, resolve, reopen, close, link-incidents, unlink-incident)
and a known error's uses (apply, fixed-it) are record actions (core.api.actions)."""

from __future__ import annotations

from rest_framework import serializers

from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.problems import filters as f
from borough.problems import models as m
from borough.problems import services


class CauseCategorySerializer(BaseModelSerializer):
    class Meta:
        model = m.CauseCategory
        fields = [*BaseModelSerializer.base_fields(), "name", "description", "is_active"]


class TrendRuleSerializer(BaseModelSerializer):
    class Meta:
        model = m.TrendRule
        fields = [*BaseModelSerializer.base_fields(), "name", "group_by", "window_days",
                  "min_incidents", "is_active"]


class AnalysisStepSerializer(BaseModelSerializer):
    class Meta:
        model = m.AnalysisStep
        fields = [*BaseModelSerializer.base_fields(), "problem", "position", "happened_at",
                  "text"]


class ProblemSerializer(BaseModelSerializer):
    incidents = serializers.SerializerMethodField(
        help_text="The references of the incidents linked to it.")

    class Meta:
        model = m.Problem
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "description",
                  "status", "origin", "priority", "owner", "service", "cis", "method",
                  "root_cause", "cause_category", "workaround", "permanent_fix",
                  "change_note", "known_error_at", "resolved_at", "closed_at", "review",
                  "incidents"]
        read_only_fields = ["reference", "status", "origin", "permanent_fix", "change_note",
                            "known_error_at", "resolved_at", "closed_at", "review"]

    def get_incidents(self, obj) -> list[str]:
        return [link.ticket.reference for link in obj.incidents.all()]


class ProblemIncidentSerializer(BaseModelSerializer):
    class Meta:
        model = m.ProblemIncident
        fields = [*BaseModelSerializer.base_fields(), "problem", "ticket"]


class KnownErrorSerializer(BaseModelSerializer):
    class Meta:
        model = m.KnownError
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "symptoms",
                  "root_cause", "workaround", "problem", "service", "ci", "category",
                  "is_active", "fixed_count"]
        read_only_fields = ["reference", "fixed_count"]


class KnownErrorUseSerializer(BaseModelSerializer):
    class Meta:
        model = m.KnownErrorUse
        fields = [*BaseModelSerializer.base_fields(), "known_error", "ticket", "fixed",
                  "used_by"]
        read_only_fields = ["used_by"]


class CauseCategoryViewSet(BaseModelViewSet):
    model = m.CauseCategory
    serializer_class = CauseCategorySerializer
    filterset_class = f.CauseCategoryFilterSet
    ordering_fields = ("name", "id")


class TrendRuleViewSet(BaseModelViewSet):
    model = m.TrendRule
    serializer_class = TrendRuleSerializer
    filterset_class = f.TrendRuleFilterSet
    ordering_fields = ("name", "id")


class ProblemViewSet(BaseModelViewSet):
    model = m.Problem
    serializer_class = ProblemSerializer
    filterset_class = f.ProblemFilterSet
    ordering_fields = ("reference", "priority", "created_at", "resolved_at", "id")
    select_related = ("owner", "service", "cause_category")
    prefetch_related = ("cis", "incidents__ticket")
    record_actions = services.PROBLEM_ACTIONS


class AnalysisStepViewSet(BaseModelViewSet):
    model = m.AnalysisStep
    serializer_class = AnalysisStepSerializer
    filterset_class = f.AnalysisStepFilterSet
    ordering_fields = ("position", "happened_at", "id")
    select_related = ("problem",)


class ProblemIncidentViewSet(BaseModelViewSet):
    model = m.ProblemIncident
    serializer_class = ProblemIncidentSerializer
    filterset_class = f.ProblemIncidentFilterSet
    ordering_fields = ("created_at", "id")
    select_related = ("problem", "ticket")


class KnownErrorViewSet(BaseModelViewSet):
    model = m.KnownError
    serializer_class = KnownErrorSerializer
    filterset_class = f.KnownErrorFilterSet
    ordering_fields = ("reference", "fixed_count", "created_at", "id")
    select_related = ("problem", "service", "ci", "category")
    record_actions = services.KNOWN_ERROR_ACTIONS
    result_serializers = {m.KnownErrorUse: KnownErrorUseSerializer}


class KnownErrorUseViewSet(BaseModelViewSet):
    model = m.KnownErrorUse
    serializer_class = KnownErrorUseSerializer
    filterset_class = f.KnownErrorUseFilterSet
    ordering_fields = ("created_at", "id")
    select_related = ("known_error", "ticket", "used_by")
