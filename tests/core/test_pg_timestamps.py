"""core.perf.pgtypes: on PostgreSQL each connection reads timestamps with psycopg's C
parser and gives them Django's time zone, with the very values Django's own loader
gives (compared on the same bytes, across a clock change, a leap day, microseconds,
offsets and the calendar's ends)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection

from borough.core.perf import pgtypes

pytestmark = pytest.mark.django_db

TEXTS = [b"2026-03-29 00:30:00+00", b"2026-03-29 01:30:00.5+00", b"2024-02-29 23:59:59.999999+00",
         b"2026-10-25 01:00:00+00", b"0001-01-01 00:00:00+00", b"9999-12-31 23:59:59+00",
         b"2026-06-01 12:00:00+01", b"2026-06-01 12:00:00-09:30", b"1970-01-01 00:00:00+00"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader only")
def test_timestamps_read_in_c_are_the_values_djangos_loader_reads():
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.postgres import types

    connection.ensure_connection()
    oid = types["timestamptz"].oid
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"  # what both loaders parse in
    installed = connection.connection.adapters.get_loader(oid, 0)
    assert installed is pgtypes.loader_for(connection.timezone)

    class Djangos(BaseTzLoader):
        timezone = connection.timezone

    ours = installed(oid, connection.connection)
    theirs = Djangos(oid, connection.connection)
    for text in TEXTS:
        value = ours.load(text)
        assert value == theirs.load(text)
        assert value.tzinfo is theirs.load(text).tzinfo is connection.timezone


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader only")
def test_a_query_returns_aware_values_in_djangos_time_zone():
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-03-29 01:30:00+01'::timestamptz, "
                       "ARRAY['2026-10-25 01:30:00+00'::timestamptz]")
        single, array = cursor.fetchone()
    assert single == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert single.tzinfo is connection.timezone
    assert array == [datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]



@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader only")
def test_without_the_c_extension_a_new_connection_keeps_djangos_loader(monkeypatch):
    from django.db import connections
    from psycopg.postgres import types

    other = connections.create_connection("default")
    try:
        # Only while it connects (connection_created runs install): the default
        # connection's loaders, already ours, would need the C class to read.
        with monkeypatch.context() as patched:
            patched.setattr(pgtypes, "_CLoader", None)
            other.ensure_connection()
        loader = other.connection.adapters.get_loader(types["timestamptz"].oid, 0)
        assert loader.__module__.startswith("django.db.backends.postgresql")  # not ours
        with other.cursor() as cursor:
            cursor.execute("SELECT '2026-03-29 01:30:00+01'::timestamptz")
            assert cursor.fetchone()[0] == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    finally:
        other.close()
