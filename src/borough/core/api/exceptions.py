from __future__ import annotations

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from borough.core.services import StaleVersionError
from borough.core.views.errors import too_large_message


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, detail=None, code=None):
        super().__init__(detail or too_large_message(), code)


def validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """Service errors become the same messages the pages show: 400, 403 or 409. A body
    Django refused to read is a 413 or 400 here, in JSON, and not an error in the log as
    it would be if it reached Django's own handling of SuspiciousOperation."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = ParseError(str(exc))
    if isinstance(exc, StaleVersionError):
        return Response(
            {
                "detail": str(exc),
                "current_version": exc.current.version,
                "changes": [
                    {"who": c.who, "at": c.at, "field": c.field, "before": c.before, "after": c.after}
                    for c in exc.changes
                ],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        from borough.core.middleware import CONFLICT_MESSAGE

        return Response({"detail": CONFLICT_MESSAGE}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_detail(exc))
    if isinstance(exc, PermissionDenied) and str(exc):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)
