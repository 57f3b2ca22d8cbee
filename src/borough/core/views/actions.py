"""Record actions as pages: one URL per declared action (core.actions), POST to do it.

- GET shows the action on a page of its own: its form, or a button (for keyboards, for a
  link from a menu, and for pages without JavaScript).
- A plain POST that succeeds goes back to the record's page with the success message; one
  that fails shows the record's page again (`page`; not for an action the record's page
  does not draw, `on_record_page=False`), or else the action's own page, status 400,
  with the messages beside the fields, the error summary focused and everything typed
  kept.
- With HTMX, the record page's panel (`panel`) is drawn again in place: on success with
  the message, on failure (422) with the failing form bound, messages beside its fields.

`action_urls(actions, prefix, panel=…)` lists the `path()`s, named
`<model>_<action>` (hyphens as underscores)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.views import View

from borough.core import scope, services
from borough.core.actions import CONTROL_FIELDS, Actions, RecordAction
from borough.core.views.records import show_conflict


def add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: beside the field it names, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def perform(record_action: RecordAction, form, record, user, **extra):
    """Validate `form` and do the action; returns (result, conflict). Problems end up on
    the form (its errors); a stale version is returned as the conflict to show. Who may
    not do it gets a 403 with the reason (PermissionDenied is not caught). `extra`: what
    the page adds to what was typed (the person a signed link speaks for)."""
    if not form.is_valid():
        return None, None
    try:
        result = record_action(
            record, actor=user, expected_version=form.cleaned_data.get("version"),
            idempotency_key=form.cleaned_data.get("submission_key") or None,
            **form.service_fields(), **extra)
    except services.StaleVersionError as exc:
        show_conflict(form, exc)
        return None, exc
    except ValidationError as exc:
        add_errors(form, exc)
    else:
        return result, None
    return None, None


class RecordActionView(LoginRequiredMixin, View):
    record_action: RecordAction = None
    # (request, record, *, forms, message, conflict, status) -> the record page's panel,
    # drawn again for HTMX requests; None: the page has no panel, HTMX is not used.
    panel: Callable | None = None
    # (request, record, *, forms, conflict, status) -> the record's whole page with the
    # failing form bound; None: the action's own page (core/record_action.html).
    page_view: Callable | None = None
    # Where a plain POST goes after success; default the record's page.
    back: Callable | None = None
    # Every action then requires its own declared permission and who may (dispatch).
    permission_action = "view"
    http_method_names = ["get", "post"]
    template_name = "core/record_action.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        action = self.record_action
        if not scope.can(request.user, action.permission, action.model, None):
            raise PermissionDenied(f"Your role does not allow you to {action.label.lower()} "
                                   f"{action.model._meta.verbose_name_plural}.")
        return super().dispatch(request, *args, **kwargs)

    def get_record(self):
        visible = self.record_action.model._default_manager.visible_to(self.request.user)
        return get_object_or_404(visible, pk=self.kwargs["pk"])

    def back_url(self, record) -> str:
        return self.back(record) if self.back else record.get_absolute_url()

    def page(self, record, form, *, status=200, conflict=None):
        return TemplateResponse(self.request, self.template_name, {
            "record": record, "object": record, "action": self.record_action, "form": form,
            "conflict": conflict, "back": self.back_url(record)}, status=status)

    def get(self, request, pk):
        record = self.get_record()
        form_class = self.record_action.form
        # A link may choose what the form starts with (?time_entry=7), as add pages
        # preselect; what is posted is validated as ever.
        initial = {name: request.GET[name] for name in form_class.base_fields
                   if name in request.GET and name not in CONTROL_FIELDS}
        return self.page(record, form_class(record=record, user=request.user, initial=initial))

    def post(self, request, pk):
        record = self.get_record()
        action = self.record_action
        form = action.form(request.POST, request.FILES, record=record, user=request.user)
        result, conflict = perform(action, form, record, request.user)
        if request.htmx and self.panel is not None:
            fresh = self.get_record()
            if form.errors:
                return self.panel(request, fresh, forms={action.name: form}, conflict=conflict,
                                  status=422)
            return self.panel(request, fresh, message=action.message(result))
        if form.errors:
            if self.page_view is not None and action.on_record_page:
                return self.page_view(request, record, forms={action.name: form},
                                      conflict=conflict, status=400)
            return self.page(record, form, status=400, conflict=conflict)
        messages.success(request, action.message(result))
        return HttpResponseRedirect(self.back_url(record))


def action_urls(actions: Actions, prefix: str, *, panel=None, page=None, back=None,
                only: tuple[str, ...] | None = None, url_names: str | None = None) -> list:
    """One POST (and GET) URL per action: `<prefix>/<pk>/<action>/`, named
    `<model>_<action>` (or `<url_names>_<action>`)."""
    base = url_names or actions.model._meta.model_name
    return [
        path(f"{prefix}/<int:pk>/{a.name}/",
             RecordActionView.as_view(record_action=a, panel=panel, page_view=page, back=back),
             name=f"{base}_{a.api_name}")
        for a in actions if only is None or a.name in only
    ]
