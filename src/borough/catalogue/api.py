"""The catalogue's API: one explicit serializer and viewset per model."""

from borough.catalogue import filters as f
from borough.catalogue import models as m
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet


class BusinessServiceSerializer(BaseModelSerializer):
    class Meta:
        model = m.BusinessService
        fields = [*BaseModelSerializer.base_fields(), "reference", "name", "description",
                  "status", "service_unit", "owner", "support_team", "criticality",
                  "service_hours", "service_hours_note", "availability_target", "rto_hours",
                  "rpo_hours", "mto_hours"]


class ServiceComponentSerializer(BaseModelSerializer):
    class Meta:
        model = m.ServiceComponent
        fields = [*BaseModelSerializer.base_fields(), "service", "configuration_item",
                  "redundancy_group", "role"]


class ServiceLevelAgreementSerializer(BaseModelSerializer):
    class Meta:
        model = m.ServiceLevelAgreement
        fields = [*BaseModelSerializer.base_fields(), "reference", "service",
                  "customer_service_unit", "signatory", "status", "availability_target",
                  *(f"p{p}_{kind}_hours" for p in m.PRIORITIES
                    for kind in ("response", "resolution")),
                  "service_hours", "service_hours_note", "ict_contact", "customer_contact",
                  "start_date", "review_date", "notes", "agreed_by", "agreed_at"]
        read_only_fields = ["status", "agreed_by", "agreed_at"]


class OperationalLevelAgreementSerializer(BaseModelSerializer):
    class Meta:
        model = m.OperationalLevelAgreement
        fields = [*BaseModelSerializer.base_fields(), "reference", "service", "provider_team",
                  "receiving_team", "provides", "targets", "status", "review_date"]


class BusinessServiceViewSet(BaseModelViewSet):
    model = m.BusinessService
    serializer_class = BusinessServiceSerializer
    filterset_class = f.BusinessServiceFilterSet
    ordering_fields = ("reference", "name", "status", "criticality", "id")


class ServiceComponentViewSet(BaseModelViewSet):
    model = m.ServiceComponent
    serializer_class = ServiceComponentSerializer
    filterset_class = f.ServiceComponentFilterSet
    ordering_fields = ("redundancy_group", "id")
    select_related = ("service", "configuration_item")


class ServiceLevelAgreementViewSet(BaseModelViewSet):
    model = m.ServiceLevelAgreement
    serializer_class = ServiceLevelAgreementSerializer
    filterset_class = f.ServiceLevelAgreementFilterSet
    ordering_fields = ("reference", "review_date", "start_date", "id")
    select_related = ("service",)


class OperationalLevelAgreementViewSet(BaseModelViewSet):
    model = m.OperationalLevelAgreement
    serializer_class = OperationalLevelAgreementSerializer
    filterset_class = f.OperationalLevelAgreementFilterSet
    ordering_fields = ("reference", "review_date", "id")
    select_related = ("service", "provider_team", "receiving_team")
