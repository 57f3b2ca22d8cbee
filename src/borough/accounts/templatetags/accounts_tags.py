from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value) -> str:
    """A duration in whole minutes, in words: timedelta(minutes=5) -> "5 minutes"."""
    if not isinstance(value, timedelta):
        return ""
    count = max(1, round(value.total_seconds() / 60))
    return f"{count} minute{'s' if count != 1 else ''}"
