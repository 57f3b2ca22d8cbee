"""Finding records by their words (core.textsearch): the stored vector a model declares
(`text_search_fields`, added by AddSearchVector) holds on PostgreSQL exactly the vector a
search would otherwise build from the text, so rows match and rank the same; elsewhere the
portable fallback finds the same rows."""

from __future__ import annotations

from functools import reduce

import pytest
from django.apps import apps
from django.db import connection

from borough.core import textsearch
from borough.knowledge.models import Article
from borough.problems.models import KnownError
from tests.knowledge.factories import ArticleFactory
from tests.problems.factories import KnownErrorFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the stored vector is PostgreSQL's")

SEARCHED = [model for model in apps.get_models() if hasattr(model, "text_search_fields")]


def test_the_searched_models_are_the_ones_suggestions_read():
    assert set(SEARCHED) == {Article, KnownError}


@postgres_only
@pytest.mark.parametrize("model", SEARCHED, ids=lambda m: m._meta.label)
def test_the_stored_vector_is_the_vector_built_from_the_text(model, org_a):
    from django.contrib.postgres.search import SearchVector

    factory = {Article: ArticleFactory, KnownError: KnownErrorFactory}[model]
    record = factory(organisation=org_a)
    fields = model.text_search_fields
    built = reduce(lambda a, b: a + b, [
        SearchVector(name, weight=textsearch.WEIGHTS[min(i, 3)], config=textsearch.CONFIG)
        for i, name in enumerate(fields)])
    row = model.objects.filter(pk=record.pk).annotate(
        stored=textsearch.StoredVector(), built=built).values("stored", "built").get()
    assert row["stored"] and row["stored"] == row["built"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s",
                       [model._meta.db_table])
        assert any("gin (search_vector)" in d for (d,) in cursor.fetchall())


@postgres_only
def test_a_search_reads_the_stored_vector_and_ranks_as_before(org_a):
    KnownErrorFactory(organisation=org_a, title="Printer jammed on floor two",
                      symptoms="Paper jams in the printer.", workaround="Open tray two.")
    KnownErrorFactory(organisation=org_a, title="Laptop slow",
                      symptoms="The printer driver update makes laptops slow.",
                      workaround="Roll the driver back.")
    KnownErrorFactory(organisation=org_a, title="Wifi drops", symptoms="Signal lost.",
                      workaround="Reconnect.")
    words = textsearch.words_of("printers jamming")
    stored = textsearch.matching(KnownError.objects.all(), KnownError.text_search_fields,
                                 words)
    built = textsearch.matching(KnownError.objects.all(), ("workaround", "symptoms",
                                                           "title"), words)
    sql = str(stored.query)
    assert '"search_vector"' in sql and "to_tsvector" not in sql.split("WHERE")[1]
    ranked = list(stored.order_by("-text_score").values_list("title", "text_score"))
    assert [title for title, _ in ranked] == ["Printer jammed on floor two", "Laptop slow"]
    # The same words over the same fields built at search time score the same rows.
    assert {t for t, _ in built.values_list("title", "text_score")} == {t for t, _ in ranked}


def test_a_search_finds_rows_by_any_word_on_every_database(org_a):
    KnownErrorFactory(organisation=org_a, title="Printer jammed", symptoms="Paper jams.")
    KnownErrorFactory(organisation=org_a, title="Wifi drops", symptoms="Signal lost.")
    found = textsearch.matching(KnownError.objects.all(), KnownError.text_search_fields,
                                textsearch.words_of("the printer"))
    assert list(found.values_list("title", flat=True)) == ["Printer jammed"]
