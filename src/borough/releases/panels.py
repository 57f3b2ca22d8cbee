"""The change page's section naming the release that delivers it (registered in
entries.py with registry.add_detail_panel)."""

from __future__ import annotations

from django.urls import reverse

from borough.core import scope
from borough.releases import models as m
from borough.releases import queries


def change_panel(change, user) -> dict | None:
    """The change page's section: the release that delivers it (and any earlier ones), or
    a link to add it to a release for those who may. Nothing for those who may not read
    releases."""
    if not scope.can(user, "view", m.Release, change.organisation_id):
        return None
    releases = queries.releases_of_change(change, user)
    may_add = scope.can(user, "add", m.Release, change.organisation_id)
    if not releases and not may_add:
        return None
    return {"change": change, "releases": releases, "may_add": may_add,
            "add_url": reverse("releases:release_add")}
