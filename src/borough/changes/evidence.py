"""Change management's evidence rules for the standards module (core.evidence; the
contract is in docs/standards.md), for the configuration, change and release criteria:
every normal change was authorised before it was made, and post-implementation reviews
are held. Each reads only the organisation it is given, writes nothing, and returns the
figures and links behind it. As at a date: only what was recorded by then counts (a
change started by then, a review written by then)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.urls import reverse

from borough.changes.models import Change, ChangeType
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, some_of, whole

BOARD_TYPES = (ChangeType.NORMAL, ChangeType.EMERGENCY)


def period_days():
    return whole("period_days", 365, minimum=1, maximum=3660)


def types():
    return some_of("types", [ChangeType.NORMAL], BOARD_TYPES)


def _names(references: list[str], limit: int = 10) -> str:
    more = len(references) - limit
    return ", ".join(references[:limit]) + (f" and {more} more" if more > 0 else "")


def _list(params_types) -> str:
    return reverse("changes:change_list") + "?" + "&".join(
        f"change_type={t}" for t in params_types[:1])


def authorised_first(organisation, params, as_of) -> EvidenceResult:
    """Changes of the given types started in the period: each authorised before it
    started."""
    since = as_of - timedelta(days=params["period_days"])
    started = Change.objects.for_organisation(organisation).filter(
        change_type__in=params["types"], actual_start__gt=since, actual_start__lte=as_of)
    total = started.count()
    without = list(started.filter(Q(authorised_at__isnull=True)
                                  | Q(authorised_at__gt=F("actual_start")))
                   .order_by("reference").values_list("reference", flat=True))
    kinds = " and ".join(ChangeType(t).label.lower() for t in params["types"])
    figures = {"period_days": params["period_days"], "types": params["types"],
               "started": total, "authorised_first": total - len(without), "without": without}
    if not total:
        summary = (f"No {kinds} changes were started in the last {params['period_days']} "
                   "days, so there is nothing to show.")
    elif without:
        summary = (f"{len(without)} of {total} {kinds} changes started in the last "
                   f"{params['period_days']} days were not authorised first: "
                   f"{_names(without)}.")
    else:
        summary = (f"Every one of the {total} {kinds} changes started in the last "
                   f"{params['period_days']} days was authorised before it started.")
    links = (EvidenceLink("Changes", _list(params["types"])),
             EvidenceLink("The forward schedule", reverse("changes:schedule")))
    return EvidenceResult(bool(total) and not without, summary, figures, links)


def reviews_held(organisation, params, as_of) -> EvidenceResult:
    """Changes of the given types implemented in the period, at least `grace_days` before
    the date: the share whose post-implementation review was written by then."""
    since = as_of - timedelta(days=params["period_days"])
    due_by = as_of - timedelta(days=params["grace_days"])
    finished = Change.objects.for_organisation(organisation).filter(
        change_type__in=params["types"], actual_end__gt=since, actual_end__lte=due_by)
    total = finished.count()
    missing = list(finished.filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gt=as_of)
                                   | Q(review=""))
                   .order_by("reference").values_list("reference", flat=True))
    held = total - len(missing)
    percent = round(100 * held / total, 1) if total else None
    target = params["target_percent"]
    figures = {"period_days": params["period_days"], "grace_days": params["grace_days"],
               "target_percent": target, "implemented": total, "reviewed": held,
               "percent": percent, "without_review": missing}
    if not total:
        summary = (f"No changes implemented between {params['period_days']} and "
                   f"{params['grace_days']} days ago, so there is nothing to show.")
    else:
        summary = (f"{held} of {total} changes implemented in the period had their "
                   f"post-implementation review within {params['grace_days']} days "
                   f"({percent}%, target {target}%).")
        if missing:
            summary += f" Without one: {_names(missing)}."
    links = (EvidenceLink("Changes in review", reverse("changes:change_list")
                          + "?status=review"),)
    return EvidenceResult(bool(total) and percent >= target, summary, figures, links)


RULES = [
    EvidenceRule(
        "changes.authorised-before-implementation",
        "Every normal change authorised before implementation",
        "Of the changes of the given types (normal by default) started in the period, the "
        "number that were not authorised by their board before they started. Met when at "
        "least one was started and every one was authorised first.",
        authorised_first, (period_days(), types())),
    EvidenceRule(
        "changes.reviews-held",
        "Post-implementation reviews held",
        "Of the changes of the given types implemented in the period (and at least the "
        "grace days ago), the share with a post-implementation review written. Met at or "
        "above the target share.",
        reviews_held,
        (period_days(), types(), whole("grace_days", 30, minimum=0, maximum=365),
         number("target_percent", 90, minimum=0, maximum=100))),
]
