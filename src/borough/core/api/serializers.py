from __future__ import annotations

from rest_framework import serializers
from rest_framework.relations import PrimaryKeyRelatedField


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


class BaseModelSerializer(serializers.ModelSerializer):
    """Every model serializer: url, display text, version, and scoped relations."""

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
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["version"] = getattr(instance, "version", None)
        return data

    @classmethod
    def base_fields(cls) -> list[str]:
        return ["id", "url", "display", "version", "organisation", "created_at", "updated_at"]
