"""The one per-process cache of Borough's speed devices.

A `LocalCache` keeps values a process builds often and that rarely change (an
organisation's calendar and desk configuration, a role's menu, a filter panel's HTML),
least recently used out first. It never expires anything by time: a key holds everything
the value depends on, so an entry is never wrong, only unused once its inputs move on.
For data that another process can change, that means a version stamp read with the
request (`stamps.py`); for data that only a deployment changes (permissions granted to
roles, URLs), the inputs themselves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

V = TypeVar("V")

_caches: dict[str, LocalCache] = {}


class LocalCache:
    """A thread-safe LRU map of at most `size` entries, shared by a process's threads.

    Values are shared between threads: build them immutable (frozen dataclasses, tuples,
    model instances nobody saves) and never change one after it is returned."""

    def __init__(self, name: str, size: int = 256):
        if name in _caches:
            raise ValueError(f"A LocalCache named {name!r} exists already.")
        self.name = name
        self.size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        _caches[name] = self

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value kept under `key`, or `build()`'s, kept from now on. `build` runs
        outside the lock (it may query the database): two threads missing the same key
        at once both build it, and the second value kept is as good as the first."""
        with self._lock:
            try:
                value = self._entries[key]
            except KeyError:
                self.misses += 1
            else:
                self._entries.move_to_end(key)
                self.hits += 1
                return value
        value = build()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def get(self, key: Hashable) -> object | None:
        """The value kept under `key`, or None (nothing is built)."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: object) -> None:
        """Keep `value` under `key`, replacing what was kept there."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<LocalCache {self.name}: {len(self)}/{self.size}, {self.hits} hits, {self.misses} misses>"


def caches() -> dict[str, LocalCache]:
    """Every LocalCache of the process, by name (for tests and diagnostics)."""
    return dict(_caches)


def clear_all() -> None:
    """Empty every LocalCache of this process (tests start each case from none)."""
    for cache in _caches.values():
        cache.clear()
