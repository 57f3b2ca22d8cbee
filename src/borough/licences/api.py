"""The licences API: one serializer and viewset per model, each licence's position
(`/api/licences/licences/<id>/position/`) and the compliance of every licence
(`/api/licences/compliance/`), with the same filters and figures as the page."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.core import scope
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.core.money import pence
from borough.licences import filters as f
from borough.licences import forms, queries
from borough.licences import models as m

MONEY = {"max_digits": 14, "decimal_places": 2, "allow_null": True}


class LicenceSerializer(BaseModelSerializer):
    class Meta:
        model = m.Licence
        fields = [*BaseModelSerializer.base_fields(), "reference", "name", "software",
                  "supplier", "contract", "licence_model", "counted_from", "standard_build",
                  "notes"]


class EntitlementSerializer(BaseModelSerializer):
    unit_cost = serializers.SerializerMethodField(
        help_text="The cost of one licence for the term, rounded to the penny.")

    class Meta:
        model = m.Entitlement
        fields = [*BaseModelSerializer.base_fields(), "licence", "quantity", "term_start",
                  "term_end", "cost", "unit_cost", "contract", "order_reference", "note"]

    def get_unit_cost(self, obj) -> str:
        return str(pence(obj.unit_cost))


class ConsumptionCountSerializer(BaseModelSerializer):
    class Meta:
        model = m.ConsumptionCount
        fields = [*BaseModelSerializer.base_fields(), "licence", "count", "counted_on",
                  "counted_by", "how"]


class CountedRecordSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(help_text="The page of the record (empty: listed on the "
                                          "licence's page).")
    adds = serializers.IntegerField(allow_null=True,
                                    help_text="What it adds to the count (null: not known).")


class LicencePositionSerializer(serializers.Serializer):
    licence = serializers.IntegerField(source="licence.pk")
    reference = serializers.CharField(source="licence.reference")
    name = serializers.CharField(source="licence.name")
    software = serializers.IntegerField(source="licence.software_id")
    supplier = serializers.IntegerField(source="licence.supplier_id")
    licence_model = serializers.CharField(source="licence.licence_model")
    counted_from = serializers.CharField(source="licence.counted_from")
    day = serializers.DateField(help_text="The day the position is for (today).")
    entitled = serializers.IntegerField(help_text="The sum of the entitlements in force.")
    used = serializers.IntegerField(allow_null=True, help_text="The use counted (null: not "
                                                               "known).")
    status = serializers.ChoiceField(choices=queries.Status.CHOICES)
    shortfall = serializers.IntegerField(help_text="Licences short (over-used).")
    unused = serializers.IntegerField(help_text="Licences bought and not used.")
    unit_cost = serializers.DecimalField(**MONEY, help_text="The price one licence is "
                                         "valued at: the entitlement in force that started "
                                         "last (or, with none in force, the last bought), "
                                         "rounded to the penny.")
    true_up_cost = serializers.DecimalField(**MONEY, help_text="The shortfall at the unit "
                                            "cost (null: no price known).")
    saving = serializers.DecimalField(**MONEY, help_text="The unused licences at the unit "
                                      "cost.")
    summary = serializers.CharField()
    method = serializers.CharField(source="consumption.method",
                                   help_text="How the use is counted, in words.")
    gaps = serializers.ListField(child=serializers.CharField(), source="consumption.gaps",
                                 help_text="Why the use is not known, if it is not.")
    figures = CountedRecordSerializer(many=True, source="consumption.figures",
                               help_text="The records the count is made of.")
    entitlements_in_force = serializers.ListField(
        child=serializers.IntegerField(), source="in_force_ids",
        help_text="The ids of the entitlements in force.")

    def to_representation(self, instance):
        instance.in_force_ids = [e.pk for e in instance.in_force]
        data = super().to_representation(instance)
        if instance.unit_cost is not None:
            data["unit_cost"] = str(pence(instance.unit_cost))
        return data


class LicenceComplianceSerializer(serializers.Serializer):
    risk = serializers.DecimalField(**MONEY, help_text="The true-up cost of every over-used "
                                    "licence listed that has a price.")
    savings = serializers.DecimalField(**MONEY, help_text="The unused licences listed, at "
                                       "their unit costs.")
    counts = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="How many licences listed in each position.")
    positions = LicencePositionSerializer(many=True)


class LicenceViewSet(BaseModelViewSet):
    model = m.Licence
    serializer_class = LicenceSerializer
    filterset_class = f.LicenceFilterSet
    ordering_fields = ("name", "reference", "id", "created_at", "updated_at")
    select_related = ("software__ci_class", "supplier", "contract", "standard_build")

    @extend_schema(request=None, responses=LicencePositionSerializer)
    @action(detail=True, methods=["get"])
    def position(self, request, pk=None):
        """Where the licence stands today: entitled, used, its compliance and the records
        behind the count."""
        return Response(LicencePositionSerializer(queries.position_of(self.get_object())).data)


class EntitlementViewSet(BaseModelViewSet):
    model = m.Entitlement
    serializer_class = EntitlementSerializer
    filterset_class = f.EntitlementFilterSet
    ordering_fields = ("term_start", "term_end", "quantity", "cost", "id")
    select_related = ("licence", "contract")


class ConsumptionCountViewSet(BaseModelViewSet):
    model = m.ConsumptionCount
    serializer_class = ConsumptionCountSerializer
    filterset_class = f.ConsumptionCountFilterSet
    ordering_fields = ("counted_on", "count", "id")
    select_related = ("licence", "counted_by")


class ComplianceViewSet(viewsets.ViewSet):
    """Every licence's position today, the largest risk first; `supplier`, `software` (ids)
    and `status` (over, unknown, under, compliant) narrow it. For those who may view
    licences."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("supplier", OpenApiTypes.INT, description="A supplier's id."),
        OpenApiParameter("software", OpenApiTypes.INT, description="The licensed "
                         "application's id (a configuration item)."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=list(queries.Status.ORDER),
                         description="Only the licences in this position."),
    ], responses=LicenceComplianceSerializer)
    def list(self, request):
        user = request.user
        if not scope.can(user, "view", m.Licence, None):
            raise PermissionDenied("Your role does not allow you to view licences.")
        unknown = sorted(set(request.query_params) - {"supplier", "software", "status",
                                                      "format"})
        if unknown:
            raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}; the "
                                             "filters here are supplier, software and status."})
        form = forms.ComplianceForm(request.query_params, user=user)
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors]
                                   for name, errors in form.errors.items()})
        found = queries.compliance(filtered(queries.licences_for(user), form.cleaned_data),
                                   status=form.cleaned_data["status"] or None)
        return Response(LicenceComplianceSerializer({
            "risk": found.risk, "savings": found.savings, "counts": found.counts(),
            "positions": found.positions}).data)


def filtered(licences, chosen: dict):
    if chosen.get("supplier") is not None:
        licences = licences.filter(supplier=chosen["supplier"])
    if chosen.get("software") is not None:
        licences = licences.filter(software=chosen["software"])
    return licences
