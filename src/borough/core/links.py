"""A record's page address without a reverse() per record.

A list or a CI's page links a hundred records or more; reverse() walks the URL resolver
each time (its arguments checked against the pattern, the result quoted), a tenth of a
millisecond a link. `record_url` reverses a URL name once, with a stand-in id, per script
prefix and URL configuration, and then puts each id in the stand-in's place: the same
address, since an id is digits that need no quoting. Anything else (a negative or non-int
key, a pattern the stand-in does not fit) goes through reverse() as before.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# An id no record has (so never confused with a real one), all digits.
_STAND_IN = 7_314_159_265_358
_patterns: dict[tuple, tuple[str, str] | None] = {}
_fixed: dict[tuple, str] = {}


def record_url(name: str, pk) -> str:
    """reverse(name, args=[pk]), for the URL of one record by its integer key."""
    if type(pk) is not int or pk < 0:
        return reverse(name, args=[pk])
    key = (name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    try:
        pattern = _patterns[key]
    except KeyError:
        pattern = _patterns[key] = _pattern(name)
    if pattern is None:
        return reverse(name, args=[pk])
    return f"{pattern[0]}{pk}{pattern[1]}"


def _pattern(name: str) -> tuple[str, str] | None:
    try:
        url = reverse(name, args=[_STAND_IN])
    except NoReverseMatch:
        return None  # reverse() with the real id says what is wrong
    marker = str(_STAND_IN)
    if url.count(marker) != 1:
        return None
    head, _, tail = url.partition(marker)
    return head, tail


def fixed_url(name: str) -> str:
    """reverse(name) for a URL that takes no arguments, or "" if there is none (as
    `{% url name as var %}` gives): the same address for the process's life, for a script
    prefix and URL configuration."""
    key = (name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    try:
        return _fixed[key]
    except KeyError:
        pass
    try:
        url = reverse(name)
    except NoReverseMatch:
        url = ""
    _fixed[key] = url
    return url
