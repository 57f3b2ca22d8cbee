"""The API side of core.suggestions: what a suggestion endpoint takes and answers, so
every model that offers suggestions (CIs, business services) speaks the same shape, which
borough.js reads for its autocomplete boxes."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from borough.core import suggestions


class SuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField(help_text="What the box shows and sends back, "
                                            "“CI-000123 Payroll server”.")
    hint = serializers.CharField(allow_blank=True, help_text="A few words that tell "
                                 "similar names apart (a CI's class, a service's status).")
    first = serializers.BooleanField(help_text="Put first because of what else the "
                                     "request named (a CI's own services).")


class SuggestionQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200,
                              help_text=f"Part of a name or reference; at least "
                                        f"{suggestions.MIN_LENGTH} characters, else "
                                        "nothing is suggested.")


def read_query(request, serializer_class=SuggestionQuery) -> dict:
    """The validated query parameters; an unknown one is a 400 naming those allowed."""
    allowed = set(serializer_class().fields)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError({"detail": f"Unknown parameter {', '.join(unknown)}. "
                                         f"Parameters here are: {', '.join(sorted(allowed))}."})
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def answer(records, hint=lambda record: "", first=frozenset()) -> Response:
    return Response(SuggestionSerializer([
        {"id": r.pk, "reference": r.reference, "name": r.name, "label": suggestions.label(r),
         "hint": hint(r), "first": r.pk in first} for r in records], many=True).data)
