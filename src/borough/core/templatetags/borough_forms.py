from django import template
from django.forms.models import ModelChoiceIterator

from borough.core.perf import panels

register = template.Library()


@register.simple_tag
def filter_fields(form):
    """A filter form's fields, drawn once per process for the same inputs
    (core.perf.panels)."""
    return panels.fields_html(form)


@register.filter
def optgroups(field) -> list:
    """A select's options in their groups, [(group name or None, [option]), ...], for
    borough/forms/field.html to write <optgroup>s; [] when its choices are not grouped
    (the page then lists field.subwidgets, read once). Records' choices are never
    grouped here, so reading them costs no second query."""
    widget = field.field.widget
    choices = getattr(widget, "choices", ())
    if isinstance(choices, ModelChoiceIterator) or not any(
            isinstance(label, list | tuple) for _value, label in choices):
        return []
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()),
                              widget.attrs)
    return [(name, options) for name, options, _index in groups]
