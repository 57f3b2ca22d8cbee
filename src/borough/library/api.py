"""The configuration library's API: documents (with their review, withdraw and reinstate
actions), their links to CIs and classes, and their versions (upload by multipart,
publish, download through the same permission checks as the page)."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser

from borough.core.api.parsers import JSONParser
from borough.core.api.serializers import BaseModelSerializer, ScopedPrimaryKeyRelatedField
from borough.core.api.viewsets import IDEMPOTENCY_HEADER, BaseModelViewSet, model_key
from borough.library import filters as f
from borough.library import models as m
from borough.library import services


class DocumentSerializer(BaseModelSerializer):
    current_version = serializers.SerializerMethodField(
        help_text="The number of the latest published version, if any.")

    class Meta:
        model = m.Document
        fields = [*BaseModelSerializer.base_fields(), "reference", "title", "kind", "topic",
                  "description", "owner", "classification", "review_period_months",
                  "next_review_on", "status", "last_reviewed_on", "last_reviewed_by",
                  "last_review_note", "current_version"]
        read_only_fields = ["status", "last_reviewed_on", "last_reviewed_by",
                            "last_review_note"]

    def get_current_version(self, obj) -> int | None:
        numbers = getattr(obj, "published_numbers", None)
        if numbers is None:
            numbers = [v.number for v in obj.versions.all() if v.published_at is not None]
        return max(numbers, default=None)


class DocumentLinkSerializer(BaseModelSerializer):
    class Meta:
        model = m.DocumentLink
        fields = [*BaseModelSerializer.base_fields(), "document", "configuration_item",
                  "ci_class", "business_service", "note"]


class DocumentVersionSerializer(BaseModelSerializer):
    document = ScopedPrimaryKeyRelatedField(queryset=m.Document.objects.all())
    file = serializers.FileField(write_only=True, help_text=(
        "The file (multipart/form-data). Checked by its content: PDF, image, text, office "
        "document or email; macros and markup are refused."))
    publish = serializers.BooleanField(write_only=True, required=False, default=True,
                                       help_text="Publish it at once (the default).")
    download = serializers.SerializerMethodField(
        help_text="Where to download the file (only roles cleared for the document's "
                  "classification may).")

    class Meta:
        model = m.DocumentVersion
        fields = [*BaseModelSerializer.base_fields(), "document", "number", "original_name",
                  "size", "media_type", "sha256", "change_note", "published_at",
                  "published_by", "created_by", "file", "publish", "download"]
        read_only_fields = ["number", "original_name", "size", "media_type", "sha256",
                            "published_at", "published_by", "created_by"]

    def get_download(self, obj) -> str:
        return reverse("api:library-documentversion-download", args=[obj.pk])


class DocumentViewSet(BaseModelViewSet):
    model = m.Document
    serializer_class = DocumentSerializer
    filterset_class = f.DocumentFilterSet
    ordering_fields = ("reference", "title", "next_review_on", "id")
    select_related = ("owner",)
    prefetch_related = ("versions",)
    record_actions = services.DOCUMENT_ACTIONS


class DocumentLinkViewSet(BaseModelViewSet):
    model = m.DocumentLink
    serializer_class = DocumentLinkSerializer
    filterset_class = f.DocumentLinkFilterSet
    ordering_fields = ("id", "created_at")
    select_related = ("document", "configuration_item", "ci_class", "business_service")


class DocumentVersionViewSet(BaseModelViewSet):
    """A document's versions. POST (multipart) uploads the next one; versions are never
    changed or deleted, so an old one stays downloadable."""

    model = m.DocumentVersion
    serializer_class = DocumentVersionSerializer
    filterset_class = f.DocumentVersionFilterSet
    ordering_fields = ("number", "id", "created_at")
    select_related = ("document",)
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    record_actions = services.VERSION_ACTIONS

    @extend_schema(request={"multipart/form-data": DocumentVersionSerializer},
                   responses={201: DocumentVersionSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.upload_version(
            data["document"], data["file"], actor=self.request.user,
            change_note=data.get("change_note", ""), publish=data.get("publish", True),
            idempotency_key=model_key(m.DocumentVersion,
                                      self.request.META.get(IDEMPOTENCY_HEADER)))

    @extend_schema(request=None, responses={
        # The file's own type (PDF, Word, text…), as detected when it was uploaded.
        (200, "*/*"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The file, as an attachment, in the media type "
                                             "detected from its content when it was uploaded."),
        403: OpenApiResponse(description="Your role may not download a document of this "
                                         "classification."),
    })
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The version's file, after the same checks as the page's download."""
        version = get_object_or_404(self.get_queryset(), pk=pk)
        return download_response(request.user, version)


def download_response(user, version: m.DocumentVersion):
    """The file of a version `user` can see, if the document's classification allows them
    (PermissionDenied says why not); as an attachment, never rendered by the browser."""
    document = version.document
    services.require_download(user, document)
    try:
        handle = services.open_version(version)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(handle, as_attachment=True, filename=version.original_name,
                            content_type=version.media_type, status=status.HTTP_200_OK)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


