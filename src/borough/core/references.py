"""Human reference numbers (INC-000123), unique per organisation, safe under concurrency."""

from __future__ import annotations

import sqlite3

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from borough.core.models import ReferenceCounter

# UPDATE ... RETURNING takes the number in one statement (PostgreSQL; SQLite 3.35+). Raw
# SQL: the ORM's update() returns a row count, not values (its fallback below takes two).
_RETURNING = f"""
    UPDATE {ReferenceCounter._meta.db_table} SET last_value = last_value + %s
    WHERE organisation_id = %s AND prefix = %s RETURNING last_value
"""  # noqa: S608 - the table name is the model's own, the values are parameters


def _can_return() -> bool:
    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))


def _increment(organisation_id: int, prefix: str, count: int = 1) -> int | None:
    """The counter's new value, or None when there is no counter yet."""
    if _can_return():
        with connection.cursor() as cursor:
            cursor.execute(_RETURNING, [count, organisation_id, prefix])
            row = cursor.fetchone()
        return row[0] if row else None
    counters = ReferenceCounter.objects.filter(organisation_id=organisation_id, prefix=prefix)
    if not counters.update(last_value=F("last_value") + count):
        return None
    return counters.get().last_value


def _take(organisation_id: int, prefix: str, count: int) -> int:
    """The last of `count` consecutive numbers taken."""
    for _ in range(3):
        value = _increment(organisation_id, prefix, count)
        if value is not None:
            return value
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(
                    organisation_id=organisation_id, prefix=prefix, last_value=count
                )
            return count
        except IntegrityError:
            continue  # another writer created it first; increment theirs
    raise RuntimeError(f"Could not take a {prefix} reference number.")


def allocate(organisation_id: int, prefix: str, width: int = 6) -> str:
    """Take the next number for `prefix`. Inside the caller's transaction the counter
    row stays locked until it commits, so numbers are given in commit order, once."""
    return f"{prefix}-{_take(organisation_id, prefix, 1):0{width}d}"


def allocate_many(organisation_id: int, prefix: str, count: int, width: int = 6) -> list[str]:
    """`count` consecutive numbers in one statement, for bulk writers (discovery's new
    computers), on the same terms as allocate()."""
    if count < 1:
        return []
    last = _take(organisation_id, prefix, count)
    return [f"{prefix}-{n:0{width}d}" for n in range(last - count + 1, last + 1)]
