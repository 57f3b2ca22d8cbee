"""Reads of release management that are more than a filter: the rules a release's changes
must keep (each in at most one open release), a change's release (the change page's
panel), and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, Sum

from borough.releases.models import BEFORE_LIVE, OPEN, Release, TestResult

MEMBERS = Release.changes.through
# A change in one of these states cannot be delivered.
UNDELIVERABLE = ("cancelled", "rejected")


def changes_errors(release: Release, changes) -> list[str]:
    """Why `changes` cannot be the changes of `release`, in words (empty: they can): each
    change in at most one open release, none cancelled or rejected, all of the release's
    council; and once the release is live, what went live stays."""
    changes = list(changes)
    problems = []
    if release.pk and release.status not in BEFORE_LIVE:
        current = set(MEMBERS.objects.filter(release_id=release.pk).values_list(
            "change_id", flat=True))
        if current != {c.pk for c in changes}:
            problems.append(f"{release.reference} is {release.get_status_display().lower()}: "
                            "its changes stay as they went live.")
    for change in changes:
        if change.organisation_id != release.organisation_id:
            problems.append(f"{change.reference} belongs to another council.")
        elif change.status in UNDELIVERABLE:
            problems.append(f"{change.reference} is {change.get_status_display().lower()}: "
                            "it cannot be delivered in a release.")
    taken = (MEMBERS.objects.filter(change_id__in=[c.pk for c in changes],
                                    release__status__in=OPEN)
             .exclude(release_id=release.pk or 0)
             .select_related("release", "change").order_by("change__reference"))
    for row in taken:
        problems.append(f"{row.change.reference} is already in {row.release.reference} "
                        f"({row.release.get_status_display().lower()}): a change is in at "
                        "most one open release.")
    return problems


def releases_of_change(change, user) -> list[Release]:
    """The releases the user may read that deliver `change`, newest first (at most one
    open)."""
    return list(Release.objects.visible_to(user).filter(changes=change)
                .select_related("owner").order_by("-created_at", "-pk")[:10])


@dataclass(frozen=True)
class Figures:
    live: int             # went live in the period
    tested_first: int     # of those, with a passed test recorded before going live
    emergency: int        # of those, emergency releases
    no_go: int            # the no-go decisions those releases had before going live
    planned_on_time: int  # of those live, on or before their planned live date

    @property
    def tested_percent(self) -> float | None:
        return round(100 * self.tested_first / self.live, 1) if self.live else None

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.planned_on_time / self.live, 1) if self.live else None


def figures(releases, start: datetime, end: datetime) -> Figures:
    """Releases live in [start, end) over `releases` (already scoped): how many, how many
    tested first, emergencies, on time, and the no-go decisions they had on the way. One
    query."""
    live = releases.filter(deployed_at__gte=start, deployed_at__lt=end)
    counts = live.aggregate(
        total=Count("pk"),
        tested=Count("pk", filter=Q(test_result=TestResult.PASSED,
                                    tested_at__lte=F("deployed_at"))),
        emergency=Count("pk", filter=Q(release_type="emergency")),
        on_time=Count("pk", filter=Q(planned_live_date__isnull=False,
                                     deployed_at__date__lte=F("planned_live_date"))),
        no_go=Sum("no_go_count"))
    return Figures(counts["total"], counts["tested"], counts["emergency"],
                   counts["no_go"] or 0, counts["on_time"])
