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

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, one_of, some_of, whole
from borough.servicedesk import statistics
from borough.servicedesk.models import DailyOpened, DailyResolved, Priority, Satisfaction, SLAPolicy, Ticket
from borough.servicedesk.statistics import Period


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


def priorities(default: list[int]):
    return some_of("priorities", default, [p.value for p in Priority])


def period_days():
    return whole("period_days", 91, minimum=1, maximum=statistics.MAX_PERIOD_DAYS)


# --- the rules --------------------------------------------------------------------

def sla_policies_cover_priorities(organisation, params, as_of) -> EvidenceResult:
    priorities = params["priorities"]
    policies = (SLAPolicy.objects.for_organisation(organisation)
                .filter(is_active=True, created_at__lte=as_of, priority__in=priorities,
                        business_service__isnull=True))  # one service's cover no priority
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


def sla_compliance(organisation, params, as_of) -> EvidenceResult:
    priorities, target = params["priorities"], params["target_percent"]
    days, measure = params["period_days"], params["measure"]
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


def satisfaction_measured(organisation, params, as_of) -> EvidenceResult:
    days, min_ratings, min_average = (params["period_days"], params["min_ratings"],
                                      params["min_average"])
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


def desk_in_use(organisation, params, as_of) -> EvidenceResult:
    days, minimum = params["period_days"], params["min_tickets"]
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
        sla_policies_cover_priorities, (priorities([1, 2, 3, 4, 5]),)),
    EvidenceRule(
        "servicedesk.sla-compliance", "SLA compliance",
        "Of the tickets of the listed priorities that had an SLA policy and were resolved "
        "(or, for the response measure, first responded to, or breached without a response) "
        "in the period, the share whose target was never breached — as the service desk "
        "statistics count it. The period is the given number of whole days before the day "
        "checked, in UK time. Met when that share is at least the target; with no tickets to "
        "measure it is not met.",
        sla_compliance,
        (priorities([1, 2]), number("target_percent", 90, minimum=0, maximum=100), period_days(),
         one_of("measure", "resolution", ("resolution", "response")))),
    EvidenceRule(
        "servicedesk.satisfaction-measured", "Customer satisfaction is measured",
        "Counts the satisfaction ratings requesters gave in the period (whole days before the "
        "day checked) and their mean score out of 5. Met when there are at least the minimum "
        "number of ratings and the mean is at least the minimum average.",
        satisfaction_measured,
        (period_days(), whole("min_ratings", 10), number("min_average", 0, minimum=0, maximum=5))),
    EvidenceRule(
        "servicedesk.desk-in-use", "The service desk is in use",
        "Counts the tickets logged in the period (whole days before the day checked). Met "
        "when at least the minimum number were logged.",
        desk_in_use, (period_days(), whole("min_tickets", 50))),
]
