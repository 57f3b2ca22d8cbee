from django import template

from borough.core.money import format_pounds

register = template.Library()


@register.filter
def pounds(value) -> str:
    """{{ contract.annual_value|pounds }} -> £12,500.00"""
    return format_pounds(value)
