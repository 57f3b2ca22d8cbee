"""What change management shows on other apps' pages (registry detail panels): on a
problem's page, the changes that make its permanent fix."""

from __future__ import annotations

from django.urls import reverse

from borough.changes import queries
from borough.changes.models import Change
from borough.core import scope
from borough.problems.models import Problem


def problem_panel(problem: Problem, user) -> dict | None:
    """The changes that make the problem's permanent fix, with their status, and "Raise
    the permanent fix as a change" for those who may raise changes; nothing for those
    who may not read changes."""
    if not scope.can(user, "view", Change, problem.organisation_id):
        return None
    return {"changes": queries.changes_fixing(problem, user), "problem": problem,
            "may_raise": scope.can(user, "add", Change, problem.organisation_id),
            "raise_url": f"{reverse('changes:change_add')}?problem={problem.pk}"}
