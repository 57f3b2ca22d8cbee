"""The service desk's home-page panels (core.home): a requester's way to ask for help
and their open requests; a team lead's load per member; an agent's queues with counts.
Registered in entries.py."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from borough.core import scope
from borough.core.home import HomePanel
from borough.servicedesk import queries
from borough.servicedesk.models import OPEN_STATUSES, Ticket

SHOWN = 5  # a requester's open requests listed on the home page


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
    memberships = queries.team_memberships_of(user, user.active_organisation_id)
    teams = [m.team_id for m in memberships]
    visible = Ticket.objects.visible_to(user)
    counts = visible.aggregate(**{
        name: Count("pk", filter=queries.queue_filter(name, user, teams=teams))
        for name in ("mine", "team", "unassigned", "breaching")})
    per_team = {row["team_id"]: row for row in visible.filter(
        queries.queue_filter("team", user, teams=teams)).values("team_id").annotate(
        open=Count("pk"), unassigned=Count("pk", filter=Q(assignee__isnull=True)))}
    queue_url = reverse("servicedesk:ticket_list")
    hours = int(queries.BREACHING_WINDOW.total_seconds() // 3600)
    notes = {"breaching": f"resolution due within {hours} hours"}
    return {
        "queues": [{"label": label, "count": counts[name], "url": f"{queue_url}?queue={name}",
                    "note": notes.get(name, "")}
                   for name, label in queries.QUEUES.items() if name in counts],
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
    led = [m.team for m in queries.team_memberships_of(user, user.active_organisation_id)
           if m.is_lead]
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


PANELS = [
    HomePanel("servicedesk-team-lead", "servicedesk/home/team_lead.html", team_lead, order=15),
    HomePanel("servicedesk-requester", "servicedesk/home/requester.html", requester, order=10),
    HomePanel("servicedesk-agent", "servicedesk/home/agent.html", agent, order=20),
]
