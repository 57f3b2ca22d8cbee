"""Error pages in the service's own style; never a bare Django page. API clients (any
path under /api/) get the API's JSON body, `{"detail": "..."}`, instead of a page:
these handlers answer for whatever failed outside DRF, such as a URL that matches no
route (`/api/mail/messages/false/release/`) or a body Django refused to read."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def too_large_message() -> str:
    return f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes allowed."


def bad_request(request, exception=None):
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return api_error(413, too_large_message())
        return api_error(400, "The request could not be read.")
    return render(request, "400.html", {"message": ""}, status=400)


def permission_denied(request, exception=None):
    if is_api(request):
        return api_error(403, str(exception or "") or "You do not have permission to do that.")
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    if is_api(request):
        return api_error(404, "Not found.")
    return render(request, "404.html", status=404)


# What a request that reached a database it could not talk to (restarting, failed over,
# out of connections) answers: 503 and when to retry, not 500, for it is not a bug.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60
UNAVAILABLE_MESSAGE = "Borough is briefly unavailable, try again in a minute."


def database_unavailable(request, exception) -> HttpResponse:
    from django.urls import reverse

    if request.path_info == reverse("health"):
        response = JsonResponse({"status": "degraded",
                                 "database": f"unavailable: {type(exception).__name__}"},
                                status=503)
    elif is_api(request):
        response = api_error(503, UNAVAILABLE_MESSAGE)
    else:
        # No context processors or request: they would ask the database too.
        response = HttpResponse(get_template("503.html").template.render(Context({})),
                                status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # Called while the exception is handled: one raised before the view (the session or
    # the user loaded by a middleware) reaches here, not DatabaseUnavailableMiddleware.
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_DOWN):
        return database_unavailable(request, exception)
    if is_api(request):
        return api_error(500, "Something went wrong on our side; it has been logged.")
    # No context processors: whatever broke must not break the error page too.
    return HttpResponseServerError(get_template("500.html").template.render(Context({})))
