"""Filter bases every app's FilterSets derive from: the list page's filter panel, its
exports and the API's query parameters are one definition (STYLE.md, example 1)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet


def narrowed(query) -> bool:
    """Whether a choice queryset says more than "every record" (whose scoped version is
    then just visible_to, without a pk__in subquery to plan)."""
    return bool(query.has_filters() or query.order_by or query.select_related
                or query.distinct or query.annotations or query.extra)


class ScopedFilterSet(filters.FilterSet):
    """Related-record choices (service unit, site, team...) come from what the user may
    see, like the rows: another organisation's names are never offered, and their ids get
    the same "not one of the available choices" as a nonexistent one (SECURITY.md 2, 3)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            queryset = getattr(filter_, "queryset", None)
            if not isinstance(queryset, QuerySet):
                continue
            manager = queryset.model._default_manager
            if hasattr(manager, "visible_to"):
                scoped = manager.visible_to(user)
                if narrowed(queryset.query):  # limit_choices_to, an order…
                    scoped = scoped.filter(pk__in=queryset.values("pk"))
                filter_.queryset = scoped


class WordSearchFilterSet(ScopedFilterSet):
    """`q`: the words typed, found in any of `search_fields`; its label `search_label`."""

    q = filters.CharFilter(method="search", label="Search")

    search_fields: tuple[str, ...] = ()
    search_label = "Search"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].label = self.search_label

    def search(self, queryset, name, value):
        value = value.strip()
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)
