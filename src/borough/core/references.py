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


class Block:
    """References for a writer of many records in one transaction (an import): taken
    `size` at a time with allocate_many, given out in order, and what is left unused at
    the end given back, so an import leaves no gap in the numbers. The counter row stays
    locked from the first take until the transaction ends (as with allocate()), so no
    other writer takes a number meanwhile and giving back is safe."""

    def __init__(self, organisation_id: int, prefix: str, *, size: int = 500, width: int = 6):
        self.organisation_id, self.prefix, self.width = organisation_id, prefix, width
        self.size = max(size, 1)
        self._numbers: list[str] = []
        self._last = 0  # the last number taken from the counter

    def next(self, *, left: int = 0) -> str:
        """The next reference; `left`: how many more this writer may need (a hint)."""
        if not self._numbers:
            count = min(self.size, max(left, 1))
            self._numbers = allocate_many(self.organisation_id, self.prefix, count,
                                          self.width)[::-1]
            self._last = int(self._numbers[0].rsplit("-", 1)[1])
        return self._numbers.pop()

    def close(self) -> None:
        """Give back the numbers taken and not used."""
        if not self._numbers:
            return
        unused = len(self._numbers)
        ReferenceCounter.objects.filter(
            organisation_id=self.organisation_id, prefix=self.prefix, last_value=self._last,
        ).update(last_value=F("last_value") - unused)
        self._numbers = []
