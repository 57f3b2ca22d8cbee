from django import template

from borough.standards.figures import figure_rows as _figure_rows

register = template.Library()


@register.filter
def figure_rows(result):
    """{% for label, value in outcome.result|figure_rows %}"""
    return _figure_rows(result)
