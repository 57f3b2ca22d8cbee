"""The finance module's API: one serializer and viewset per registered model, and the
read-only and action endpoints of budget monitoring, costs and recharges (api_views.py)."""

from rest_framework import serializers

from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.finance import filters as f
from borough.finance import models as m


class CostCentreSerializer(BaseModelSerializer):
    class Meta:
        model = m.CostCentre
        fields = [*BaseModelSerializer.base_fields(), "code", "name", "service_unit",
                  "is_active"]


class BudgetSerializer(BaseModelSerializer):
    monthly_profile = serializers.ListField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2), required=False,
        min_length=0, max_length=12,
        help_text="Twelve amounts, April to March, adding up to the budget; empty for an "
                  "even spread.")
    months = serializers.SerializerMethodField(
        help_text="The twelve monthly amounts the budget is spread over, April to March.")

    class Meta:
        model = m.Budget
        fields = [*BaseModelSerializer.base_fields(), "year", "cost_centre", "amount",
                  "monthly_profile", "months", "note"]

    def get_months(self, budget) -> list[str]:
        return [str(a) for a in budget.months()]

    def validate_monthly_profile(self, value):
        return [str(v) for v in value]


class CostLineSerializer(BaseModelSerializer):
    class Meta:
        model = m.CostLine
        fields = [*BaseModelSerializer.base_fields(), "date", "year", "amount", "description",
                  "cost_centre", "supplier", "transaction_reference", "configuration_item",
                  "service", "contract"]
        read_only_fields = ["year"]


class CommitmentSerializer(BaseModelSerializer):
    class Meta:
        model = m.Commitment
        fields = [*BaseModelSerializer.base_fields(), "reference", "year", "cost_centre",
                  "amount", "description", "date", "status", "source_reference"]
        read_only_fields = ["reference"]


class CostPoolSerializer(BaseModelSerializer):
    class Meta:
        model = m.CostPool
        fields = [*BaseModelSerializer.base_fields(), "year", "name", "description", "basis",
                  "cost_centres", "amount"]


class PoolShareSerializer(BaseModelSerializer):
    class Meta:
        model = m.PoolShare
        fields = [*BaseModelSerializer.base_fields(), "pool", "service_unit", "percent"]


class CostCentreViewSet(BaseModelViewSet):
    model = m.CostCentre
    serializer_class = CostCentreSerializer
    filterset_class = f.CostCentreFilterSet
    ordering_fields = ("code", "name", "id")
    select_related = ("service_unit",)


class BudgetViewSet(BaseModelViewSet):
    model = m.Budget
    serializer_class = BudgetSerializer
    filterset_class = f.BudgetFilterSet
    ordering_fields = ("year", "amount", "id")
    select_related = ("cost_centre",)


class CostLineViewSet(BaseModelViewSet):
    model = m.CostLine
    serializer_class = CostLineSerializer
    filterset_class = f.CostLineFilterSet
    ordering_fields = ("date", "amount", "id", "created_at")
    select_related = ("cost_centre", "supplier", "configuration_item", "service", "contract")


class CommitmentViewSet(BaseModelViewSet):
    model = m.Commitment
    serializer_class = CommitmentSerializer
    filterset_class = f.CommitmentFilterSet
    ordering_fields = ("date", "year", "amount", "reference", "id")
    select_related = ("cost_centre",)


class CostPoolViewSet(BaseModelViewSet):
    model = m.CostPool
    serializer_class = CostPoolSerializer
    filterset_class = f.CostPoolFilterSet
    ordering_fields = ("year", "name", "id")
    prefetch_related = ("cost_centres",)


class PoolShareViewSet(BaseModelViewSet):
    model = m.PoolShare
    serializer_class = PoolShareSerializer
    filterset_class = f.PoolShareFilterSet
    ordering_fields = ("percent", "id")
    select_related = ("pool", "service_unit")


class FinanceSettingsSerializer(BaseModelSerializer):
    class Meta:
        model = m.FinanceSettings
        fields = [*BaseModelSerializer.base_fields(), "staff_hourly_rate"]


class TeamStaffRateSerializer(BaseModelSerializer):
    class Meta:
        model = m.TeamStaffRate
        fields = [*BaseModelSerializer.base_fields(), "team", "year", "hourly_rate"]


class FinanceSettingsViewSet(BaseModelViewSet):
    model = m.FinanceSettings
    serializer_class = FinanceSettingsSerializer
    filterset_class = f.FinanceSettingsFilterSet


class TeamStaffRateViewSet(BaseModelViewSet):
    model = m.TeamStaffRate
    select_related = ("team",)  # each row's display names its team
    serializer_class = TeamStaffRateSerializer
    filterset_class = f.TeamStaffRateFilterSet
