"""Read-only API for framework definitions: /api/standards/frameworks/ (the whole tree of
themes, standards and criteria on a framework's detail), and flat lists of themes,
standards and criteria to look ids up by. Routes are listed in borough/api_router.py.

Framework definitions are shared by every organisation: whoever may view them in the
active organisation sees them all. They are written only by the loader."""

from __future__ import annotations

import django_filters as df
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets

from borough.core.api.permissions import ModelRolePermission
from borough.core.api.serializers import LinkedModelSerializer
from borough.core.api.viewsets import ORGANISATION_HEADER, ScopedListMixin
from borough.core.filters import ScopedFilterSet
from borough.standards.models import (
    CRITERION_LEVELS,
    Criterion,
    CriterionKind,
    Framework,
    Standard,
    Theme,
)

LEVEL_LABELS = {lv.value: lv.label for lv in CRITERION_LEVELS}


class DefinitionPermission(ModelRolePermission):
    """Reading needs `view` on the model in the active organisation (has_permission);
    the rows carry no organisation, and nothing here writes."""

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS


# --- Filters -----------------------------------------------------------------------------


class FrameworkFilterSet(ScopedFilterSet):
    code = df.CharFilter(help_text="The framework's code, e.g. nesds-ict: every version of it.")

    class Meta:
        model = Framework
        fields = ["code"]


class ThemeFilterSet(ScopedFilterSet):
    framework = df.NumberFilter(field_name="framework_id", help_text="A framework (version) id.")

    class Meta:
        model = Theme
        fields = ["framework"]


class StandardFilterSet(ScopedFilterSet):
    framework = df.NumberFilter(field_name="framework_id", help_text="A framework (version) id.")
    theme = df.NumberFilter(field_name="theme_id", help_text="A theme id.")

    class Meta:
        model = Standard
        fields = ["framework", "theme"]


class CriterionFilterSet(ScopedFilterSet):
    framework = df.NumberFilter(field_name="standard__framework_id",
                                help_text="A framework (version) id.")
    standard = df.NumberFilter(field_name="standard_id", help_text="A standard id.")
    level = df.ChoiceFilter(choices=[(lv.value, lv.label) for lv in CRITERION_LEVELS],
                            help_text="1 Minimum, 2 Progressing, 3 Excellent.")
    kind = df.ChoiceFilter(choices=CriterionKind.choices)
    added = df.BooleanFilter()

    class Meta:
        model = Criterion
        fields = ["framework", "standard", "level", "kind", "added"]


# --- Serializers ---------------------------------------------------------------------------


class CriterionSerializer(LinkedModelSerializer):
    display = serializers.CharField(source="text", read_only=True)
    level = serializers.IntegerField(read_only=True,
                                     help_text="1 Minimum, 2 Progressing, 3 Excellent.")
    level_name = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True, help_text="statement (the assessor confirms it) "
                                                           "or evidence (an evidence rule checks it)")
    params = serializers.JSONField(read_only=True, help_text="The evidence rule's parameters.")

    class Meta:
        model = Criterion
        fields = ["id", "url", "display", "standard", "level", "level_name", "code", "text",
                  "kind", "rule", "params", "added", "source_note", "order"]
        read_only_fields = fields

    def get_level_name(self, obj) -> str:
        return LEVEL_LABELS.get(obj.level, "")


class StandardSerializer(LinkedModelSerializer):
    display = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Standard
        fields = ["id", "url", "display", "framework", "theme", "code", "name", "description",
                  "order"]
        read_only_fields = fields


class ThemeSerializer(LinkedModelSerializer):
    display = serializers.CharField(source="name", read_only=True)

    class Meta:
        model = Theme
        fields = ["id", "url", "display", "framework", "code", "name", "description", "order"]
        read_only_fields = fields


class StandardTreeSerializer(StandardSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "criteria"]
        read_only_fields = fields


class ThemeTreeSerializer(ThemeSerializer):
    standards = StandardTreeSerializer(many=True, read_only=True)

    class Meta(ThemeSerializer.Meta):
        fields = [*ThemeSerializer.Meta.fields, "standards"]
        read_only_fields = fields


class FrameworkSerializer(LinkedModelSerializer):
    display = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "url", "display", "code", "version", "name", "description", "source",
                  "sha256", "loaded_at", "loaded_by"]
        read_only_fields = fields


class FrameworkTreeSerializer(FrameworkSerializer):
    themes = ThemeTreeSerializer(many=True, read_only=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "themes"]
        read_only_fields = fields


# --- Viewsets ---------------------------------------------------------------------------------


@extend_schema(parameters=[ORGANISATION_HEADER])
class DefinitionViewSet(ScopedListMixin, viewsets.ReadOnlyModelViewSet):
    """Shared, read-only definitions, scoped with visible_to."""

    model: type = Framework
    permission_classes = [DefinitionPermission]
    ordering_fields = ("id", "order")


class FrameworkViewSet(DefinitionViewSet):
    """Frameworks, one row per loaded version. A framework's detail includes its themes,
    their standards and each standard's criteria per level."""

    model = Framework
    filterset_class = FrameworkFilterSet
    ordering_fields = ("id", "code", "version", "loaded_at")

    def get_serializer_class(self):
        return FrameworkTreeSerializer if self.action == "retrieve" else FrameworkSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("themes", queryset=Theme.objects.order_by("order", "code")),
                Prefetch("themes__standards",
                         queryset=Standard.objects.order_by("order", "code")),
                Prefetch("themes__standards__criteria",
                         queryset=Criterion.objects.order_by("level", "order", "code")),
            )
        return qs


class ThemeViewSet(DefinitionViewSet):
    """Themes of every loaded framework version; filter by framework."""

    model = Theme
    serializer_class = ThemeSerializer
    filterset_class = ThemeFilterSet


class StandardViewSet(DefinitionViewSet):
    """Standards of every loaded framework version; filter by framework or theme."""

    model = Standard
    serializer_class = StandardSerializer
    filterset_class = StandardFilterSet

    def get_queryset(self):
        return super().get_queryset().order_by("framework_id", "theme__order", "order")


class CriterionViewSet(DefinitionViewSet):
    """Criteria of every loaded framework version; filter by framework, standard, level,
    kind or whether they were added where the source is silent."""

    model = Criterion
    serializer_class = CriterionSerializer
    filterset_class = CriterionFilterSet

    def get_queryset(self):
        return super().get_queryset().order_by("standard__framework_id", "standard__theme__order",
                                               "standard__order", "level", "order")
