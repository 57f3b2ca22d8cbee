"""Validation shared by the standards services."""

from __future__ import annotations

from django.core.exceptions import ValidationError

MAX_TEXT = 20_000


def clean_text(value, field: str, label: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    """Strip ``value``; raise a field error when it is required and empty, or too long."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Enter {label}."})
    if len(value) > limit:
        raise ValidationError({field: f"{label.capitalize()} must be {limit:,} characters or fewer."})
    return value
