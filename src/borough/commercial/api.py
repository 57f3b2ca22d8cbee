"""The commercial module's API: one explicit serializer and viewset per model."""

from borough.commercial import filters as f
from borough.commercial import models as m
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet


class SupplierCategorySerializer(BaseModelSerializer):
    class Meta:
        model = m.SupplierCategory
        fields = [*BaseModelSerializer.base_fields(), "name", "description"]


class SupplierSerializer(BaseModelSerializer):
    class Meta:
        model = m.Supplier
        fields = [*BaseModelSerializer.base_fields(), "reference", "name", "company_number",
                  "website", "address", "categories", "status", "criticality", "risk",
                  "manager", "review_every_months", "notes"]


class SupplierContactSerializer(BaseModelSerializer):
    class Meta:
        model = m.SupplierContact
        fields = [*BaseModelSerializer.base_fields(), "supplier", "name", "role", "email",
                  "phone", "is_primary"]


class ContractSerializer(BaseModelSerializer):
    class Meta:
        model = m.Contract
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "supplier", "kind",
                  "description", "owner", "annual_value", "whole_life_value", "start_date",
                  "end_date", "renewal_terms", "renewal_months", "notice_period",
                  "notice_unit", "notice_given_on", "procurement_route",
                  "procurement_reference", "support_hours", "response_times"]


class ContractCoverSerializer(BaseModelSerializer):
    class Meta:
        model = m.ContractCover
        fields = [*BaseModelSerializer.base_fields(), "contract", "configuration_item",
                  "service", "note"]


class SupplierCategoryViewSet(BaseModelViewSet):
    model = m.SupplierCategory
    serializer_class = SupplierCategorySerializer
    filterset_class = f.SupplierCategoryFilterSet
    ordering_fields = ("name", "id")


class SupplierViewSet(BaseModelViewSet):
    model = m.Supplier
    serializer_class = SupplierSerializer
    filterset_class = f.SupplierFilterSet
    ordering_fields = ("name", "reference", "id", "created_at", "updated_at")
    select_related = ("manager",)
    prefetch_related = ("categories",)


class SupplierContactViewSet(BaseModelViewSet):
    model = m.SupplierContact
    serializer_class = SupplierContactSerializer
    filterset_class = f.SupplierContactFilterSet
    ordering_fields = ("name", "id")
    select_related = ("supplier",)


class ContractViewSet(BaseModelViewSet):
    model = m.Contract
    serializer_class = ContractSerializer
    filterset_class = f.ContractFilterSet
    ordering_fields = ("end_date", "start_date", "annual_value", "title", "reference", "id",
                       "created_at", "updated_at")
    select_related = ("supplier", "owner")


class ContractCoverViewSet(BaseModelViewSet):
    model = m.ContractCover
    serializer_class = ContractCoverSerializer
    filterset_class = f.ContractCoverFilterSet
    ordering_fields = ("id",)
    select_related = ("contract", "configuration_item", "service")
