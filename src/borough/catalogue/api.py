"""The catalogue's API: one explicit serializer and viewset per model."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from borough.catalogue import filters as f
from borough.catalogue import models as m
from borough.catalogue import queries
from borough.cmdb import queries as cmdb
from borough.core import suggestions as choosing
from borough.core.api import suggestions
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


class ServiceSuggestionQuery(suggestions.SuggestionQuery):
    ci = serializers.CharField(required=False, allow_blank=True, max_length=200,
                               help_text="The configuration item already chosen (its id, "
                                         "reference or “reference name”): the services it "
                                         "delivers come first, and all of them while `q` is "
                                         "empty. Ignored when it names none.")


class BusinessServiceViewSet(BaseModelViewSet):
    model = m.BusinessService
    serializer_class = BusinessServiceSerializer
    filterset_class = f.BusinessServiceFilterSet
    ordering_fields = ("reference", "name", "status", "criticality", "id")

    @extend_schema(parameters=[ServiceSuggestionQuery],
                   responses=suggestions.SuggestionSerializer(many=True),
                   summary="Services to suggest as someone types",
                   description="Up to 20 services the caller can see, not retired, whose "
                               "reference or name contains `q`; with `ci`, the services "
                               "whose components include that CI first.")
    @action(detail=False, methods=["get"])
    def suggest(self, request):
        query = suggestions.read_query(request, ServiceSuggestionQuery)
        item = None
        if query.get("ci"):
            try:
                item = choosing.resolve(cmdb.choosable_items(request.user), query["ci"],
                                        noun="configuration item")
            except ValidationError:
                item = None  # a half-typed CI: suggest as if none were chosen
        found, first = queries.suggest_services(request.user, query.get("q", ""),
                                                item_id=getattr(item, "pk", None))
        return suggestions.answer(found, hint=lambda s: s.get_status_display(), first=first)


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
