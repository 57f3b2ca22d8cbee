"""The CMDB's API: one explicit serializer and viewset per model, and a CI's impact."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from borough.cmdb import filters as f
from borough.cmdb import history, queries
from borough.cmdb import models as m
from borough.core.api import suggestions
from borough.core.api.serializers import BaseModelSerializer
from borough.core.api.viewsets import BaseModelViewSet


class CIClassSerializer(BaseModelSerializer):
    class Meta:
        model = m.CIClass
        fields = [*BaseModelSerializer.base_fields(), "code", "name", "description",
                  "attribute_schema", "is_active"]


class ConfigurationItemSerializer(BaseModelSerializer):
    # Empty while the item is not missing: a ChoiceField of the model's choices would
    # publish an enum without "" (found by the schema fuzz run).
    missing_reason = serializers.ChoiceField(
        choices=[("", "Not missing"), *m.MissingReason.choices], read_only=True,
        help_text="Why discovery flagged it: gone from the directory, or disabled; empty "
                  "while it is not missing.")

    class Meta:
        model = m.ConfigurationItem
        fields = [*BaseModelSerializer.base_fields(), "reference", "name", "ci_class",
                  "status", "owner", "service_unit", "support_team", "site", "criticality",
                  "data_classification", "description", "attributes",
                  # Written by discovery from the directory only (cmdb.discovery).
                  "discovery_source", "discovery_key", "discovered_at", "last_seen_at",
                  "missing_from_directory_since", "missing_reason"]
        read_only_fields = ["discovery_source", "discovery_key", "discovered_at",
                            "last_seen_at", "missing_from_directory_since", "missing_reason"]


class RelationshipSerializer(BaseModelSerializer):
    class Meta:
        model = m.Relationship
        fields = [*BaseModelSerializer.base_fields(), "source", "relationship_type", "target",
                  "redundancy_group", "description"]


class BriefThenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Reference and name as they were.")


class BriefItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()


class AffectedSerializer(serializers.Serializer):
    item = BriefItemSerializer()
    depth = serializers.IntegerField(help_text="How many relationships away it is.")
    path = BriefItemSerializer(many=True, help_text="From the affected item to this one, "
                               "each depending on the next.")


class ImpactSerializer(serializers.Serializer):
    affected = AffectedSerializer(many=True, help_text="Every CI that stops when this one "
                                  "is lost, nearest first.")
    single_points_of_failure = BriefItemSerializer(
        many=True, help_text="The CIs whose loss alone stops this one.")


class NeighbourSerializer(serializers.Serializer):
    item = BriefItemSerializer(help_text="The CI at the other end.")
    relationship = serializers.IntegerField(help_text="The relationship's id.")
    relationship_type = serializers.CharField()
    words = serializers.CharField(help_text="The relationship in words, for example "
                                  "\"runs on\".")
    redundancy_group = serializers.CharField()


class NeighbourhoodSerializer(serializers.Serializer):
    item = BriefItemSerializer()
    incoming = NeighbourSerializer(many=True, help_text="Relationships whose target is this "
                                   "CI: the other end is their source.")
    outgoing = NeighbourSerializer(many=True, help_text="Relationships whose source is this "
                                   "CI: the other end is their target.")


def _neighbours(relationships, end: str) -> list[dict]:
    return [{"item": getattr(r, end), "relationship": r.pk,
             "relationship_type": r.relationship_type, "words": r.get_relationship_type_display(),
             "redundancy_group": r.redundancy_group} for r in relationships]


def read_moment(request, *, required: bool):
    """The `at` query parameter as a moment (history.parse_moment), the only one taken."""
    if unknown := sorted(set(request.query_params) - {"at", "format"}):
        raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}. The only "
                                         "one here is at."})
    text = request.query_params.get("at", "")
    if not text:
        if required:
            raise ValidationError({"at": [f"Give {history.MOMENT_HELP}."]})
        return None
    try:
        return history.parse_moment(text)
    except ValueError as exc:
        raise ValidationError({"at": [str(exc)]}) from None


AT_PARAMETER = OpenApiParameter(
    "at", OpenApiTypes.STR, description=f"The moment: {history.MOMENT_HELP}.")


class RelationshipThenSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="relationship_id")
    direction = serializers.SerializerMethodField(
        help_text="outgoing: this item is the source; incoming: the target.")
    relationship_type = serializers.ChoiceField(choices=m.RelationshipType.choices)
    type_label = serializers.CharField()
    other = serializers.SerializerMethodField(help_text="The other end, named as it was.")
    redundancy_group = serializers.CharField()

    def get_direction(self, rel) -> str:
        return "outgoing" if rel.outgoing else "incoming"

    @extend_schema_field(BriefThenSerializer)
    def get_other(self, rel) -> dict:
        return {"id": rel.other_id, "name": rel.other_name}


class ItemAsOfSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    id = serializers.IntegerField(source="item.pk")
    record_version = serializers.IntegerField(source="version.record_version", allow_null=True)
    valid_from = serializers.DateTimeField(source="version.valid_from",
                                           help_text="When this state began.")
    valid_to = serializers.DateTimeField(source="version.valid_to", allow_null=True,
                                         help_text="When it ended (null: it is current).")
    display = serializers.DictField(source="version.display", help_text=(
        "Each field as people saw it then (names of related records, choice labels)."))
    values = serializers.DictField(source="version.values", help_text=(
        "Each field's stored value then (ids of related records, choice codes)."))
    attributes = serializers.DictField()
    relationships = RelationshipThenSerializer(many=True)


class CIClassViewSet(BaseModelViewSet):
    model = m.CIClass
    serializer_class = CIClassSerializer
    filterset_class = f.CIClassFilterSet
    ordering_fields = ("name", "code", "id")


class ConfigurationItemViewSet(BaseModelViewSet):
    model = m.ConfigurationItem
    serializer_class = ConfigurationItemSerializer
    filterset_class = f.ConfigurationItemFilterSet
    ordering_fields = ("reference", "name", "status", "criticality", "id")
    select_related = ("ci_class",)

    @extend_schema(responses=ImpactSerializer, summary="What stops if this CI is lost",
                   description="Every CI that depends on this one, transitively, with the "
                               "path; redundancy groups honoured (docs/cmdb.md).")
    @action(detail=True, methods=["get"])
    def impact(self, request, pk=None):
        item = self.get_object()
        return Response(ImpactSerializer({
            "affected": queries.impact_of(item, request.user),
            "single_points_of_failure": queries.single_points_of_failure(item, request.user),
        }).data)

    @extend_schema(responses=NeighbourhoodSerializer, summary="A CI's neighbourhood",
                   description="The CI's relationships in both directions, with the CI at "
                               "the other end: what its page draws.")
    @action(detail=True, methods=["get"])
    def neighbourhood(self, request, pk=None):
        item = self.get_object()
        outgoing, incoming = queries.relationships(item, request.user)
        return Response(NeighbourhoodSerializer({
            "item": item, "incoming": _neighbours(incoming, "source"),
            "outgoing": _neighbours(outgoing, "target")}).data)


    @extend_schema(parameters=[suggestions.SuggestionQuery],
                   responses=suggestions.SuggestionSerializer(many=True),
                   summary="CIs to suggest as someone types",
                   description="Up to 20 CIs the caller can see, not retired, whose "
                               "reference or name contains `q`: an exact reference first, "
                               "then names starting with it. For the boxes that choose a CI "
                               "(a ticket's), where a list of every CI would be too long.")
    @action(detail=False, methods=["get"])
    def suggest(self, request):
        query = suggestions.read_query(request)
        items = queries.suggest_items(request.user, query.get("q", ""))
        return suggestions.answer(items, hint=lambda item: str(item.ci_class))


    @extend_schema(
        parameters=[AT_PARAMETER], responses=ItemAsOfSerializer,
        summary="This CI and its relationships as they were at a past moment",
        description="Its fields and attributes then, and the relationships that existed "
                    "then with the other ends' names as they were. 404 with a message "
                    "when the item did not exist then (docs/cmdb.md).")
    @action(detail=True, methods=["get"], url_path="as-of")
    def as_of(self, request, pk=None):
        item = self.get_object()
        at = read_moment(request, required=True)
        try:
            then = history.item_as_of(item, at)
        except history.NotThen as exc:
            raise NotFound(str(exc)) from None
        return Response(ItemAsOfSerializer(then).data)


class RelationshipViewSet(BaseModelViewSet):
    model = m.Relationship
    serializer_class = RelationshipSerializer
    filterset_class = f.RelationshipFilterSet
    ordering_fields = ("relationship_type", "id")
    select_related = ("source", "target")
