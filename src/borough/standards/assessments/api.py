"""The assessments API: cycles, ratings, criterion answers and evidence.

Same permissions as the pages (ModelRolePermission on the model, then the services'
own checks), same lock rule (the services refuse writes on an approved cycle), and
the same optimistic locking: send the version you read, in the body or If-Match;
a stale one is 409."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from borough.core.api.parsers import JSONParser
from borough.core.api.serializers import BaseModelSerializer, ScopedPrimaryKeyRelatedField
from borough.core.api.viewsets import (
    IDEMPOTENCY_HEADER,
    BaseModelViewSet,
    expected_version,
    model_key,
    refuse_create,
    required_version,
    write_data,
)
from borough.standards import models as m
from borough.standards.assessments import evidence as live
from borough.standards.assessments import filters as f
from borough.standards.assessments import services

# --- cycles -----------------------------------------------------------------------------

class AssessmentCycleSerializer(BaseModelSerializer):
    framework = ScopedPrimaryKeyRelatedField(queryset=m.Framework.objects.all())
    status = serializers.CharField(
        read_only=True, help_text="in-progress, in-review (awaiting approval) or approved (locked).")
    page = serializers.SerializerMethodField()

    class Meta:
        model = m.AssessmentCycle
        fields = [*BaseModelSerializer.base_fields(), "framework", "name", "starts_on", "ends_on",
                  "summary", "status", "approved_by", "approved_at", "page"]
        read_only_fields = ["status", "approved_by", "approved_at"]

    def get_page(self, obj) -> str:
        return reverse("standards:assessmentcycle_detail", args=[obj.pk])

    def validate(self, attrs):
        start = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        end = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if start and end and end < start:
            raise ValidationError({"ends_on": "The end must be on or after the start."})
        return attrs


class AssessmentCycleViewSet(BaseModelViewSet):
    """Assessment cycles. Creating one makes a rating per standard of the framework
    version; submit, approve and reopen are actions; an approved cycle is locked."""

    model = m.AssessmentCycle
    serializer_class = AssessmentCycleSerializer
    filterset_class = f.AssessmentCycleFilterSet
    select_related = ("framework",)
    ordering_fields = ("starts_on", "name", "id")
    record_actions = services.CYCLE_ACTIONS

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.start_cycle(
            _active_org(self.request), actor=self.request.user, framework=data["framework"],
            name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"],
            summary=data.get("summary", ""), idempotency_key=model_key(m.AssessmentCycle,
                                      self.request.META.get(IDEMPOTENCY_HEADER)))

    def perform_update(self, serializer):
        version = required_version(self.request)
        data = write_data(serializer)
        framework = data.pop("framework", None)
        if framework is not None and framework.pk != serializer.instance.framework_id:
            raise ValidationError({"framework": "The framework of a started cycle cannot be "
                                                "changed: start a new cycle."})
        serializer.instance = services.update_cycle(
            serializer.instance, actor=self.request.user, **data, expected_version=version)

    def perform_destroy(self, instance):
        services.delete_cycle(instance, actor=self.request.user,
                              expected_version=expected_version(self.request))


def _active_org(request):
    from borough.organisation.models import Organisation

    return Organisation.objects.get(pk=request.user.active_organisation_id)


# --- live evidence ----------------------------------------------------------------------

class EvidenceLinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class EvidenceResultSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    summary = serializers.CharField()
    figures = serializers.DictField()
    links = EvidenceLinkSerializer(many=True)


class CriterionOutcomeSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.pk")
    code = serializers.CharField(source="criterion.code")
    text = serializers.CharField(source="criterion.text")
    level = serializers.IntegerField(source="criterion.level")
    kind = serializers.CharField(source="criterion.kind")
    rule = serializers.CharField(source="criterion.rule")
    met = serializers.BooleanField()
    status = serializers.CharField(help_text="met, not met, not answered or could not be checked")
    source = serializers.CharField(help_text="evidence (a rule decided) or assessor (a statement)")
    result = EvidenceResultSerializer(allow_null=True, help_text="The rule's result.")
    note = serializers.CharField()
    rule_title = serializers.CharField()
    method = serializers.CharField(help_text="How the rule decides, in plain words.")


class OutcomeSerializer(serializers.Serializer):
    standard = serializers.IntegerField(source="standard.pk")
    supported_level = serializers.IntegerField()
    supported_label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    as_of = serializers.DateTimeField(allow_null=True)
    from_snapshot = serializers.BooleanField(
        help_text="True for an approved cycle: the evidence as it stood at approval.")
    criteria = CriterionOutcomeSerializer(many=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for row, outcome in zip(data["criteria"], instance.criteria, strict=True):
            row["result"] = outcome.result.as_dict() if outcome.result else None
        return data


LEVEL_HELP = "0 Below Minimum, 1 Minimum, 2 Progressing, 3 Excellent."


# --- ratings ------------------------------------------------------------------------------

class RatingSerializer(BaseModelSerializer):
    theme = serializers.IntegerField(source="standard.theme_id", read_only=True)
    standard_code = serializers.CharField(source="standard.code", read_only=True)
    standard_name = serializers.CharField(source="standard.name", read_only=True)
    gap = serializers.IntegerField(read_only=True, allow_null=True)
    current_level = serializers.IntegerField(min_value=0, max_value=3, allow_null=True,
                                             required=False, help_text=LEVEL_HELP)
    target_level = serializers.IntegerField(min_value=0, max_value=3, allow_null=True,
                                            required=False, help_text=LEVEL_HELP)
    evidence_level = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="The level live evidence supported when the cycle was approved (else null).")
    page = serializers.SerializerMethodField()

    class Meta:
        model = m.StandardAssessment
        fields = [*BaseModelSerializer.base_fields(), "cycle", "standard", "standard_code",
                  "standard_name", "theme", "current_level", "target_level", "gap",
                  "commentary", "assessor", "assessed_on", "reviewed_by", "reviewed_on",
                  "review_note", "evidence_level", "page"]
        read_only_fields = ["cycle", "standard", "assessor", "assessed_on", "reviewed_by",
                            "reviewed_on", "review_note", "evidence_level"]

    def get_page(self, obj) -> str:
        return reverse("standards:rating_detail", args=[obj.pk])


class RatingViewSet(BaseModelViewSet):
    """One rating per standard of a cycle: set the levels (PUT/PATCH), sign off, and read
    the level live evidence supports (`outcome`)."""

    model = m.StandardAssessment
    serializer_class = RatingSerializer
    filterset_class = f.RatingFilterSet
    select_related = ("standard", "cycle")
    ordering_fields = ("id", "standard__order")
    http_method_names = ["get", "put", "patch", "post", "head", "options"]
    action_permissions = {"outcome": "view"}
    record_actions = services.RATING_ACTIONS

    create = refuse_create("Ratings are made when a cycle starts.")

    def perform_update(self, serializer):
        version = required_version(self.request)
        rating = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.rate_standard(
            rating, actor=self.request.user, current_level=data.get("current_level", rating.current_level),
            target_level=data.get("target_level", rating.target_level),
            commentary=data.get("commentary", rating.commentary), expected_version=version)

    @extend_schema(request=None, responses=OutcomeSerializer)
    @action(detail=True, methods=["get"])
    def outcome(self, request, pk=None):
        rating = self.get_object()
        return Response(OutcomeSerializer(live.evaluate_rating(rating)).data)


# --- criterion answers ------------------------------------------------------------------

class CriterionResultSerializer(BaseModelSerializer):
    code = serializers.CharField(source="criterion.code", read_only=True)
    text = serializers.CharField(source="criterion.text", read_only=True)
    level = serializers.IntegerField(source="criterion.level", read_only=True)
    kind = serializers.CharField(source="criterion.kind", read_only=True)

    class Meta:
        model = m.CriterionResult
        fields = [*BaseModelSerializer.base_fields(), "rating", "criterion", "code", "text",
                  "level", "kind", "met", "note"]
        read_only_fields = ["rating", "criterion"]


class CriterionResultViewSet(BaseModelViewSet):
    """The assessor's answer for each criterion (met true/false, or null: not answered);
    `answer/` takes met as "met", "not-met" or "" like the page."""

    model = m.CriterionResult
    serializer_class = CriterionResultSerializer
    filterset_class = f.CriterionResultFilterSet
    select_related = ("criterion",)
    http_method_names = ["get", "put", "patch", "post", "head", "options"]
    record_actions = services.ANSWER_ACTIONS

    create = refuse_create("Answers are made when a cycle starts.")

    def perform_update(self, serializer):
        version = required_version(self.request)
        result = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.answer_criterion(
            result, actor=self.request.user, met=data.get("met", result.met),
            note=data.get("note", result.note), expected_version=version)


# --- evidence ---------------------------------------------------------------------------

class EvidenceFileSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    media_type = serializers.CharField()
    download = serializers.SerializerMethodField()

    def get_download(self, obj) -> str:
        return reverse("standards:evidence_file", args=[obj.pk])


@extend_schema_field(serializers.ListField(child=serializers.FileField()))
class FilesField(serializers.ListField):
    child = serializers.FileField()


class EvidenceSerializer(BaseModelSerializer):
    rating = ScopedPrimaryKeyRelatedField(queryset=m.StandardAssessment.objects.all())
    criterion = serializers.PrimaryKeyRelatedField(queryset=m.Criterion.objects.all(),
                                                   required=False, allow_null=True)
    record = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text="A reference (INC-000123) or the address of a Borough record's page.")
    record_type = serializers.SerializerMethodField()
    record_page = serializers.SerializerMethodField()
    link = serializers.CharField(source="url", required=False, allow_blank=True, max_length=200,
                                 help_text="A document held elsewhere (http or https).")
    files = FilesField(write_only=True, required=False)
    attached = serializers.SerializerMethodField()

    class Meta:
        model = m.Evidence
        fields = [*BaseModelSerializer.base_fields(), "rating", "criterion", "title", "note",
                  "link", "record", "record_type", "record_id", "record_label", "record_page",
                  "files", "attached"]
        read_only_fields = ["record_id", "record_label"]

    def get_record_type(self, obj) -> str | None:
        return obj.record_type.model_class()._meta.label if obj.record_type_id else None

    def get_record_page(self, obj) -> str | None:
        return services.record_url(obj)

    @extend_schema_field(EvidenceFileSerializer(many=True))
    def get_attached(self, obj):
        files = self.context.get("files", {}).get(obj.pk)
        if files is None:
            files = services.evidence_files([obj]).get(obj.pk, [])
        return EvidenceFileSerializer(files, many=True).data


class EvidenceViewSet(BaseModelViewSet):
    """Evidence for a rating: a note, a Borough record (by reference or page address), a
    link to a document elsewhere, and/or uploaded files (multipart, field `files`)."""

    model = m.Evidence
    serializer_class = EvidenceSerializer
    filterset_class = f.EvidenceFilterSet
    select_related = ("record_type",)
    http_method_names = ["get", "post", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # Removing is DELETE here (the page's "remove" action, through the same service).
    record_actions = services.EVIDENCE_ACTIONS

    def get_serializer_context(self):
        context = super().get_serializer_context()
        page = getattr(self, "_page_items", None)
        if page is not None:
            context["files"] = services.evidence_files(page)
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_items = page
        return page

    def perform_create(self, serializer):
        data = serializer.validated_data
        rating = data["rating"]
        record = None
        try:
            if data.get("record"):
                record = services.find_record(data["record"], actor=self.request.user)
            serializer.instance = services.add_evidence(
                rating, actor=self.request.user, title=data.get("title", ""), note=data.get("note", ""),
                criterion=data.get("criterion"), record=record, url=data.get("url", ""),
                files=data.get("files") or self.request.FILES.getlist("files"))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                  else {"non_field_errors": exc.messages}) from exc

    def perform_destroy(self, instance):
        services.remove_evidence(instance, actor=self.request.user,
                                 expected_version=expected_version(self.request))

