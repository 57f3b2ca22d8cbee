"""Service desk evidence rules for the standards module (see core.evidence).

Each rule reads the records of the one organisation it is given, through the model
managers narrowed with `for_organisation` — not `visible_to(user)`: a rule runs for the
organisation (on whoever's page, and when a cycle is approved), so there is no user to
start from. That is the one place in Borough reads start this way, so the rules stay
read-only and never take anything from a request.

Periods are whole days in UK time: `period_days` days ending the day before `as_of`,
the same dates the statistics page takes, so the link beside a result shows the same
figures. Figures reuse the statistics page's definitions (`servicedesk.statistics`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule
from borough.servicedesk import statistics
from borough.servicedesk.models import DailyOpened, DailyResolved, Priority, Satisfaction, SLAPolicy, Ticket
from borough.servicedesk.statistics import Period


class BadParameter(ValueError):
    """A framework file gave a rule a parameter it cannot use."""


def int_param(params: dict, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise BadParameter(f"{name} must be a whole number (it is {value!r}).")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and {maximum}" if maximum is not None else ""
        raise BadParameter(f"{name} must be between {minimum}{upper} (it is {value}).")
    return value


def number_param(params: dict, name: str, minimum: float, maximum: float) -> float:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadParameter(f"{name} must be a number (it is {value!r}).")
    if not minimum <= value <= maximum:
        raise BadParameter(f"{name} must be between {minimum:g} and {maximum:g} (it is {value}).")
    return value


def _priorities(params: dict) -> list[int]:
    value = params.get("priorities")
    valid = {p.value for p in Priority}
    if (not isinstance(value, list | tuple) or not value
            or any(isinstance(p, bool) or p not in valid for p in value)):
        raise BadParameter(f"priorities must be a list of priorities 1 to 5 (it is {value!r}).")
    return sorted(set(value))


def checked(check):
    """A rule whose parameters are wrong says so as its result (not met) instead of failing
    the whole assessment page."""

    def run(organisation, params, as_of):
        try:
            return check(organisation, params, as_of)
        except BadParameter as exc:
            return EvidenceResult(False, f"This check cannot run: {exc}", {"error": str(exc)})

    run.__doc__ = check.__doc__
    run.__name__ = check.__name__
    return run


def period_before(as_of: datetime, days: int) -> Period:
    """The `days` whole local days ending the day before `as_of`."""
    today = timezone.localtime(as_of, statistics.local_zone()).date()
    return Period(today - timedelta(days=days), today - timedelta(days=1))


def statistics_link(period: Period) -> EvidenceLink:
    query = urlencode({"date_from": period.date_from.isoformat(),
                       "date_to": period.date_to.isoformat()})
    return EvidenceLink(f"Service desk statistics, {period}",
                        f"{reverse('servicedesk:statistics')}?{query}")


def _priority_words(priorities: list[int]) -> str:
    names = [f"P{p}" for p in priorities]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _tickets(organisation):
    return Ticket.objects.for_organisation(organisation).order_by()


# --- the rules --------------------------------------------------------------------

@checked
def sla_policies_cover_priorities(organisation, params, as_of) -> EvidenceResult:
    priorities = _priorities(params)
    policies = (SLAPolicy.objects.for_organisation(organisation)
                .filter(is_active=True, created_at__lte=as_of, priority__in=priorities))
    found = list(policies.values_list("priority", flat=True))  # one query for both figures
    covered = sorted(set(found))
    missing = [p for p in priorities if p not in covered]
    figures = {"priorities": priorities, "covered": covered, "missing": missing,
               "active_policies": len(found)}
    if missing:
        summary = (f"No active SLA policy for {_priority_words(missing)}; "
                   f"{len(covered)} of {len(priorities)} priorities are covered.")
    else:
        summary = (f"Every priority checked ({_priority_words(priorities)}) has an active SLA "
                   f"policy ({figures['active_policies']} policies).")
    links = (EvidenceLink("SLA policies", reverse("servicedesk:slapolicy_list")),)
    return EvidenceResult(not missing, summary, figures, links)


@checked
def sla_compliance(organisation, params, as_of) -> EvidenceResult:
    priorities = _priorities(params)
    target = number_param(params, "target_percent", 0, 100)
    days = int_param(params, "period_days", 1, statistics.MAX_PERIOD_DAYS)
    measure = params.get("measure")
    if measure not in ("resolution", "response"):
        raise BadParameter(f"measure must be resolution or response (it is {measure!r}).")
    period = period_before(as_of, days)
    if measure == "resolution":
        # The statistics page's own count: resolved in the period with an SLA policy,
        # met when the resolution target was never breached.
        months = statistics.monthly_resolution(
            DailyResolved.objects.for_organisation(organisation).filter(priority__in=priorities),
            period)
        measured = sum(c.with_sla for c in months.values())
        met_count = sum(c.sla_met for c in months.values())
    else:
        in_period = Q(responded_at__gte=period.start, responded_at__lt=period.end) | Q(
            responded_at__isnull=True, response_breached_at__gte=period.start,
            response_breached_at__lt=period.end)
        totals = _tickets(organisation).filter(
            in_period, priority__in=priorities, sla_policy__isnull=False).aggregate(
            measured=Count("id"), met=Count("id", filter=Q(response_breached_at__isnull=True)))
        measured, met_count = totals["measured"], totals["met"]
    share = statistics.percent(met_count, measured)
    # Compared exactly (not the rounded percentage): 9 of 10 meets a 90% target.
    met = measured > 0 and met_count * 100 >= target * measured
    figures = {"priorities": priorities, "measure": measure, "target_percent": target,
               "period_from": period.date_from.isoformat(), "period_to": period.date_to.isoformat(),
               "tickets_measured": measured, "within_target": met_count,
               "compliance_percent": share}
    verb = "resolved" if measure == "resolution" else "responded to"
    words = _priority_words(priorities)
    if not measured:
        summary = (f"No {words} tickets with an SLA were {verb} from {period}, so compliance "
                   "cannot be shown.")
    else:
        summary = (f"{share:.1f}% of {measured:,} {words} tickets with an SLA were {verb} within "
                   f"target from {period} ({met_count:,} within target); the target is "
                   f"{target:g}%.")
    links = (statistics_link(period),
             EvidenceLink("SLA policies", reverse("servicedesk:slapolicy_list")))
    return EvidenceResult(met, summary, figures, links)


@checked
def satisfaction_measured(organisation, params, as_of) -> EvidenceResult:
    days = int_param(params, "period_days", 1, statistics.MAX_PERIOD_DAYS)
    min_ratings = int_param(params, "min_ratings", 0)
    min_average = number_param(params, "min_average", 0, 5)
    period = period_before(as_of, days)
    count, mean, scores = statistics.satisfaction(
        Satisfaction.objects.for_organisation(organisation), period)
    met = count >= min_ratings and (mean if count else 0) >= min_average
    figures = {"period_from": period.date_from.isoformat(), "period_to": period.date_to.isoformat(),
               "ratings": count, "mean_score": mean, "scores": scores,
               "min_ratings": min_ratings, "min_average": min_average}
    if count:
        summary = (f"{count:,} satisfaction rating{'' if count == 1 else 's'} from {period}, "
                   f"mean {mean:.2f} out of 5 (needed: at least {min_ratings:,} ratings"
                   + (f" and a mean of {min_average:g} or more)." if min_average else ")."))
    else:
        summary = f"No satisfaction ratings were given from {period}."
    return EvidenceResult(met, summary, figures, (statistics_link(period),))


@checked
def desk_in_use(organisation, params, as_of) -> EvidenceResult:
    days = int_param(params, "period_days", 1, statistics.MAX_PERIOD_DAYS)
    minimum = int_param(params, "min_tickets", 0)
    period = period_before(as_of, days)
    logged = statistics.tickets_logged(DailyOpened.objects.for_organisation(organisation),
                                       period)
    figures = {"period_from": period.date_from.isoformat(), "period_to": period.date_to.isoformat(),
               "tickets_logged": logged, "min_tickets": minimum}
    summary = (f"{logged:,} ticket{'' if logged == 1 else 's'} logged from {period} "
               f"(needed: {minimum:,}).")
    return EvidenceResult(logged >= minimum, summary, figures, (statistics_link(period),))


RULES = [
    EvidenceRule(
        "servicedesk.sla-policies-cover-priorities", "SLA policies cover every priority",
        "Looks for an active SLA policy (created by the date checked) for each listed priority. "
        "Met when every priority has at least one.",
        sla_policies_cover_priorities, {"priorities": [1, 2, 3, 4, 5]}),
    EvidenceRule(
        "servicedesk.sla-compliance", "SLA compliance",
        "Of the tickets of the listed priorities that had an SLA policy and were resolved "
        "(or, for the response measure, first responded to, or breached without a response) "
        "in the period, the share whose target was never breached — as the service desk "
        "statistics count it. The period is the given number of whole days before the day "
        "checked, in UK time. Met when that share is at least the target; with no tickets to "
        "measure it is not met.",
        sla_compliance,
        {"priorities": [1, 2], "target_percent": 90, "period_days": 91, "measure": "resolution"}),
    EvidenceRule(
        "servicedesk.satisfaction-measured", "Customer satisfaction is measured",
        "Counts the satisfaction ratings requesters gave in the period (whole days before the "
        "day checked) and their mean score out of 5. Met when there are at least the minimum "
        "number of ratings and the mean is at least the minimum average.",
        satisfaction_measured, {"period_days": 91, "min_ratings": 10, "min_average": 0}),
    EvidenceRule(
        "servicedesk.desk-in-use", "The service desk is in use",
        "Counts the tickets logged in the period (whole days before the day checked). Met "
        "when at least the minimum number were logged.",
        desk_in_use, {"period_days": 91, "min_tickets": 50}),
]


def register(registry) -> None:
    """Add this module's rules to `registry.evidence_rules`."""
    for rule in RULES:
        registry.evidence_rules[rule.name] = rule
