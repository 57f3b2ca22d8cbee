"""Reads of the service desk that are more than a filter, and the way other apps read it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections, router
from django.db.models import Q

from borough.accounts.models import User
from borough.core.business_time import BusinessCalendar
from borough.organisation.models import Person, ServiceUnit, Site, Team, TeamMembership
from borough.organisation.queries import calendar_for
from borough.servicedesk.models import (
    DEFAULT_MATRIX,
    DONE_STATUSES,
    Category,
    DeskSettings,
    PriorityRule,
    SLAPolicy,
    Ticket,
)
from borough.servicedesk.sla import Clock

CALENDAR_TTL = 30.0  # seconds; calendar edits reach every worker within this
_calendars: dict[int, tuple[float, BusinessCalendar]] = {}


def calendar(organisation) -> BusinessCalendar:
    org_id = getattr(organisation, "pk", organisation)
    cached = _calendars.get(org_id)
    if cached and time.monotonic() - cached[0] < CALENDAR_TTL:
        return cached[1]
    from borough.organisation.models import Organisation

    org = organisation if hasattr(organisation, "nation") else Organisation.objects.get(pk=org_id)
    value = calendar_for(org)
    _calendars[org_id] = (time.monotonic(), value)
    return value


def clear_calendar_cache() -> None:
    _calendars.clear()
    _configs.clear()


# --- the desk's configuration, cached per organisation -----------------------------------
#
# The priority matrix, the SLA policies and the desk settings are read on every ticket
# raised and every ticket page; they change a few times a year (and the lists below, a
# few times a month). Each worker keeps them per
# organisation with a fingerprint of these tables (row count and latest updated_at of
# each, one query of scalar subqueries); a read compares the fingerprint and rebuilds the
# copy when anything was added, changed or deleted, by any process. Writes go through
# save() (core.services), which stamps updated_at, so every worker sees a change on its
# next read. One query instead of three, and always current.

# The staff form validates a ticket's service unit, site, category and team against the
# same cached copy (a dictionary look-up each, instead of a query each).
CHOICE_MODELS = {"service_unit": ServiceUnit, "site": Site, "category": Category, "team": Team}
_CONFIG_MODELS = (PriorityRule, SLAPolicy, DeskSettings, *CHOICE_MODELS.values())


@dataclass(frozen=True)
class DeskConfig:
    fingerprint: tuple
    matrix: dict[tuple[int, int], int] = field(default_factory=dict)
    policies: tuple[SLAPolicy, ...] = ()  # active ones
    warning_percent: int = 75
    # Ticket field name -> {id: record} of the organisation's records, active or not
    # (shared between threads: read, never change, them).
    records: dict[str, dict[int, object]] = field(default_factory=dict)


_configs: dict[int, DeskConfig] = {}
_configs_lock = threading.Lock()


def _fingerprint_sql(connection) -> str:
    """SELECT the organisation's row and, per configuration table, its row count and
    latest updated_at. Built from model metadata only (no input), once per database."""
    from borough.organisation.models import Organisation

    sql = _fingerprint_sqls.get(connection.alias)
    if sql is None:
        quote = connection.ops.quote_name
        org = quote(Organisation._meta.db_table)
        columns = []
        for n, model in enumerate(_CONFIG_MODELS):
            table = quote(model._meta.db_table)
            where = f"WHERE {table}.{quote('organisation_id')} = {org}.{quote('id')}"
            count = f"(SELECT COUNT(*) FROM {table} {where})"  # noqa: S608 - model metadata
            latest = f"(SELECT MAX({table}.{quote('updated_at')}) FROM {table} {where})"  # noqa: S608
            columns += [f"{count} AS fingerprint_{n}_n", f"{latest} AS fingerprint_{n}_at"]
        sql = _fingerprint_sqls[connection.alias] = (
            f"SELECT {org}.*, {', '.join(columns)} FROM {org} "  # noqa: S608 - no input in it
            f"WHERE {org}.{quote('id')} = %s")
    return sql


_fingerprint_sqls: dict[str, str] = {}


def _organisation_with_fingerprint(organisation_id: int, alias: str):
    """The organisation row, with the fingerprint of its desk configuration (one query;
    written out once rather than compiled from the ORM on every request)."""
    from borough.organisation.models import Organisation

    rows = list(Organisation.objects.using(alias).raw(_fingerprint_sql(connections[alias]),
                                                      [organisation_id]))
    if not rows:
        return None, None
    organisation = rows[0]
    fingerprint = tuple(getattr(organisation, f"fingerprint_{n}_{part}")
                        for n in range(len(_CONFIG_MODELS)) for part in ("n", "at"))
    return organisation, fingerprint


def desk_config(organisation_id: int) -> DeskConfig:
    """The organisation's priority matrix, active SLA policies and warning percent."""
    return organisation_and_config(organisation_id)[1]


def organisation_and_config(organisation_id: int):
    """(the organisation, its DeskConfig) in one query while the configuration is unchanged."""
    alias = router.db_for_read(SLAPolicy)
    organisation, fingerprint = _organisation_with_fingerprint(organisation_id, alias)
    cached = _configs.get(organisation_id)
    if cached is not None and cached.fingerprint == fingerprint:
        return organisation, cached
    matrix = {(rule.impact, rule.urgency): rule.priority
              for rule in PriorityRule.objects.using(alias).filter(organisation_id=organisation_id)}
    policies = tuple(SLAPolicy.objects.using(alias).filter(organisation_id=organisation_id,
                                                           is_active=True).order_by("pk"))
    warning = DeskSettings.objects.using(alias).filter(
        organisation_id=organisation_id).values_list("warning_percent", flat=True).first()
    records = {}
    for name, model in CHOICE_MODELS.items():
        qs = model.objects.using(alias).filter(organisation_id=organisation_id)
        if model is Category:
            qs = qs.select_related("parent")  # str() of a category names its parent
        records[name] = {record.pk: record for record in qs}
    config = DeskConfig(fingerprint, matrix, policies, warning or 75, records)
    with _configs_lock:
        _configs[organisation_id] = config
    return organisation, config


def priority_for(organisation_id: int, impact: int, urgency: int,
                 config: DeskConfig | None = None) -> int:
    """The impact × urgency matrix's priority (Desk settings › Priority matrix)."""
    config = config or desk_config(organisation_id)
    key = (int(impact), int(urgency))
    return config.matrix.get(key) or DEFAULT_MATRIX[key]


def policy_for(ticket: Ticket, config: DeskConfig | None = None) -> SLAPolicy | None:
    """The most specific active policy for the ticket's priority (its type first)."""
    config = config or desk_config(ticket.organisation_id)
    candidates = [p for p in config.policies if p.priority == ticket.priority
                  and p.ticket_type in (ticket.ticket_type, "")]
    return sorted(candidates, key=lambda p: (p.ticket_type == "", p.pk))[0] if candidates else None


def clock_for(ticket: Ticket, policy: SLAPolicy | None, config: DeskConfig | None = None) -> Clock:
    business = policy.business_hours if policy is not None else True
    cal = calendar(ticket.organisation_id)
    if not cal.has_working_hours:
        business = False  # an organisation with no hours set counts round the clock
    config = config or desk_config(ticket.organisation_id)
    return Clock(cal, business, config.warning_percent)


def reopen_days(organisation_id: int) -> int:
    """Days after resolution in which a ticket may be reopened (Desk settings)."""
    days = DeskSettings.objects.filter(organisation_id=organisation_id).values_list(
        "reopen_days", flat=True).first()
    return DeskSettings._meta.get_field("reopen_days").default if days is None else days


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


def team_memberships_of(user) -> list[TeamMembership]:
    return list(TeamMembership.objects.filter(person__user=user).select_related("team"))


def workers(organisation_id: int) -> list[User]:
    """People who can be assigned tickets in the organisation."""
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id, memberships__is_active=True,
            memberships__role__permissions__codename="work_tickets", is_active=True,
        ).distinct().order_by("first_name", "last_name")
    )
