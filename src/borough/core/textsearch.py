"""Finding records by the words someone typed (a ticket's title, a question in the portal):
PostgreSQL's full-text search where the database is PostgreSQL (stemmed, so "printing"
finds "printer", ranked by where the words are found), and a portable fallback elsewhere
(SQLite: a point for each word found in any of the fields). Used for known-error and
knowledge-article suggestions."""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When

MOST_WORDS = 12
# Words that say nothing about what is wrong or wanted.
STOP_WORDS = frozenset([
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "been", "before", "being", "but", "by", "can", "cannot", "could", "did",
    "do", "does", "doing", "down", "each", "every", "few", "for", "from", "further", "get",
    "gets", "getting", "had", "has", "have", "having", "he", "her", "here", "hers", "him",
    "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "keeps", "me", "more",
    "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
    "other", "our", "out", "over", "own", "please", "same", "she", "should", "so", "some",
    "still", "such", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "very",
    "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will",
    "with", "would", "you", "your", "ive", "cant", "dont", "doesnt", "wont", "isnt", "need",
    "help",
])
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,}")
# Weights of the fields named, in order (PostgreSQL's four).
WEIGHTS = ("A", "B", "C", "D")


def words_of(text: str, most: int = MOST_WORDS) -> list[str]:
    """The telling words of `text`, lower case, in order, each once."""
    seen: list[str] = []
    for word in _WORD.findall(text or ""):
        word = word.lower().strip("-")
        if word and word not in STOP_WORDS and word not in seen:
            seen.append(word)
        if len(seen) >= most:
            break
    return seen


def is_postgres(using: str = "default") -> bool:
    return connection.vendor == "postgresql"


def matching(queryset: QuerySet, fields: tuple[str, ...], words: list[str],
             *, near: Q | None = None) -> QuerySet:
    """`queryset` narrowed to the rows with any of `words` in `fields` (or matching `near`,
    rows related by something other than words), annotated `text_score`: higher for more
    words and for words in the earlier fields."""
    near = near if near is not None else Q(pk__in=[])
    if not words:
        return queryset.filter(near).annotate(text_score=Value(0.0))
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = reduce(lambda a, b: a + b, [
            SearchVector(name, weight=WEIGHTS[min(i, 3)], config="english")
            for i, name in enumerate(fields)])
        query = reduce(or_, [SearchQuery(w, config="english") for w in words])
        return (queryset.annotate(text_vector=vector)
                .filter(Q(text_vector=query) | near)
                .annotate(text_score=SearchRank(vector, query)))
    found = [reduce(or_, [Q(**{f"{name}__icontains": w}) for name in fields]) for w in words]
    score = sum((Case(When(q, then=Value(1.0)), default=Value(0.0)) for q in found),
                Value(0.0))
    return queryset.filter(reduce(or_, found) | near).annotate(text_score=score)
