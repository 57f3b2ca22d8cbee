"""The business service page's "Continuity" section (registered in entries.py with
registry.add_detail_panel): its impact analyses, the plans that recover it and its last
DR test, read through queries.py."""

from __future__ import annotations

from django.urls import reverse

from borough.continuity import models as m
from borough.continuity import queries
from borough.core import scope


def service_panel(service, user) -> dict | None:
    if not scope.can(user, "view", m.ContinuityPlan, service.organisation_id):
        return None
    found = queries.service_continuity(service, user)
    may_add = scope.can(user, "add", m.BusinessImpactAnalysis, service.organisation_id)
    return {"service": service, "analyses": found.analyses, "plans": found.plans,
            "last_test": found.last_test,
            "last_measured": [row for row in found.last_test.measured()
                              if row["id"] == service.pk] if found.last_test else [],
            "add_analysis_url": (reverse("continuity:businessimpactanalysis_add")
                                 + f"?service={service.pk}") if may_add else ""}
