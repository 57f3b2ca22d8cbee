"""A values_list queryset's rows in one fetch.

Django's iteration fetches a hundred rows at a time and passes each through its
iterable's machinery: for the forward schedule's 2,000 rows a month that cost more
than the query. Here the compiler's own results (with the database's converters
applied, as SQLite's timestamps need) are read in one fetchmany."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

# More than any one page reads: the cursor is asked once.
_ALL = 1 << 30


def fetch(queryset: QuerySet, shape: Callable | None = None) -> list:
    """The rows of `queryset` (a values_list of plain fields) as tuples, or each made into
    `shape(*row)` (a NamedTuple, say) when given."""
    compiler = queryset.query.get_compiler(queryset.db)
    rows = compiler.results_iter(tuple_expected=True, chunk_size=_ALL)
    if shape is None:
        return list(rows)
    return [shape(*row) for row in rows]
