"""The import page of a registered model: upload a CSV or XLSX register, get every row
saved (and audited) or every problem listed by row and column; nothing in between."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView
from django.views.generic.edit import FormMixin

from borough.core import exports, imports
from borough.core.views.base import EntryViewMixin

TEMPLATE_FORMATS = ("csv", "xlsx")
# The only query parameter the page takes (SECURITY.md rule 13).
ALLOWED_PARAMETERS = {"template"}
ERRORS_IN_SUMMARY = 10


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet file",
        widget=forms.FileInput(attrs={
            "accept": ".csv,.xlsx,text/csv,"
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }),
        error_messages={"required": "Choose a CSV or Excel (.xlsx) file to import",
                        "empty": "The file is empty. Upload a spreadsheet with a header row "
                                 "and at least one row of data."},
    )
    # With the file's digest, makes a resubmitted upload (refresh, double click) a no-op.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        size = imports.size_text(settings.ATTACHMENT_MAX_BYTES)
        self.fields["file"].help_text = (
            f"CSV (saved as “CSV UTF-8”) or Excel workbook (.xlsx), at most {size} "
            f"and {imports.MAX_ROWS:,} rows. Only the first sheet of a workbook is read."
        )
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex


class ObjectImportView(EntryViewMixin, FormMixin, TemplateView):
    """GET shows the columns and the upload form (`?template=csv|xlsx` downloads the header
    row); POST imports. A form view, so GET only ever shows the form (SECURITY.md rule 17)."""

    template_name = "core/object_import.html"
    permission_action = "add"
    form_class = ImportUploadForm

    @property
    def organisation_id(self):
        return self.request.user.active_organisation_id

    def columns(self) -> list[imports.Column]:
        return imports.columns_for(self.entry, user=self.request.user,
                                   organisation_id=self.organisation_id)

    def parameter_problem(self) -> str:
        unknown = sorted(set(self.request.GET) - ALLOWED_PARAMETERS)
        if unknown:
            return (f"Unknown parameter {', '.join(unknown)}. This page takes only "
                    "“template” (csv or xlsx).")
        wanted = self.request.GET.get("template")
        if wanted is not None and wanted not in TEMPLATE_FORMATS:
            return "The template comes as csv or xlsx."
        return ""

    def get(self, request, *args, **kwargs):
        problem = self.parameter_problem()
        if problem:
            return self.render_to_response(self.get_context_data(page_errors=[problem]),
                                           status=400)
        wanted = request.GET.get("template")
        if wanted:
            headings = [column.heading for column in self.columns()]
            return exports.FORMATS[wanted]([headings], f"{self.entry.model_name}-import-template")
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        problem = self.parameter_problem()
        if problem:
            return self.render_to_response(self.get_context_data(page_errors=[problem]),
                                           status=400)
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            sheet = imports.read_upload(form.cleaned_data["file"])
            result = imports.import_sheet(
                self.entry, sheet, user=request.user, organisation_id=self.organisation_id,
                submission_key=form.cleaned_data.get("submission_key") or "",
            )
        except imports.ImportFileError as exc:
            for message in exc.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        if result.errors:
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=result.errors), status=400
            )
        messages.success(request, self.success_message(result))
        return HttpResponseRedirect(reverse(self.entry.url_name("list")))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def success_message(self, result: imports.ImportResult) -> str:
        def records(n: int) -> str:
            noun = self.entry.verbose_name if n == 1 else self.entry.verbose_name_plural
            return f"{n:,} {noun}"

        if result.created and not result.already:
            return f"Imported {records(result.created)}."
        if not result.created:
            return (f"Nothing new was imported: these {records(result.already)} were imported "
                    "already when this file was first submitted.")
        return (f"Imported {records(result.created)}. {result.already:,} rows were imported "
                "already when this file was first submitted.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        row_errors = context.get("row_errors") or []
        list_url = reverse(self.entry.url_name("list"))
        import_url = reverse(self.entry.url_name("import"))
        context.update(
            columns=self.columns(),
            max_rows=f"{imports.MAX_ROWS:,}",
            list_separator=imports.LIST_SEPARATOR,
            max_size=imports.size_text(settings.ATTACHMENT_MAX_BYTES),
            list_url=list_url,
            import_url=import_url,
            template_urls={fmt: f"{import_url}?template={fmt}" for fmt in TEMPLATE_FORMATS},
            summary_errors=row_errors[:ERRORS_IN_SUMMARY],
            more_errors=max(len(row_errors) - ERRORS_IN_SUMMARY, 0),
            error_rows=len({e.row for e in row_errors}),
        )
        context.setdefault("page_errors", [])
        return context
