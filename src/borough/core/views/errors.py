"""Error pages in the service's own style; never a bare Django page."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import Context
from django.template.loader import get_template


def bad_request(request, exception=None):
    return render(request, "400.html", {"message": ""}, status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever broke must not break the error page too.
    return HttpResponseServerError(get_template("500.html").template.render(Context({})))
