"""Counting requests in Django's cache, to slow down abuse of mail-sending pages.

A fixed window per key: the first request starts it, and up to `limit` requests are
allowed until it ends. Keys are hashed, so email addresses typed into the reset page
are not kept in the cache in the clear. When the cache is unreachable the request is
allowed (SECURITY.md rule 30: a broken cache must not stop people resetting a
password) and the failure is logged.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request for (`scope`, `key`); True while within `limit` per `window` seconds."""
    cache_key = f"throttle:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        if cache.add(cache_key, 1, timeout=window):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # the window ended between add() and incr()
                cache.set(cache_key, 1, timeout=window)
                count = 1
    except Exception:  # noqa: BLE001 - any cache backend failure
        logger.warning("Throttle cache unavailable; allowing %s request", scope, exc_info=True)
        return True
    return count <= limit


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the
    entry of X-Forwarded-For that the outermost trusted proxy added (entries further
    left are whatever the client sent, so they are not trusted)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
