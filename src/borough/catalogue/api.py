"""The catalogue's API: one explicit serializer and viewset per model."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.catalogue import filters as f
from borough.catalogue import forms as catalogue_forms
from borough.catalogue import models as m
from borough.catalogue import queries, services
from borough.cmdb import queries as cmdb
from borough.cmdb.models import ConfigurationItem
from borough.core import suggestions as choosing
from borough.core.api import suggestions
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.core.ids import parse_id


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


class CatalogueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()


class CatalogueServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    criticality = serializers.CharField()


class ServiceDependencySerializer(serializers.Serializer):
    item = CatalogueItemSerializer()
    path = CatalogueItemSerializer(many=True, help_text="From the component that delivers the "
                               "service to this item, each depending on the next.")


class ServiceImpactSerializer(serializers.Serializer):
    depends_on = ServiceDependencySerializer(
        many=True, help_text="Every CI the service depends on, transitively, nearest first, "
                             "alternatives included.")
    single_points_of_failure = CatalogueItemSerializer(
        many=True, help_text="The CIs whose loss alone stops the service.")


class ServicePathSerializer(serializers.Serializer):
    service = CatalogueServiceSerializer()
    path = CatalogueItemSerializer(many=True, help_text="From the component that delivers the "
                               "service to the configuration item asked about.")


class ItemServicesSerializer(serializers.Serializer):
    stopped = ServicePathSerializer(many=True, help_text="The services (not retired) that "
                                    "stop if the item is lost, nearest first.")
    supported = ServicePathSerializer(many=True, help_text="Every service (not retired) that "
                                      "depends on the item, with an alternative or not.")


class SinglePointsRowSerializer(serializers.Serializer):
    service = CatalogueServiceSerializer()
    components = serializers.IntegerField(help_text="How many components are recorded; "
                                          "with none the single points are not known.")
    single_points_of_failure = CatalogueItemSerializer(many=True)


class BusinessServiceViewSet(BaseModelViewSet):
    model = m.BusinessService
    serializer_class = BusinessServiceSerializer
    filterset_class = f.BusinessServiceFilterSet
    ordering_fields = ("reference", "name", "status", "criticality", "id")

    @extend_schema(responses={200: ServiceImpactSerializer},
                   summary="What the service depends on and its single points of failure",
                   description="Redundancy honoured between the service's components and "
                               "in the CI graph (docs/catalogue.md).")
    @action(detail=True, methods=["get"])
    def impact(self, request, pk=None):
        service = self.get_object()
        return Response(ServiceImpactSerializer({
            "depends_on": queries.dependencies_of(service, request.user),
            "single_points_of_failure": queries.single_points_of_failure(service,
                                                                         request.user),
        }).data)

    @extend_schema(
        parameters=[OpenApiParameter("configuration_item", OpenApiTypes.INT, required=True,
                                     description="The configuration item's id.")],
        responses={200: ItemServicesSerializer,
                   400: OpenApiResponse(description="No configuration item, or one that "
                                                    "does not exist or is not yours.")},
        summary="The services a configuration item supports and those that stop if it is "
                "lost")
    @action(detail=False, methods=["get"], url_path="for-item")
    def for_item(self, request):
        unknown = set(request.query_params) - {"configuration_item"}
        if unknown:
            raise ValidationError({"detail": f"Unknown parameter {', '.join(sorted(unknown))}. "
                                             "This takes only configuration_item."})
        pk = parse_id(request.query_params.get("configuration_item"))
        item = ConfigurationItem.objects.visible_to(request.user).filter(pk=pk).first() \
            if pk else None
        if item is None:
            raise ValidationError({"configuration_item": "Give the id of one of your "
                                                         "configuration items."})
        return Response(ItemServicesSerializer({
            "stopped": queries.services_stopped_by(item, request.user),
            "supported": queries.services_supported_by(item, request.user),
        }).data)

    @extend_schema(
        parameters=[OpenApiParameter("criticality", OpenApiTypes.STR, many=True,
                                     enum=[c for c, _ in catalogue_forms.Criticality.choices],
                                     description="Repeat for several; critical by default.")],
        responses={200: SinglePointsRowSerializer(many=True),
                   400: OpenApiResponse(description="An unknown criticality.")},
        summary="Single points of failure of every live service")
    @action(detail=False, methods=["get"], url_path="single-points-of-failure")
    def single_points_of_failure(self, request):
        unknown = set(request.query_params) - {"criticality"}
        if unknown:
            raise ValidationError({"detail": f"Unknown parameter {', '.join(sorted(unknown))}. "
                                             "This takes only criticality."})
        form = catalogue_forms.SinglePointsForm(
            {"criticality": request.query_params.getlist("criticality")}
            if "criticality" in request.query_params else
            {"criticality": [catalogue_forms.Criticality.CRITICAL]})
        if not form.is_valid():
            raise ValidationError(form.errors)
        services_ = list(queries.live_services(request.user, form.cleaned_data["criticality"]))
        points = queries.single_points_of_each(services_, request.user)
        counts = queries.component_counts(services_)
        return Response(SinglePointsRowSerializer([
            {"service": s, "components": counts.get(s.pk, 0),
             "single_points_of_failure": points[s.pk]} for s in services_], many=True).data)

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
            except DjangoValidationError:
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
    record_actions = services.SLA_ACTIONS
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
