"""Record actions on the API: `POST /api/<app>/<models>/<id>/<action>/` for each action a
viewset names in `record_actions` (core.actions), with its OpenAPI entry.

The request body is validated by the action's own form (the page's), so the API and the
page give the same messages; a field the action does not take is refused, not dropped.
The version read goes in the body (`version`) or `If-Match`; a stale one is 409. An
`Idempotency-Key` header makes a retried request return what the first one did."""

from __future__ import annotations

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.core.actions import CONTROL_FIELDS, RecordAction

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Retrying with the same key returns the first request's result, done once.")
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description='The version you read, like "3" (or send `version` in the body).')


def serializer_field(field: forms.Field) -> serializers.Field:
    """The API's description of a form field, for the schema (the form validates)."""
    common = {"required": field.required, "help_text": str(field.help_text or field.label or "")}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=not field.required, **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=_choices(field)),
                                     **common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(field), **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(min_value=field.min_value, max_value=field.max_value,
                                        **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    return serializers.CharField(allow_blank=not field.required,
                                 max_length=getattr(field, "max_length", None), **common)


def _choices(field) -> list:
    return [(value, label) for value, label in field.choices if value not in ("", None)]


def request_schema(record_action: RecordAction):
    form = record_action.form()
    fields = {name: serializer_field(f) for name, f in form.fields.items()
              if name not in CONTROL_FIELDS}
    fields["version"] = serializers.IntegerField(
        required=False, min_value=1,
        help_text="The version you read; a stale one is refused with 409.")
    model = record_action.model.__name__
    name = "".join(part.capitalize() for part in record_action.api_name.split("_"))
    return inline_serializer(f"{model}{name}Request", fields=fields)


def form_data(request, form_class) -> dict:
    """The body as the form's data: only fields the action takes, each a plain value (or a
    list where the field takes several)."""
    data = request.data
    if not hasattr(data, "keys"):
        raise ValidationError({"non_field_errors": ["Send an object of the action's fields."]})
    fields = form_class.base_fields
    unknown = sorted(set(data.keys()) - set(fields) - {"version"})
    if unknown:
        takes = ", ".join(n for n in fields if n not in CONTROL_FIELDS) or "no fields"
        raise ValidationError({name: [f"This action does not take {name} (it takes: {takes})."]
                               for name in unknown})
    if hasattr(data, "getlist"):
        return data
    plain = {}
    for name, value in data.items():
        many = isinstance(fields.get(name), forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        scalar = (str, int, float, bool, type(None))
        if isinstance(value, list) and many and all(isinstance(v, scalar) for v in value):
            plain[name] = value
        elif isinstance(value, scalar):
            plain[name] = "" if value is None else value
        else:
            raise ValidationError({name: ["Send a single value here, not a list or object."]})
    return plain


def form_errors(form) -> dict:
    return {("non_field_errors" if name == "__all__" else name): [e["message"] for e in errors]
            for name, errors in form.errors.get_json_data().items()}


def api_method(record_action: RecordAction):
    """The viewset method for one record action."""

    def perform(self, request, pk=None):
        from borough.core.api.viewsets import IDEMPOTENCY_HEADER, expected_version

        record = self.get_object()
        form = record_action.form(form_data(request, record_action.form), record=record,
                                  user=request.user)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        result = record_action(record, actor=request.user,
                               expected_version=expected_version(request),
                               idempotency_key=request.META.get(IDEMPOTENCY_HEADER),
                               **form.service_fields())
        returns = record_action.returns
        if returns is None or not isinstance(result, returns):
            result = self.get_queryset().get(pk=record.pk)
            return Response(self.get_serializer(result).data)
        serializer = self.result_serializers[returns]
        return Response(serializer(result, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    perform.__name__ = record_action.api_name
    perform.__doc__ = record_action.body.__doc__ if record_action.body else record_action.label
    return perform


def add_api_actions(viewset) -> None:
    """Give `viewset` a POST action for each of its `record_actions` it does not define
    itself, with permissions (`action_permissions`) and schema."""
    permissions = dict(getattr(viewset, "action_permissions", {}))
    for record_action in viewset.record_actions:
        if not record_action.api:
            continue
        name = record_action.api_name
        permissions.setdefault(name, record_action.permission)
        if name in viewset.__dict__:
            continue
        returns = record_action.returns
        ok = (viewset.result_serializers[returns] if returns is not None
              else viewset.serializer_class)
        responses = {
            status.HTTP_201_CREATED if returns is not None else status.HTTP_200_OK: ok,
            status.HTTP_400_BAD_REQUEST: OpenApiResponse(
                description="Not done: the input, or the record's state, does not allow it "
                            "(the messages say why)."),
            status.HTTP_403_FORBIDDEN: OpenApiResponse(description="You may not do this."),
            status.HTTP_404_NOT_FOUND: OpenApiResponse(description="No such record you can see."),
            status.HTTP_409_CONFLICT: OpenApiResponse(
                description="The record changed since the version you sent."),
        }
        method = extend_schema(
            request=request_schema(record_action), responses=responses,
            parameters=[IDEMPOTENCY, IF_MATCH], summary=record_action.label,
        )(drf_action(detail=True, methods=["post"], url_path=record_action.name,
                     url_name=record_action.name)(api_method(record_action)))
        setattr(viewset, name, method)
    viewset.action_permissions = permissions
