"""Record ids and other whole numbers that come from outside: in a URL, a header or a
query parameter. The database keeps them as 64-bit signed integers; a value outside that
range is refused here, before SQLite (OverflowError) or PostgreSQL (DataError) sees it."""

from __future__ import annotations

import re

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
# What a record id looks like in a URL. ASCII digits only: str.isdigit() also takes "²",
# which int() then refuses.
ID_PATTERN = r"[0-9]+"
_ID = re.compile(ID_PATTERN)


def parse_id(text: str | None) -> int | None:
    """The id written in `text`, or None if it is not one a record could have."""
    if not text or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= INT64_MAX else None


def in_int64(value) -> bool:
    return INT64_MIN <= value <= INT64_MAX
