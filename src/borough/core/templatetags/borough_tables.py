"""Tags for borough/table.html: a table's cells and attributes drawn in Python.

A list page draws 25 to 100 rows of several cells each. Written as template markup, each
cell included borough/includes/html_attrs.html and asked django-tables2 for the column's
attributes three times (each time computing those of its header, cells and footer); the
table was most of a list page's time. These tags give the same markup, escaped and
localised as the template did, once per cell.
"""

from __future__ import annotations

from django import template
from django.template.base import render_value_in_context
from django.templatetags.l10n import localize, unlocalize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

# Keys of django-tables2's attrs that are not HTML attributes (or, "class", written apart).
NOT_ATTRIBUTES = frozenset({"class", "th", "td", "tf", "cell", "thead", "tbody", "tfoot",
                            "_ordering"})


def attributes(attrs, context) -> str:
    """` name="value"` for each attribute (a bare ` name` for True; None and False left
    out), as borough/includes/html_attrs.html writes them."""
    if not attrs:
        return ""
    parts = []
    for name, value in attrs.items():
        if name in NOT_ATTRIBUTES or value is None or value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{render_value_in_context(value, context)}"')
    return "".join(parts)


@register.simple_tag(takes_context=True)
def html_attrs(context, attrs) -> SafeString:
    """{% html_attrs attrs %}: the attributes of a django-tables2 attrs dict (not its
    class, nor its th/td/tf parts)."""
    return mark_safe(attributes(attrs, context))  # noqa: S308 - every part escaped above


def _filtered(function, value):
    # As the template engine applies a filter that is not is_safe: its result is escaped.
    result = function(value)
    if getattr(function, "is_safe", False) and isinstance(value, SafeData):
        return mark_safe(result)  # noqa: S308 - the input was safe, as the engine does
    return result


@register.simple_tag(takes_context=True)
def table_cell(context, column, cell, stacks) -> SafeString:
    """{% table_cell column cell table.stacks %}: one <td>, as borough/table.html drew it:
    the column's td attributes (computed once), its header as the label of a stacking
    table's cell, the value localised as the column says."""
    td = column.attrs["td"]
    css = td.get("class")
    html = ['<td class="govuk-table__cell']
    if css:
        html.append(f" {render_value_in_context(css, context)}")
    html.append('"')
    html.append(attributes(td, context))
    if stacks:
        headers = context.render_context.setdefault("borough_tables.headers", {})
        header = headers.get(column)
        if header is None:
            header = headers[column] = render_value_in_context(column.header, context)
        html.append(f' role="cell" data-label="{header}"')
    html.append(">")
    if column.localize is None:
        html.append(render_value_in_context(cell, context))
    else:
        html.append(render_value_in_context(
            _filtered(localize if column.localize else unlocalize, cell), context))
    html.append("</td>")
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


@register.simple_tag(takes_context=True)
def data_rows(context, rows) -> SafeString:
    """{% data_rows rows %}: the body rows of a report's plain table, each row a list of
    (heading, value) pairs: the first value a row header, the others cells labelled with
    their heading for a stacking table. A report of a thousand rows has ten thousand
    cells: drawn here, escaped and localised as {{ value }} would be."""
    html = []
    labels: dict[str, str] = {}
    for row in rows:
        html.append('<tr class="govuk-table__row">')
        for n, (heading, cell) in enumerate(row):
            # Text needs escaping only; numbers and dates are localised as the engine does.
            value = (conditional_escape(cell) if isinstance(cell, str)
                     else render_value_in_context(cell, context))
            if n == 0:
                html.append(f'<th scope="row" class="govuk-table__header">{value}</th>')
                continue
            label = labels.get(heading)
            if label is None:
                label = labels[heading] = render_value_in_context(heading, context)
            html.append(f'<td class="govuk-table__cell" data-label="{label}">{value}</td>')
        html.append("</tr>")
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above
