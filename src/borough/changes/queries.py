"""Reads of change management that are more than a filter: the forward schedule with its
conflicts, the impact analysis a change keeps, the figures, and the planned work other
apps read (`scheduled_changes_for`: the service status pages' announcements)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q

from borough.catalogue import queries as catalogue
from borough.catalogue.models import BusinessService
from borough.changes import schedule as rules
from borough.changes.models import (
    PLANNED,
    CabVote,
    CausedIncident,
    Change,
    ChangeType,
    MaintenanceWindow,
    Outcome,
    ScheduleWindow,
    Status,
    WindowKind,
)
from borough.cmdb import queries as cmdb
from borough.cmdb.models import ConfigurationItem
from borough.core.business_time import BusinessCalendar
from borough.core.ids import id_set
from borough.core.links import record_url
from borough.core.perf.rows import fetch
from borough.problems.models import Problem

ITEMS = Change.configuration_items.through
SERVICES = Change.services.through
WINDOW_SERVICES = ScheduleWindow.services.through


# --- the forward schedule --------------------------------------------------------------

@dataclass
class Schedule:
    """The changes whose window meets [start, end), the blackout and freeze windows that
    do, and every conflict of those changes (also with changes just outside the range
    that overlap them)."""

    start: datetime
    end: datetime
    changes: list  # of Change or Scheduled
    windows: list[ScheduleWindow]
    found: rules.Found
    # Whatever a conflict names, by id, to say it in words (a change outside the range as
    # an Around row).
    others: dict[int, Change] = field(default_factory=dict)
    items: dict[int, tuple] = field(default_factory=dict)  # (pk, reference, name) rows
    services: dict[int, str] = field(default_factory=dict)

    def conflicts_of(self, change: Change) -> list[str]:
        return [self.words(c) for c in self.found.of(change.pk)]

    def words(self, conflict: rules.Conflict) -> str:
        return describe(conflict, self.others, self.items, {w.pk: w for w in self.windows},
                        self.services)

    @cached_property
    def conflicted(self) -> dict[int, list[str]]:
        shown, windows = self.shown, {w.pk: w for w in self.windows}
        return {pk: [describe(c, self.others, self.items, windows, self.services)
                     for c in found]
                for pk, found in self.found.by_change().items() if pk in shown}

    @cached_property
    def shown(self) -> set[int]:
        return {c.pk for c in self.changes}


def _label(item, pk: int | None) -> str:
    return f"{item.reference} {item.name}" if item is not None else f"item {pk}"


def describe(conflict: rules.Conflict, changes: dict, items: dict, windows: dict,
             services: dict) -> str:
    """A conflict in words, for the schedule, the change page and the agenda."""
    kind = conflict.kind
    if kind in (rules.SAME_ITEM, rules.DEPENDENT_ITEM):
        other = changes.get(conflict.other)
        name = other.reference if other is not None else f"change {conflict.other}"
        when = (f" ({_when(other.planned_start)} to {_when(other.planned_end)})"
                if other is not None and other.planned_start else "")
        near = _label(items.get(conflict.item), conflict.item)
        if kind == rules.SAME_ITEM:
            return f"{name}{when} changes the same item, {near}, at an overlapping time."
        far = _label(items.get(conflict.other_item), conflict.other_item)
        if conflict.depends:
            return (f"{name}{when} changes {far}, which {near} (changed here) depends on, at "
                    "an overlapping time.")
        return (f"{name}{when} changes {far}, which depends on {near} (changed here), at an "
                "overlapping time.")
    if kind in (rules.BLACKOUT, rules.FREEZE):
        window = windows.get(conflict.other)
        name = window.name if window is not None else "a window"
        span = (f" ({_when(window.starts_at)} to {_when(window.ends_at)})"
                if window is not None else "")
        if kind == rules.BLACKOUT:
            return f"It falls in the blackout “{name}”{span}: no changes are made then."
        return f"It falls in the freeze “{name}”{span}: only emergency changes are made then."
    service = services.get(conflict.other, f"service {conflict.other}")
    return f"It is outside the maintenance hours of {service}."


def _when(value: datetime | None) -> str:
    if value is None:
        return "?"
    local = value.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"{local:%a %-d %b %H:%M}"


def _merged(periods: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Overlapping or touching periods of one day as one (BusinessCalendar wants them
    sorted and apart); an end of 00:00 is the end of the day."""
    def minutes(t: time, end: bool) -> int:
        return 24 * 60 if end and t == time(0) else t.hour * 60 + t.minute

    spans = sorted((minutes(s, False), minutes(e, True)) for s, e in periods)
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(time(lo // 60, lo % 60), time(0) if hi == 24 * 60 else time(hi // 60, hi % 60))
            for lo, hi in merged]


def maintenance_hours(organisation_id: int, service_ids) -> dict[int, BusinessCalendar]:
    """{service id: its weekly maintenance hours as a calendar}, for the services that
    have any (one query)."""
    periods: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for service_id, weekday, starts, ends in MaintenanceWindow.objects.filter(
            organisation_id=organisation_id, service_id__in=list(service_ids)).values_list(
            "service_id", "weekday", "starts", "ends"):
        periods[service_id][weekday].append((starts, ends))
    zone = ZoneInfo(settings.TIME_ZONE)
    return {service: BusinessCalendar(zone, {day: _merged(spans) for day, spans in days.items()})
            for service, days in periods.items()}


class Scheduled(NamedTuple):
    """A change as the schedule shows it: a row, not a model instance. A month holds a
    thousand or two, and building them as instances was a sixth of the schedule's time
    (the page and the API read only these fields; `conflicts_for` takes either)."""

    pk: int
    organisation_id: int
    reference: str
    title: str
    status: str
    change_type: str
    planned_start: datetime
    planned_end: datetime

    def get_absolute_url(self) -> str:
        return record_url("changes:change_detail", self.pk)

    def get_status_display(self) -> str:
        return Status(self.status).label


SHOWN = Scheduled._fields


class Around(NamedTuple):
    """What the conflicts need of a change outside the range (`describe`: its reference
    and window; the rules: its type), as a row: a month has some hundreds."""

    pk: int
    reference: str
    planned_start: datetime
    planned_end: datetime
    change_type: str


def _around(organisation_id: int, start: datetime, end: datetime, exclude) -> list[Around]:
    found = Change.objects.filter(
        organisation_id=organisation_id, status__in=PLANNED, planned_start__lt=end,
        planned_end__gt=start).exclude(pk__in=id_set(exclude))
    return fetch(found.order_by("planned_start", "pk").values_list(*Around._fields), Around)


def _through(model, key: str, value: str, ids) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return found
    for owner, other in fetch(model.objects.filter(**{f"{key}__in": id_set(ids)})
                              .values_list(key, value)):
        found[owner].add(other)
    return found


def conflicts_for(organisation_id: int, changes: list[Change], windows: list[ScheduleWindow],
                  *, many: bool = True
                  ) -> tuple[rules.Found, dict[int, Change], dict[int, set[int]]]:
    """The conflicts of `changes` (with each other, with those overlapping them, with the
    windows), the other changes they meet and every change's services: a fixed number of
    queries whatever the number of changes. `many`: the items reached are many (a
    schedule), so the organisation's dependency graph is read whole and kept by the
    process (cmdb.graphcache); else it is used only if kept already, and otherwise the
    closure of the few items is read level by level. The answer is the same."""
    if not changes:
        return rules.Found(), {}, {}
    lo = min(c.planned_start for c in changes)
    hi = max(c.planned_end for c in changes)
    shown = {c.pk for c in changes}
    around = _around(organisation_id, lo, hi, exclude=shown)  # overlapping the edges
    everything = {c.pk: c for c in [*changes, *around]}
    items = _through(ITEMS, "change_id", "configurationitem_id", everything)
    services = _through(SERVICES, "change_id", "businessservice_id", everything)
    touched = set().union(*items.values()) if items else set()
    graph = (cmdb.dependency_graph(organisation_id) if many
             else cmdb.kept_dependency_graph(organisation_id))
    if graph is not None:
        depends_on = rules.reachable_in(graph.component, graph.below, graph.cyclic, touched,
                                         graph.rows)
    else:
        pairs = cmdb.closure_pairs(touched, cmdb.DatabaseGraph(organisation_id))
        depends_on = rules.reachable(pairs, touched)
    planned = [rules.Planned(c.pk, c.planned_start, c.planned_end,
                             frozenset(items.get(c.pk, ())), frozenset(services.get(c.pk, ())),
                             c.change_type == ChangeType.EMERGENCY)
               for c in everything.values()]
    window_services = _through(WINDOW_SERVICES, "schedulewindow_id", "businessservice_id",
                               [w.pk for w in windows])
    shaped = [rules.Window(w.pk, w.kind, w.starts_at, w.ends_at,
                           frozenset(window_services.get(w.pk, ()))) for w in windows]
    hours = maintenance_hours(organisation_id, set().union(*services.values())
                              if services else set())
    found = rules.find_conflicts(planned, shaped, depends_on, hours)
    mine = [c for c in found.conflicts if c.change in shown]
    return rules.Found(mine), everything, services


def windows_between(organisation_id: int, start: datetime, end: datetime
                    ) -> list[ScheduleWindow]:
    return list(ScheduleWindow.objects.filter(organisation_id=organisation_id,
                                              starts_at__lt=end, ends_at__gt=start))


def schedule(user, start: datetime, end: datetime, *, service_id: int | None = None
             ) -> Schedule:
    """The forward schedule for [start, end) as `user` may read it, with its conflicts."""
    organisation_id = user.active_organisation_id
    visible = Change.objects.visible_to(user).filter(
        status__in=PLANNED, planned_start__lt=end, planned_end__gt=start)
    if service_id is not None:
        visible = visible.filter(services=service_id)
    changes = fetch(visible.order_by("planned_start", "pk").values_list(*SHOWN), Scheduled)
    # The windows of the range and of the changes' own windows beyond it (one query).
    lo = min([start, *(c.planned_start for c in changes)])
    hi = max([end, *(c.planned_end for c in changes)])
    reach = windows_between(organisation_id, lo, hi)
    found, others, _ = conflicts_for(organisation_id, changes, reach)
    return _named(Schedule(start, end, changes, reach, found, others))


class Named(NamedTuple):
    pk: int
    reference: str
    name: str


def _named(result: Schedule) -> Schedule:
    """Load the names the conflicts need: the items and services they name (two queries)."""
    item_ids = {i for c in result.found.conflicts for i in (c.item, c.other_item) if i}
    # Rows, not model instances: a month's conflicts name some hundreds of items.
    result.items = ({ci.pk: ci for ci in fetch(ConfigurationItem.objects.filter(
        pk__in=id_set(item_ids)).values_list(*Named._fields), Named)} if item_ids else {})
    service_ids = {c.other for c in result.found.conflicts if c.kind == rules.MAINTENANCE}
    result.services = (dict(BusinessService.objects.filter(pk__in=service_ids)
                            .values_list("pk", "name")) if service_ids else {})
    return result


def conflicts_of(change: Change) -> list[str]:
    """The conflicts the schedule shows for one change, in words (its page, the agenda,
    the decision's record)."""
    if not (change.planned_start and change.planned_end):
        return []
    windows = windows_between(change.organisation_id, change.planned_start,
                              change.planned_end)
    found, others, _ = conflicts_for(change.organisation_id, [change], windows, many=False)
    result = _named(Schedule(change.planned_start, change.planned_end, [change], windows,
                             found, others))
    return result.conflicts_of(change)


def window_refusal(change: Change) -> str | None:
    """Why the change may not be scheduled in its window, or None: a non-emergency change
    inside a blackout or freeze window of its services (or of all)."""
    if change.is_emergency or not (change.planned_start and change.planned_end):
        return None
    windows = ScheduleWindow.objects.filter(
        organisation_id=change.organisation_id, starts_at__lt=change.planned_end,
        ends_at__gt=change.planned_start)
    services = set(change.services.values_list("pk", flat=True)) if change.pk else set()
    for window in windows.prefetch_related("services"):
        named = {s.pk for s in window.services.all()}
        if not named or named & services:
            kind = "blackout" if window.kind == WindowKind.BLACKOUT else "freeze"
            return (f"{change.reference} falls in the {kind} “{window.name}” "
                    f"({_when(window.starts_at)} to {_when(window.ends_at)}): move it to "
                    "another time, or make it an emergency change if it cannot wait.")
    return None


# --- the impact analysis a change keeps -------------------------------------------------

def impact_snapshot(change: Change, limit: int = 25) -> dict:
    """What the CMDB says stops if the change's items are lost (the worst case of a
    change going wrong), and the services they deliver or that depend on what stops: as
    it stands now, to be kept on the change."""
    organisation_id = change.organisation_id
    items = list(change.configuration_items.all().only("pk", "reference", "name"))
    rows, stopped = [], set()
    for item in items:
        found = cmdb.impact_graph(item.pk, cmdb.DatabaseGraph(organisation_id))
        affected = sorted(found.affected, key=lambda pk: found.depth.get(pk, 0))
        stopped |= set(found.affected)
        rows.append({"id": item.pk, "reference": item.reference, "name": item.name,
                     "stops": len(affected), "nearest": affected[:limit]})
    names = {ci.pk: f"{ci.reference} {ci.name}" for ci in ConfigurationItem.objects.filter(
        pk__in={pk for row in rows for pk in row["nearest"]}).only("pk", "reference", "name")}
    for row in rows:
        row["nearest"] = [names.get(pk, f"item {pk}") for pk in row["nearest"]]
    delivering = catalogue.delivering(organisation_id, {i.pk for i in items} | stopped)
    service_ids = {s for ids in delivering.values() for s in ids}
    services = [{"id": pk, "reference": reference, "name": name} for pk, reference, name in
                BusinessService.objects.filter(pk__in=service_ids).order_by("name")
                .values_list("pk", "reference", "name")]
    return {"items": rows, "services": services, "items_stopped": len(stopped)}


# --- votes ------------------------------------------------------------------------------

def votes_of(change: Change, round_: int | None = None) -> list[CabVote]:
    return list(change.votes.filter(round=change.round if round_ is None else round_)
                .select_related("seat__member", "voter"))


# --- figures ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    finished: int
    successful: int
    failed: int
    backed_out: int
    raised: int
    emergency: int
    causing_incidents: int
    incidents_caused: int

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def success_rate(self) -> float | None:
        return self._percent(self.successful, self.finished)

    @property
    def emergency_ratio(self) -> float | None:
        return self._percent(self.emergency, self.raised)

    @property
    def causing_rate(self) -> float | None:
        return self._percent(self.causing_incidents, self.finished)


def figures(changes, start: datetime, end: datetime) -> Figures:
    """Change success rate (of those finished in the period, how many succeeded),
    emergency change ratio (of those raised, how many were emergencies) and the changes
    that caused incidents, over `changes` (already scoped). Two queries."""
    finished = changes.filter(actual_end__gte=start, actual_end__lt=end)
    counts = finished.aggregate(
        # distinct: the join with the incidents caused gives a row per incident.
        total=Count("pk", distinct=True),
        successful=Count("pk", filter=Q(outcome=Outcome.SUCCESSFUL), distinct=True),
        failed=Count("pk", filter=Q(outcome=Outcome.FAILED), distinct=True),
        backed_out=Count("pk", filter=Q(outcome=Outcome.BACKED_OUT), distinct=True),
        causing=Count("pk", filter=Q(incidents__isnull=False), distinct=True),
        incidents=Count("incidents", distinct=True))
    raised = changes.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=Status.CANCELLED).aggregate(
        total=Count("pk"), emergency=Count("pk", filter=Q(change_type=ChangeType.EMERGENCY)))
    return Figures(counts["total"], counts["successful"], counts["failed"],
                   counts["backed_out"], raised["total"], raised["emergency"],
                   counts["causing"], counts["incidents"])


def incidents_caused_by(change: Change, user) -> list[CausedIncident]:
    return list(CausedIncident.objects.visible_to(user).filter(change=change)
                .select_related("ticket"))


def problems_fixed_by(change: Change, user) -> list[Problem]:
    """The problems whose permanent fix the change makes, that `user` may read."""
    return list(Problem.objects.visible_to(user).filter(
        pk__in=Change.problems.through.objects.filter(change=change).values("problem_id"))
        .order_by("reference"))


def changes_fixing(problem: Problem, user) -> list[Change]:
    """The changes that make a problem's permanent fix, that `user` may read, newest
    first."""
    return list(Change.objects.visible_to(user).filter(problems=problem)
                .order_by("-created_at", "-pk"))


# --- for other apps: planned work as service announcements -----------------------------

@dataclass(frozen=True)
class PlannedWork:
    """A scheduled change as a service announcement reads it."""

    change_id: int
    reference: str
    title: str
    status: str
    starts_at: datetime
    ends_at: datetime
    service_ids: tuple[int, ...]
    url: str


def scheduled_changes_for(organisation_id: int, *, start: datetime, end: datetime,
                          service_ids=None) -> list[PlannedWork]:
    """The authorised changes (scheduled or being made) whose window meets [start, end),
    with the services they affect; only those affecting `service_ids` when given. Two
    queries. For the service status pages: planned work, per service."""
    found = Change.objects.filter(
        organisation_id=organisation_id, status__in=(Status.SCHEDULED, Status.IMPLEMENTING),
        planned_start__lt=end, planned_end__gt=start)
    if service_ids is not None:
        found = found.filter(services__in=list(service_ids)).distinct()
    changes = list(found.only("pk", "reference", "title", "status", "planned_start",
                              "planned_end").order_by("planned_start", "pk"))
    services = _through(SERVICES, "change_id", "businessservice_id", [c.pk for c in changes])
    return [PlannedWork(c.pk, c.reference, c.title, c.status, c.planned_start, c.planned_end,
                        tuple(sorted(services.get(c.pk, ()))), c.get_absolute_url())
            for c in changes]
