"""Links drawn on every page without a reverse() each time (core.links)."""

from __future__ import annotations

from django import template

from borough.core import links

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% fixed_url 'core:home' %}`, or `{% fixed_url 'api-docs' as api_docs_url %}`: as
    `{% url %}` for an address without arguments (escaped alike; "" if there is none)."""
    return links.fixed_url(name)


@register.simple_tag
def record_url(name: str, pk) -> str:
    """`{% record_url 'cmdb:configurationitem_edit' object.pk %}`: as `{% url name pk %}`
    (core.links.record_url)."""
    return links.record_url(name, pk)
