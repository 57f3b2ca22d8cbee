"""Reads of the action plan that more than one part needs: the reports a review can be
recorded of, and the newest version of each framework's themes and standards."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from borough.standards.models import Framework, Standard

# Reports a review can be recorded of: name -> (label, URL name of the report or "").
REPORTS = {
    "servicedesk-statistics": ("Service desk statistics", "servicedesk:statistics"),
    "action-plan": ("The action plan", "standards:action_list"),
    "committee-report": ("The standards committee report", ""),
}


def report_label(report: str) -> str:
    return REPORTS.get(report, (report, ""))[0]


def newest_frameworks():
    """The newest version of each framework."""
    newest = Framework.objects.filter(code=OuterRef("code")).order_by("-version").values("version")
    return Framework.objects.filter(version=Subquery(newest[:1]))


def standards_choices():
    """Standards of the newest version of each framework, for forms and filters."""
    return (Standard.objects.filter(framework__in=newest_frameworks())
            .select_related("theme", "framework"))
