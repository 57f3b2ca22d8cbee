"""The continuity API: one explicit serializer and viewset per model. An analysis's and a
plan's moves are their record actions (core.api.actions); a DR test shows what it achieved
against each objective it was measured by."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from borough.continuity import filters as f
from borough.continuity import models as m
from borough.continuity import services
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet


class BusinessImpactAnalysisSerializer(BaseModelSerializer):
    class Meta:
        model = m.BusinessImpactAnalysis
        fields = [*BaseModelSerializer.base_fields(), "reference", "service", "status",
                  "assessed_on", "assessed_by", "summary", "proposed_rto_hours",
                  "proposed_rpo_hours", "proposed_mto_hours", "review_months",
                  "approved_by", "approved_at", "review_due"]


class ImpactRowSerializer(BaseModelSerializer):
    class Meta:
        model = m.ImpactRow
        fields = [*BaseModelSerializer.base_fields(), "analysis", "after_hours", "financial",
                  "reputational", "legal", "public_service", "notes"]


class ContinuityPlanSerializer(BaseModelSerializer):
    class Meta:
        model = m.ContinuityPlan
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "kind", "status",
                  "services", "site", "owner", "scope", "invocation_criteria",
                  "review_months", "revision", "approved_by", "approved_at", "review_due"]


class PlanContactSerializer(BaseModelSerializer):
    class Meta:
        model = m.PlanContact
        fields = [*BaseModelSerializer.base_fields(), "plan", "role", "person", "name",
                  "employer", "phone", "email", "position"]


class PlanStepSerializer(BaseModelSerializer):
    class Meta:
        model = m.PlanStep
        fields = [*BaseModelSerializer.base_fields(), "plan", "number", "instruction",
                  "done_by", "expected_minutes"]


class RecoveryItemSerializer(BaseModelSerializer):
    class Meta:
        model = m.RecoveryItem
        fields = [*BaseModelSerializer.base_fields(), "plan", "configuration_item",
                  "position", "note"]


class MeasuredSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The business service.")
    reference = serializers.CharField()
    name = serializers.CharField()
    rto_hours = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    rpo_hours = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    rto_met = serializers.BooleanField(allow_null=True,
                                       help_text="Null when either time is not known.")
    rpo_met = serializers.BooleanField(allow_null=True)


class ContinuityTestSerializer(BaseModelSerializer):
    measured = serializers.SerializerMethodField(
        help_text="Each service's recovery objectives when the test was recorded, and "
                  "whether the achieved recovery time and data loss met them.")
    rto_met = serializers.SerializerMethodField()
    rpo_met = serializers.SerializerMethodField()

    class Meta:
        model = m.ContinuityTest
        fields = [*BaseModelSerializer.base_fields(), "reference", "plan", "scenario", "kind",
                  "tested_on", "participants", "other_participants", "result",
                  "achieved_recovery_hours", "achieved_data_loss_hours", "lessons",
                  "measured", "rto_met", "rpo_met"]

    @extend_schema_field(MeasuredSerializer(many=True))
    def get_measured(self, test) -> list:
        return test.measured()

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_rto_met(self, test):
        return test.met_rto()

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_rpo_met(self, test):
        return test.met_rpo()


class FollowUpSerializer(BaseModelSerializer):
    class Meta:
        model = m.FollowUp
        fields = [*BaseModelSerializer.base_fields(), "test", "description", "owner",
                  "due_on", "done", "problem", "change"]


class BusinessImpactAnalysisViewSet(BaseModelViewSet):
    model = m.BusinessImpactAnalysis
    serializer_class = BusinessImpactAnalysisSerializer
    filterset_class = f.BusinessImpactAnalysisFilterSet
    ordering_fields = ("reference", "assessed_on", "review_due", "created_at", "updated_at",
                       "id")
    select_related = ("service", "assessed_by", "approved_by")
    record_actions = services.ANALYSIS_ACTIONS


class ImpactRowViewSet(BaseModelViewSet):
    model = m.ImpactRow
    serializer_class = ImpactRowSerializer
    filterset_class = f.ImpactRowFilterSet
    ordering_fields = ("after_hours", "id")
    select_related = ("analysis",)


class ContinuityPlanViewSet(BaseModelViewSet):
    model = m.ContinuityPlan
    serializer_class = ContinuityPlanSerializer
    filterset_class = f.ContinuityPlanFilterSet
    ordering_fields = ("reference", "title", "review_due", "created_at", "updated_at", "id")
    select_related = ("site", "owner", "approved_by")
    prefetch_related = ("services",)
    record_actions = services.PLAN_ACTIONS


class PlanContactViewSet(BaseModelViewSet):
    model = m.PlanContact
    serializer_class = PlanContactSerializer
    filterset_class = f.PlanContactFilterSet
    ordering_fields = ("position", "id")
    select_related = ("plan", "person")


class PlanStepViewSet(BaseModelViewSet):
    model = m.PlanStep
    serializer_class = PlanStepSerializer
    filterset_class = f.PlanStepFilterSet
    ordering_fields = ("number", "id")
    select_related = ("plan",)


class RecoveryItemViewSet(BaseModelViewSet):
    model = m.RecoveryItem
    serializer_class = RecoveryItemSerializer
    filterset_class = f.RecoveryItemFilterSet
    ordering_fields = ("position", "id")
    select_related = ("plan", "configuration_item")


class ContinuityTestViewSet(BaseModelViewSet):
    model = m.ContinuityTest
    serializer_class = ContinuityTestSerializer
    filterset_class = f.ContinuityTestFilterSet
    ordering_fields = ("reference", "tested_on", "created_at", "updated_at", "id")
    select_related = ("plan",)
    prefetch_related = ("participants",)


class FollowUpViewSet(BaseModelViewSet):
    model = m.FollowUp
    serializer_class = FollowUpSerializer
    filterset_class = f.FollowUpFilterSet
    ordering_fields = ("due_on", "id")
    select_related = ("test", "owner", "problem", "change")
