"""Global search across every registered model the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst

from borough.core import scope
from borough.core.registry import registry

MIN_LENGTH = 2
PER_MODEL = 10


@dataclass
class SearchGroup:
    label: str
    hits: list[tuple[str, str]]  # (text, url)
    more_url: str | None


def search(user, text: str) -> list[SearchGroup]:
    text = text.strip()
    if len(text) < MIN_LENGTH:
        return []
    groups = []
    for entry in registry.searchable():
        if not scope.can(user, "view", entry.model, None):
            continue
        query = Q()
        for field in entry.search_fields:
            query |= Q(**{f"{field}__icontains": text})
        found = list(entry.model.objects.visible_to(user).filter(query)[: PER_MODEL + 1])
        if not found:
            continue
        hits = [(str(o), reverse(entry.url_name("detail"), args=[o.pk])) for o in found[:PER_MODEL]]
        groups.append(SearchGroup(capfirst(entry.verbose_name_plural), hits,
                                  reverse(entry.url_name("list")) if len(found) > PER_MODEL else None))
    return groups
