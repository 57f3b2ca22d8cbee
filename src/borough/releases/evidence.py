"""Release management's evidence rule for the standards module (core.evidence; the
contract is in docs/standards.md): releases that went live were tested first, and were
planned as a whole (dates, release notes, a go, licences covering the software). It reads
only the organisation it is given, writes nothing, and returns the figures and links
behind it. As at a date: only what was recorded by then counts (a release live by then,
a test result recorded before it went live)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.urls import reverse

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, some_of, whole
from borough.releases.models import Decision, Release, ReleaseType, TestResult


def _names(references: list[str], limit: int = 10) -> str:
    more = len(references) - limit
    return ", ".join(references[:limit]) + (f" and {more} more" if more > 0 else "")


def _went_live(organisation, params, as_of):
    """The releases of the given types that went live in the period up to `as_of`."""
    since = as_of - timedelta(days=params["period_days"])
    return Release.objects.for_organisation(organisation).filter(
        release_type__in=params["types"], deployed_at__gt=since, deployed_at__lte=as_of)


# Both rules look at the releases of some types live in a period.
PARAMETERS = (whole("period_days", 365, minimum=1, maximum=3660),
              some_of("types", [ReleaseType.MAJOR, ReleaseType.MINOR], ReleaseType.values))


def tested_first(organisation, params, as_of) -> EvidenceResult:
    """Releases of the given types that went live in the period: each with a passed test
    recorded before it went live."""
    days, live = params["period_days"], _went_live(organisation, params, as_of)
    total = live.count()
    untested = list(live.exclude(Q(test_result=TestResult.PASSED)
                                 & Q(tested_at__lte=F("deployed_at")))
                    .order_by("reference").values_list("reference", flat=True))
    kinds = " and ".join(ReleaseType(t).label.lower() for t in params["types"])
    figures = {"period_days": days, "types": params["types"], "live": total,
               "tested_first": total - len(untested), "untested": untested}
    if not total:
        summary = (f"No {kinds} releases went live in the last {days} days, so there is "
                   "nothing to show.")
    elif untested:
        summary = (f"{len(untested)} of {total} {kinds} releases that went live in the last "
                   f"{days} days had no passed test first: {_names(untested)}.")
    else:
        summary = (f"Every one of the {total} {kinds} releases that went live in the last "
                   f"{days} days passed its test first.")
    links = (EvidenceLink("Releases live", reverse("releases:release_list")
                          + "?status=live&status=closed"),
             EvidenceLink("Release figures", reverse("releases:figures")))
    return EvidenceResult(bool(total) and not untested, summary, figures, links)


def planned_whole(organisation, params, as_of) -> EvidenceResult:
    """Releases of the given types that went live in the period, each planned as a whole:
    test and live dates planned, release notes written, a go decided before it went live,
    and every licence of its software found in force and covering the use at that go."""
    days, live = params["period_days"], _went_live(organisation, params, as_of)
    total, short = 0, {}
    for row in live.order_by("reference").values(
            "reference", "planned_test_date", "planned_live_date", "release_notes",
            "decision", "decided_at", "deployed_at", "licences_checked_for"):
        total += 1
        gaps = [gap for gap, missing in (
            ("no planned dates", not (row["planned_test_date"] and row["planned_live_date"])),
            ("no release notes", not row["release_notes"].strip()),
            ("no go decided first", row["decision"] != Decision.GO or not row["decided_at"]
             or row["decided_at"] > row["deployed_at"]),
            ("licences not checked", row["licences_checked_for"] is None)) if missing]
        if gaps:
            short[row["reference"]] = gaps
    kinds = " and ".join(ReleaseType(t).label.lower() for t in params["types"])
    figures = {"period_days": days, "types": params["types"], "live": total,
               "planned_whole": total - len(short),
               "short": short}
    if not total:
        summary = (f"No {kinds} releases went live in the last {days} days, so there is "
                   "nothing to show.")
    elif short:
        named = [f"{ref} ({', '.join(g)})" for ref, g in sorted(short.items())]
        summary = (f"{len(short)} of {total} {kinds} releases that went live in the last "
                   f"{days} days were not planned as a whole: {_names(named)}.")
    else:
        summary = (f"Every one of the {total} {kinds} releases that went live in the last "
                   f"{days} days was planned as a whole: dates, release notes, a go, and "
                   "licences covering its software.")
    links = (EvidenceLink("Releases live", reverse("releases:release_list")
                          + "?status=live&status=closed"),)
    return EvidenceResult(bool(total) and not short, summary, figures, links)


RULES = [
    EvidenceRule(
        "releases.tested",
        "Releases tested before they went live",
        "Of the releases of the given types (major and minor by default) that went live in "
        "the period, the number without a passed test recorded before going live. Met when "
        "at least one went live and every one was tested first.",
        tested_first, PARAMETERS),
    EvidenceRule(
        "releases.planned-whole",
        "Releases planned as a whole, licences covered",
        "Of the releases of the given types that went live in the period, those missing "
        "any of: planned test and live dates, release notes, a go decided before going "
        "live, and the go's check that each licence of its software was in force and "
        "covered the use. Met when at least one went live and none misses anything.",
        planned_whole, PARAMETERS),
]
