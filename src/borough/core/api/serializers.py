from __future__ import annotations

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PrimaryKeyRelatedField

from borough.core import restricted

# "HH:MM", or "HH:MM:SS" on input. Declared as a pattern: JSON Schema's `time` format
# requires a UTC offset ("08:30:00Z"), which a time of day in Europe/London does not have.
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field({"type": "string", "pattern": TIME_PATTERN, "example": "08:30"})
class TimeOfDayField(serializers.TimeField):
    """A local time of day, as people write it: "08:30"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)


class ScopedPrimaryKeyRelatedField(PrimaryKeyRelatedField):
    """A related id resolves only among records the caller can see, so another
    organisation's id gets the same 400 as one that does not exist."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        manager = queryset.model._default_manager
        if hasattr(manager, "visible_to"):
            user = request.user if request else None
            visible = manager.visible_to(user)
            if not queryset.query.has_filters():  # all records: no subquery to plan
                return visible
            return visible.filter(pk__in=queryset.values("pk"))
        return queryset


class LinkedModelSerializer(serializers.ModelSerializer):
    """A model serializer whose `url` links to the record at `api:<app>-<model>-detail`,
    the route the API router gives it (shared definitions use this directly). A model's
    TimeField is a TimeOfDayField."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.TimeField: TimeOfDayField}

    def build_url_field(self, field_name, model_class):
        opts = model_class._meta
        return self.serializer_url_field, {
            "view_name": f"api:{opts.app_label}-{opts.model_name}-detail"}


class BaseModelSerializer(LinkedModelSerializer):
    """Every model serializer: url, display text, version, and scoped relations.

    An app's serializer is an explicit subclass naming its model and fields
    (`fields = [*BaseModelSerializer.base_fields(), ...]`); `url` links to the record at
    `api:<app>-<model>-detail`."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    display = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The version you read. Required on update; a stale one is refused with 409.",
    )

    read_only_always = ("organisation", "created_at", "updated_at", "created_by", "updated_by")

    def get_display(self, obj) -> str:
        return str(obj)

    def get_fields(self):
        fields = super().get_fields()
        for name in self.read_only_always:
            if name in fields:
                fields[name].read_only = True
        guard = restricted.guard(self.Meta.model)
        for name in guard.fields if guard is not None else ():
            if name in fields:  # the schema says who sees it
                fields[name].allow_null = True
                fields[name].help_text = " ".join(filter(None, [
                    str(fields[name].help_text or ""),
                    f"Null for a reader who may not see it: {guard.why}".strip()]))
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["version"] = getattr(instance, "version", None)
        request = self.context.get("request")
        for name in restricted.hidden_on(instance, getattr(request, "user", None)):
            if name in data:
                data[name] = None
        return data

    @classmethod
    def base_fields(cls) -> list[str]:
        return ["id", "url", "display", "version", "organisation", "created_at", "updated_at"]
