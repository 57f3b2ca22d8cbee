import logging

from django.db import IntegrityError
from django.shortcuts import render

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with council data must not linger in shared browser caches.
            response.setdefault("Cache-Control", "private, no-store")
        return response


class IntegrityConflictMiddleware:
    """A write the database refused because of someone else's change at the same moment
    (a related record deleted after the form loaded it, a unique value taken meanwhile)
    is a conflict to retry, not a server error: 409 with a plain explanation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, IntegrityError):
            return None
        logger.warning("Write refused by the database on %s: %s", request.path, exception)
        return render(request, "409.html", {"message": CONFLICT_MESSAGE}, status=409)


class DatabaseUnavailableMiddleware:
    """A view that could not reach the database (restarting, failing over) answers 503
    with Retry-After: the page "briefly unavailable", the API and /health/ JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from borough.core.views.errors import DATABASE_DOWN, database_unavailable

        if not isinstance(exception, DATABASE_DOWN):
            return None
        logger.warning("Database unavailable on %s: %s", request.path, exception)
        return database_unavailable(request, exception)


CONFLICT_MESSAGE = (
    "Nothing was saved: a record this change depends on was changed or deleted by someone "
    "else at the same moment. Go back, refresh the page and try again."
)
