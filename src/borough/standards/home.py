"""The standards module's home-page panel (core.home), for those who run the assessment
and own the action plan: the latest review's standards against their targets, theme by
theme, and the actions overdue or due soon. Registered in entries.py."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.urls import reverse

from borough.core import scope
from borough.core.home import HomePanel
from borough.standards import models as m
from borough.standards.actions import services as plan

DUE_SOON_DAYS = 30


def manager(request) -> dict | None:
    user = request.user
    if not scope.can(user, "change", m.AssessmentCycle, None):
        return None
    cycle = m.AssessmentCycle.objects.visible_to(user).order_by("-starts_on", "-pk").first()
    themes = []
    if cycle is not None:
        rated = Q(current_level__isnull=False, target_level__isnull=False)
        themes = list(
            m.StandardAssessment.objects.visible_to(user).filter(cycle=cycle)
            .values(name=F("standard__theme__name"), order=F("standard__theme__order"))
            .annotate(on_target=Count("pk", filter=rated & Q(current_level__gte=F("target_level"))),
                      below=Count("pk", filter=rated & Q(current_level__lt=F("target_level"))),
                      unrated=Count("pk", filter=~rated))
            .order_by("order", "name"))
    today = plan.today()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    actions = m.Action.objects.visible_to(user).open().aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)))
    plan_url = reverse("standards:action_list")
    open_statuses = [("status", s.value) for s in m.OPEN_ACTION_STATUSES]
    return {
        "cycle": cycle,
        "cycle_url": (reverse("standards:assessmentcycle_detail", args=[cycle.pk])
                      if cycle else reverse("standards:assessmentcycle_list")),
        "themes": themes,
        "overdue": actions["overdue"],
        "overdue_url": f"{plan_url}?overdue=true",
        "due_soon": actions["due_soon"],
        "due_soon_days": DUE_SOON_DAYS,
        "due_soon_url": f"{plan_url}?" + urlencode(
            [*open_statuses, ("due_after", today.isoformat()), ("due_before", soon.isoformat())]),
    }


PANELS = [HomePanel("standards-manager", "standards/home/manager.html", manager, order=13)]
