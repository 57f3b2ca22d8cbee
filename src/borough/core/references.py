"""Human reference numbers (INC-000123), unique per organisation, safe under concurrency."""

from __future__ import annotations

import sqlite3

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from borough.core.models import ReferenceCounter

# UPDATE ... RETURNING takes the number in one statement (PostgreSQL; SQLite 3.35+). Raw
# SQL: the ORM's update() returns a row count, not values (its fallback below takes two).
_RETURNING = f"""
    UPDATE {ReferenceCounter._meta.db_table} SET last_value = last_value + 1
    WHERE organisation_id = %s AND prefix = %s RETURNING last_value
"""  # noqa: S608 - the table name is the model's own, the values are parameters


def _can_return() -> bool:
    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))


def _increment(organisation_id: int, prefix: str) -> int | None:
    """The counter's new value, or None when there is no counter yet."""
    if _can_return():
        with connection.cursor() as cursor:
            cursor.execute(_RETURNING, [organisation_id, prefix])
            row = cursor.fetchone()
        return row[0] if row else None
    counters = ReferenceCounter.objects.filter(organisation_id=organisation_id, prefix=prefix)
    if not counters.update(last_value=F("last_value") + 1):
        return None
    return counters.get().last_value


def allocate(organisation_id: int, prefix: str, width: int = 6) -> str:
    """Take the next number for `prefix`. Inside the caller's transaction the counter
    row stays locked until it commits, so numbers are given in commit order, once."""
    for _ in range(3):
        value = _increment(organisation_id, prefix)
        if value is not None:
            break
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(
                    organisation_id=organisation_id, prefix=prefix, last_value=1
                )
            value = 1
            break
        except IntegrityError:
            continue  # another writer created it first; increment theirs
    else:
        raise RuntimeError(f"Could not take a {prefix} reference number.")
    return f"{prefix}-{value:0{width}d}"
