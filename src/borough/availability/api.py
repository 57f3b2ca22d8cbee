"""The availability API: outages (one explicit serializer and viewset), availability
figures per service and month, and per configuration item from its up or down metrics
(read endpoints computed by queries.py)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.availability import filters as f
from borough.availability import models as m
from borough.availability import queries, services
from borough.capacity import queries as capacity
from borough.catalogue.models import BusinessService
from borough.changes.models import Change
from borough.cmdb.models import ConfigurationItem
from borough.core import scope
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet
from borough.servicedesk.models import Ticket

MOST_MONTHS = 24


class OutageSerializer(BaseModelSerializer):
    class Meta:
        model = m.Outage
        fields = [*BaseModelSerializer.base_fields(), "reference", "service", "started_at",
                  "ended_at", "kind", "source", "cause", "ticket", "change",
                  "configuration_item", "metric"]
        read_only_fields = ["reference", "configuration_item", "metric"]
        extra_kwargs = {
            "source": {"help_text": "manual by default; monitoring for a monitoring system's "
                                    "report; major_incident and change need the ticket or "
                                    "change they came from."},
            "ended_at": {"help_text": "Null while the service is still down."},
        }


class FromIncidentSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(help_text="The major incident's id.")


class FromChangeSerializer(serializers.Serializer):
    change = serializers.IntegerField(help_text="The change's id.")


class RecordedSerializer(serializers.Serializer):
    created = OutageSerializer(many=True, help_text="The outages recorded.")
    skipped = serializers.ListField(child=serializers.CharField(), help_text="The services "
                                    "left out, each with why (already recorded, overlapping).")


class OutageViewSet(BaseModelViewSet):
    model = m.Outage
    serializer_class = OutageSerializer
    filterset_class = f.OutageFilterSet
    ordering_fields = ("started_at", "ended_at", "reference", "id")
    select_related = ("service", "ticket", "change")

    def _recorded(self, request, model, name, record):
        reader = (FromIncidentSerializer if name == "ticket" else FromChangeSerializer)(
            data=request.data)
        reader.is_valid(raise_exception=True)
        target = model.objects.visible_to(request.user).filter(
            pk=reader.validated_data[name]).first()
        if target is None:
            raise ValidationError({name: [f"No {model._meta.verbose_name} has that id among "
                                          "those you can see."]})
        try:
            recorded = record(target, actor=request.user)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        data = RecordedSerializer({"created": recorded.created, "skipped": recorded.skipped},
                                  context=self.get_serializer_context()).data
        return Response(data, status=201 if recorded.created else 200)

    @extend_schema(request=FromIncidentSerializer,
                   responses={201: RecordedSerializer, 200: RecordedSerializer})
    @action(detail=False, methods=["post"], url_path="from-major-incident")
    def from_major_incident(self, request):
        """Record an unplanned outage of each service a major incident takes down (the
        service it names and those its configuration item stops, from the CMDB); 200 with
        nothing created when each is recorded already."""
        return self._recorded(request, Ticket, "ticket", services.record_from_major_incident)

    @extend_schema(request=FromChangeSerializer,
                   responses={201: RecordedSerializer, 200: RecordedSerializer})
    @action(detail=False, methods=["post"], url_path="from-change")
    def from_change(self, request):
        """Record a planned outage of each service a change names, over its window."""
        return self._recorded(request, Change, "change", services.record_from_change)


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    complete = serializers.BooleanField(help_text="False for the month going on: measured "
                                                  "until now.")
    service_minutes = serializers.FloatField(help_text="Minutes of service hours.")
    planned_minutes = serializers.FloatField(help_text="Planned downtime in service hours.")
    agreed_minutes = serializers.FloatField(help_text="Agreed service time: service hours "
                                                      "less planned downtime.")
    downtime_minutes = serializers.FloatField(help_text="Unplanned downtime in service hours.")
    availability = serializers.FloatField(allow_null=True, help_text="Per cent of agreed "
                                          "service time up; null with no agreed time.")
    met = serializers.BooleanField(allow_null=True, help_text="Null without a target.")
    failures = serializers.IntegerField()
    mtbf_minutes = serializers.FloatField(allow_null=True, help_text="Mean time between "
                                          "failures; null with no failure.")
    mtrs_minutes = serializers.FloatField(allow_null=True, help_text="Mean time to restore "
                                          "service; null with no failure.")


class ServiceAvailabilitySerializer(serializers.Serializer):
    service = serializers.IntegerField(source="service.pk")
    reference = serializers.CharField(source="service.reference")
    name = serializers.CharField(source="service.name")
    service_hours = serializers.CharField(source="service.service_hours")
    target = serializers.DecimalField(source="service.availability_target", max_digits=5,
                                      decimal_places=2, allow_null=True)
    months = MonthFiguresSerializer(many=True)


def _month_rows(found) -> list[dict]:
    return [{"month": month, "complete": fig.complete, "service_minutes": fig.service_minutes,
             "planned_minutes": fig.planned_minutes, "agreed_minutes": fig.agreed_minutes,
             "downtime_minutes": fig.downtime_minutes, "availability": fig.availability,
             "met": fig.met, "failures": fig.failures, "mtbf_minutes": fig.mtbf_minutes,
             "mtrs_minutes": fig.mtrs_minutes} for month, fig in found.months]


MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
PARAMETERS = [
    OpenApiParameter("month", OpenApiTypes.STR, description="The last month, as YYYY-MM "
                     "(default: this month)."),
    OpenApiParameter("months", OpenApiTypes.INT, description=f"How many months up to it, "
                     f"1 to {MOST_MONTHS} (default 1)."),
]


def read_months(params, *, default_count: int = 1) -> list[date]:
    unknown = sorted(set(params) - {"month", "months"})
    if unknown:
        raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}; the "
                                         "parameters here are month and months."})
    today = timezone.localdate()
    last = date(today.year, today.month, 1)
    if params.get("month"):
        found = MONTH.match(params["month"])
        if not found or not 1 <= int(found[2]) <= 12 or not 2000 <= int(found[1]) <= 2099:
            raise ValidationError({"month": ["Give the month as YYYY-MM, like 2026-03."]})
        last = date(int(found[1]), int(found[2]), 1)
        if last > date(today.year, today.month, 1):
            raise ValidationError({"month": ["That month has not begun."]})
    count = params.get("months") or str(default_count)
    if not count.isdigit() or not 1 <= int(count) <= MOST_MONTHS:
        raise ValidationError({"months": [f"Give a whole number from 1 to {MOST_MONTHS}."]})
    return queries.last_months(last, int(count))


class AvailabilityViewSet(viewsets.ViewSet):
    """Availability per live service and month, computed from outages within each
    service's hours against its target (docs/availability.md). For those who may view
    outages."""

    permission_classes = [IsAuthenticated]

    def check(self, request):
        if not scope.can(request.user, "view", m.Outage, None):
            raise PermissionDenied("Your role does not allow you to view availability.")
        return read_months(request.query_params)

    @extend_schema(parameters=PARAMETERS, responses=ServiceAvailabilitySerializer(many=True))
    def list(self, request):
        months = self.check(request)
        found = queries.availability(queries.measured_services(request.user), request.user,
                                     months)
        return Response([ServiceAvailabilitySerializer(
            {"service": s.service, "months": _month_rows(s)}).data for s in found])

    @extend_schema(parameters=PARAMETERS, responses=ServiceAvailabilitySerializer)
    def retrieve(self, request, pk=None):
        months = self.check(request)
        service = (BusinessService.objects.visible_to(request.user)
                   .filter(pk=int(pk) if str(pk).isdigit() else 0).first())
        if service is None:
            raise NotFound("No business service has that id among those you can see.")
        found = queries.availability([service], request.user, months)[0]
        return Response(ServiceAvailabilitySerializer(
            {"service": service, "months": _month_rows(found)}).data)


class ComponentMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month's first day.")
    complete = serializers.BooleanField(help_text="False when only part of the month is "
                                                  "measured (the month going on, or points "
                                                  "that began later).")
    measured_from = serializers.DateTimeField(allow_null=True, help_text="Null: nothing "
                                              "measured in the month.")
    measured_until = serializers.DateTimeField(allow_null=True)
    measured_minutes = serializers.FloatField()
    down_minutes = serializers.FloatField()
    availability = serializers.FloatField(allow_null=True, help_text="Per cent of the time "
                                          "measured that it was up; null with none measured.")


class ComponentMetricSerializer(serializers.Serializer):
    metric = serializers.IntegerField(source="metric.pk")
    name = serializers.CharField(source="metric.name")
    months = ComponentMonthSerializer(many=True)


class ComponentAvailabilitySerializer(serializers.Serializer):
    configuration_item = serializers.IntegerField(source="item.pk")
    reference = serializers.CharField(source="item.reference")
    name = serializers.CharField(source="item.name")
    metrics = ComponentMetricSerializer(many=True, help_text="Each up or down metric of "
                                        "the item, with its months.")
    outages = OutageSerializer(many=True, help_text="The latest outages monitoring "
                               "recorded of the item (one per service relying on it).")


class ComponentAvailabilityViewSet(viewsets.ViewSet):
    """A configuration item's availability per month from its up or down metrics (the
    share of the time measured it was up), and its outages from monitoring
    (docs/availability.md, Components). For those who may view outages."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("month", OpenApiTypes.STR, description="The last month, as YYYY-MM "
                         "(default: this month)."),
        OpenApiParameter("months", OpenApiTypes.INT, description=f"How many months up to "
                         f"it, 1 to {MOST_MONTHS} (default 2: this month and last)."),
    ], responses=ComponentAvailabilitySerializer)
    def retrieve(self, request, pk=None):
        if not scope.can(request.user, "view", m.Outage, None):
            raise PermissionDenied("Your role does not allow you to view availability.")
        months = read_months(request.query_params, default_count=2)
        item = (ConfigurationItem.objects.visible_to(request.user)
                .filter(pk=int(pk) if str(pk).isdigit() else 0).first())
        if item is None:
            raise NotFound("No configuration item has that id among those you can see.")
        metrics = [{"metric": metric, "months": [
            {"month": f.month, "complete": f.complete, "measured_from": f.measured_from,
             "measured_until": f.measured_until, "measured_minutes": f.measured_minutes,
             "down_minutes": f.down_minutes, "availability": f.availability}
            for f in queries.component_availability(metric, months)]}
            for metric in capacity.up_down_metrics_of_item(item, request.user)]
        return Response(ComponentAvailabilitySerializer(
            {"item": item, "metrics": metrics,
             "outages": queries.outages_of_item(item, request.user)},
            context={"request": request}).data)
