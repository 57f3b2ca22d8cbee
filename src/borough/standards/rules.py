"""The standards app's own evidence rules (see core.evidence and docs/standards.md).

Like every rule, these read only the given organisation's records, through the model
managers narrowed with `for_organisation` (a rule runs for the organisation, with no
user, so `visible_to(user)` cannot apply), write nothing, and answer as at `as_of`:
records created after it are ignored, so a result can be worked out again later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, one_of, whole
from borough.standards.actions import queries, services
from borough.standards.models import (
    OPEN_ACTION_STATUSES,
    Action,
    AssessmentCycle,
    CycleStatus,
    ReportReview,
    StandardAssessment,
)


def _local_date(moment: datetime):
    return timezone.localtime(moment).date()


def _url(obj) -> str | None:
    try:
        return obj.get_absolute_url()
    except (NoReverseMatch, AttributeError):
        return None


def _link(label: str, obj) -> tuple[EvidenceLink, ...]:
    url = _url(obj)
    return (EvidenceLink(label, url),) if url else ()


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}"


def report_reviewed(organisation, params, as_of) -> EvidenceResult:
    report, within = params["report"], params["within_days"]
    on = _local_date(as_of)
    since = on - timedelta(days=within)
    reviews = (ReportReview.objects.for_organisation(organisation)
               .filter(report=report, created_at__lte=as_of, reviewed_on__lte=on,
                       reviewed_on__gte=since).order_by("-reviewed_on", "-id"))
    found = list(reviews)  # one query: the latest and the count
    latest = found[0] if found else None
    label = queries.report_label(report)
    figures = {"report": report, "within_days": within, "since": since.isoformat(),
               "reviews": len(found),
               "latest_review": latest.reviewed_on.isoformat() if latest else None}
    list_url = f"{reverse('standards:reportreview_list')}?{urlencode({'report': report})}"
    add_url = f"{reverse('standards:reportreview_add')}?{urlencode({'report': report})}"
    links = [EvidenceLink(f"Reviews of {label.lower()}", list_url)]
    if latest:
        links[:0] = _link(f"Review of {_day(latest.reviewed_on)}", latest)
        meeting = f" ({latest.meeting})" if latest.meeting else ""
        summary = (f"{label} reviewed on {_day(latest.reviewed_on)}{meeting}; "
                   f"{figures['reviews']} review{'' if figures['reviews'] == 1 else 's'} in the "
                   f"{within} days to {_day(on)}.")
    else:
        links.append(EvidenceLink("Record a review", add_url))
        summary = f"No review of {label.lower()} recorded in the {within} days to {_day(on)}."
    return EvidenceResult(latest is not None, summary, figures, tuple(links))


def annual_review(organisation, params, as_of) -> EvidenceResult:
    within = params["within_days"]
    since = as_of - timedelta(days=within)
    cycles = (AssessmentCycle.objects.for_organisation(organisation)
              .filter(status=CycleStatus.APPROVED, approved_at__isnull=False,
                      approved_at__lte=as_of).order_by("-approved_at", "-id"))
    latest = cycles.first()
    met = latest is not None and latest.approved_at > since
    figures = {"within_days": within,
               "latest_cycle": latest.name if latest else None,
               "approved_on": _local_date(latest.approved_at).isoformat() if latest else None}
    if latest is None:
        summary = "No assessment cycle has been approved yet."
    else:
        days = (as_of - latest.approved_at).days
        figures["days_since_approval"] = days
        summary = (f"The last approved review, {latest.name}, was approved on "
                   f"{_day(_local_date(latest.approved_at))} ({days} days before "
                   f"{_day(_local_date(as_of))}; needed within {within}).")
    return EvidenceResult(met, summary, figures,
                          _link(latest.name, latest) if latest else ())


def latest_cycle(organisation, as_of: datetime):
    """The cycle the action plan answers: the latest approved by `as_of`, else the latest
    started by then."""
    cycles = AssessmentCycle.objects.for_organisation(organisation).filter(created_at__lte=as_of)
    approved = (cycles.filter(status=CycleStatus.APPROVED, approved_at__lte=as_of)
                .order_by("-approved_at", "-id").first())
    if approved is not None:
        return approved
    return (cycles.filter(starts_on__lte=_local_date(as_of)).order_by("-starts_on", "-id").first()
            or cycles.order_by("-starts_on", "-id").first())


def action_plan_current(organisation, params, as_of) -> EvidenceResult:
    limit = params["max_overdue_percent"]
    on = _local_date(as_of)
    cycle = latest_cycle(organisation, as_of)
    plan = EvidenceLink("The action plan", reverse("standards:action_list"))
    if cycle is None:
        return EvidenceResult(False, "No assessment has been started, so there are no gaps for "
                                     "the action plan to close.",
                              {"max_overdue_percent": limit}, (plan,))
    gaps = [r for r in StandardAssessment.objects.for_organisation(organisation)
            .filter(cycle=cycle).select_related("standard__framework")
            if r.current_level is not None and r.target_level is not None
            and r.current_level < r.target_level]
    actions = list(Action.objects.for_organisation(organisation).filter(created_at__lte=as_of)
                   .prefetch_related("updates", "standards__framework"))
    open_actions = [a for a in actions if services.status_on(a, as_of) in OPEN_ACTION_STATUSES]
    # Standards are matched by framework and code, so an action linked to a newer version
    # of the framework still answers the gap.
    planned = {(s.framework.code, s.code) for a in open_actions for s in a.standards.all()}
    # An action finished after a gap was rated answers it until the next assessment.
    finished = {}
    for a in actions:
        done_on = services.done_on(a, as_of)
        for s in a.standards.all() if done_on is not None else ():
            key = (s.framework.code, s.code)
            finished[key] = max(finished.get(key, done_on), done_on)
    since = timezone.localdate(cycle.approved_at) if cycle.approved_at else cycle.starts_on
    unplanned = [r.standard for r in gaps
                 if (key := (r.standard.framework.code, r.standard.code)) not in planned
                 and not (key in finished and finished[key] > (r.assessed_on or since))]
    overdue = [a for a in open_actions if a.due_on is not None and a.due_on < on]
    share = round(100 * len(overdue) / len(open_actions), 1) if open_actions else 0.0
    met = not unplanned and len(overdue) * 100 <= limit * len(open_actions)
    figures = {"cycle": cycle.name, "standards_with_gap": len(gaps),
               "standards_without_open_action": [s.name for s in unplanned],
               "open_actions": len(open_actions), "overdue_actions": len(overdue),
               "overdue_percent": share, "max_overdue_percent": limit}
    parts = [f"{len(gaps)} standard{'' if len(gaps) == 1 else 's'} below target in {cycle.name}"]
    if unplanned:
        names = ", ".join(s.name for s in unplanned[:5]) + (" and others" if len(unplanned) > 5
                                                             else "")
        parts.append(f"{len(unplanned)} without an open action ({names})")
    else:
        parts.append("each has an open action" if gaps else "nothing to plan for")
    parts.append(f"{len(overdue)} of {len(open_actions)} open actions overdue ({share:g}%; "
                 f"allowed {limit:g}%)")
    overdue_link = EvidenceLink("Overdue actions",
                                f"{reverse('standards:action_list')}?overdue=true")
    return EvidenceResult(met, "; ".join(parts) + ".", figures,
                          (plan, overdue_link, *_link(cycle.name, cycle)))


RULES = [
    EvidenceRule(
        "standards.report-reviewed", "Management reviews the report",
        "Looks for a recorded review of the named report (Standards › Report reviews) dated "
        "within the given number of days up to the day checked. Met when there is at least one.",
        report_reviewed, (one_of("report", "servicedesk-statistics", queries.REPORTS),
                          whole("within_days", 92, minimum=1, maximum=3660))),
    EvidenceRule(
        "standards.annual-review", "The standards are reviewed every year",
        "Finds the most recently approved assessment cycle. Met when it was approved within the "
        "given number of days before the moment checked.",
        annual_review, (whole("within_days", 400, minimum=1, maximum=3660),)),
    EvidenceRule(
        "standards.action-plan-current", "The action plan is current",
        "Takes the latest approved assessment cycle (or, before any is approved, the latest "
        "started). Met when every standard rated below its target there has an open action "
        "linked to it, or one finished after that standard was rated (it stands until the next "
        "assessment), and no more than the given share of open actions is past its due date. "
        "Statuses are read from the actions' progress notes as they stood at the time checked.",
        action_plan_current, (number("max_overdue_percent", 10, minimum=0, maximum=100),)),
]
