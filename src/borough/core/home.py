"""The home page is built from panels the apps register (entries.py), each for the
people whose work it serves: a requester's way to ask for help, an agent's queues, a
manager's figures. A panel answers None for someone it is not for, so a person with
several roles sees the sections of each, the most specific (lowest `order`) first.

A panel's figures are counts of what the user may see, each a link to the page that
lists the same records, and it must cost the same number of queries with one record
as with a thousand (tests pin each panel's queries)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class HomePanel:
    name: str
    template: str
    # request -> the template's context, or None when the panel is not for this person.
    build: Callable[[HttpRequest], dict | None]
    order: int = 100


def panels_for(request: HttpRequest) -> list[dict]:
    from borough.core.registry import registry

    shown = []
    for panel in sorted(registry.home_panels, key=lambda p: (p.order, p.name)):
        data = panel.build(request)
        if data is not None:
            shown.append({"name": panel.name, "template": panel.template, "data": data})
    return shown


def platform(request: HttpRequest) -> dict | None:
    """For platform administrators: the installation's background jobs that are failing
    (the jobs are shared by every council the installation serves)."""
    if not request.user.is_superuser:
        return None
    from django.urls import reverse

    from borough.core import jobs

    statuses = jobs.job_statuses(recent=5)
    return {"count": len(statuses), "failing": [s for s in statuses if s.failing],
            "jobs_url": reverse("core:jobs")}


PANELS = [HomePanel("core-platform", "core/home/platform.html", platform, order=5)]
