"""Service status's evidence rule for the standards module (core.evidence; the contract
is in docs/standards.md): users are told what is down. It reads only the organisation it
is given, as at `as_of`, writes nothing, and returns the figures and links behind it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, whole
from borough.status import queries
from borough.status.models import Announcement, Kind


def outages_announced(organisation, params, as_of) -> EvidenceResult:
    """Major incidents raised in the period, and how many were announced on the status
    page; with the announcements made in the period. Met when at least the target share
    of major incidents was announced and at least `min_announcements` were made."""
    start = as_of - timedelta(days=params["period_days"])
    majors, announced = queries.announced_major_incidents(organisation.pk, start, as_of)
    made = Announcement.objects.for_organisation(organisation).filter(
        created_at__gte=start, created_at__lte=as_of)
    count = made.count()
    planned = made.filter(kind=Kind.PLANNED).count()
    target, minimum = params["target_percent"], params["min_announcements"]
    share = round(announced * 100 / majors, 1) if majors else None
    met = count >= minimum and (majors == 0 or announced * 100 >= target * majors)
    figures = {"major_incidents": majors, "announced": announced,
               "announced_percent": share, "announcements": count,
               "planned_work_announced": planned, "target_percent": target,
               "min_announcements": minimum, "period_days": params["period_days"]}
    if majors:
        summary = (f"{announced:,} of {majors:,} major incident{'' if majors == 1 else 's'} "
                   f"in the last {params['period_days']} days ({share:g}%) were announced on "
                   f"the service status page")
    else:
        summary = f"No major incidents in the last {params['period_days']} days"
    summary += (f"; {count:,} announcement{'' if count == 1 else 's'} made, {planned:,} of "
                f"planned work. Needed: at least {target:g}% of major incidents announced "
                f"and at least {minimum:,} announcement{'' if minimum == 1 else 's'}.")
    url = reverse("status:announcement_list")
    links = (EvidenceLink("Service status", reverse("status:page")),
             EvidenceLink("Outages announced",
                          f"{url}?{urlencode({'kind': Kind.OUTAGE})}"))
    return EvidenceResult(met, summary, figures, links)


RULES = [
    EvidenceRule(
        "status.outages-announced", "Users are told about outages",
        "Of the major incidents raised in the period, the share announced on the service "
        "status page (an outage announced from the incident). Met when it reaches the "
        "target and the council made at least the minimum number of announcements (of "
        "outages, degraded service, planned work or information).",
        outages_announced,
        (whole("period_days", 91, minimum=1, maximum=3660),
         number("target_percent", 80, minimum=0, maximum=100),
         whole("min_announcements", 1, minimum=0, maximum=10_000))),
]
