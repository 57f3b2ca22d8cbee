"""The library's pages beyond the generic ones: a document's page (its versions, links,
review and actions), uploading a version, the permission-checked download, a link form
that can start from a document, item or class, and the "Reviews due" shortcut."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from borough.core import scope
from borough.core.actions import offered
from borough.core.api.viewsets import model_key
from borough.core.forms import add_service_error
from borough.core.ids import parse_id
from borough.core.views.records import ObjectCreateView, ObjectDetailView
from borough.library import api, forms, queries, services
from borough.library.models import Document, DocumentLink, DocumentVersion


class DocumentDetailView(ObjectDetailView):
    template_name = "library/document_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "last_reviewed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document, user = context["object"], self.request.user
        versions = queries.versions_of(document, user)
        today = timezone.localdate()
        context.update(
            versions=versions, current=queries.current_version(versions),
            links=queries.links_of(document, user),
            may_download=services.may_download(user, document),
            may_upload=scope.can(user, "add", DocumentVersion, document.organisation_id),
            may_publish=scope.can(user, "change", DocumentVersion, document.organisation_id),
            may_link=scope.can(user, "add", DocumentLink, document.organisation_id),
            overdue=document.review_overdue(today), due_soon=document.review_due_soon(today),
            record_actions=[(o.action, o.url, o.action.form(record=document, user=user))
                            for o in offered(services.DOCUMENT_ACTIONS, document, user,
                                             "library:document").values()],
        )
        return context


class DocumentScopedView(LoginRequiredMixin, TemplateView):
    """A page about one document the user can see (404 otherwise), for a role that may
    `permission_action` its versions."""

    permission_action = "add"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not scope.can(request.user, self.permission_action, DocumentVersion, None):
            raise PermissionDenied("Your role does not allow you to upload document versions.")
        self.document = get_object_or_404(Document.objects.visible_to(request.user),
                                          pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class UploadVersionView(DocumentScopedView):
    template_name = "library/upload_version.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=forms.UploadVersionForm()))

    def post(self, request, *args, **kwargs):
        form = forms.UploadVersionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = services.upload_version(
                    self.document, data["file"], actor=request.user,
                    change_note=data["change_note"], publish=data["publish"],
                    idempotency_key=model_key(DocumentVersion, data.get("submission_key")))
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                state = "published" if version.is_published else "uploaded as a draft"
                messages.success(request, f"Version {version.number} {state}.")
                return HttpResponseRedirect(
                    reverse("library:document_detail", args=[self.document.pk]) + "#versions")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(document=self.document, **kwargs)


class VersionDownloadView(LoginRequiredMixin, View):
    """A version's file, for those who may see the document and whose role is cleared for
    its classification. Never a public media URL: files live outside the web root."""

    permission_action = "view"

    def get(self, request, pk):
        version = get_object_or_404(
            DocumentVersion.objects.visible_to(request.user).select_related("document"), pk=pk)
        return api.download_response(request.user, version)


class DocumentLinkCreateView(ObjectCreateView):
    """The link form, started from a document's, an item's or a class's page
    (`?document=`, `?configuration_item=`, `?ci_class=`, `?business_service=`: ids the
    form then checks)."""

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        if data is None:
            for name in ("document", "configuration_item", "ci_class", "business_service"):
                if (value := parse_id(self.request.GET.get(name, ""))) is not None:
                    form.initial[name] = value
        return form


class ReviewsDueView(LoginRequiredMixin, View):
    """The menu's "Reviews due": the document list filtered to reviews overdue or due
    within the reminder window."""

    permission_action = "view"

    def get(self, request):
        if not scope.can(request.user, "view", Document, None):
            raise PermissionDenied("Your role does not allow you to view documents.")
        return HttpResponseRedirect(f"{reverse('library:document_list')}?"
                                    f"{urlencode({'review_due': 'due'})}")

