"""Reads of continuity management that are more than a filter: the recovery order the
CMDB suggests for a plan's items, a plan's content as a revision keeps it, a service's
continuity (the catalogue page's panel) and what is due for review. Other apps read
continuity through here."""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from borough.cmdb import queries as cmdb
from borough.continuity import models as m


def recovery_order(item_ids, graph, key=None) -> list[int]:
    """`item_ids` in the order to recover them: what an item runs on, depends on or
    connects to (transitively, through items not in the list too) comes before it.
    `graph` is a CMDB impact graph (cmdb.queries.DatabaseGraph, or MemoryGraph in tests);
    items that depend on each other in a cycle, and items with no order between them, come
    by `key` (default: id)."""
    chosen = list(dict.fromkeys(item_ids))
    if not chosen:
        return []
    key = key or (lambda i: i)
    below: dict[int, set[int]] = defaultdict(set)
    for edge in cmdb.closure_of_set(chosen, graph):
        below[edge.dependent].add(edge.dependency)
    wanted = set(chosen)

    def reach(start: int) -> set[int]:
        seen, stack = set(), [start]
        while stack:
            for nxt in below.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    reaches = {i: reach(i) & wanted for i in chosen}
    # i waits for j when i depends on j and j does not also depend on i (a cycle).
    waits = {i: {j for j in reaches[i] if j != i and i not in reaches[j]} for i in chosen}
    blocking: dict[int, set[int]] = defaultdict(set)
    for i, js in waits.items():
        for j in js:
            blocking[j].add(i)
    left = {i: len(js) for i, js in waits.items()}
    ready = [(key(i), i) for i in chosen if not left[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, item = heapq.heappop(ready)
        order.append(item)
        for dependent in blocking[item]:
            left[dependent] -= 1
            if not left[dependent]:
                heapq.heappush(ready, (key(dependent), dependent))
    return order


def recovery_items(plan, user) -> list[m.RecoveryItem]:
    return list(m.RecoveryItem.objects.visible_to(user).filter(plan=plan)
                .select_related("configuration_item__ci_class")
                .order_by("position", "configuration_item__name", "pk"))


@dataclass(frozen=True)
class Suggestion:
    item: m.RecoveryItem
    suggested: int

    @property
    def moves(self) -> bool:
        return self.item.position != self.suggested


def suggested_order(plan, items: list[m.RecoveryItem]) -> list[Suggestion]:
    """The plan's items with the place the CMDB's dependencies suggest for each, in the
    suggested order."""
    by_ci = {row.configuration_item_id: row for row in items}
    names = {row.configuration_item_id: (row.position, row.configuration_item.name.lower())
             for row in items}
    order = recovery_order(list(by_ci), cmdb.DatabaseGraph(plan.organisation_id),
                           key=lambda i: (*names[i], i))
    return [Suggestion(by_ci[ci], n) for n, ci in enumerate(order, start=1)]


def content(plan) -> dict:
    """The plan as a revision keeps it: its fields and parts, as people read them."""
    return {
        "title": plan.title, "kind": plan.get_kind_display(),
        "site": str(plan.site) if plan.site_id else "",
        "services": [str(s) for s in plan.services.order_by("name", "pk")],
        "owner": str(plan.owner) if plan.owner_id else "",
        "scope": plan.scope, "invocation_criteria": plan.invocation_criteria,
        "contacts": [{"role": c.role, "who": c.who, "employer": c.employer,
                      "phone": c.telephone, "email": c.email or (
                          c.person.email if c.person_id else "")}
                     for c in plan.contacts.select_related("person").order_by("position",
                                                                                "pk")],
        "steps": [{"number": s.number, "instruction": s.instruction, "done_by": s.done_by,
                   "expected_minutes": s.expected_minutes}
                  for s in plan.steps.order_by("number", "pk")],
        "recovery_items": [{"position": r.position, "item": str(r.configuration_item),
                            "note": r.note}
                           for r in plan.recovery_items.select_related("configuration_item")
                           .order_by("position", "configuration_item__name", "pk")],
    }


def latest_revision(plan) -> m.PlanRevision | None:
    return plan.revisions.order_by("-number").first()


def revisions_of(plan) -> list[m.PlanRevision]:
    return list(plan.revisions.select_related("issued_by").order_by("-number"))


def changed_since_revision(plan) -> bool:
    """Whether the plan now reads otherwise than its last issued revision."""
    latest = latest_revision(plan)
    return latest is not None and latest.content != content(plan)


@dataclass(frozen=True)
class ServiceContinuity:
    analyses: list
    plans: list
    last_test: m.ContinuityTest | None


def service_continuity(service, user) -> ServiceContinuity:
    """A business service's analyses (newest first), the plans that recover it and its
    last DR test, as `user` may see them."""
    analyses = list(m.BusinessImpactAnalysis.objects.visible_to(user).filter(service=service)
                    .order_by("-assessed_on", "-pk")[:5])
    plans = list(m.ContinuityPlan.objects.visible_to(user).filter(services=service)
                 .exclude(status=m.PlanStatus.RETIRED).select_related("site")
                 .order_by("title", "pk"))
    last = (m.ContinuityTest.objects.visible_to(user).filter(plan__services=service)
            .select_related("plan").order_by("-tested_on", "-pk").first())
    return ServiceContinuity(analyses, plans, last)


def reviews_overdue(queryset, on=None):
    """Of approved analyses or plans, those whose review is due before `on` (today)."""
    on = on or timezone.localdate()
    return queryset.filter(Q(review_due__lt=on))
