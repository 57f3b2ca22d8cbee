"""Reads of problem management beyond a filter: the known errors a ticket suggests, the
trends that propose problems, the figures, and what the ticket page's panel shows. The
only way another app reads this one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from borough.core import textsearch
from borough.problems.models import (
    OPEN,
    GroupBy,
    KnownError,
    KnownErrorUse,
    Problem,
    ProblemIncident,
    Status,
    TrendRule,
)
from borough.servicedesk.models import EntryKind, Ticket, TicketType, TimelineEntry

SUGGESTIONS = 5
# The ranking's own tie order, which an index gives (ke_ranked_first): where a ticket's
# words match thousands of known errors, the thousand used most are the ones ranked.
RANKED_FIRST = ("-fixed_count", "pk")


def known_error_suggestions(user, *, ci_id=None, service_id=None, category_id=None,
                            text: str = "", limit: int = SUGGESTIONS) -> list[KnownError]:
    """Current known errors that may explain a ticket: those on its configuration item,
    service or category, and those whose words match its own; most alike first (the same
    CI counts most, then the service, the category, then the words)."""
    near = Q(pk__in=[])
    score = Value(0.0)
    for name, value, weight in (("ci_id", ci_id, 3.0), ("service_id", service_id, 2.0),
                                ("category_id", category_id, 1.0)):
        if value:
            near |= Q(**{name: value})
            score = score + Case(When(**{name: value}, then=Value(weight)),
                                 default=Value(0.0))
    qs = KnownError.objects.visible_to(user).filter(is_active=True)
    found = textsearch.matching(qs, KnownError.text_search_fields,
                                textsearch.words_of(text), near=near, select=False,
                                first=RANKED_FIRST)
    return list(found.annotate(score=score + F("text_score"))
                .order_by("-score", *RANKED_FIRST)
                .only("pk", "reference", "title", "symptoms", "workaround", "fixed_count")
                [:limit])


def ticket_suggestions(ticket: Ticket, user, limit: int = SUGGESTIONS) -> list[KnownError]:
    return known_error_suggestions(
        user, ci_id=ticket.ci_id, service_id=ticket.service_id,
        category_id=ticket.category_id, text=f"{ticket.title} {ticket.description[:500]}",
        limit=limit)


# --- the ticket page ---------------------------------------------------------------------------

def problem_of_ticket_expression():
    """For the ticket page's own query (a scalar subquery, no round trip): the id of the
    latest problem its incident is linked to, so the page asks for nothing more when there
    is none (servicedesk's with_page_extras, core.registry.DetailPanel.annotations)."""
    return Subquery(ProblemIncident.objects.filter(ticket=OuterRef("pk"))
                    .order_by("-problem_id").values("problem_id")[:1])


def problem_for_ticket_page(problem_id: int, user) -> Problem | None:
    """The problem and its current known error's reference and workaround, in one query
    (`known_error_id`, `known_error_reference`, `known_error_workaround`; None without)."""
    current = KnownError.objects.filter(problem=OuterRef("pk"), is_active=True).order_by("-pk")
    return (Problem.objects.visible_to(user).filter(pk=problem_id)
            .annotate(**{f"known_error_{name}": Subquery(current.values(name)[:1])
                         for name in ("id", "reference", "workaround")}).first())


def problems_of_ticket(ticket_id: int, user) -> list[Problem]:
    return list(Problem.objects.visible_to(user).filter(incidents__ticket_id=ticket_id)
                .order_by("-pk"))


# --- trends ------------------------------------------------------------------------------------

@dataclass
class Trend:
    rule: TrendRule
    key: int
    label: str
    incidents: int
    unlinked: int
    references: list[str] = field(default_factory=list)


GROUP_FIELD = {GroupBy.CI: "ci", GroupBy.CATEGORY: "category", GroupBy.SERVICE: "service"}


def trend_incidents(rule: TrendRule, key: int, user, now=None):
    """The incidents of the rule's window on the one CI, category or service."""
    now = now or timezone.now()
    return (Ticket.objects.visible_to(user)
            .filter(ticket_type=TicketType.INCIDENT, organisation_id=rule.organisation_id,
                    created_at__gte=now - timedelta(days=rule.window_days),
                    **{f"{GROUP_FIELD[rule.group_by]}_id": key}))


def trends(user, organisation_id: int, now=None) -> list[Trend]:
    """For each active trend rule, the CIs (categories, services) with at least its number
    of incidents within its window, and how many of those are not linked to a problem yet:
    repeated incidents that propose a problem. Most incidents first."""
    now = now or timezone.now()
    found = []
    rules = TrendRule.objects.visible_to(user).filter(organisation_id=organisation_id,
                                                      is_active=True)
    linked = ProblemIncident.objects.filter(ticket=OuterRef("pk"))
    for rule in rules:
        name = GROUP_FIELD[rule.group_by]
        groups = (Ticket.objects.visible_to(user)
                  .filter(ticket_type=TicketType.INCIDENT, organisation_id=organisation_id,
                          created_at__gte=now - timedelta(days=rule.window_days))
                  .exclude(**{f"{name}_id": None})
                  .annotate(is_linked=Exists(linked))
                  .values(f"{name}_id")
                  .annotate(total=Count("pk"),
                            unlinked=Count("pk", filter=Q(is_linked=False)))
                  .filter(total__gte=rule.min_incidents).order_by("-total")[:50])
        groups = list(groups)
        model = Ticket._meta.get_field(name).related_model
        labels = {o.pk: str(o) for o in model._default_manager.filter(
            pk__in=[g[f"{name}_id"] for g in groups])}
        for group in groups:
            key = group[f"{name}_id"]
            references = list(trend_incidents(rule, key, user, now).order_by("-created_at")
                              .values_list("reference", flat=True)[:10])
            found.append(Trend(rule, key, labels.get(key, str(key)), group["total"],
                               group["unlinked"], references))
    return sorted(found, key=lambda t: (-t.unlinked, -t.incidents))


# --- figures -----------------------------------------------------------------------------------

def open_problems(organisation_id: int, now=None) -> dict:
    """Problems open, by state, and their age in days (the oldest, and the average)."""
    now = now or timezone.now()
    rows = list(Problem.objects.filter(organisation_id=organisation_id, status__in=OPEN)
                .values("status", "created_at"))
    ages = [(now - r["created_at"]).days for r in rows]
    by_state = {label: 0 for value, label in Status.choices if value in OPEN}
    for r in rows:
        by_state[Status(r["status"]).label] += 1
    return {"open": len(rows), "by_state": by_state,
            "oldest_days": max(ages) if ages else None,
            "average_days": round(sum(ages) / len(ages), 1) if ages else None}


def known_error_figures(organisation_id: int) -> dict:
    current = KnownError.objects.filter(organisation_id=organisation_id, is_active=True)
    uses = KnownErrorUse.objects.filter(organisation_id=organisation_id)
    return {"current": current.count(),
            "with_workaround": current.exclude(workaround="").count(),
            "used": uses.count(), "fixed": uses.filter(fixed=True).count()}


def reopened_after_fix(organisation_id: int, since=None) -> dict:
    """Incidents linked to a resolved or closed problem that were reopened after the
    problem was resolved: the fix did not hold for them."""
    reopened = TimelineEntry.objects.filter(
        ticket_id=OuterRef("ticket_id"), kind=EntryKind.STATUS, data__old="resolved",
        data__new="in-progress", created_at__gt=OuterRef("problem__resolved_at"))
    links = ProblemIncident.objects.filter(organisation_id=organisation_id,
                                           problem__resolved_at__isnull=False)
    if since is not None:
        links = links.filter(problem__resolved_at__gte=since)
    rows = list(links.annotate(reopened=Exists(reopened))
                .values_list("ticket_id", "reopened", "problem__reference"))
    again = {(ticket, reference) for ticket, was, reference in rows if was}
    return {"linked_to_fixed_problems": len(rows),
            "reopened": len({ticket for ticket, _ in again}),
            "problems": sorted({reference for _, reference in again})}
