import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from borough.core import attachments
from borough.core.actions import ActionForm
from borough.core.forms import ScopedModelForm, count_characters
from borough.library import models as m

NOTE_LIMIT = 2000


class DocumentForm(ScopedModelForm):
    class Meta:
        model = m.Document
        fields = ["title", "kind", "topic", "description", "owner", "classification",
                  "review_period_months", "next_review_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class DocumentLinkForm(ScopedModelForm):
    """Link a document to a configuration item or a CI class. The page may come with the
    document (or the item) chosen: `?document=<id>` or `?configuration_item=<id>`."""

    class Meta:
        model = m.DocumentLink
        fields = ["document", "configuration_item", "ci_class", "business_service", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["configuration_item"].help_text = (
            "Type part of its name or its reference (like CI-000123) and choose from the "
            "suggestions; or choose a class below.")
        self.fields["ci_class"].help_text = (
            "Or a whole class: the document then shows on the class's page, for every item "
            "of it (a standard build, say).")
        self.fields["business_service"].help_text = (
            "Or a business service: the document then shows on the service's page (its "
            "continuity plan, say).")


def file_hint() -> str:
    """The accepted types and the size limit, from the settings the checks read. Each
    version is one file, so the per-record total of core's hint does not apply."""
    types = attachments.limits_hint().split(" files. ")[0]
    return f"{types} files, up to {attachments.megabytes(settings.ATTACHMENT_MAX_BYTES)}."


class UploadVersionForm(forms.Form):
    """A new version of a document: its file, what changed, and whether to publish it."""

    file = forms.FileField(label="File")
    change_note = forms.CharField(
        label="What changed", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LIMIT, help_text="For example “New IP range for the Moresby link”.")
    publish = forms.BooleanField(
        label="Publish this version now", required=False, initial=True,
        help_text="A published version becomes the document's current version. Leave "
                  "unticked to upload a draft and publish it later.")
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["change_note"], NOTE_LIMIT)
        self.fields["file"].help_text = file_hint()
        if not self.is_bound:
            # A double click or a refresh uploads one version (services.upload_version).
            self.fields["submission_key"].initial = uuid.uuid4().hex
        self.fields["file"].widget.attrs["accept"] = ",".join(
            attachments.accepted_extensions())

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            attachments.check_upload(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return upload


class ReviewForm(ActionForm):
    note = forms.CharField(
        label="Review note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_LIMIT,
        help_text="Optional: what you checked, or “No changes needed”.")


class WithdrawForm(ActionForm):
    note = forms.CharField(label="Why it is withdrawn", widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=NOTE_LIMIT,
                           help_text="For example “Replaced by DOC-000012” or “System "
                                     "decommissioned”.")

