"""Baselines over the API: list, take (POST), read, delete; a baseline's frozen items and
relationships; its comparison with now or a later moment. Never changed once taken."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.cmdb import baselines, services
from borough.cmdb import filters as f
from borough.cmdb import models as m
from borough.cmdb.api import AT_PARAMETER, read_moment
from borough.cmdb.history import when
from borough.core.api.serializers import BaseModelSerializer, ScopedPrimaryKeyRelatedField
from borough.core.api.viewsets import IDEMPOTENCY_HEADER, BaseModelViewSet, model_key


class BaselineSerializer(BaseModelSerializer):
    items = ScopedPrimaryKeyRelatedField(
        many=True, write_only=True, required=False,
        queryset=m.ConfigurationItem.objects.all(),
        help_text="For scope `chosen`: the ids of the configuration items to freeze.")

    class Meta:
        model = m.Baseline
        fields = [*BaseModelSerializer.base_fields(), "name", "description", "scope",
                  "ci_class", "items", "taken_at", "taken_by", "item_count",
                  "relationship_count"]
        read_only_fields = ["taken_at", "taken_by", "item_count", "relationship_count"]


class FrozenItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item_id", help_text="The configuration item's id "
                                  "(it may since have been deleted).")
    display = serializers.DictField(help_text="Each field as people saw it when the baseline "
                                    "was taken.")
    values = serializers.DictField(help_text="Each field's stored value then (ids, codes), "
                                   "with `attributes`.")


class FrozenRelationshipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="relationship_id")
    source = serializers.IntegerField(source="source_id")
    relationship_type = serializers.ChoiceField(choices=m.RelationshipType.choices)
    target = serializers.IntegerField(source="target_id")
    display = serializers.DictField()
    values = serializers.DictField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's label, or the attribute's.")
    attribute = serializers.BooleanField(help_text="Whether it is one of the class's "
                                         "attributes.")
    before = serializers.CharField(help_text="In the baseline, as people read it.")
    after = serializers.CharField(help_text="In the later state.")


class ItemDifferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item_id")
    name = serializers.CharField(help_text="Reference and name.")
    note = serializers.CharField(help_text="For a removed item: why (deleted, or its status "
                                 "or class moved on).")
    changes = FieldChangeSerializer(many=True)


class RelationshipDifferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="relationship_id")
    source = serializers.CharField()
    relationship_type = serializers.ChoiceField(choices=m.RelationshipType.choices)
    type_label = serializers.CharField()
    target = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class ComparisonSerializer(serializers.Serializer):
    baseline = serializers.IntegerField(source="baseline.pk")
    at = serializers.DateTimeField(allow_null=True, help_text="The later moment (null: now).")
    items_added = ItemDifferenceSerializer(many=True, source="added")
    items_removed = ItemDifferenceSerializer(many=True, source="removed")
    items_changed = ItemDifferenceSerializer(many=True, source="changed")
    items_unchanged = serializers.IntegerField(source="unchanged")
    relationships_added = RelationshipDifferenceSerializer(many=True)
    relationships_removed = RelationshipDifferenceSerializer(many=True)
    relationships_changed = RelationshipDifferenceSerializer(many=True)


def later_moment(baseline: m.Baseline, request):
    """The `at` to compare with (None: now), refused before the baseline was taken."""
    at = read_moment(request, required=False)
    if at is not None and at < baseline.taken_at:
        raise ValidationError({"at": [f"Choose a moment after the baseline was taken "
                                      f"({when(baseline.taken_at)})."]})
    return at


class BaselineViewSet(BaseModelViewSet):
    model = m.Baseline
    serializer_class = BaselineSerializer
    filterset_class = f.BaselineFilterSet
    ordering_fields = ("taken_at", "name", "id")
    select_related = ("ci_class", "taken_by")

    # Never changed once taken: PUT and PATCH stay refused by the role check (no role holds
    # "change"), and are left out of the schema, which would otherwise promise a 200.
    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(exclude=True)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        # Service errors (a class missing, an item not found) are 400s with their messages.
        data = serializer.validated_data
        serializer.instance = services.take_baseline(
            self.request.user.active_organisation_id, actor=self.request.user,
            name=data.get("name", ""), description=data.get("description", ""),
            scope=data.get("scope", m.BaselineScope.LIVE), ci_class=data.get("ci_class"),
            items=data.get("items", []),
            idempotency_key=model_key(self.model, self.request.META.get(IDEMPOTENCY_HEADER)))

    @extend_schema(responses=FrozenItemSerializer(many=True),
                   summary="The configuration items the baseline froze",
                   description="Each as it was when the baseline was taken, by id; paged.")
    @action(detail=True, methods=["get"], paged=True)
    def items(self, request, pk=None):
        baseline = self.get_object()
        return self.paged_response(baseline.frozen_items.order_by("item_id"),
                                 FrozenItemSerializer)

    @extend_schema(responses=FrozenRelationshipSerializer(many=True),
                   summary="The relationships the baseline froze",
                   description="Every relationship with at least one end among its items, as "
                               "it was when the baseline was taken; paged.")
    @action(detail=True, methods=["get"], paged=True)
    def relationships(self, request, pk=None):
        baseline = self.get_object()
        return self.paged_response(baseline.frozen_relationships.order_by("relationship_id"),
                                 FrozenRelationshipSerializer)

    @extend_schema(parameters=[AT_PARAMETER], responses=ComparisonSerializer,
                   summary="Compare the baseline with now or a later moment",
                   description="Items added, removed (with why) and changed (each field and "
                               "attribute with before and after), and relationships added, "
                               "removed and changed. Without `at`: now.")
    @action(detail=True, methods=["get"])
    def compare(self, request, pk=None):
        baseline = self.get_object()
        at = later_moment(baseline, request)
        return Response(ComparisonSerializer(
            baselines.compare(baseline, request.user, at)).data)
