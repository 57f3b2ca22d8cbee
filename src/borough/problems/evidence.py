"""Problem management's evidence rules for the standards module (core.evidence; the
contract is in docs/standards.md), for the problem management criteria: repeated incidents
have a problem raised for them, workarounds are recorded as known errors, and known errors
are used to resolve calls. Each reads only the organisation it is given, writes nothing,
and returns the figures and links behind it; records made after `as_of` are not counted."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, one_of, whole
from borough.problems.models import GroupBy, KnownError, KnownErrorUse, ProblemIncident
from borough.servicedesk.models import Ticket, TicketType


def _names(names, limit: int = 10) -> str:
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def repeated_groups(organisation, params, as_of) -> list[dict]:
    """Each CI (category, service) with at least `min_incidents` incidents within
    `window_days` of each other, among the incidents raised in the last `period_days`
    before `as_of`: its label and the ids of the incidents of its busiest window."""
    field = {GroupBy.CI: "ci", GroupBy.CATEGORY: "category",
             GroupBy.SERVICE: "service"}[params["group_by"]]
    start = as_of - timedelta(days=params["period_days"])
    rows = (Ticket.objects.for_organisation(organisation)
            .filter(ticket_type=TicketType.INCIDENT, created_at__gt=start,
                    created_at__lte=as_of).exclude(**{f"{field}_id": None})
            .order_by(f"{field}_id", "created_at")
            .values_list(f"{field}_id", "pk", "created_at"))
    by_group: dict[int, list] = {}
    for key, pk, at in rows:
        by_group.setdefault(key, []).append((at, pk))
    window = timedelta(days=params["window_days"])
    found = []
    for key, incidents in by_group.items():
        best: list = []
        first = 0
        for last in range(len(incidents)):
            while incidents[last][0] - incidents[first][0] > window:
                first += 1
            if last - first + 1 > len(best):
                best = incidents[first:last + 1]
        if len(best) >= params["min_incidents"]:
            found.append({"key": key, "incidents": [pk for _, pk in best]})
    if found:
        model = Ticket._meta.get_field(field).related_model
        labels = dict(model._default_manager.filter(pk__in=[g["key"] for g in found])
                      .values_list("pk", "name"))
        for group in found:
            group["label"] = labels.get(group["key"], str(group["key"]))
    return sorted(found, key=lambda g: g["label"])


def repeated_incidents_have_problems(organisation, params, as_of) -> EvidenceResult:
    """Of the groups of repeated incidents, the share with a problem raised: one of the
    incidents in its busiest window linked to a problem by `as_of`."""
    groups = repeated_groups(organisation, params, as_of)
    linked = set(ProblemIncident.objects.for_organisation(organisation).filter(
        created_at__lte=as_of, ticket_id__in=[pk for g in groups for pk in g["incidents"]])
        .values_list("ticket_id", flat=True))
    covered = [g for g in groups if linked & set(g["incidents"])]
    missing = [g["label"] for g in groups if g not in covered]
    percent = round(100 * len(covered) / len(groups), 1) if groups else None
    target = params["target_percent"]
    on = GroupBy(params["group_by"]).label.lower()
    words = (f"{params['min_incidents']} or more incidents on the same {on} within "
             f"{params['window_days']} days, in the last {params['period_days']} days")
    figures = {"repeated_groups": len(groups), "with_problem": len(covered),
               "percent": percent, "target_percent": target, "without_problem": missing,
               **{k: params[k] for k in ("group_by", "window_days", "min_incidents",
                                         "period_days")}}
    if not groups:
        summary = f"No {words}, so there is nothing to show."
    elif missing:
        summary = (f"{len(covered)} of {len(groups)} groups of {words} have a problem raised "
                   f"({percent}%, target {target}%); none for {_names(missing)}.")
    else:
        summary = f"Every one of the {len(groups)} groups of {words} has a problem raised."
    links = (EvidenceLink("Incident trends", reverse("problems:trends")),
             EvidenceLink("Problems", reverse("problems:problem_list")))
    return EvidenceResult(bool(groups) and percent >= target, summary, figures, links)


def known_errors_with_workarounds(organisation, params, as_of) -> EvidenceResult:
    """Known errors recorded by `as_of`, each with its workaround."""
    recorded = KnownError.objects.for_organisation(organisation).filter(created_at__lte=as_of)
    total = recorded.count()
    with_workaround = recorded.exclude(workaround="").count()
    need = params["min_known_errors"]
    figures = {"known_errors": total, "with_workaround": with_workaround,
               "min_known_errors": need}
    if with_workaround >= need:
        summary = (f"{with_workaround} known error{'s' if with_workaround != 1 else ''} "
                   f"recorded with {'its' if with_workaround == 1 else 'their'} workaround.")
    else:
        summary = (f"{with_workaround} known errors recorded with a workaround; at least "
                   f"{need} are asked for.")
    return EvidenceResult(with_workaround >= need, summary, figures,
                          (EvidenceLink("Known errors", reverse("problems:knownerror_list")),))


def known_errors_used(organisation, params, as_of) -> EvidenceResult:
    """Tickets that a known error's workaround fixed in the period ("this fixed it")."""
    start = as_of - timedelta(days=params["period_days"])
    fixed = KnownErrorUse.objects.for_organisation(organisation).filter(
        fixed=True, created_at__gt=start, created_at__lte=as_of).count()
    need = params["min_fixed"]
    day = timezone.localtime(as_of).date()
    summary = (f"Known errors fixed {fixed} ticket{'s' if fixed != 1 else ''} in the "
               f"{params['period_days']} days to {day:%-d %B %Y}"
               + ("." if fixed >= need else f"; at least {need} are asked for."))
    return EvidenceResult(fixed >= need, summary,
                          {"fixed": fixed, "min_fixed": need,
                           "period_days": params["period_days"]},
                          (EvidenceLink("Known error uses",
                                        reverse("problems:knownerroruse_list") + "?fixed=true"),))


RULES = [
    EvidenceRule(
        "problems.repeated-incidents-have-problems", "Problems raised for repeated incidents",
        "Groups of repeated incidents (at least the number given on the same configuration "
        "item, category or service within the window) among the incidents of the period; "
        "met when at least the target share has a problem raised for it (one of the "
        "incidents linked to a problem).",
        repeated_incidents_have_problems,
        (whole("period_days", 91, minimum=1, maximum=3660),
         whole("window_days", 28, minimum=1, maximum=366),
         whole("min_incidents", 3, minimum=2, maximum=1000),
         one_of("group_by", GroupBy.CI.value, GroupBy.values),
         number("target_percent", 80, minimum=0, maximum=100))),
    EvidenceRule(
        "problems.known-errors-with-workarounds", "Known errors recorded with workarounds",
        "Known errors recorded by the date, each with the workaround the service desk "
        "applies; met when there are at least the number given.",
        known_errors_with_workarounds, (whole("min_known_errors", 1, minimum=1,
                                              maximum=100000),)),
    EvidenceRule(
        "problems.known-errors-used", "Known errors used to resolve calls",
        "Tickets marked “this fixed it” with a known error in the period; met when there "
        "are at least the number given.",
        known_errors_used, (whole("period_days", 91, minimum=1, maximum=3660),
                            whole("min_fixed", 5, minimum=1, maximum=100000))),
]
