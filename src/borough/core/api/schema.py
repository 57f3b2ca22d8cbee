"""The OpenAPI schema's view of every operation (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]):
drf-spectacular's, made to say what the API serves.

- Every operation lists the errors it can answer with (core.api.exceptions): 400 where
  it reads a body or query parameters, 401 and 403 where it needs a caller, 404 where the
  path names a record (or a page), 409 on writes, 413 and 415 where it reads a body.
- Only a viewset's `list` is paginated and filtered: detail actions that answer with a
  list (a ticket's timeline, an action's updates) answer with a bare one.
- A plain ViewSet's `list` answers with what it declares: an object unless the response
  is declared `many=True` (drf-spectacular would wrap any `list` in an array).
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, is_list_serializer
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

MESSAGES = {"type": "array", "items": {"type": "string"}}
COMPONENTS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": "What to correct: each field's messages (for nested data, the same "
                       "shape again), messages about the request as a whole in "
                       "non_field_errors, or one message in detail.",
        "properties": {
            "detail": {"oneOf": [{"type": "string"}, MESSAGES]},
            "non_field_errors": MESSAGES,
        },
        "additionalProperties": {"description": "A field's messages."},
    },
    "Conflict": {
        "type": "object",
        "description": "Nothing was saved: the record changed since you read it (send the "
                       "current version after looking at the changes) or a record it "
                       "depends on changed at the same moment.",
        "properties": {
            "detail": {"type": "string"},
            "current_version": {"type": "integer"},
            "changes": {"type": "array", "items": {
                "type": "object",
                "properties": {"who": {"type": "string"},
                               "at": {"type": "string", "format": "date-time"},
                               "field": {"type": "string"}, "before": {}, "after": {}},
            }},
        },
        "required": ["detail"],
    },
}
DESCRIPTIONS = {
    "400": "The request was not valid; nothing was changed.",
    "401": "No valid credentials (token missing, wrong, expired or revoked).",
    "403": "Signed in, but not allowed to do this here.",
    "404": "No such record (or page) among those you can see.",
    "409": "A conflicting change; nothing was saved.",
    "413": "The request body is too large.",
    "415": "The request body's content type is not one this operation reads.",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            list_body = "requestBody" in operation and self.list_body()
            responses = operation["responses"]
            for code, component in self.error_responses(operation).items():
                # What a view declares itself is kept; core adds what it leaves out (a
                # record action describes its 400 in words, core gives the body).
                responses[code] = {**self.error_response(code, component, list_body),
                                   **responses.get(code, {})}
        return operation

    def error_responses(self, operation: dict) -> dict[str, str]:
        """Status code -> component of each error this operation can answer with."""
        body = "requestBody" in operation
        query = any(p["in"] == "query" for p in operation.get("parameters", []))
        errors = {}
        if body or query or self.method in WRITES:  # writes also read If-Match
            errors["400"] = "ValidationError"
        if not all(issubclass(p, AllowAny) for p in self.view.permission_classes):
            errors["401"] = errors["403"] = "Error"
        if "{" in self.path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            errors["404"] = "Error"
        if self.method in WRITES:
            errors["409"] = "Conflict"
        if body:
            errors["413"] = errors["415"] = "Error"
        return errors

    def error_response(self, code: str, name: str, list_body: bool) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA,
                                      object=f"borough.core.api.schema.{name}",
                                      schema=COMPONENTS[name])
        self.registry.register_on_missing(component)
        schema = component.ref
        if code == "400" and list_body:
            # A list body's errors are a list: one object per item, {} for a good one.
            schema = {"oneOf": [schema, {"type": "array", "items": component.ref}]}
        return {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": schema}}}

    def list_body(self) -> bool:
        return is_list_serializer(self.get_request_serializer())

    def _is_list_view(self, serializer=None):
        if isinstance(self.view, GenericAPIView):
            return super()._is_list_view(serializer)
        if serializer is None:
            serializer = self.get_response_serializers()
        if isinstance(serializer, dict) and serializer:  # by status code: the lowest
            serializer = {str(code): s for code, s in serializer.items()}
            serializer = serializer[min(serializer)]
        return is_list_serializer(serializer)

    def _get_paginator(self):
        return super()._get_paginator() if self.is_list_action() or self.is_paged() else None

    def _get_pagination_parameters(self):
        if not self.is_paged():
            return super()._get_pagination_parameters()
        return self._get_paginator().get_schema_operation_parameters(self.view)

    def get_filter_backends(self):
        return super().get_filter_backends() if self.is_list_action() else []

    def is_list_action(self) -> bool:
        return getattr(self.view, "action", "list") == "list"

    def is_paged(self) -> bool:
        """An extra action declared `@action(..., paged=True)`, answering through
        `BaseModelViewSet.paged_response` (a list of something other than the model)."""
        return bool(getattr(self.view, "paged", False))
