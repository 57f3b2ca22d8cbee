"""The email module's pages, API and roles, registered with the core registry."""

from __future__ import annotations


def register() -> None:
    pass
