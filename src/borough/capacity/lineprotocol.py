"""The InfluxDB line protocol, read: what Telegraf's `outputs.influxdb`,
`outputs.influxdb_v2` and `outputs.http` (data_format "influx") send. Pure functions, no
Django.

One point a line:

    measurement[,tag=value...] field=value[,field=value...] [timestamp]

- the measurement escapes commas and spaces with a backslash (`cpu\\ load`); tag keys,
  tag values and field keys escape commas, spaces and equals signs; two backslashes are
  one (InfluxDB 2's rule), and a backslash before any other character is itself;
- a field value is a float (`1`, `1.5`, `-2e3`), a signed integer (`12i`), an unsigned
  integer (`12u`), a string in double quotes (escaping `"` and `\\`) or a boolean
  (`t`, `T`, `true`, `True`, `TRUE` and the same of false);
- the timestamp is a whole number in the precision the request names (`ns` by default;
  `us`, `ms`, `s`, and the v1 names `n`, `u`, `m` for minutes and `h`): without one the
  point is taken at the time it is received;
- a line starting with `#` is a comment; blank lines are skipped.

`parse(text, precision)` answers every good line as a `Line` (its number in the body,
measurement, tags, fields, timestamp in nanoseconds or None) and every bad one as a
`LineError` (its number and why), so a caller keeps the good lines and reports the bad
ones, as InfluxDB does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

# Nanoseconds in one unit of each precision a request may name.
PRECISIONS = {
    "ns": 1, "n": 1,
    "us": 1_000, "u": 1_000, "µ": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
MAX_LINE_LENGTH = 64 * 1024

# ASCII: \d alone would take other scripts' digits (١٢ as 12).
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+i\Z", re.ASCII)
_UNSIGNED = re.compile(r"\d+u\Z", re.ASCII)
_TIMESTAMP = re.compile(r"-?\d+\Z", re.ASCII)
_TRUE = frozenset(("t", "T", "true", "True", "TRUE"))
_FALSE = frozenset(("f", "F", "false", "False", "FALSE"))
INT64 = (-(2**63), 2**63 - 1)
_NOT_A_NUMBER = ("the field value “{}” is not a number (1.5), an integer (12i), an unsigned "
                 "integer (12u), a string (\"text\") or a boolean (true)")
UINT64_MAX = 2**64 - 1

FieldValue = float | int | bool | str


class Line(NamedTuple):  # a tuple: made hundreds of thousands of times a minute
    number: int
    measurement: str
    tags: tuple[tuple[str, str], ...]  # sorted by key
    fields: tuple[tuple[str, FieldValue], ...]  # in the order written, each key once
    timestamp: int | None  # nanoseconds since 1970-01-01 UTC, or None: "now"


@dataclass(frozen=True)
class LineError:
    number: int
    message: str

    def __str__(self) -> str:
        return f"line {self.number}: {self.message}"


class _Bad(Exception):
    pass


def precision_factor(precision: str | None) -> int:
    """Nanoseconds per unit of `precision` (blank: ns); ValueError names the choices."""
    key = (precision or "ns").strip()
    if key not in PRECISIONS:
        raise ValueError(f"Unknown precision “{precision}”: use ns, us, ms or s (or the v1 "
                         "names n, u, ms, s, m, h).")
    return PRECISIONS[key]


def parse(text: str, precision: str | None = "ns") -> tuple[list[Line], list[LineError]]:
    """Every line of `text`: the good ones parsed, the bad ones with their reason."""
    factor = precision_factor(precision)
    lines: list[Line] = []
    errors: list[LineError] = []
    # A batch repeats the same few series over and over: each head is read once.
    heads: dict[str, tuple] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r").lstrip(" \t")
        if not line or line[0] == "#":
            continue
        if len(line) > MAX_LINE_LENGTH:
            errors.append(LineError(number, f"the line is longer than {MAX_LINE_LENGTH:,} "
                                            "characters"))
            continue
        try:
            parsed = _fast(line, heads) or _slow(line)
        except _Bad as exc:
            errors.append(LineError(number, str(exc)))
            continue
        stamp = parsed[3]
        if stamp is not None:
            stamp *= factor
            if not INT64[0] <= stamp <= INT64[1]:
                errors.append(LineError(number, "the timestamp is out of range"))
                continue
        lines.append(Line(number, parsed[0], parsed[1], parsed[2], stamp))
    return lines, errors


def field_value(text: str) -> FieldValue:
    """An unquoted field value: float, integer (…i), unsigned (…u) or boolean."""
    last = text[-1]
    if ("0" <= last <= "9" or last == ".") and text.isascii() and "_" not in text \
            and not text[0].isspace():
        # The common case, without the pattern: over ASCII without underscores or
        # surrounding space, float() reads exactly what _FLOAT allows (its words, inf
        # and nan, end in a letter).
        try:
            value = float(text)
        except ValueError:
            raise _Bad(_NOT_A_NUMBER.format(text)) from None
        if value in (float("inf"), float("-inf")):
            raise _Bad(f"the field value {text} is too large")
        return value
    if _FLOAT.match(text):
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise _Bad(f"the field value {text} is too large")
        return value
    if _INTEGER.match(text):
        value = int(text[:-1])
        if not INT64[0] <= value <= INT64[1]:
            raise _Bad(f"the integer {text} is out of range for a 64-bit integer")
        return value
    if _UNSIGNED.match(text):
        value = int(text[:-1])
        if value > UINT64_MAX:
            raise _Bad(f"the unsigned integer {text} is out of range")
        return value
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad(_NOT_A_NUMBER.format(text))


def _timestamp(text: str) -> int:
    if text.isdigit() and text.isascii():  # int() would take other scripts' digits too
        return int(text)
    if not _TIMESTAMP.match(text):
        raise _Bad(f"the timestamp “{text}” is not a whole number")
    return int(text)


def _unique_fields(pairs: list[tuple[str, FieldValue]]) -> tuple[tuple[str, FieldValue], ...]:
    """Each field key once; a key written twice keeps its last value (as InfluxDB does)."""
    if len(pairs) == 1 or len({k for k, _ in pairs}) == len(pairs):
        return tuple(pairs)
    last = dict(pairs)
    seen: set[str] = set()
    kept = []
    for key, _ in pairs:
        if key not in seen:
            seen.add(key)
            kept.append((key, last[key]))
    return tuple(kept)


def _fast(line: str, heads: dict[str, tuple] | None = None):
    """The common line (no backslash, no quote, single spaces) by splitting; None for
    anything else, which the careful reader then reads or refuses with its reason.
    `heads` keeps each measurement-and-tags text already read (None: not simple)."""
    if "\\" in line or '"' in line:
        return None
    parts = line.split(" ")
    if len(parts) not in (2, 3) or not all(parts):
        return None
    head = heads.get(parts[0], False) if heads is not None else False
    if head is False:
        head = _fast_head(parts[0])
        if heads is not None:
            heads[parts[0]] = head
    if head is None:
        return None
    text = parts[1]
    if "," in text:
        fields = []
        for item in text.split(","):
            key, eq, value = item.partition("=")
            if not key or not eq or not value or "=" in value:
                return None
            fields.append((key, field_value(value)))
        fields = _unique_fields(fields)
    else:  # one field, as Telegraf's usual line and a single-value metric have
        key, eq, value = text.partition("=")
        if not key or not eq or not value or "=" in value:
            return None
        fields = ((key, field_value(value)),)
    stamp = _timestamp(parts[2]) if len(parts) == 3 else None
    return head[0], head[1], fields, stamp


def _fast_head(text: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The measurement and sorted tags of a simple head, or None."""
    series = text.split(",")
    measurement = series[0]
    if not measurement:
        return None
    tags = []
    for item in series[1:]:
        key, eq, value = item.partition("=")
        if not key or not eq or not value or "=" in value:
            return None
        tags.append((key, value))
    tags.sort()
    return measurement, tuple(tags)


def _name(line: str, i: int, stops: str, escapable: str) -> tuple[str, int]:
    """Read an identifier from `i` to the first unescaped character of `stops`."""
    out = []
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n and line[i + 1] in escapable:
            out.append(line[i + 1])
            i += 2
            continue
        if ch in stops:
            break
        out.append(ch)
        i += 1
    return "".join(out), i


def _slow(line: str):
    n = len(line)
    measurement, i = _name(line, 0, ", ", ", \\")
    if not measurement:
        raise _Bad("the line has no measurement name")
    tags = []
    while i < n and line[i] == ",":
        key, i = _name(line, i + 1, ",= ", ",= \\")
        if not key:
            raise _Bad("a tag has no key")
        if i >= n or line[i] != "=":
            raise _Bad(f"the tag “{key}” has no value (write {key}=value)")
        value, i = _name(line, i + 1, ",= ", ",= \\")
        if not value:
            raise _Bad(f"the tag “{key}” has an empty value")
        if i < n and line[i] == "=":
            raise _Bad(f"the tag “{key}” has an unescaped equals sign in its value "
                       "(write \\=)")
        tags.append((key, value))
    if i >= n:
        raise _Bad("the line has no fields")
    if line[i] != " ":
        raise _Bad(f"unexpected “{line[i]}” after the measurement and tags")
    i += 1
    fields = []
    while True:
        key, i = _name(line, i, ",= ", ",= \\")
        if not key:
            raise _Bad("a field has no key" if fields or i < n else "the line has no fields")
        if i >= n or line[i] != "=":
            raise _Bad(f"the field “{key}” has no value (write {key}=value)")
        i += 1
        if i < n and line[i] == '"':
            value, i = _string(line, i + 1, key)
        else:
            start = i
            while i < n and line[i] not in ", ":
                i += 1
            text = line[start:i]
            if not text:
                raise _Bad(f"the field “{key}” has an empty value")
            value = field_value(text)
        fields.append((key, value))
        if i < n and line[i] == ",":
            i += 1
            continue
        break
    stamp = None
    if i < n:
        if line[i] != " ":
            raise _Bad(f"unexpected “{line[i]}” after the field “{fields[-1][0]}”")
        rest = line[i + 1:].strip(" \t")
        if rest:
            if " " in rest:
                raise _Bad(f"unexpected text after the timestamp: “{rest.split(' ', 1)[1]}”")
            stamp = _timestamp(rest)
    tags.sort()
    return measurement, tuple(tags), _unique_fields(fields), stamp


def _string(line: str, i: int, key: str) -> tuple[str, int]:
    """A quoted string value from just after its opening quote: `\\"` and `\\\\` are
    escapes; any other backslash is itself."""
    out = []
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n and line[i + 1] in '"\\':
            out.append(line[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise _Bad(f"the string value of the field “{key}” has no closing quote")


# --- writing the names back (series keys) ---------------------------------------------

def escape_measurement(name: str) -> str:
    return name.replace("\\", "\\\\").replace(",", "\\,").replace(" ", "\\ ")


def escape_key(name: str) -> str:
    """A tag key, tag value or field key as line protocol writes it."""
    return (name.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")
            .replace(" ", "\\ "))


def series_key(measurement: str, tags, field: str) -> str:
    """The one text that names a series and field: the measurement and its tags as line
    protocol writes them (tags sorted), a space and the field key, e.g.
    `disk,host=file01,path=/srv used_percent`."""
    head = escape_measurement(measurement)
    if tags:
        head += "," + ",".join(f"{escape_key(k)}={escape_key(v)}" for k, v in sorted(tags))
    return f"{head} {escape_key(field)}"
