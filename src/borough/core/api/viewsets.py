from __future__ import annotations

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.core import services
from borough.core.ids import parse_id

IDEMPOTENCY_HEADER = "HTTP_IDEMPOTENCY_KEY"
# Query parameters every list takes besides its FilterSet's (SECURITY.md rule 13).
LIST_CONTROL_PARAMS = {"page", "page_size", "ordering", "format"}


def model_key(model: type[models.Model], key: str | None) -> str | None:
    """An idempotency key scoped to one model. services.create_record looks earlier
    submissions up by user and key only, so a key first used for another model would
    return that model's id as a record of this one, from any organisation."""
    return f"{model._meta.label_lower}:{key}" if key else None


def expected_version(request) -> int | None:
    """The version the client read: `If-Match: "3"` (or W/"3") or `version` in the body."""
    header = request.META.get("HTTP_IF_MATCH", "").strip()
    if header:
        version = parse_id(header.removeprefix("W/").strip('"'))
        if version is None:
            raise ValidationError({"If-Match": "Send the version number you read, like \"3\"."})
        return version
    version = request.data.get("version") if hasattr(request.data, "get") else None
    if version in (None, ""):
        return None
    try:
        return int(version)
    except (TypeError, ValueError, OverflowError):  # OverflowError: 1e400 in JSON is infinity
        raise ValidationError({"version": "A whole number is required."}) from None


def required_version(request) -> int:
    """The version the client read (expected_version), which an update must send."""
    version = expected_version(request)
    if version is None:
        raise ValidationError(
            {"version": "Send the version you read (in the body or an If-Match header)."}
        )
    return version


def write_data(serializer) -> dict:
    """The validated data to write, without `version` (the services take it apart)."""
    data = dict(serializer.validated_data)
    data.pop("version", None)
    return data


def refuse_create(message: str):
    """`create` for a viewset whose records are made elsewhere but which takes POST for its
    record actions: a 405 saying where they come from, and no operation in the schema
    (one documented there would promise a 201)."""

    @extend_schema(exclude=True)
    def create(self, request, *args, **kwargs):
        return Response({"detail": message}, status=status.HTTP_405_METHOD_NOT_ALLOWED)

    return create


# Every viewset takes the organisation to work in as a header (token auth).
ORGANISATION_HEADER = OpenApiParameter(
    "X-Borough-Organisation", OpenApiTypes.INT, OpenApiParameter.HEADER,
    required=False, description="Organisation to work in (token auth).")


class ScopedListMixin:
    """Reads scoped with visible_to, lists filtered only by the model's FilterSet (an
    unknown query parameter is refused), permissions checked on `model`."""

    model: type[models.Model]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # What the router and the schema read; every request's rows come from
        # get_queryset (visible_to), never from this.
        if getattr(cls, "model", None) is not None and "queryset" not in cls.__dict__:
            cls.queryset = cls.model._default_manager.none()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    @property
    def permission_model(self):
        return self.model

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs.order_by(*(self.model._meta.ordering or ["pk"]))

    def list(self, request, *args, **kwargs):
        filters = set(getattr(self.filterset_class, "base_filters", {}))
        unknown = sorted(set(request.query_params) - filters - LIST_CONTROL_PARAMS)
        if unknown:
            raise ValidationError({"detail": (
                f"Unknown parameter {', '.join(unknown)}. "
                f"Filters here are: {', '.join(sorted(filters)) or 'none'}."
            )})
        return super().list(request, *args, **kwargs)


@extend_schema(parameters=[ORGANISATION_HEADER])
class BaseModelViewSet(ScopedListMixin, viewsets.ModelViewSet):
    """Scoped with visible_to, filtered by the model's FilterSet, writes through services."""

    ordering_fields: tuple[str, ...] = ("id", "created_at", "updated_at")
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    # The model's record actions (core.actions.Actions), each a POST action here, and the
    # serializers of what actions return besides the record itself (model -> serializer).
    record_actions = None
    result_serializers: dict = {}
    # Set per extra action (`@action(..., paged=True)`): its answer is a page of a list
    # (paged_response), and the schema says so.
    paged = False

    def paged_response(self, rows, serializer_class):
        """A page of `rows` (a queryset, ordered) in the list's envelope, as the list is."""
        page = self.paginator.paginate_queryset(rows, self.request, view=self)
        return self.paginator.get_paginated_response(serializer_class(page, many=True).data)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("record_actions") is not None:
            from borough.core.api.actions import add_api_actions

            add_api_actions(cls)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        version = response.data.get("version")
        if version is not None:
            response["ETag"] = f'"{version}"'
        return response

    def split_many_to_many(self, data: dict) -> tuple[dict, dict]:
        m2m = {k: data.pop(k) for k in list(data) if self.model._meta.get_field(k).many_to_many}
        return data, m2m

    def perform_create(self, serializer):
        data, m2m = self.split_many_to_many(write_data(serializer))
        instance = self.model(**data, organisation_id=self.request.user.active_organisation_id)
        serializer.instance = services.create_record(
            instance, actor=self.request.user, many_to_many=m2m,
            idempotency_key=model_key(self.model, self.request.META.get(IDEMPOTENCY_HEADER)),
        )

    def perform_update(self, serializer):
        version = required_version(self.request)
        serializer.instance = services.update_record(
            serializer.instance, actor=self.request.user, data=write_data(serializer),
            expected_version=version,
        )

    def perform_destroy(self, instance):
        services.delete_record(
            instance, actor=self.request.user, expected_version=expected_version(self.request)
        )
