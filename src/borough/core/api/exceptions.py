from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from borough.core.services import StaleVersionError


def validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """Service errors become the same messages the pages show: 400, 403 or 409."""
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
