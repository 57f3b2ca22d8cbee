"""A filter form's fields as HTML, kept per process for the same inputs.

Drawing a select through the GOV.UK form templates costs some microseconds an option: a
filter panel offering a council's 500 suppliers and 600 people took half the renewals
page's time at 10,000 contracts. The markup is a function of the form's class, what was
submitted (which decides the errors and what is selected), what validation made of it,
and each field's label, hint, widget and choices: those are the key, so the same key
gives the same HTML and nothing needs invalidating. The choices are read once (one
query a record field, as drawing them costs) and its widget keeps them for the drawing."""

from __future__ import annotations

import hashlib

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from borough.core.perf.cache import LocalCache

_fields = LocalCache("form-fields", size=128)  # least recently used out first


def fields_html(form) -> SafeString:
    """`{% for field in form %}{{ field.as_field_group }}{% endfor %}`, kept."""
    # By name: django-filter makes a new form class for each filterset it builds.
    parts: list = [type(form).__module__, type(form).__qualname__, form.prefix, form.auto_id,
                   form.is_bound, translation.get_language()]
    data = form.data if form.is_bound else {}
    for name, field in form.fields.items():
        submitted = ((tuple(data.getlist(name)) if hasattr(data, "getlist")
                      else (data.get(name),)) if name in data else None)
        choices = None
        widget = field.widget
        if hasattr(widget, "choices"):
            read = list(iter(widget.choices))  # not list(): its len() would count them first
            widget.choices = read  # drawn from these, not read again
            choices = tuple((str(value), str(label)) for value, label in read)
        parts.append((name, type(field), str(field.label), str(field.help_text),
                      field.required, field.disabled, type(widget),
                      repr(sorted(widget.attrs.items())), repr(form.get_initial_for_field(
                          field, name)) if not form.is_bound else None, submitted, choices))
    if form.is_bound:
        parts.append(repr(sorted((name, [str(e) for e in errors])
                                 for name, errors in form.errors.items())))
        parts.append(repr(sorted((name, repr(value)) for name, value in
                                 getattr(form, "cleaned_data", {}).items())))
    # Kept by a digest of the key: a big select's choices would make every key as large
    # as its page.
    key = hashlib.blake2b(repr(parts).encode(), digest_size=20).digest()
    return _fields.get_or_build(key, lambda: mark_safe(  # noqa: S308 - rendered by the form templates, escaped there
        "".join(field.as_field_group() for field in form)))
