"""Finding records by the words someone typed (a ticket's title, a question in the portal):
PostgreSQL's full-text search where the database is PostgreSQL (stemmed, so "printing"
finds "printer", ranked by where the words are found), and a portable fallback elsewhere
(SQLite: a point for each word found in any of the fields). Used for known-error and
knowledge-article suggestions.

A model searched often over many rows declares its fields (`text_search_fields`) and adds
them, in a migration, as a stored vector (`AddSearchVector`): on PostgreSQL a generated
tsvector column with a GIN index, which `matching` reads instead of building each row's
vector from its text on every search (20,000 known errors: seconds, not milliseconds).
Elsewhere the operation does nothing and the portable fallback is used.

Ranking costs a few microseconds a row, so words that match most of a big table (common
words, or a benchmark's small vocabulary: 18,000 of 20,000 known errors) cost tens of
milliseconds to rank. A caller may name an order an index gives (`first`, the rows' use):
then at most CANDIDATES of the rows matching the words are ranked, the first in that
order, which is also the order that breaks ties in the ranking. Below that many matches
(any knowledge base with varied words) the answer is the full ranking's."""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.db import connection
from django.db.migrations.operations.base import Operation
from django.db.models import BooleanField, Case, Expression, F, Func, Q, QuerySet, Value, When

MOST_WORDS = 12
# At most this many rows matching the words are ranked when the caller names an order
# (`matching(first=...)`): some milliseconds of ranking on PostgreSQL.
CANDIDATES = 1000
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
CONFIG = "english"
COLUMN = "search_vector"


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
             *, near: Q | None = None, select: bool = True,
             first: tuple[str, ...] = ()) -> QuerySet:
    """`queryset` narrowed to the rows with any of `words` in `fields` (or matching `near`,
    rows related by something other than words), annotated `text_score`: higher for more
    words and for words in the earlier fields. `select=False`: an alias to order or score
    by, not sent back; PostgreSQL computes an expression once for each place it is
    written, so a rank both selected and ordered by (or summed) is ranked twice (a third
    of a suggestion's time, where thousands of rows match). `first`: an order an index
    gives (ending in a unique field); of the rows matching the words, only the first
    CANDIDATES in it are kept (every `near` row is)."""
    near = near if near is not None else Q(pk__in=[])
    name = "annotate" if select else "alias"
    if not words:
        return getattr(queryset.filter(near), name)(text_score=Value(0.0))
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        if getattr(queryset.model, "text_search_fields", None) == tuple(fields):
            vector = StoredVector()
        else:
            vector = reduce(lambda a, b: a + b, [
                SearchVector(name, weight=WEIGHTS[min(i, 3)], config=CONFIG)
                for i, name in enumerate(fields)])
        query = reduce(or_, [SearchQuery(w, config=CONFIG) for w in words])
        # alias, not annotate: the vector is filtered on, never sent back.
        found = queryset.alias(text_vector=vector).filter(
            _bounded(queryset.alias(text_vector=vector), Q(text_vector=query), first) | near)
        return getattr(found, name)(text_score=SearchRank(vector, query))
    found = [reduce(or_, [Q(**{f"{name}__icontains": w}) for name in fields]) for w in words]
    score = sum((Case(When(q, then=Value(1.0)), default=Value(0.0)) for q in found),
                Value(0.0))
    return getattr(queryset.filter(_bounded(queryset, reduce(or_, found), first) | near),
                   name)(text_score=score)


def _bounded(queryset: QuerySet, words: Q, first: tuple[str, ...]) -> Q:
    """The rows matching `words`, or only the first CANDIDATES of them in the order
    `first` (a subquery: an index in that order is walked until that many match, and
    only those are ranked)."""
    if not first:
        return words
    chosen = queryset.filter(words).order_by(*first).values("pk")[:CANDIDATES]
    if not is_postgres():
        return Q(pk__in=chosen)
    from django.contrib.postgres.expressions import ArraySubquery

    # = ANY(ARRAY(...)): the chosen ids looked up by primary key; PostgreSQL's plan for
    # IN (subquery) read the whole table to join them (7 ms of 20,000 articles).
    return Q(_AnyOf(F("pk"), ArraySubquery(chosen)))


class _AnyOf(Func):
    """`value = ANY(array)`, a condition (a lookup would put the array in parentheses)."""

    template = "%(expressions)s"
    arg_joiner = " = ANY("
    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, **extra)
        return f"{sql})", params


# --- the stored vector (PostgreSQL) ------------------------------------------------------

def vector_sql(fields: tuple[str, ...], quote) -> str:
    """The SQL of the fields' weighted vector, as SearchVector builds it, so the stored
    column ranks rows exactly as a vector built at search time would."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({quote(name)}, '')), "
        f"'{WEIGHTS[min(i, 3)]}')" for i, name in enumerate(fields))


class StoredVector(Expression):
    """The searched model's stored vector column, in the query being compiled (a subquery
    names its own table)."""

    def __init__(self):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(COLUMN)}", []


class AddSearchVector(Operation):
    """Migration: the model's `fields` as a stored, indexed vector on PostgreSQL (nothing
    elsewhere). The model names the same fields in `text_search_fields`."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, fields: tuple[str, ...] | list[str]):
        self.model_name, self.fields = model_name, tuple(fields)

    def deconstruct(self):
        return type(self).__qualname__, [], {"model_name": self.model_name,
                                             "fields": list(self.fields)}

    def state_forwards(self, app_label, state):
        pass  # the column is the database's own; the model does not hold it as a field

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote, table = schema_editor.quote_name, model._meta.db_table
        columns = tuple(model._meta.get_field(name).column for name in self.fields)
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD COLUMN {quote(COLUMN)} tsvector "
            f"GENERATED ALWAYS AS ({vector_sql(columns, quote)}) STORED")
        schema_editor.execute(f"CREATE INDEX {quote(table + '_' + COLUMN)} ON {quote(table)} "
                              f"USING gin ({quote(COLUMN)})")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = from_state.apps.get_model(app_label, self.model_name)._meta.db_table
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(table)} "
                              f"DROP COLUMN IF EXISTS {schema_editor.quote_name(COLUMN)}")

    def describe(self):
        return f"Stored text-search vector of {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_search_vector"


class RemoveSearchVector(AddSearchVector):
    """Migration: drop the stored vector; PostgreSQL will not change the type of a column a
    generated column reads, so a migration that alters a searched field drops the vector
    first and adds it again after."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Drop the stored text-search vector of {self.model_name}"
