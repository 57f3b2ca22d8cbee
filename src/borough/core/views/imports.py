"""The import pages: a model's import page (its columns, options and the upload form),
then the upload's own page (the preview, its problems, the confirm button, the progress
of a background check or import, the outcome). core.importing does the work."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.edit import FormMixin

from borough.core import background, exports, importing, imports
from borough.core.importers import Importer, ImportMode, count_text
from borough.core.models import ImportStatus, ImportUpload
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin

TEMPLATE_FORMATS = ("csv", "xlsx")
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

    def __init__(self, *args, importer: Importer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if importer is not None and importer.can_update:
            # The mode: offered only where rows can be matched to records.
            self.fields["mode"] = forms.ChoiceField(
                label="What should the import do?", choices=ImportMode.CHOICES, required=False,
                initial=importer.default_mode, widget=forms.RadioSelect,
                help_text=importer.match_text(),
                error_messages={"invalid_choice": "Choose whether to add new rows only or to "
                                                  "add and update"})
            self.order_fields(["mode", "file"])
        size = imports.size_text(settings.ATTACHMENT_MAX_BYTES)
        self.fields["file"].help_text = (
            f"CSV (saved as “CSV UTF-8”) or Excel workbook (.xlsx), at most {size} "
            f"and {imports.max_rows():,} rows. Only the first sheet of a workbook is read."
        )


class ObjectImportView(EntryViewMixin, FormMixin, TemplateView):
    """GET shows the columns, the options and the upload form (`?template=csv|xlsx`
    downloads the header row); POST uploads the file and shows its preview. Nothing is
    saved until the preview is confirmed. GET only ever shows (SECURITY.md rule 17)."""

    template_name = "core/object_import.html"
    permission_action = "add"
    form_class = ImportUploadForm
    # Another importer of the same model (the CMDB's systems return) names its key.
    importer_key = ""

    @property
    def importer(self) -> Importer:
        key = self.importer_key or f"{self.entry.app_label}.{self.entry.model_name}"
        return registry.importers.get(key) or Importer(self.entry)

    @property
    def organisation_id(self):
        return self.request.user.active_organisation_id

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "importer": self.importer}

    def get_initial(self):
        mode = self.request.GET.get("mode")
        return {"mode": mode} if mode in dict(ImportMode.CHOICES) else {}

    def parameter_names(self) -> tuple[str, ...]:
        return (*self.importer.parameters, *(("mode",) if self.importer.can_update else ()))

    def options_data(self):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return {name: data[name] for name in self.parameter_names() if data.get(name)}

    def options(self) -> tuple[dict, list[str]]:
        return self.importer.clean_options(self.options_data(), user=self.request.user)

    def columns(self, options: dict) -> list[imports.Column]:
        try:
            values = self.importer.resolved_options(options, user=self.request.user)
        except imports.ImportFileError:
            return []  # the page says why (unusable(), below)
        return self.importer.columns(user=self.request.user,
                                     organisation_id=self.organisation_id, options=values)

    def unusable(self) -> list[str]:
        """Why nothing can be imported here now (the CMDB's return needs its class)."""
        try:
            self.importer.resolved_options({}, user=self.request.user)
        except imports.ImportFileError as exc:
            return exc.messages
        return []

    def parameter_problem(self) -> str:
        allowed = {"template", *self.parameter_names()}
        unknown = sorted(set(self.request.GET) - allowed)
        if unknown:
            return (f"Unknown parameter {', '.join(unknown)}. This page takes only "
                    + ", ".join(f"“{a}”" for a in sorted(allowed)) + ".")
        wanted = self.request.GET.get("template")
        if wanted is not None and wanted not in TEMPLATE_FORMATS:
            return "The template comes as csv or xlsx."
        return ""

    def get(self, request, *args, **kwargs):
        problem = self.parameter_problem()
        options, option_problems = self.options()
        if problem or option_problems:
            return self.render_to_response(self.get_context_data(
                page_errors=[p for p in [problem, *option_problems] if p]), status=400)
        wanted = request.GET.get("template")
        if wanted:
            headings = self.importer.template_headings(self.columns(options))
            return exports.FORMATS[wanted]([headings], self.importer.template_name)
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        problem = self.parameter_problem()
        options, option_problems = self.options()
        if problem or option_problems:
            return self.render_to_response(self.get_context_data(
                page_errors=[p for p in [problem, *option_problems] if p]), status=400)
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            row = importing.upload(self.importer, form.cleaned_data["file"], user=request.user,
                                   options=options)
        except imports.ImportFileError as exc:
            for message in exc.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        return HttpResponseRedirect(importing.page_url(row))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        importer = self.importer
        options, _problems = self.options()
        options_form = importer.options_form(self.options_data() or None, user=self.request.user)
        query = "&".join(f"{k}={v}" for k, v in sorted(options.items()) if k != "mode")
        import_url = self.request.path
        context.update(
            importer=importer,
            options_form=options_form,
            # Sent again with the upload (the mode is a field of the upload form itself).
            options={k: v for k, v in options.items() if k != "mode"},
            clear_token=imports.CLEAR,
            columns=self.columns(options),
            max_rows=f"{imports.max_rows():,}",
            background_rows=f"{settings.IMPORT_BACKGROUND_ROWS:,}",
            list_separator=imports.LIST_SEPARATOR,
            max_size=imports.size_text(settings.ATTACHMENT_MAX_BYTES),
            list_url=reverse(self.entry.url_name("list")),
            import_url=import_url,
            template_urls={fmt: f"{import_url}?template={fmt}" + (f"&{query}" if query else "")
                           for fmt in TEMPLATE_FORMATS},
        )
        context.setdefault("page_errors", [])
        context["page_errors"] = [*context["page_errors"], *self.unusable()]
        return context


def upload_context(row: ImportUpload) -> dict:
    """What the upload's page and its progress fragment show."""
    importer = importing.importer_of(row)
    task = row.task
    done, total = background.current(task) if task is not None else (0, row.rows)
    errors = [imports.RowError(r, c, m) for r, c, m in row.errors]
    busy = row.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    headings = (row.preview or {}).get("headings", [])
    return {
        "upload": row,
        "importer": importer,
        "entry": importer.entry,
        "busy": busy,
        "task": task,
        "waiting": busy and task is not None and task.status == "queued",
        "done": done,
        "total": total or row.rows,
        "percent": int(100 * done / total) if total else 0,
        "to_add": count_text(row.preview.get("counts", [])) if row.preview else "",
        "would": importing.preview_text(row.preview) if row.preview else "",
        "added": count_text(row.added) if row.added else "",
        "outcome": importing.outcome_text(row),
        "updating": (row.preview or {}).get("mode") == ImportMode.UPDATE,
        "changes": [{"row": r, "column": c, "before": b, "after": a}
                    for r, c, b, a in (row.preview or {}).get("changes", [])],
        "changes_not_shown": max((row.preview or {}).get("change_count", 0)
                                 - len((row.preview or {}).get("changes", [])), 0),
        "headings": headings,
        "preview_rows": [{"number": r[0], "cells": list(zip(headings, r[1:], strict=False))}
                         for r in (row.preview or {}).get("rows", [])],
        "row_errors": errors,
        "summary_errors": errors[:ERRORS_IN_SUMMARY],
        "more_errors": max(row.error_count - ERRORS_IN_SUMMARY, 0),
        "errors_not_shown": max(row.error_count - len(errors), 0),
        "error_rows": len({e.row for e in errors}),
        "list_url": reverse(importer.entry.url_name("list")),
        "import_url": importer.page_url,
        "can_confirm": row.status == ImportStatus.CHECKED and not row.error_count,
    }


class ImportDetailView(LoginRequiredMixin, TemplateView):
    """An upload's page. While it is checked or imported in the background it shows the
    progress and updates itself (htmx asks for the progress every two seconds; without
    JavaScript, a link reloads the page); then the preview or the outcome."""

    permission_action = "view"
    template_name = "core/import_detail.html"

    def get(self, request, *args, **kwargs):
        row = get_object_or_404(ImportUpload.objects.visible_to(request.user)
                                .select_related("task"), pk=kwargs["pk"])
        context = self.get_context_data(**upload_context(row))
        if request.headers.get("HX-Request"):
            if context["busy"]:
                response = self.response_class(request=request, context=context,
                                               template=["core/includes/import_progress.html"])
            else:
                response = HttpResponse(status=204, headers={"HX-Refresh": "true"})
            patch_vary_headers(response, ["HX-Request"])
            return response
        response = self.render_to_response(context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ImportConfirmView(LoginRequiredMixin, View):
    """POST: import what the preview showed (core.importing.confirm checks who, which
    file and whether it may be)."""

    permission_action = "add"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        row = get_object_or_404(ImportUpload.objects.visible_to(request.user), pk=kwargs["pk"])
        try:
            row = importing.confirm(row, user=request.user, sha256=request.POST.get("sha256", ""))
        except PermissionDenied:
            raise
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return HttpResponseRedirect(importing.page_url(row))
        if row.status == ImportStatus.IMPORTED:
            messages.success(request, importing.outcome_text(row))
        return HttpResponseRedirect(importing.page_url(row))
