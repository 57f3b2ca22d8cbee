"""Error pages in the service's own style; never a bare Django page. API clients (any
path under /api/) get the API's JSON body, `{"detail": "..."}`, instead of a page:
these handlers answer for whatever failed outside DRF, such as a URL that matches no
route (`/api/mail/messages/false/release/`) or a body Django refused to read."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError, JsonResponse
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


def server_error(request):
    if is_api(request):
        return api_error(500, "Something went wrong on our side; it has been logged.")
    # No context processors: whatever broke must not break the error page too.
    return HttpResponseServerError(get_template("500.html").template.render(Context({})))
