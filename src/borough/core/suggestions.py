"""Choosing one record among many by typing: suggestions as the user types, and the
words sent resolved to one record on submit, so a form works without JavaScript too.

For records people quote by reference and name (a CI, a business service): a select of
100,000 items is not a form anyone can use, nor a page anyone can load. The box is a text
input; with JavaScript, borough.js asks a suggestion endpoint as the user types and the
suggestion picked reads "CI-000123 Payroll server"; without, the user types a reference
or a name. Either way `resolve` decides on the server, among a queryset the caller has
already scoped with visible_to, so another organisation's record reads as "none".
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When

from borough.core.ids import parse_id

LIMIT = 20
MIN_LENGTH = 2
# How many records sharing a name an error lists by reference.
MANY_LISTED = 10
# A reference at the start of what was typed: "CI-000123" or "CI-000123 Payroll server".
LEADING_REFERENCE = re.compile(r"^\s*([A-Za-z]{2,5}-\d+)\b", re.ASCII)


def label(record) -> str:
    """How a record reads in the box and its suggestions: "CI-000123 Payroll server"."""
    return f"{record.reference} {record.name}".strip() if record is not None else ""


def suggest(queryset, text: str, limit: int = LIMIT) -> list:
    """Records of `queryset` whose reference or name contains `text`: an exact reference
    first, then names starting with it, then the rest, by name."""
    text = (text or "").strip()
    if len(text) < MIN_LENGTH:
        return []
    return list(
        queryset.filter(Q(reference__icontains=text) | Q(name__icontains=text))
        .annotate(rank=Case(When(reference__iexact=text, then=Value(0)),
                            When(name__istartswith=text, then=Value(1)),
                            default=Value(2), output_field=IntegerField()))
        .order_by("rank", "name", "pk")[:limit])


def example_reference(model) -> str:
    """A reference of `model`'s shape for a message ("like CI-000123")."""
    prefix = getattr(model, "reference_prefix", "")
    return f"{prefix}-000123" if prefix else ""


def resolve(queryset, text, *, noun: str):
    """The one record of `queryset` that `text` names: its id, its reference (alone or
    followed by its name, as a suggestion reads), or its whole name, ignoring case. None
    for empty text. A ValidationError naming what to do when none matches, and listing the
    references of those that share the name when several do."""
    if text is None:
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise ValidationError(f"Enter the reference or name of the {noun}.", code="invalid")
    text = text.strip()
    if not text:
        return None
    example = example_reference(queryset.model)
    like = f", like {example}" if example else ""
    shown = text[:100]
    if (pk := parse_id(text)) is not None:
        matches = list(queryset.filter(pk=pk)[:1])
    elif (reference := LEADING_REFERENCE.match(text)) is not None and (
            found := list(queryset.filter(reference__iexact=reference.group(1))[:1])):
        matches = found
    else:
        matches = list(queryset.filter(name__iexact=text).order_by("pk")[:MANY_LISTED + 1])
        if not matches and reference is not None:
            raise ValidationError(
                f"No {noun} has the reference “{reference.group(1)}”: check it, or type part "
                "of the name and choose from the suggestions.", code="none")
    if not matches:
        raise ValidationError(
            f"No {noun} called “{shown}”: type its reference{like}, or part of its name "
            "and choose from the suggestions.", code="none")
    if len(matches) > 1:
        listed = ", ".join(getattr(m, "reference", "") or str(m.pk)
                           for m in matches[:MANY_LISTED])
        more = " and others" if len(matches) > MANY_LISTED else ""
        raise ValidationError(
            f"More than one {noun} is called “{shown}”: {listed}{more}. Type the reference "
            "of the one you mean, or choose it from the suggestions.", code="many")
    return matches[0]
