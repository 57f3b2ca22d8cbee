"""The service desk's home-page panels (core.home): a requester's way to ask for help
and their open requests; a team lead's load per member; an agent's queues with counts;
a manager's month against the SLA targets.
Registered in entries.py."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from borough.core import scope
from borough.core.home import HomePanel
from borough.servicedesk import queries, statistics
from borough.servicedesk.models import (
    OPEN_STATUSES,
    DailyOpened,
    DailyResolved,
    Priority,
    Ticket,
)

SHOWN = 5  # a requester's open requests listed on the home page
ANSWERED_DAYS = 7  # an agent's tickets the requester answered this recently
ANSWERED_SHOWN = 10


def _memberships(request) -> list:
    """The user's teams in the active organisation, read once for the agent's and the
    team lead's panels of the same page."""
    if not hasattr(request, "_borough_memberships"):
        user = request.user
        request._borough_memberships = queries.team_memberships_of(
            user, user.active_organisation_id)
    return request._borough_memberships


def requester(request) -> dict | None:
    """For people who ask for help rather than give it."""
    user = request.user
    if user.has_perm("servicedesk.work_tickets") or not scope.can(user, "add", Ticket, None):
        return None
    mine = Ticket.objects.visible_to(user).filter(requester__user=user,
                                                  status__in=OPEN_STATUSES)
    shown = list(mine.order_by("-created_at")[:SHOWN])
    return {"tickets": shown,
            "count": mine.count(),
            "new_url": reverse("servicedesk:portal_new"),
            "all_url": reverse("servicedesk:portal_home")}


def agent(request) -> dict | None:
    """For people who work tickets: their queues, their teams' and what breaches soon,
    each count the number of tickets its link lists."""
    user = request.user
    if not user.has_perm("servicedesk.work_tickets"):
        return None
    memberships = _memberships(request)
    teams = [m.team_id for m in memberships]
    visible = Ticket.objects.visible_to(user)
    counts = visible.aggregate(**{
        name: Count("pk", filter=queries.queue_filter(name, user, teams=teams))
        for name in ("mine", "team", "unassigned", "breaching")})
    per_team = {row["team_id"]: row for row in visible.filter(
        queries.queue_filter("team", user, teams=teams)).values("team_id").annotate(
        open=Count("pk"), unassigned=Count("pk", filter=Q(assignee__isnull=True)))}
    answered = list(queries.answered_by_requester(
        visible, user, timezone.now() - timedelta(days=ANSWERED_DAYS))
        .only("pk", "reference", "title")[:ANSWERED_SHOWN])
    queue_url = reverse("servicedesk:ticket_list")
    hours = int(queries.BREACHING_WINDOW.total_seconds() // 3600)
    notes = {"breaching": f"resolution due within {hours} hours"}
    return {
        "queues": [{"label": label, "count": counts[name], "url": f"{queue_url}?queue={name}",
                    "note": notes.get(name, "")}
                   for name, label in queries.QUEUES.items() if name in counts],
        "answered": answered, "answered_days": ANSWERED_DAYS,
        "teams": [{"name": m.team.name,
                   "open": per_team.get(m.team_id, {}).get("open", 0),
                   "unassigned": per_team.get(m.team_id, {}).get("unassigned", 0),
                   "open_url": f"{queue_url}?queue=all&team={m.team_id}",
                   "unassigned_url": f"{queue_url}?queue=unassigned&team={m.team_id}"}
                  for m in memberships],
    }


def team_lead(request) -> dict | None:
    """For team leads: each of their teams' load per member, what no one has yet, and
    what is past its SLA target."""
    user = request.user
    if not user.has_perm("servicedesk.work_tickets"):
        return None
    led = [m.team for m in _memberships(request) if m.is_lead]
    if not led:
        return None
    members = queries.members_of([team.pk for team in led])
    load = {(row["team_id"], row["assignee_id"]): row for row in Ticket.objects.visible_to(user)
            .filter(queries.queue_filter("team", user, teams=[t.pk for t in led]))
            .values("team_id", "assignee_id")
            .annotate(open=Count("pk"), breached=Count("pk", filter=queries.breached_filter()))}
    queue_url = reverse("servicedesk:ticket_list")

    def figures(team, assignee_id) -> dict:
        row = load.get((team.pk, assignee_id), {})
        return {"open": row.get("open", 0), "breached": row.get("breached", 0)}

    teams = []
    for team in led:
        base = f"{queue_url}?queue=all&team={team.pk}"
        rows = [{"name": m.person.full_name, **figures(team, m.person.user_id),
                 "open_url": f"{base}&assignee={m.person.user_id}",
                 "breached_url": f"{base}&assignee={m.person.user_id}&breached=true"}
                for m in members if m.team_id == team.pk and m.person.user_id]
        unassigned = figures(team, None)
        totals = {"open": sum(r["open"] for r in load.values() if r["team_id"] == team.pk),
                  "breached": sum(r["breached"] for r in load.values()
                                  if r["team_id"] == team.pk)}
        teams.append({"name": team.name, "members": rows, "unassigned": unassigned,
                      "unassigned_url": f"{queue_url}?queue=unassigned&team={team.pk}",
                      "unassigned_breached_url":
                          f"{queue_url}?queue=unassigned&team={team.pk}&breached=true",
                      "totals": totals, "open_url": base, "breached_url": f"{base}&breached=true"})
    return {"teams": teams}


TREND_DAYS = 28


def manager(request) -> dict | None:
    """For those accountable for the desk's service levels (who may change the SLA
    policies): the month so far against each priority's target, the backlog and which
    way it is going, and satisfaction."""
    user = request.user
    if not (statistics.can_view(user) and user.has_perm("servicedesk.change_slapolicy")):
        return None
    today = timezone.now().astimezone(statistics.local_zone()).date()
    month = statistics.Period(today.replace(day=1), today)
    resolved_days = statistics.days_for(DailyResolved, user)
    months = statistics.monthly_resolution(resolved_days, month)
    targets = {}
    for policy in queries.desk_config(user.active_organisation_id).policies:
        if policy.business_service_id:  # one service's targets, not the desk's
            continue
        if policy.ticket_type == "" or policy.priority not in targets:
            targets[policy.priority] = policy.compliance_target
    statistics_url = reverse("servicedesk:statistics")
    month_url = (f"{statistics_url}?date_from={month.date_from.isoformat()}"
                 f"&date_to={month.date_to.isoformat()}")
    priorities = []
    for priority, label in Priority.choices:
        counts = months.get((month.date_from.replace(day=1), priority))
        with_sla = counts.with_sla if counts else 0
        met = counts.sla_met if counts else 0
        share = statistics.percent(met, with_sla)
        target = targets.get(priority)
        priorities.append({
            "label": label, "with_sla": with_sla, "met": met, "percent": share,
            "target": target,
            "verdict": ("" if share is None or target is None
                        else "Met" if share >= target else "Below target")})
    recent = statistics.Period(today - timedelta(days=TREND_DAYS - 1), today)
    opened = statistics.tickets_logged(statistics.days_for(DailyOpened, user), recent)
    resolved = sum(row["n"] for row in statistics.resolved_rows(resolved_days, recent))
    rated, mean, _ = statistics.satisfaction(statistics.ratings_for(user), month)
    return {
        "month": month, "month_url": month_url, "priorities": priorities,
        "open": Ticket.objects.visible_to(user).filter(status__in=OPEN_STATUSES).count(),
        "open_url": f"{reverse('servicedesk:ticket_list')}?queue=all",
        "opened": opened, "resolved": resolved, "change": opened - resolved,
        "trend_days": TREND_DAYS,
        "trend_url": (f"{statistics_url}?date_from={recent.date_from.isoformat()}"
                      f"&date_to={recent.date_to.isoformat()}"),
        "rated": rated, "mean": mean,
    }


PANELS = [
    HomePanel("servicedesk-manager", "servicedesk/home/manager.html", manager, order=12),
    HomePanel("servicedesk-team-lead", "servicedesk/home/team_lead.html", team_lead, order=15),
    HomePanel("servicedesk-requester", "servicedesk/home/requester.html", requester, order=10),
    HomePanel("servicedesk-agent", "servicedesk/home/agent.html", agent, order=20),
]
