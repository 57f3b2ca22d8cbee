"""Reads of the service desk that are more than a filter, and the way other apps read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import router
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from borough.accounts.models import User
from borough.core import scope
from borough.core.business_time import BusinessCalendar
from borough.core.perf.cache import LocalCache
from borough.organisation import queries as org_queries
from borough.organisation.models import (
    Organisation,
    Person,
    ServiceUnit,
    Site,
    Team,
    TeamMembership,
)
from borough.servicedesk.models import (
    DEFAULT_MATRIX,
    DONE_STATUSES,
    OPEN_STATUSES,
    Category,
    DeskSettings,
    EntryKind,
    PriorityRule,
    SLAPolicy,
    Ticket,
    TimelineEntry,
    WorkLog,
)
from borough.servicedesk.sla import Clock


def organisation_of(ticket):
    """The ticket's organisation row if it came with the ticket (the services' lock reads
    it), else its id: what calendar() and desk_config() take, to save reading it again."""
    return ticket.organisation if Ticket.organisation.is_cached(ticket) else ticket.organisation_id


def calendar(organisation) -> BusinessCalendar:
    """The business calendar of an organisation (its row, or its id), as it stands: a row
    read in this request or job carries the stamp the process's copy is kept under
    (organisation.queries.calendar); for an id the row is read."""
    if hasattr(organisation, "config_version"):
        return org_queries.calendar(organisation)
    row = org_queries.organisation(getattr(organisation, "pk", organisation))
    if row is None:
        raise Organisation.DoesNotExist(f"No organisation {organisation!r}.")
    return org_queries.calendar(row)


# --- the desk's configuration, kept per organisation -------------------------------------
#
# The priority matrix, the SLA policies and the desk settings are read on every ticket
# raised and every ticket page; they change a few times a year (and the lists below, a
# few times a month). Each process keeps them per organisation and config_version, the
# stamp on the organisation's row that every write of these models through core.services
# raises in its own transaction (core/perf/stamps.py). The row is read anyway (it is the
# new ticket's organisation), so a change made in any process applies to the next ticket
# everywhere, at no query of its own.

# The staff form validates a ticket's service unit, site, category and team against the
# same cached copy (a dictionary look-up each, instead of a query each).
CHOICE_MODELS = {"service_unit": ServiceUnit, "site": Site, "category": Category, "team": Team}


@dataclass(frozen=True)
class DeskConfig:
    # Of the organisation's row it was built from (no row itself: a request's is lazy).
    organisation_id: int | None
    config_version: int | None = None
    nation: str = ""
    matrix: dict[tuple[int, int], int] = field(default_factory=dict)
    policies: tuple[SLAPolicy, ...] = ()  # active ones
    warning_percent: int = 75
    # Ticket field name -> {id: record} of the organisation's records, active or not
    # (shared between threads: read, never change, them).
    records: dict[str, dict[int, object]] = field(default_factory=dict)
    # The people who work tickets here, by name (accounts.Membership feeds the stamp).
    workers: tuple = ()
    require_resolution_code: bool = False

    @property
    def calendar(self) -> BusinessCalendar:
        return org_queries.calendar_at(self.organisation_id, self.config_version, self.nation)


_configs = LocalCache("desk-configs", size=64)


def desk_config(organisation_id: int, organisation=None) -> DeskConfig:
    """The organisation's priority matrix, active SLA policies and warning percent.
    `organisation`: its row if this request read it already (saves reading it again)."""
    return organisation_and_config(organisation_id, organisation)[1]


def organisation_and_config(organisation_id: int, organisation=None):
    """(the organisation, its DeskConfig): one query (the organisation's row, unless given)
    while the configuration is unchanged."""
    alias = router.db_for_read(SLAPolicy)
    if getattr(organisation, "pk", None) != organisation_id:
        organisation = org_queries.organisation(organisation_id, alias)
    if organisation is None:
        return None, DeskConfig(None)
    return organisation, _configs.get_or_build(
        (organisation.pk, organisation.config_version),
        lambda: _build_config(organisation, alias))


def _build_config(organisation, alias: str) -> DeskConfig:
    organisation_id = organisation.pk
    matrix = {(rule.impact, rule.urgency): rule.priority
              for rule in PriorityRule.objects.using(alias).filter(organisation_id=organisation_id)}
    policies = tuple(SLAPolicy.objects.using(alias).filter(organisation_id=organisation_id,
                                                           is_active=True).order_by("pk"))
    warning, code_required = DeskSettings.objects.using(alias).filter(
        organisation_id=organisation_id).values_list(
        "warning_percent", "require_resolution_code").first() or (None, False)
    records = {}
    for name, model in CHOICE_MODELS.items():
        qs = model.objects.using(alias).filter(organisation_id=organisation_id)
        if model is Category:
            qs = qs.select_related("parent")  # str() of a category names its parent
        records[name] = {record.pk: record for record in qs}
    return DeskConfig(organisation_id, organisation.config_version, organisation.nation, matrix,
                      policies, warning or 75, records,
                      tuple(workers_queryset(organisation_id).using(alias)), code_required)


def priority_for(organisation_id: int, impact: int, urgency: int,
                 config: DeskConfig | None = None) -> int:
    """The impact × urgency matrix's priority (Desk settings › Priority matrix)."""
    config = config or desk_config(organisation_id)
    key = (int(impact), int(urgency))
    return config.matrix.get(key) or DEFAULT_MATRIX[key]


def policy_for(ticket: Ticket, config: DeskConfig | None = None) -> SLAPolicy | None:
    """The most specific active policy for the ticket's priority: its business service's
    own first (the catalogue's service level agreement), then its type's, then any. A
    ticket names its service in `service` (Ticket.service)."""
    config = config or desk_config(ticket.organisation_id)
    service_id = ticket.service_id
    candidates = [p for p in config.policies if p.priority == ticket.priority
                  and p.ticket_type in (ticket.ticket_type, "")
                  and p.business_service_id in (service_id, None)]
    return sorted(candidates, key=lambda p: (p.business_service_id is None,
                                             p.ticket_type == "", p.pk))[0] if candidates else None


def clock_for(ticket: Ticket, policy: SLAPolicy | None, config: DeskConfig | None = None) -> Clock:
    if config is None:
        loaded = organisation_of(ticket)
        config = desk_config(ticket.organisation_id, None if isinstance(loaded, int) else loaded)
    return desk_clock(config, policy)


def desk_clock(config: DeskConfig, policy: SLAPolicy | None) -> Clock:
    """The SLA clock a policy runs on under this configuration."""
    business = policy.business_hours if policy is not None else True
    cal = config.calendar
    if not cal.has_working_hours:
        business = False  # an organisation with no hours set counts round the clock
    return Clock(cal, business, config.warning_percent)


def reopen_days(organisation_id: int) -> int:
    """Days after resolution in which a ticket may be reopened (Desk settings)."""
    days = DeskSettings.objects.filter(organisation_id=organisation_id).values_list(
        "reopen_days", flat=True).first()
    return DeskSettings._meta.get_field("reopen_days").default if days is None else days


def requires_resolution_code(organisation_id: int) -> bool:
    """Whether the desk asks how each ticket was resolved (Desk settings)."""
    return bool(DeskSettings.objects.filter(organisation_id=organisation_id).values_list(
        "require_resolution_code", flat=True).first())


def person_for(user, organisation_id: int) -> Person | None:
    if user is None:
        return None
    return Person.objects.filter(user=user, organisation_id=organisation_id).first()


def team_users(team) -> list[User]:
    if team is None:
        return []
    return list(User.objects.filter(people__team_memberships__team=team, is_active=True).distinct())


def escalation_users(ticket: Ticket) -> list[User]:
    """The assignee and the leads of the ticket's team, for SLA warnings and breaches."""
    users = [ticket.assignee] if ticket.assignee_id else []
    if ticket.team_id:
        users += list(User.objects.filter(
            people__team_memberships__team_id=ticket.team_id,
            people__team_memberships__is_lead=True, is_active=True,
        ).distinct())
    return users


def tickets_needing_sla_check(now: datetime) -> list[int]:
    """Running clocks that may have crossed a warning or breach since the last sweep."""
    due = (
        Q(warning_sent_at__isnull=True, warning_due_at__lte=now)
        | Q(resolution_breached_at__isnull=True, resolution_due_at__lte=now)
        | Q(response_breached_at__isnull=True, responded_at__isnull=True, response_due_at__lte=now)
    )
    return list(
        Ticket.objects.exclude(status__in=DONE_STATUSES)
        .filter(due, clock_paused_at__isnull=True, sla_policy__isnull=False)
        .values_list("pk", flat=True)
    )


def team_memberships_of(user, organisation_id: int | None = None) -> list[TeamMembership]:
    memberships = TeamMembership.objects.filter(person__user=user).select_related("team")
    if organisation_id is not None:
        memberships = memberships.filter(organisation_id=organisation_id)
    return list(memberships.order_by("team__name"))


def members_of(team_ids: list[int]) -> list[TeamMembership]:
    """The members of these teams with their people, by name."""
    return list(TeamMembership.objects.filter(team_id__in=team_ids, person__is_active=True)
                .select_related("person").order_by("person__full_name"))


def answered_by_requester(tickets, user, since: datetime):
    """The user's open tickets whose latest reply, since `since`, is the requester's
    (signed in, or by email from someone without a login): theirs to answer next."""
    replies = TimelineEntry.objects.filter(ticket=OuterRef("pk"), kind=EntryKind.REPLY
                                           ).order_by("-created_at", "-id")
    return (tickets.filter(assignee=user, status__in=OPEN_STATUSES)
            .annotate(last_reply_at=Subquery(replies.values("created_at")[:1]),
                      last_reply_by=Subquery(replies.values("author_id")[:1]))
            .filter(last_reply_at__gte=since)
            .filter(Q(last_reply_by__isnull=True) | Q(last_reply_by=F("requester__user_id")))
            .order_by("-last_reply_at"))


# --- the queues ---------------------------------------------------------------------------

BREACHING_WINDOW = timedelta(hours=4)
QUEUES = {
    "all": "All open tickets",
    "mine": "My tickets",
    "team": "My teams' queue",
    "unassigned": "Unassigned",
    "breaching": "Breaching soon",
}


def breached_filter(now=None) -> Q:
    """Tickets past an SLA target: recorded, or running past the resolution due time
    (the sweep records it within the minute)."""
    now = now or timezone.now()
    return (Q(resolution_breached_at__isnull=False) | Q(response_breached_at__isnull=False)
            | Q(resolution_due_at__lt=now, clock_paused_at__isnull=True,
                status__in=OPEN_STATUSES))


def queue_filter(queue: str, user, *, teams: list[int] | None = None, now=None) -> Q:
    """The open tickets in a queue, as a filter: the queue page and the home page's
    counts use the same one, so a count is what its link lists. `teams`: the user's team
    ids, if read already."""
    open_ = Q(status__in=OPEN_STATUSES)
    if queue == "mine":
        return open_ & Q(assignee=user)
    if queue == "team":
        if teams is None:
            teams = [m.team_id for m in team_memberships_of(user)]
        return open_ & Q(team_id__in=teams)
    if queue == "unassigned":
        return open_ & Q(assignee__isnull=True)
    if queue == "breaching":
        soon = (now or timezone.now()) + BREACHING_WINDOW
        return open_ & Q(clock_paused_at__isnull=True, resolution_due_at__lte=soon)
    return open_


def workers_queryset(organisation_id: int | None):
    """People who can be assigned tickets in the organisation (the desk's configuration
    keeps them: DeskConfig.workers)."""
    return User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__is_active=True,
        memberships__role__permissions__codename="work_tickets", is_active=True,
    ).distinct().order_by("first_name", "last_name")


# --- the work log ----------------------------------------------------------------------


@dataclass
class WorkLogSummary:
    entries: list
    total_minutes: int

    @property
    def total_label(self) -> str:
        return minutes_label(self.total_minutes)


def minutes_label(minutes: int) -> str:
    """95 -> "1 h 35 min"; 45 -> "45 min"; 120 -> "2 h"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def work_log(ticket: Ticket, user) -> WorkLogSummary:
    """The time logged on a ticket that `user` may read, latest first, and its total."""
    entries = list(WorkLog.objects.visible_to(user).filter(ticket=ticket)
                   .select_related("worked_by", "team").order_by("-worked_on", "-pk"))
    for found in entries:
        found.correctable = may_correct(found, user)
    return WorkLogSummary(entries, sum(e.minutes for e in entries))


CORRECTS_TIME = "servicedesk.correct_worklogs"


def may_correct(entry: WorkLog, user) -> bool:
    """Whoever logged time corrects it; team leads and ICT management correct anyone's
    (the permission CORRECTS_TIME)."""
    if user is None or not user.is_authenticated:
        return False
    if entry.worked_by_id == user.pk or (user.is_active and user.is_superuser):
        return True
    return entry.organisation_id in scope.organisation_ids(user, CORRECTS_TIME)


def correctable_time(ticket: Ticket, user) -> list[WorkLog]:
    """The entries of the ticket's work log that `user` may correct, latest first."""
    return [e for e in work_log(ticket, user).entries if e.correctable]


def time_entry_label(entry: WorkLog) -> str:
    who = entry.worked_by.get_full_name() or entry.worked_by.username
    note = f" · {entry.note}" if entry.note else ""
    return f"{entry.worked_on:%-d %b %Y} · {who} · {entry.minutes} min{note}"


def time_logged(organisation_id: int, first, last, *, ci_ids=None, service_ids=None
                ) -> list[dict]:
    """Time logged from `first` to `last` (days worked) on tickets about a configuration
    item or a business service, for the total cost of systems and services (finance): a
    ticket's time counts for its configuration item if it names one, else for its
    service. Dicts of kind ("item" or "service"), target (its id), team (the team the
    time was logged under, or None) and minutes, one per target and team. `ci_ids` /
    `service_ids`: only those (None: all)."""
    logs = WorkLog.objects.filter(organisation_id=organisation_id, worked_on__gte=first,
                                  worked_on__lte=last)
    found = []
    by_item = logs.filter(ticket__ci__isnull=False)
    by_service = logs.filter(ticket__ci__isnull=True, ticket__service__isnull=False)
    if ci_ids is not None or service_ids is not None:
        by_item = by_item.filter(ticket__ci_id__in=list(ci_ids or ()))
        by_service = by_service.filter(ticket__service_id__in=list(service_ids or ()))
    for kind, rows, column in (("item", by_item, "ticket__ci_id"),
                               ("service", by_service, "ticket__service_id")):
        for target, team, minutes in (rows.values_list(column, "team_id")
                                      .annotate(minutes=Sum("minutes"))
                                      .order_by(column, "team_id")):
            found.append({"kind": kind, "target": target, "team": team,
                          "minutes": int(minutes)})
    return found
