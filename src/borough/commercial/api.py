"""The commercial module's API: one explicit serializer and viewset per model, and the
renewals (JSON and iCalendar)."""

import json

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.commercial import calendar, queries, services
from borough.commercial import filters as f
from borough.commercial import models as m
from borough.core import scope
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
                  "notice_unit", "notice_given_on", "notice_given_by", "renewal_agreed_on",
                  "renewal_agreed_by", "procurement_route", "procurement_reference",
                  "support_hours", "response_times"]
        read_only_fields = ["notice_given_by", "renewal_agreed_on", "renewal_agreed_by"]


class ContractCoverSerializer(BaseModelSerializer):
    class Meta:
        model = m.ContractCover
        fields = [*BaseModelSerializer.base_fields(), "contract", "configuration_item",
                  "service", "note"]


class CommercialSettingsSerializer(BaseModelSerializer):
    class Meta:
        model = m.CommercialSettings
        fields = [*BaseModelSerializer.base_fields(), "alert_days"]


class ReviewCriterionSerializer(BaseModelSerializer):
    class Meta:
        model = m.ReviewCriterion
        fields = [*BaseModelSerializer.base_fields(), "name", "description", "position",
                  "is_active"]


class SupplierReviewSerializer(BaseModelSerializer):
    class Meta:
        model = m.SupplierReview
        fields = [*BaseModelSerializer.base_fields(), "supplier", "held_on", "reviewer",
                  "contracts", "service_levels", "actions", "summary"]


class SupplierReviewScoreSerializer(BaseModelSerializer):
    class Meta:
        model = m.SupplierReviewScore
        fields = [*BaseModelSerializer.base_fields(), "review", "criterion", "score", "comment"]


class UncontractedSystemSerializer(BaseModelSerializer):
    class Meta:
        model = m.UncontractedSystem
        fields = [*BaseModelSerializer.base_fields(), "configuration_item", "reason",
                  "explanation", "review_by"]


class CommercialSettingsViewSet(BaseModelViewSet):
    model = m.CommercialSettings
    serializer_class = CommercialSettingsSerializer
    filterset_class = f.CommercialSettingsFilterSet


class ReviewCriterionViewSet(BaseModelViewSet):
    model = m.ReviewCriterion
    serializer_class = ReviewCriterionSerializer
    filterset_class = f.ReviewCriterionFilterSet
    ordering_fields = ("position", "name", "id")


class SupplierReviewViewSet(BaseModelViewSet):
    model = m.SupplierReview
    serializer_class = SupplierReviewSerializer
    filterset_class = f.SupplierReviewFilterSet
    ordering_fields = ("held_on", "id", "created_at", "updated_at")
    select_related = ("supplier", "reviewer")
    prefetch_related = ("contracts",)


class SupplierReviewScoreViewSet(BaseModelViewSet):
    model = m.SupplierReviewScore
    serializer_class = SupplierReviewScoreSerializer
    filterset_class = f.SupplierReviewScoreFilterSet
    ordering_fields = ("id", "score")
    select_related = ("review", "criterion")


class UncontractedSystemViewSet(BaseModelViewSet):
    model = m.UncontractedSystem
    serializer_class = UncontractedSystemSerializer
    filterset_class = f.UncontractedSystemFilterSet
    ordering_fields = ("id", "review_by")
    select_related = ("configuration_item",)


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
    record_actions = services.CONTRACT_ACTIONS


class ContractCoverViewSet(BaseModelViewSet):
    model = m.ContractCover
    serializer_class = ContractCoverSerializer
    filterset_class = f.ContractCoverFilterSet
    ordering_fields = ("id",)
    select_related = ("contract", "configuration_item", "service")


# --- the renewals over the API ---------------------------------------------------------------


class BriefContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    supplier = serializers.CharField(source="supplier.name")
    owner = serializers.CharField(allow_null=True, default=None)
    annual_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True,
        help_text="Null when not recorded, or for a reader who may not see it (contract "
                  "values: the ICT Manager, Administrator and Auditor, and the contract's "
                  "owner).")
    renewal_terms = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, contract) -> str:
        return contract.get_absolute_url()


class RenewalEventSerializer(serializers.Serializer):
    day = serializers.DateField()
    kind = serializers.ChoiceField(choices=[queries.NOTICE, queries.END],
                                   help_text="notice: the last day to give notice; end: the "
                                             "day its current term ends (or renews).")
    what = serializers.CharField()
    counted = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                       help_text="What it adds to its month's value at stake "
                                                 "(null for a reader who may not see "
                                                 "contract values).")
    contract = BriefContractSerializer()


class RenewalMonthSerializer(serializers.Serializer):
    month = serializers.DateField(source="start")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True,
                                     help_text="Null for a reader who may not see every "
                                               "contract's value.")
    events = RenewalEventSerializer(many=True)


class OverdueSerializer(serializers.Serializer):
    notice_by = serializers.DateField()
    term_end = serializers.DateField(allow_null=True)
    contract = BriefContractSerializer()


class RenewalsSerializer(serializers.Serializer):
    today = serializers.DateField()
    until = serializers.DateField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                     help_text="Null for a reader who may not see every "
                                               "contract's value.")
    months = RenewalMonthSerializer(many=True)
    overdue = OverdueSerializer(many=True, help_text="Contracts whose notice date has passed "
                                "with no notice given and no decision to renew, while their "
                                "term runs.")


class CalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


RENEWAL_FILTERS = [
    OpenApiParameter("supplier", OpenApiTypes.INT, description="A supplier's id."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="The contract owner's id "
                     "(a person in the staff directory)."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=m.ContractKind.values),
]


class RenewalsViewSet(viewsets.ViewSet):
    """The renewals page over the API: the next twelve months' notice and end dates by
    month with the value at stake, and the same dates (24 months ahead, 3 back) as an
    iCalendar file. For those who may view contracts."""

    permission_classes = [IsAuthenticated]

    def handle_exception(self, exc):
        # Errors are JSON, as documented, for the calendar file too.
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    def contracts(self, request):
        if not scope.can(request.user, "view", m.Contract, None):
            raise PermissionDenied("Your role does not allow you to view contracts.")
        unknown = sorted(set(request.query_params) - {"supplier", "owner", "kind", "format"})
        if unknown:
            raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}; the "
                                             "filters here are supplier, owner and kind."})
        filterset = f.RenewalsFilterSet(request.query_params, request=request,
                                        queryset=m.Contract.objects.visible_to(request.user))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    @extend_schema(parameters=RENEWAL_FILTERS, responses=RenewalsSerializer)
    def list(self, request):
        found = queries.renewals(self.contracts(request), timezone.localdate(),
                                 user=request.user)
        queries.with_parties([e.contract for e in found.events]
                             + [d.contract for d in found.overdue])
        data = RenewalsSerializer({
            "today": found.today, "until": found.until, "total": found.total,
            "months": found.months,
            "overdue": [{"notice_by": d.notice_by, "term_end": d.term_end,
                         "contract": d.contract} for d in found.overdue]}).data
        if not queries.shows_values(request.user):
            # Totals of values the reader may not all see are not given (core.restricted).
            data["total"] = None
            for month in data["months"]:
                month["value"] = None
                for event in month["events"]:
                    event["counted"] = None
        return Response(data)

    @extend_schema(parameters=RENEWAL_FILTERS,
                   responses={(200, "text/calendar"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="calendar",
            renderer_classes=[CalendarRenderer])
    def calendar(self, request):
        events = queries.calendar_events(self.contracts(request), timezone.localdate(),
                                         user=request.user)
        body = calendar.render(events, base_url=request.build_absolute_uri("/"),
                               name="Contract renewals")
        return Response(body, content_type="text/calendar; charset=utf-8")
