"""Comments and attachments on any registered record, and the file download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from borough.core import attachments, comments, scope
from borough.core.models import Attachment, Comment
from borough.core.registry import registry


def visible_target(user, content_type_id: int, object_id: int):
    """The record a comment or file hangs off, only if the user may see it."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    # A record that is no page of its own may still hold files (an internal note's, on
    # a ticket's timeline) when it says so: its queryset's visible_to decides, as ever.
    if model not in registry.entries:
        if not getattr(model, "holds_attachments", False):
            raise Http404
        return get_object_or_404(model.objects.visible_to(user), pk=object_id), None
    return get_object_or_404(model.objects.visible_to(user), pk=object_id), registry.get(model)


def require_add(user, model, target, doing: str) -> None:
    """A role that may not add comments or files (the Auditor) gets a 403, not a redirect
    (SECURITY.md rule 6)."""
    if not scope.can(user, "add", model, target.organisation_id):
        raise PermissionDenied(f"Your role does not allow you to {doing} records.")


class CommentCreateView(LoginRequiredMixin, View):
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request, content_type_id, object_id):
        target, entry = visible_target(request.user, content_type_id, object_id)
        require_add(request.user, Comment, target, "comment on")
        try:
            comments.add_comment(target, request.POST.get("body", ""), actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Comment added.")
        return HttpResponseRedirect(reverse(entry.url_name("detail"), args=[target.pk]))


class AttachmentUploadView(LoginRequiredMixin, View):
    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request, content_type_id, object_id):
        target, entry = visible_target(request.user, content_type_id, object_id)
        require_add(request.user, Attachment, target, "attach files to")
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a file to upload.")
        else:
            try:
                attachments.add_attachment(target, upload, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"“{upload.name}” attached.")
        return HttpResponseRedirect(reverse(entry.url_name("detail"), args=[target.pk]))


class AttachmentDownloadView(LoginRequiredMixin, View):
    permission_action = "view"

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
        # The file is only as visible as the record it belongs to.
        visible_target(request.user, attachment.content_type_id, attachment.object_id)
        if not scope.can(request.user, "view", Attachment, attachment.organisation_id):
            raise Http404
        try:
            handle = attachments.open_attachment(attachment)
        except FileNotFoundError:
            raise Http404("The file is missing from storage.") from None
        response = FileResponse(
            handle, as_attachment=True, filename=attachment.original_name,
            content_type=attachment.media_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
