from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from borough.core import comments, queries, restricted, services
from borough.core.api.viewsets import model_key
from borough.core.forms import add_service_error
from borough.core.ids import parse_id
from borough.core.registry import registry
from borough.core.views.base import EntryViewMixin


def show_conflict(form, exc: services.StaleVersionError) -> None:
    """Put a stale-version error on a bound form and take the current version into it:
    saving again is then a deliberate choice to replace the other person's values."""
    form.add_error(None, str(exc))
    form.data = form.data.copy()
    form.data["version"] = exc.current.version


class ObjectMixin(EntryViewMixin):
    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def detail_url(self, obj) -> str:
        return reverse(self.entry.url_name("detail"), args=[obj.pk])

    def tabs(self, obj, active: str) -> list[dict]:
        return [
            {"label": "Details", "url": self.detail_url(obj), "active": active == "detail"},
            {"label": "History", "url": reverse(self.entry.url_name("history"), args=[obj.pk]),
             "active": active == "history"},
        ]


class ObjectDetailView(ObjectMixin, TemplateView):
    template_name = "core/object_detail.html"

    def get_queryset(self):
        # The records the detail rows name (a team, a site) come with the record, not in
        # a query each when the rows are drawn.
        related = queries.detail_relations(self.model, self.entry.detail_fields)
        queryset = super().get_queryset()
        if related:
            queryset = queryset.select_related(*related)
        # Whether it has comments, attachments and what its panels show, in this query.
        return queries.with_record_extras(queryset, comments=self.entry.comments,
                                          attachments=self.entry.attachments)

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        context = super().get_context_data(object=obj, **kwargs)
        hidden = restricted.hidden_on(obj, self.request.user)
        context["rows"] = queries.detail_rows(
            obj, tuple(f for f in self.entry.detail_fields if f not in hidden))
        context["tabs"] = self.tabs(obj, "detail")
        context["content_type_id"] = ContentType.objects.get_for_model(self.model).pk
        if self.entry.comments:
            context["comments"] = comments.comments_for(obj, self.request.user)
        if self.entry.attachments:
            context["attachments"] = queries.attachments_for(obj, self.request.user)
        context["panels"] = registry.panels_for(obj, self.request.user)
        if context["can"]["delete"]:
            context["deletion_refusal"] = services.deletion_refusal(obj)
            context["can"]["delete"] = context["deletion_refusal"] is None
        return context


class ObjectHistoryView(ObjectMixin, TemplateView):
    template_name = "core/object_history.html"

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        context = super().get_context_data(object=obj, **kwargs)
        context["events"] = queries.history_for(obj, self.request.user)
        context["tabs"] = self.tabs(obj, "history")
        return context


class ObjectEditView(ObjectMixin, TemplateView):
    """Create (no pk) or edit a record through core.services; a stale version shows
    what the other person changed and keeps what this person typed."""

    template_name = "core/object_form.html"
    permission_action = "change"

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else None

    def get_form(self, instance, data=None, files=None):
        if instance is None:
            # Set the owner first so model validation can compare related records' owners.
            instance = self.model(organisation_id=self.request.user.active_organisation_id)
        return self.entry.form(data=data, files=files, instance=instance, user=self.request.user)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance)
        if instance is None:
            preselect(form, request.GET)
        return self.render_to_response(self.get_context_data(form=form, object=instance))

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(instance, request.POST, request.FILES)
        conflict = None
        if form.is_valid():
            try:
                saved = self.save(form, instance)
            except services.StaleVersionError as exc:
                conflict = exc
                show_conflict(form, exc)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                said = f"{self.entry.verbose_name.capitalize()} “{saved}” saved."
                if (moved := self.moved_by_edit(instance, saved)):
                    said = f"{said} {moved}"
                messages.success(request, said)
                return HttpResponseRedirect(self.detail_url(saved))
        return self.render_to_response(
            self.get_context_data(form=form, object=instance, conflict=conflict), status=400
        )

    def lifecycle(self):
        actions = registry.record_actions.get(self.model)
        return getattr(actions, "lifecycle", None)

    def moved_by_edit(self, before, saved) -> str:
        """What the edit did to the record's state (an agreed SLA back to draft), in words."""
        lifecycle = self.lifecycle()
        if before is None or lifecycle is None or not lifecycle.on_edit:
            return ""
        old, new = lifecycle.state_of(before), lifecycle.state_of(saved)
        return f"It is {lifecycle.label(new).lower()} again." if old != new else ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lifecycle, obj = self.lifecycle(), kwargs.get("object")
        if obj is not None and lifecycle is not None:
            context["edit_warning"] = lifecycle.edit_warning(obj)
        return context

    def save(self, form, instance):
        if instance is None:
            new = form.save(commit=False)
            new.organisation_id = self.request.user.active_organisation_id
            many_to_many = {
                f.name: form.cleaned_data[f.name] for f in self.model._meta.many_to_many
                if f.name in form.cleaned_data
            }
            return services.create_record(
                new, actor=self.request.user, many_to_many=many_to_many,
                idempotency_key=model_key(self.model, form.cleaned_data.get("submission_key")),
            )
        return services.update_record(
            instance, actor=self.request.user, data=form.model_data(),
            expected_version=form.cleaned_data.get("version"),
        )


def preselect(form, query) -> None:
    """A link to an add page may choose its related records (`?release=7` from a
    release's page): each one the user may choose (the field's scoped queryset) is
    filled in; any other value is ignored, as a browser's stale link would be."""
    for name, value in query.items():
        field = form.fields.get(name)
        if isinstance(field, ModelChoiceField) and not isinstance(
                field, ModelMultipleChoiceField) and (pk := parse_id(value)) is not None:
            chosen = field.queryset.filter(pk=pk).first()
            if chosen is not None:
                form.initial[name] = chosen


class ObjectCreateView(ObjectEditView):
    permission_action = "add"


class ObjectDeleteView(ObjectMixin, TemplateView):
    template_name = "core/object_confirm_delete.html"
    permission_action = "delete"

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        context = super().get_context_data(object=obj, **kwargs)
        context["refusal"] = services.deletion_refusal(obj)
        context["blockers"] = [] if context["refusal"] else services.protected_relations(obj)
        if not (context["refusal"] or context["blockers"]):
            # What goes with it (a CI's relationships), said before anyone confirms.
            removed = services.removed_with(obj)
            context["removed_with"], context["removed_more"] = removed[:20], len(removed) - 20
        return context

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        version = request.POST.get("version")
        try:
            services.delete_record(
                obj, actor=request.user,
                expected_version=parse_id(version),
            )
        except (ValidationError, services.StaleVersionError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            context = self.get_context_data(error=message)
            return self.render_to_response(context, status=400)
        messages.success(request, f"{self.entry.verbose_name.capitalize()} “{obj}” deleted.")
        return HttpResponseRedirect(reverse(self.entry.url_name("list")))
