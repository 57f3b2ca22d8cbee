"""Metrics (a register, with their points and rollups read through them), collection
runs (read-only: Borough writes them) and the line protocol write endpoint."""

from __future__ import annotations

import datetime
import zlib

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from borough.capacity import filters as f
from borough.capacity import ingest, services
from borough.capacity import models as m
from borough.core import scope
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import ORGANISATION_HEADER, BaseModelViewSet, ScopedListMixin


class MetricSerializer(BaseModelSerializer):
    state = serializers.SerializerMethodField(
        help_text="Where the latest value stands: " + ", ".join(m.State.values) + ".")
    headroom = serializers.SerializerMethodField(
        help_text="The critical threshold (else the capacity) less the latest value.")

    class Meta:
        model = m.Metric
        fields = [*BaseModelSerializer.base_fields(), "configuration_item", "name", "unit",
                  "kind", "description", "warning_threshold", "critical_threshold",
                  "direction", "capacity", "shortest_outage_minutes", "source_key",
                  "prometheus_source", "promql", "mapping", "latest_at",
                  "latest_value", "state", "headroom"]
        read_only_fields = ["mapping", "latest_at", "latest_value"]

    def get_state(self, obj) -> str:
        return obj.state

    def get_headroom(self, obj) -> float | None:
        return obj.headroom


class PointSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    value = serializers.FloatField()


class RollupSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=m.Period.choices)
    start = serializers.DateTimeField()
    count = serializers.IntegerField()
    total = serializers.FloatField(help_text="The sum of the values: with count, the mean "
                                   "of any longer period exactly.")
    minimum = serializers.FloatField()
    mean = serializers.FloatField()
    maximum = serializers.FloatField()
    p95 = serializers.FloatField(help_text="The nearest-rank 95th percentile of the raw "
                                 "values (docs/capacity.md).")


SINCE = OpenApiParameter("since", OpenApiTypes.DATETIME, description="From this moment "
                         "(ISO 8601, with its offset).")
UNTIL = OpenApiParameter("until", OpenApiTypes.DATETIME, description="Before this moment.")
PERIOD = OpenApiParameter("period", OpenApiTypes.STR, enum=m.Period.values,
                          description="hour or day (default day).")


def moment(request, name: str) -> datetime.datetime | None:
    text = request.query_params.get(name)
    if not text:
        return None
    field = serializers.DateTimeField()
    try:
        return field.to_internal_value(text)
    except serializers.ValidationError:
        raise ValidationError({name: "Give a date and time like 2025-03-31T08:00:00Z."}) \
            from None


def between(rows, request, field: str = "at"):
    if (since := moment(request, "since")) is not None:
        rows = rows.filter(**{f"{field}__gte": since})
    if (until := moment(request, "until")) is not None:
        rows = rows.filter(**{f"{field}__lt": until})
    return rows


class ForecastDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    expected = serializers.FloatField()
    lower = serializers.FloatField()
    upper = serializers.FloatField()


class ForecastSerializer(serializers.ModelSerializer):
    days = serializers.SerializerMethodField(
        help_text="Each day of the horizon: the expected daily figure and its interval.")

    class Meta:
        model = m.Forecast
        fields = ["made_at", "fitted_from", "fitted_to", "points", "figure", "components",
                  "level", "warning_on", "critical_on", "critical_earliest",
                  "critical_latest", "critical_already", "backtest_days", "backtest_error",
                  "backtest_percentage_error", "backtest_coverage", "problem", "change",
                  "problem_for", "days"]

    @extend_schema_field(ForecastDaySerializer(many=True))
    def get_days(self, obj) -> list[dict]:
        return [{"day": d, "expected": e, "lower": lo, "upper": hi}
                for d, e, lo, hi in obj.days]


class MetricViewSet(BaseModelViewSet):
    model = m.Metric
    serializer_class = MetricSerializer
    filterset_class = f.MetricFilterSet
    ordering_fields = ("name", "latest_at", "latest_value", "id")
    select_related = ("configuration_item",)

    @extend_schema(parameters=[SINCE, UNTIL], responses=PointSerializer(many=True),
                   summary="The metric's raw points",
                   description="Oldest first, paged. Raw points are kept for "
                               "CAPACITY_RAW_RETENTION_DAYS days; rollups for good.")
    @action(detail=True, methods=["get"], paged=True)
    def points(self, request, pk=None):
        metric = self.get_object()
        rows = between(m.Point.objects.filter(metric=metric), request).order_by("at")
        return self.paged_response(rows.only("at", "value"), PointSerializer)

    @extend_schema(responses={200: ForecastSerializer, 404: OpenApiResponse(
        description="No such metric you can see, or no forecast of it yet.")},
        summary="The metric's latest forecast",
        description="Made each night from its daily figures for a metric with a threshold "
                    "(docs/capacity.md, Forecasts): when its thresholds are expected to be "
                    "crossed, each day of its horizon, how good it has been, and the "
                    "capacity problem raised.")
    @action(detail=True, methods=["get"])
    def forecast(self, request, pk=None):
        metric = self.get_object()
        found = m.Forecast.objects.filter(metric=metric).first()
        if found is None:
            raise NotFound("No forecast of this metric yet.")
        return Response(ForecastSerializer(found).data)

    @extend_schema(parameters=[PERIOD, SINCE, UNTIL], responses=RollupSerializer(many=True),
                   summary="The metric's hourly or daily rollups",
                   description="Oldest first, paged: each hour (UTC) or day (the "
                               "installation's time zone) with its count, sum, minimum, "
                               "mean, maximum and 95th percentile.")
    @action(detail=True, methods=["get"], paged=True)
    def rollups(self, request, pk=None):
        metric = self.get_object()
        period = request.query_params.get("period") or m.Period.DAY
        if period not in m.Period.values:
            raise ValidationError({"period": "Choose hour or day."})
        rows = between(m.Rollup.objects.filter(metric=metric, period=period), request,
                       "start").order_by("start")
        return self.paged_response(rows, RollupSerializer)


class CapacitySettingsSerializer(BaseModelSerializer):
    class Meta:
        model = m.CapacitySettings
        fields = [*BaseModelSerializer.base_fields(), "overload_action"]


class CapacitySettingsViewSet(BaseModelViewSet):
    model = m.CapacitySettings
    serializer_class = CapacitySettingsSerializer
    filterset_class = f.CapacitySettingsFilterSet


class PrometheusSourceSerializer(BaseModelSerializer):
    class Meta:
        model = m.PrometheusSource
        fields = [*BaseModelSerializer.base_fields(), "name", "base_url", "auth", "username",
                  "secret_env", "step_seconds", "first_run_hours", "is_active",
                  "last_run_at"]
        read_only_fields = ["last_run_at"]


class PrometheusSourceViewSet(BaseModelViewSet):
    """Prometheus servers queried on a schedule; POST …/query-now/ queries one now."""

    model = m.PrometheusSource
    serializer_class = PrometheusSourceSerializer
    filterset_class = f.PrometheusSourceFilterSet
    ordering_fields = ("name", "last_run_at", "id")
    record_actions = services.PROMETHEUS_ACTIONS


class CollectionRunSerializer(BaseModelSerializer):
    class Meta:
        model = m.CollectionRun
        fields = [*BaseModelSerializer.base_fields(), "source", "detail", "requested_by",
                  "started_at", "finished_at", "lines", "accepted", "refused", "skipped",
                  "metrics_created", "errors"]
        read_only_fields = fields


@extend_schema(parameters=[ORGANISATION_HEADER])
class CollectionRunViewSet(ScopedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Each push, upload and source query, and what became of it."""

    model = m.CollectionRun
    serializer_class = CollectionRunSerializer
    filterset_class = f.CollectionRunFilterSet
    ordering_fields = ("started_at", "id")
    select_related = ("requested_by",)


# --- the line protocol write endpoint -------------------------------------------------

class CanPushMetrics(permissions.BasePermission):
    """The caller's role in the organisation it works in grants capacity.push_metric, and
    the token is not read-only."""

    message = "You may not push measurements: your role needs “Can push measurements”."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(request.auth, "read_only", False):
            self.message = "This token is read-only."
            return False
        return scope.can(user, "push", m.Metric, None)


class BodyTooLarge(Exception):
    pass


def read_body(request) -> bytes:
    """The request body, gzip undone, within CAPACITY_MAX_WRITE_BYTES."""
    limit = settings.CAPACITY_MAX_WRITE_BYTES
    django_request = request._request
    data = (django_request._body if hasattr(django_request, "_body")
            else django_request.read(limit + 1))
    if len(data) > limit:
        raise BodyTooLarge
    if request.headers.get("Content-Encoding", "").strip().lower() == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(data, limit + 1)
        except zlib.error:
            raise ValidationError({"code": "invalid", "message": "The body is not valid "
                                   "gzip."}) from None
        if len(data) > limit or inflater.unconsumed_tail:
            raise BodyTooLarge
    return data


class WriteView(APIView):
    """POST line protocol: the InfluxDB write API as Telegraf uses it (v1 `/write` under
    /api/capacity/, and v2 `/api/v2/write`). 204 when every line was taken in; 400 with
    the lines refused (their number and why) when some were not, the good ones kept, as
    InfluxDB answers a partial write."""

    permission_classes = [CanPushMetrics]
    # The body is read as it is, whatever its content type (curl sends form-encoded).
    parser_classes: list = []

    @extend_schema(
        operation_id="capacity_write", request={"text/plain": OpenApiTypes.STR},
        parameters=[OpenApiParameter("precision", OpenApiTypes.STR, description=(
            "The unit of the timestamps: ns (default), us, ms or s; v1 also n, u, m, h.")),
            ORGANISATION_HEADER],
        summary="Push measurements in the InfluxDB line protocol",
        description="What Telegraf's outputs.influxdb, outputs.influxdb_v2 and outputs.http "
                    "send (docs/capacity.md), gzip or not. Each numeric field of a line is "
                    "a point of the metric its series (measurement, tags, field) names; a "
                    "series no metric names becomes an unmapped metric.",
        responses={204: OpenApiResponse(description="Every line was taken in."),
                   400: OpenApiResponse(description="Some lines were refused (the others "
                                                    "kept), or the request is bad."),
                   413: OpenApiResponse(description="The body is too large.")})
    def post(self, request, *args, **kwargs):
        try:
            ingest.lineprotocol.precision_factor(request.query_params.get("precision"))
        except ValueError as exc:
            return Response({"code": "invalid", "message": str(exc)},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            body = read_body(request)
        except BodyTooLarge:
            return Response({"code": "request too large", "message": (
                f"The body is over {settings.CAPACITY_MAX_WRITE_BYTES:,} bytes: send "
                "smaller batches (Telegraf's metric_batch_size).")},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return Response({"code": "invalid", "message": "The body is not UTF-8 text."},
                            status=status.HTTP_400_BAD_REQUEST)
        token = request.auth
        detail = f"Token {token}" if token is not None and hasattr(token, "hint") else (
            f"{request.user} (signed in)")
        result = ingest.push(request.user.active_organisation_id, text,
                             precision=request.query_params.get("precision"),
                             actor=request.user, detail=detail)
        outcome = result.outcome
        if not outcome.errors:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({
            "code": "invalid",
            "message": (f"partial write: {outcome.accepted:,} points written, "
                        f"{outcome.refused:,} lines refused"),
            "written": outcome.accepted, "refused": outcome.refused,
            "errors": [{"line": n, "message": msg} for n, msg in
                       sorted(outcome.errors)[:ingest.ERRORS_KEPT]],
            "run": result.run.pk}, status=status.HTTP_400_BAD_REQUEST)



@extend_schema_view(post=extend_schema(operation_id="capacity_write_v2"))
class WriteV2View(WriteView):
    """The same at InfluxDB 2's path, /api/v2/write (Telegraf's outputs.influxdb_v2), under
    its own operation id."""


# --- a service's monthly report --------------------------------------------------------

class MetricMonthSerializer(serializers.Serializer):
    configuration_item = serializers.IntegerField()
    configuration_item_name = serializers.CharField()
    metric = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    days = serializers.IntegerField(help_text="Days of the month with figures.")
    mean = serializers.FloatField(allow_null=True)
    peak = serializers.FloatField(allow_null=True, help_text="The highest daily maximum "
                                  "(the lowest daily minimum when crossed downwards).")
    peak_on = serializers.DateField(allow_null=True)
    highest_daily_p95 = serializers.FloatField(allow_null=True)
    headroom_at_peak = serializers.FloatField(allow_null=True)
    state_at_peak = serializers.ChoiceField(choices=m.State.choices)
    critical_expected_on = serializers.DateField(allow_null=True)
    critical_already = serializers.BooleanField()


class ServiceReportSerializer(serializers.Serializer):
    service = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    metrics = MetricMonthSerializer(many=True)


MONTH = OpenApiParameter("month", OpenApiTypes.STR, description=(
    "The month, as YYYY-MM; last month by default."))


class MonthReportViewSet(viewsets.ViewSet):
    """A subject's utilisation in a month: the rows of its report page."""

    permission_classes = [permissions.IsAuthenticated]
    noun = ""

    def subject(self, request, pk):
        raise NotImplementedError

    def months(self, subject, first, user):
        raise NotImplementedError

    def answer(self, subject, first, rows) -> dict:
        raise NotImplementedError

    def report(self, request, pk):
        from borough.capacity import reports
        from borough.core.ids import parse_id

        subject = self.subject(request, parse_id(str(pk))) if parse_id(str(pk)) else None
        if subject is None:
            raise NotFound(f"No such {self.noun} you can see.")
        if not scope.can(request.user, "view", m.Metric, subject.organisation_id):
            raise PermissionDenied("Your role may not read metrics.")
        text = request.query_params.get("month")
        try:
            first = (datetime.datetime.strptime(text, "%Y-%m").date() if text
                     else reports.previous_month())
        except ValueError:
            raise ValidationError({"month": "Give the month as YYYY-MM, like 2026-11."}
                                  ) from None
        rows = [{"configuration_item": item.pk, "configuration_item_name": str(item),
                 "metric": mo.metric.pk, "name": mo.metric.name, "unit": mo.metric.unit,
                 "days": mo.days, "mean": mo.mean, "peak": mo.peak, "peak_on": mo.peak_day,
                 "highest_daily_p95": mo.p95, "headroom_at_peak": mo.headroom_at_peak,
                 "state_at_peak": mo.state_at_peak, "critical_expected_on": mo.critical_on,
                 "critical_already": mo.critical_already}
                for item, found in self.months(subject, first, request.user) for mo in found]
        return Response(self.answer(subject, first, rows))


def _report_schema(serializer, noun: str):
    return extend_schema(
        parameters=[MONTH, ORGANISATION_HEADER],
        responses={200: serializer,
                   400: OpenApiResponse(description="The month is not YYYY-MM."),
                   403: OpenApiResponse(description="Your role may not read metrics."),
                   404: OpenApiResponse(description=f"No such {noun} you can see.")},
        summary=f"A {noun}'s monthly utilisation report")


class ServiceReportViewSet(MonthReportViewSet):
    """A business service's utilisation in a month (the page at
    /capacity/reports/services/<id>/<year>/<month>/): each metric of the configuration
    items it runs on."""

    noun = "service"

    def subject(self, request, pk):
        from borough.catalogue.models import BusinessService

        return BusinessService.objects.visible_to(request.user).filter(pk=pk).first()

    def months(self, subject, first, user):
        from borough.capacity import reports

        return reports.service_month(subject, first, user)

    def answer(self, subject, first, rows) -> dict:
        return ServiceReportSerializer(
            {"service": subject.pk, "month": f"{first:%Y-%m}", "metrics": rows}).data

    @_report_schema(ServiceReportSerializer, "service")
    def retrieve(self, request, pk=None):
        return self.report(request, pk)


class ItemReportSerializer(serializers.Serializer):
    configuration_item = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    metrics = MetricMonthSerializer(many=True)


class ItemReportViewSet(MonthReportViewSet):
    """A configuration item's utilisation in a month (the page at
    /capacity/reports/items/<id>/<year>/<month>/): each of its metrics."""

    noun = "configuration item"

    def subject(self, request, pk):
        from borough.cmdb.models import ConfigurationItem

        return ConfigurationItem.objects.visible_to(request.user).filter(pk=pk).first()

    def months(self, subject, first, user):
        from borough.capacity import reports

        return reports.item_month(subject, first, user)

    def answer(self, subject, first, rows) -> dict:
        return ItemReportSerializer(
            {"configuration_item": subject.pk, "month": f"{first:%Y-%m}",
             "metrics": rows}).data

    @_report_schema(ItemReportSerializer, "configuration item")
    def retrieve(self, request, pk=None):
        return self.report(request, pk)
