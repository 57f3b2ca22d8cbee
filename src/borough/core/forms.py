from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import TemplatesSetting

from borough.core.filters import narrowed


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with GOV.UK Frontend markup (templates in frontend/)."""

    form_template_name = "borough/forms/form.html"
    field_template_name = "borough/forms/field.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class MultipleFileInput(forms.FileInput):
    """<input type="file" multiple>; the form renderer draws it as a GOV.UK file upload."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none unless required), cleaned to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def count_characters(field: forms.CharField, limit: int | None = None) -> None:
    """Show GOV.UK's character count under a text box (the renderer reads the
    `character_count` attribute). The browser's maxlength goes: it cuts off a pasted text
    without a word, where the count says how much is too much and the form refuses it."""
    limit = limit or field.max_length
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["character_count"] = limit


def add_service_error(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on a form: each field's errors beside it, errors of
    fields the form does not show (the organisation, say) at the top, never a 500."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Whoever a form asks for is chosen by typing a name, with suggestions (borough.js).
PEOPLE_MODELS = {settings.AUTH_USER_MODEL, "organisation.Person"}


class SuggestedRecordField(forms.Field):
    """One record among many, typed rather than picked from a select (core.suggestions):
    a text box that borough.js turns into an autocomplete asking `suggest_url` as the
    user types, and that takes a reference or a name without JavaScript. The form sets
    `queryset` (scoped with visible_to) before it is cleaned; `suggest_with`: the id of
    another box whose words go with each request (`?ci=…`: a CI's services first)."""

    def __init__(self, *, noun: str, queryset=None, suggest_url=None,
                 suggest_with: tuple[str, str] | None = None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.noun, self.queryset = noun, queryset
        attrs = {"data-borough-autocomplete": "", "autocomplete": "off", "spellcheck": "false"}
        if suggest_url is not None:  # may be lazy: reversed when the box is drawn
            attrs["data-borough-suggest"] = suggest_url
        if suggest_with:
            attrs["data-borough-suggest-with"] = f"{suggest_with[0]}={suggest_with[1]}"
        self.widget.attrs.update(attrs)

    def prepare_value(self, value):
        from borough.core.suggestions import label

        return label(value) if isinstance(value, models.Model) else value

    def to_python(self, value):
        from borough.core.suggestions import resolve

        if value in self.empty_values:
            return None
        if isinstance(value, models.Model):
            value = value.pk
        return resolve(self.queryset, value, noun=self.noun)

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "").strip()


class ScopedModelForm(forms.ModelForm):
    """A model form whose related-record choices come from what the user can see in
    the active organisation, and which carries the version it was read at."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, scoped_querysets: dict | None = None, **kwargs):
        """`scoped_querysets`: a dict kept by a caller that builds many forms of this class
        for one user (an import: one a row), which holds each field's scoped queryset once
        built, so the next form reuses it instead of building it again."""
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk and not self.is_bound:
            self.fields["version"].initial = self.instance.version
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4().hex
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                key = (type(self), name)
                if scoped_querysets is not None and key in scoped_querysets:
                    field.queryset = scoped_querysets[key]
                    continue
                manager = field.queryset.model._default_manager
                if hasattr(manager, "visible_to"):
                    scoped = manager.visible_to(user)
                    if narrowed(field.queryset.query):  # limit_choices_to, an order…
                        scoped = scoped.filter(pk__in=field.queryset.values("pk"))
                    field.queryset = scoped
                    if scoped_querysets is not None:
                        scoped_querysets[key] = scoped
            widget = field.widget
            if isinstance(widget, forms.DateInput) and not isinstance(widget, DateInput):
                field.widget = DateInput()
            if (isinstance(field, forms.ModelChoiceField) and type(widget) is forms.Select
                    and field.queryset.model._meta.label in PEOPLE_MODELS):
                widget.attrs.setdefault("data-borough-autocomplete", "")

    def clean(self):
        cleaned = super().clean()
        # An edit must say which version it started from, or a lost update goes unnoticed
        # (SECURITY.md rule 24).
        if self.instance.pk and cleaned.get("version") is None and "version" not in self.errors:
            raise forms.ValidationError(
                "This form does not say which version of the record it changes. "
                "Reload the page and make your changes again."
            )
        return cleaned

    def model_data(self) -> dict[str, object]:
        """Changed model fields and their cleaned values, for services.update_record."""
        names = [n for n in self.changed_data if n in self._meta.fields or n in self.Meta.fields]
        return {n: self.cleaned_data[n] for n in names if n not in ("version", "submission_key")}
