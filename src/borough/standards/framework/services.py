"""Writes to the frameworks: loading a framework file (the loader parses, validates and
stores it in one transaction; a version already loaded is left as it is)."""

from __future__ import annotations

from borough.standards.framework.loader import LoadResult, load_shipped_frameworks


def load_shipped(*, actor=None, loaded_by: str = "") -> list[LoadResult]:
    """Load every framework that ships with Borough and is not loaded yet."""
    name = loaded_by or (actor.get_username() if actor is not None else "")
    return load_shipped_frameworks(loaded_by=name or "Borough (shipped framework)")
