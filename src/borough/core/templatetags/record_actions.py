"""Template tags for record actions (core.actions)."""

import uuid

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def submission_key():
    """A fresh idempotency key for a hand-written action form: sent twice (a double click,
    a refresh), the action is done once."""
    return format_html('<input type="hidden" name="submission_key" value="{}">', uuid.uuid4().hex)


@register.filter
def bound(form, name):
    """The form's field `name` (a BoundField), or None when there is no form."""
    if not form or name not in form.fields:
        return None
    return form[name]
