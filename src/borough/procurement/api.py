"""The procurement API: one explicit serializer and viewset per model. A request's
actions (submit, approve, refuse, return, delegate, withdraw, create-contract) are its record
actions (core.api.actions); its route and the decisions made on it come with it."""

from __future__ import annotations

from rest_framework import serializers

from borough.commercial.models import Contract
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import (
    BaseModelViewSet,
    expected_version,
    model_key,
    required_version,
    write_data,
)
from borough.procurement import filters as f
from borough.procurement import models as m
from borough.procurement import services


class ApprovalStepSerializer(BaseModelSerializer):
    class Meta:
        model = m.ApprovalStep
        fields = [*BaseModelSerializer.base_fields(), "name", "up_to", "approver_role",
                  "approvers", "approvals_needed", "remind_after_days"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        current = self.instance
        role = attrs.get("approver_role", getattr(current, "approver_role", ""))
        people = attrs["approvers"] if "approvers" in attrs else (
            list(current.approvers.all()) if current else [])
        needed = attrs.get("approvals_needed", getattr(current, "approvals_needed", 1))
        problems = m.check_approvers(role, people, needed)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class RouteStepSerializer(serializers.ModelSerializer):
    approvers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="full_name")

    class Meta:
        model = m.RouteStep
        fields = ["round", "position", "name", "up_to", "approver_role", "approvers",
                  "approvals_needed", "remind_after_days", "state", "started_at",
                  "finished_at"]
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.StringRelatedField()
    step = serializers.CharField(source="step.name", read_only=True)
    round = serializers.IntegerField(source="step.round", read_only=True)
    decided_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = m.Decision
        fields = ["round", "step", "outcome", "decided_by", "decided_at", "note"]
        read_only_fields = fields


class DelegationSerializer(serializers.ModelSerializer):
    delegated_by = serializers.StringRelatedField()
    deputy = serializers.CharField(source="deputy.full_name", read_only=True)
    step = serializers.CharField(source="step.name", read_only=True)
    round = serializers.IntegerField(source="step.round", read_only=True)
    delegated_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = m.Delegation
        fields = ["round", "step", "delegated_by", "deputy", "delegated_at", "note"]
        read_only_fields = fields


class ProcurementRequestSerializer(BaseModelSerializer):
    route = serializers.SerializerMethodField(
        help_text="The steps of its latest submission, in turn.")
    decisions = DecisionSerializer(many=True, read_only=True)
    delegations = DelegationSerializer(many=True, read_only=True)

    class Meta:
        model = m.ProcurementRequest
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "description",
                  "justification", "service_unit", "requester", "owner", "objectives",
                  "standards", "funding_source", "financial_year", "cost_centre",
                  "needed_by", "status", "value", "round", "current_step", "submitted_at",
                  "decided_at", "contract", "budget_commitment", "route", "decisions",
                  "delegations"]
        read_only_fields = ["reference", "status", "value", "round", "current_step",
                            "submitted_at", "decided_at", "contract", "budget_commitment"]

    def get_route(self, obj) -> list[dict]:
        steps = [s for s in obj.route.all() if s.round == obj.round]
        return RouteStepSerializer(steps, many=True).data



class ProcurementOptionSerializer(BaseModelSerializer):
    class Meta:
        model = m.ProcurementOption
        fields = [*BaseModelSerializer.base_fields(), "request", "description", "provider",
                  "supplier", "whole_life_cost", "annual_cost", "term_months", "benefits",
                  "risks", "is_recommended"]
        # One recommended option per request: recommending one takes the recommendation
        # from the others (services.save_option), so it is not a uniqueness error here.
        validators = []


class ProcurementExceptionSerializer(BaseModelSerializer):
    class Meta:
        model = m.ProcurementException
        fields = [*BaseModelSerializer.base_fields(), "contract", "reason", "agreed_by",
                  "agreed_on"]


class CreatedContractSerializer(BaseModelSerializer):
    """The contract a request became (the whole record is at its url)."""

    class Meta:
        model = Contract
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "supplier",
                  "annual_value", "whole_life_value", "start_date", "end_date",
                  "procurement_reference"]
        read_only_fields = fields


class ApprovalStepViewSet(BaseModelViewSet):
    model = m.ApprovalStep
    serializer_class = ApprovalStepSerializer
    filterset_class = f.ApprovalStepFilterSet
    ordering_fields = ("up_to", "name", "id")
    prefetch_related = ("approvers",)


class ProcurementRequestViewSet(BaseModelViewSet):
    model = m.ProcurementRequest
    serializer_class = ProcurementRequestSerializer
    filterset_class = f.ProcurementRequestFilterSet
    ordering_fields = ("reference", "value", "created_at", "submitted_at", "decided_at",
                       "updated_at", "id")
    select_related = ("service_unit", "requester", "owner", "current_step", "contract")
    prefetch_related = ("objectives", "standards", "route__approvers",
                        "decisions__decided_by", "decisions__step",
                        "delegations__delegated_by", "delegations__deputy",
                        "delegations__step")
    record_actions = services.REQUEST_ACTIONS
    result_serializers = {Contract: CreatedContractSerializer}


class ProcurementOptionViewSet(BaseModelViewSet):
    """Options change only while their request is a draft or returned for changes
    (procurement.services.save_option); the request's value follows the recommended one."""

    model = m.ProcurementOption
    serializer_class = ProcurementOptionSerializer
    filterset_class = f.ProcurementOptionFilterSet
    ordering_fields = ("whole_life_cost", "id")
    select_related = ("request", "supplier")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        option = m.ProcurementOption(**data,
                                     organisation_id=self.request.user.active_organisation_id)
        serializer.instance = services.save_option(
            option, actor=self.request.user,
            idempotency_key=model_key(m.ProcurementOption,
                                      self.request.META.get("HTTP_IDEMPOTENCY_KEY")))

    def perform_update(self, serializer):
        serializer.instance = services.save_option(
            serializer.instance, actor=self.request.user, data=write_data(serializer),
            expected_version=required_version(self.request))

    def perform_destroy(self, instance):
        services.remove_option(instance, actor=self.request.user,
                               expected_version=expected_version(self.request))


class ProcurementExceptionViewSet(BaseModelViewSet):
    model = m.ProcurementException
    serializer_class = ProcurementExceptionSerializer
    filterset_class = f.ProcurementExceptionFilterSet
    ordering_fields = ("agreed_on", "id")
    select_related = ("contract", "agreed_by")
