from __future__ import annotations

import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.renderers import TemplatesSetting
from django.forms.utils import to_current_timezone

from borough.core.filters import narrowed


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields with GOV.UK Frontend markup (templates in frontend/)."""

    form_template_name = "borough/forms/form.html"
    field_template_name = "borough/forms/field.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A date and time in one box (<input type="datetime-local">), read in local time:
    a time that does not exist or happens twice at a clock change is refused with a
    message by Django's DateTimeField. The record's own time (`kept`, set by the form),
    sent back as shown, is read as the instant stored: else a stored time in the hour
    the clocks go back could never be saved again, and seconds would be cut off."""

    input_type = "datetime-local"
    kept: datetime.datetime | None = None

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if (isinstance(self.kept, datetime.datetime) and isinstance(value, str)
                and value.strip() == self.format_value(to_current_timezone(self.kept))):
            return self.kept
        return value


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
    another box whose words go with each request (`?ci=…`: a CI's services first).

    The box shows a record as its reference and name, also when what it holds is an id
    (a model form's initial value, `?ci=12` in a filter's link) or words the form
    resolved: never a bare id."""

    def __init__(self, *, noun: str, queryset=None, suggest_url=None,
                 suggest_with: tuple[str, str] | None = None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(**kwargs)
        self.noun, self.queryset = noun, queryset
        self.resolved: dict[str, models.Model] = {}  # words (or id) -> the record they named
        attrs = {"data-borough-autocomplete": "", "autocomplete": "off", "spellcheck": "false"}
        if suggest_url is not None:  # may be lazy: reversed when the box is drawn
            attrs["data-borough-suggest"] = suggest_url
        if suggest_with:
            attrs["data-borough-suggest-with"] = f"{suggest_with[0]}={suggest_with[1]}"
        self.widget.attrs.update(attrs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.resolved = {}
        return result

    def prepare_value(self, value):
        from borough.core.ids import parse_id
        from borough.core.suggestions import label

        if isinstance(value, models.Model):
            return label(value)
        key = str(value).strip() if value is not None else ""
        if key in self.resolved:
            return label(self.resolved[key])
        if self.queryset is not None and (pk := parse_id(key)) is not None:
            record = self.queryset.filter(pk=pk).first()  # an id: show what it names
            if record is not None:
                self.resolved[key] = record
                return label(record)
        return value

    def to_python(self, value):
        from borough.core.suggestions import resolve

        if value in self.empty_values:
            return None
        if isinstance(value, models.Model):
            value = value.pk
        record = resolve(self.queryset, value, noun=self.noun)
        if record is not None:
            self.resolved[str(value).strip()] = record
        return record

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(self.prepare_value(data) or "").strip()


def suggested_in_place_of(field: forms.ModelChoiceField, suggest_url) -> SuggestedRecordField:
    """A typed box for a model form's or filter's select of a model chosen by typing
    (ModelEntry.suggest_url): the same label, hint, requirement and (scoped) queryset."""
    model = field.queryset.model
    what = str(field.label or model._meta.verbose_name).lower()
    return SuggestedRecordField(
        noun=str(model._meta.verbose_name), queryset=field.queryset, label=field.label,
        required=field.required, suggest_url=suggest_url, initial=field.initial,
        help_text=field.help_text or typing_hint(model), disabled=field.disabled,
        error_messages={"required": f"Enter the {what}: {typing_hint(model, capital=False)}"})


def typing_hint(model, capital: bool = True) -> str:
    from borough.core.suggestions import example_reference

    example = example_reference(model)
    like = f" (like {example})" if example else ""
    hint = f"type part of its name or its reference{like} and choose from the suggestions."
    return hint[0].upper() + hint[1:] if capital else hint


def suggest_url_for(model):
    """The suggestion endpoint of a model chosen by typing, or None (a select will do)."""
    from borough.core.registry import registry

    entry = registry.entries.get(model)
    return entry.suggest_url if entry is not None else None


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
        for name, field in list(self.fields.items()):
            # A model too numerous for a select (100,000 CIs) is typed, with suggestions.
            if type(field) is forms.ModelChoiceField and (
                    url := suggest_url_for(field.queryset.model)) is not None:
                self.fields[name] = field = suggested_in_place_of(field, url)
                if self.instance.pk and not self.is_bound and name in self.initial:
                    # The box shows the related record by reference and name.
                    self.initial[name] = getattr(self.instance, name, None)
            widget = field.widget
            if isinstance(widget, forms.DateInput) and not isinstance(widget, DateInput):
                field.widget = DateInput()
            if isinstance(widget, DateTimeInput):
                widget.kept = self.initial.get(name)
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
