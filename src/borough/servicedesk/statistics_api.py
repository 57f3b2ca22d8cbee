"""The statistics page's figures over the API: `/api/servicedesk/statistics/`.

Same filters, defaults, checks and permission as the page (its form and access rule);
each figure comes with its chart's labels and series and the words saying how it is
computed, so a report built elsewhere can quote them.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from borough.servicedesk import statistics
from borough.servicedesk.statistics_form import check_access, read_form


class HeadlineSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    change = serializers.CharField(
        help_text="How it moved since the previous period of the same length, in words; "
                  "empty where there is nothing to compare (open tickets now).")


class SeriesSerializer(serializers.Serializer):
    name = serializers.CharField()
    unit = serializers.CharField(help_text="What the values count or measure.")
    values = serializers.ListField(child=serializers.FloatField(allow_null=True),
                                   help_text="One per x label; null where there is nothing "
                                             "to measure.")


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()
    method = serializers.CharField(help_text="How the figure is computed, in plain words.")
    title = serializers.CharField()
    description = serializers.CharField()
    x_title = serializers.CharField()
    x_labels = serializers.ListField(child=serializers.CharField())
    series = SeriesSerializer(many=True)


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    heading = serializers.CharField()
    method = serializers.CharField(help_text="How the section is computed, in plain words.")
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="One per row, a value per column: numbers, text, true/false, or null "
                  "where there is nothing to measure.")


class StatisticsSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    service_unit = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    headlines = HeadlineSerializer(many=True)
    figures = FigureSerializer(many=True)
    sections = SectionSerializer(
        many=True, help_text="Sections other modules add as tables: availability against "
                             "target for each service with a target or an agreed SLA.")


def as_data(stats: statistics.Statistics, sections=()) -> dict:
    return {
        "date_from": stats.period.date_from, "date_to": stats.period.date_to,
        "service_unit": getattr(stats.service_unit, "pk", None),
        "team": getattr(stats.team, "pk", None),
        "headlines": [{"label": label, "value": value, "change": stats.changes.get(label, "")}
                      for label, value in stats.headlines],
        "figures": [{
            "key": f.key, "heading": f.heading, "method": f.method, "title": f.chart.title,
            "description": f.chart.description, "x_title": f.chart.x_title,
            "x_labels": list(f.chart.x_labels),
            "series": [{"name": s.name, "unit": s.unit or f.chart.unit, "values": list(s.values)}
                       for s in f.chart.series],
        } for f in stats.figures],
        "sections": [{"key": s["key"], "heading": s["heading"], "method": s["method"],
                      "title": s["table"]["title"], "columns": s["table"]["columns"],
                      "rows": s["table"]["rows"]} for _panel, s in sections],
    }


class StatisticsViewSet(viewsets.ViewSet):
    """Service desk statistics for a period (default: this ISO week and the 12 before it),
    optionally for one service unit or team. For people who see every ticket of the
    organisation, like the page."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day (local)."),
            OpenApiParameter("date_to", OpenApiTypes.DATE,
                             description="Last day (local), at most 2 years after the first."),
            OpenApiParameter("service_unit", OpenApiTypes.INT),
            OpenApiParameter("team", OpenApiTypes.INT),
        ],
        responses=StatisticsSerializer,
    )
    def list(self, request):
        check_access(request.user)
        form = read_form(request.query_params, request.user)
        if form.errors:
            raise ValidationError({"detail" if name == "__all__" else name: messages
                                   for name, messages in form.errors.items()})
        stats = form.compute()
        return Response(StatisticsSerializer(
            as_data(stats, statistics.sections(stats, request.user))).data)
