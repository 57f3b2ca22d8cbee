"""Tags for a CI's page: its relationship and impact lists drawn in Python.

A hub's page lists up to 200 relationships and 100 affected items, each with its path;
written as template markup, each row resolved a dozen variables through the template
engine, a fifth of such a page's time. These tags give the same markup, escaped and
localised as the template did (core's borough_tables does the same for list tables).
"""

from __future__ import annotations

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _link(context, item) -> str:
    return (f'<a class="govuk-link" href="{render_value_in_context(item.get_absolute_url(), context)}">'
            f"{render_value_in_context(item, context)}</a>")


@register.simple_tag(takes_context=True)
def relationship_rows(context, outgoing, incoming) -> SafeString:
    """The <li> of each relationship from the item, then of each to it."""
    def text(value):
        return render_value_in_context(value, context)

    rows = []
    for rel in outgoing:
        group = (f", one of the alternatives “{text(rel.redundancy_group)}”"
                 if rel.redundancy_group else "")
        rows.append(f"\n  <li>This {text(rel.get_relationship_type_display())} "
                    f"{_link(context, rel.target)} ({text(rel.target.ci_class)}){group}</li>\n  ")
    rows.append("\n  ")
    for rel in incoming:
        group = (f", one of its alternatives “{text(rel.redundancy_group)}”"
                 if rel.redundancy_group else "")
        rows.append(f"\n  <li>{_link(context, rel.source)} ({text(rel.source.ci_class)}) "
                    f"{text(rel.get_relationship_type_display())} this{group}</li>\n  ")
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


@register.simple_tag(takes_context=True)
def affected_list(context, rows, start) -> SafeString:
    """A numbered list of affected items from `start`, each with the path it stops by."""
    out = [f'<ol class="govuk-list govuk-list--number" start="'
           f'{render_value_in_context(start, context)}">\n  ']
    for row in rows:
        path = " → ".join(render_value_in_context(step.name, context) for step in row.path)
        out.append(f"\n  <li>{_link(context, row.item)}\n    <span class=\"govuk-hint "
                   f"govuk-!-display-block govuk-!-margin-bottom-1\">Through: {path}</span>"
                   f"</li>\n  ")
    out.append("\n</ol>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
