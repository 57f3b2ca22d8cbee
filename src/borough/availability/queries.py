"""Availability per service per month, computed from outages within the service's hours
(docs/availability.md). The arithmetic (`measure`, `merge`, `subtract`) is plain Python on
UTC intervals and a minutes-between function, tested apart from the database; working
time comes from core.business_time and the organisation's calendar, as the SLA clocks'
does. Other apps read availability through here.

The rule, as ITIL has it: agreed service time is the service hours of the period less the
planned downtime agreed within them; availability is the share of agreed service time the
service was up. Planned downtime therefore does not count against availability, and time
both planned and unplanned counts once, as planned. Overlapping outages count once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import chain

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from borough.availability.models import Kind, Outage, Source
from borough.capacity import queries as capacity
from borough.capacity.models import Metric
from borough.catalogue import queries as catalogue
from borough.catalogue.models import (
    AgreementStatus,
    BusinessService,
    ServiceHours,
    ServiceLevelAgreement,
    ServiceStatus,
)
from borough.core.business_time import BusinessCalendar, WorkingTimeline
from borough.core.queries import none_recorded
from borough.organisation import queries as organisation_queries

Interval = tuple[datetime, datetime]


# --- the arithmetic ------------------------------------------------------------------------

def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of `intervals` as sorted, disjoint intervals (touching ones joined)."""
    merged: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[1] > i[0]):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def subtract(intervals: list[Interval], taken: list[Interval]) -> list[Interval]:
    """`intervals` less `taken`, both sorted and disjoint (from merge)."""
    left: list[Interval] = []
    for lo, hi in intervals:
        for t_lo, t_hi in taken:
            if t_hi <= lo or t_lo >= hi:
                continue
            if t_lo > lo:
                left.append((lo, t_lo))
            lo = max(lo, t_hi)
            if lo >= hi:
                break
        if lo < hi:
            left.append((lo, hi))
    return left


@dataclass(frozen=True)
class Down:
    """An outage as the arithmetic sees it: when, and whether it was planned. `end` is
    None while it lasts."""

    start: datetime
    end: datetime | None
    planned: bool


@dataclass(frozen=True)
class Figures:
    """A service's availability over one period (a month, or the part of it gone by).
    Minutes are minutes of service hours."""

    start: datetime
    end: datetime  # the end of the period measured (now, in the current month)
    complete: bool  # the whole month is measured
    service_minutes: float
    planned_minutes: float
    downtime_minutes: float  # unplanned, within service hours, overlaps once
    failures: int
    target: Decimal | None = None

    @property
    def agreed_minutes(self) -> float:
        """Agreed service time: service hours less agreed planned downtime."""
        return self.service_minutes - self.planned_minutes

    @property
    def availability(self) -> float | None:
        """Per cent of agreed service time the service was up; None with no agreed time."""
        if self.agreed_minutes <= 0:
            return None
        return 100 * (self.agreed_minutes - self.downtime_minutes) / self.agreed_minutes

    @property
    def met(self) -> bool | None:
        """Whether the availability reached the target; None when either is missing."""
        if self.target is None or self.availability is None:
            return None
        return round(self.availability, 3) >= float(self.target)

    @property
    def mtbf_minutes(self) -> float | None:
        """Mean time between failures: agreed service time up, per failure."""
        if not self.failures:
            return None
        return (self.agreed_minutes - self.downtime_minutes) / self.failures

    @property
    def mtrs_minutes(self) -> float | None:
        """Mean time to restore service: downtime in service hours, per failure."""
        if not self.failures:
            return None
        return self.downtime_minutes / self.failures


def measure(minutes_between: Callable[[datetime, datetime], float], start: datetime,
            end: datetime, downs: Iterable[Down], *, now: datetime,
            target: Decimal | None = None) -> Figures:
    """The figures for [start, end) measured up to `now`, given how many service-hour
    minutes lie between two instants and the outages. An outage still going on lasts
    until `now`. A failure is an unplanned stretch of downtime (overlapping and touching
    outages joined, planned time taken out) with some time inside the period's service
    hours: one that runs across a month's end is a failure of both months."""
    until = min(end, now)
    if until <= start:
        return Figures(start, start, False, 0.0, 0.0, 0.0, 0, target)

    def clipped(planned: bool) -> list[Interval]:
        return merge((max(d.start, start), min(d.end or now, until))
                     for d in downs if d.planned is planned)

    planned = clipped(True)
    unplanned = subtract(clipped(False), planned)

    def minutes(intervals) -> list[float]:
        return [minutes_between(lo, hi) for lo, hi in intervals]

    down = [m for m in minutes(unplanned) if m > 0]
    return Figures(start, until, until >= end, minutes_between(start, until),
                   sum(minutes(planned)), sum(down), len(down), target)


def month_start(month: date, tz) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=tz).astimezone(UTC)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def last_months(today: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    months = [date(today.year, today.month, 1)]
    while len(months) < count:
        first = months[0]
        months.insert(0, date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))
    return months


# --- reading the database ------------------------------------------------------------------

def round_the_clock_or(service: BusinessService, business: BusinessCalendar) -> BusinessCalendar:
    """The calendar of the service's hours: the council's working hours, or every minute."""
    if service.service_hours == ServiceHours.ALWAYS:
        return BusinessCalendar.round_the_clock(business.tz)
    return business


def council_calendar(organisation_id: int) -> BusinessCalendar:
    """The organisation's business calendar (its working hours, bank holidays and closure
    days), the one the SLA clocks use."""
    organisation = organisation_queries.organisation(organisation_id)
    return organisation_queries.calendar(organisation)


def _downs(outages, services, start: datetime, end: datetime) -> dict[int, list[Down]]:
    found: dict[int, list[Down]] = {s.pk: [] for s in services}
    rows = (outages.filter(service__in=list(found), started_at__lt=end)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
            .values_list("service_id", "started_at", "ended_at", "kind"))
    for service_id, started, ended, kind in rows:
        found[service_id].append(Down(started, ended, kind == Kind.PLANNED))
    return found


@dataclass(frozen=True)
class ServiceMonths:
    service: BusinessService
    months: list[tuple[date, Figures]]

    @property
    def measured(self) -> list[tuple[date, Figures]]:
        return [(m, f) for m, f in self.months if f.availability is not None]

    @property
    def met_count(self) -> int:
        return sum(1 for _m, f in self.months if f.met)

    @property
    def missed_count(self) -> int:
        return sum(1 for _m, f in self.months if f.met is False)


def availability(services, user, months: list[date], *, now: datetime | None = None,
                 calendar: BusinessCalendar | None = None,
                 outages=None) -> list[ServiceMonths]:
    """Each service's figures for each month (first days, oldest first), from the
    outages `user` may see (or those of the `outages` queryset given, for a reader with
    no user: the evidence rules); months not yet begun are left out."""
    services = list(services)
    now = now or timezone.now()
    if not services or not months:
        return []
    business = calendar or council_calendar(services[0].organisation_id)
    tz = business.tz
    bounds = [(m, month_start(m, tz), month_start(next_month(m), tz)) for m in months]
    bounds = [b for b in bounds if b[1] < now]
    if not bounds:
        return [ServiceMonths(s, []) for s in services]
    if outages is None:
        outages = Outage.objects.visible_to(user)
    downs = _downs(outages, services, bounds[0][1], bounds[-1][2])
    timelines: dict[str, WorkingTimeline] = {}
    result = []
    for service in services:
        cal = round_the_clock_or(service, business)
        key = service.service_hours
        if key not in timelines:
            timelines[key] = WorkingTimeline(cal, months[0], next_month(months[-1]))
        between = timelines[key].minutes_between
        result.append(ServiceMonths(service, [
            (month, measure(between, lo, hi, downs[service.pk], now=now,
                            target=service.availability_target))
            for month, lo, hi in bounds]))
    return result


def service_availability(service: BusinessService, user, months: int = 12, *,
                         now: datetime | None = None) -> ServiceMonths:
    """One service's last `months` months, this one included."""
    now = now or timezone.now()
    return availability([service], user, last_months(timezone.localdate(now), months),
                        now=now)[0]


def month_availability(service: BusinessService, user, month: date, *,
                       now: datetime | None = None) -> Figures | None:
    """One service's figures for one month; None for a month not yet begun."""
    found = availability([service], user, [month], now=now)[0].months
    return found[0][1] if found else None


def measured_services(user):
    """The live services whose availability is reported, by name."""
    return (BusinessService.objects.visible_to(user).filter(status=ServiceStatus.LIVE)
            .order_by("name", "id"))


@dataclass(frozen=True)
class Targeted:
    """A service measured against a target: under its agreed SLA (in the agreement's
    service hours, against the agreement's target, else the service's own), or under
    its own target when it has no agreed SLA. `figures` are over the period asked."""

    service: BusinessService
    agreement: ServiceLevelAgreement | None
    figures: Figures


def targeted_services(user, *, service_unit=None, team=None
                      ) -> list[tuple[BusinessService, ServiceLevelAgreement | None]]:
    """The live services `user` may see that are measured against a target, by name: each
    with an agreed SLA (the first agreed with a target, else the first agreed; the
    service comes in the agreement's hours and carries its target) and each other with a
    target of its own. Narrowed to a service unit (the service's) and a support team."""
    services = BusinessService.objects.visible_to(user).filter(status=ServiceStatus.LIVE)
    if service_unit is not None:
        services = services.filter(service_unit_id=service_unit.pk)
    if team is not None:
        services = services.filter(support_team_id=team.pk)
    agreements = (ServiceLevelAgreement.objects.visible_to(user)
                  .filter(status=AgreementStatus.AGREED, service__in=services)
                  .order_by("id"))
    chosen: dict[int, ServiceLevelAgreement] = {}
    for agreement in agreements:
        held = chosen.get(agreement.service_id)
        if held is None or (held.availability_target is None
                            and agreement.availability_target is not None):
            chosen[agreement.service_id] = agreement
    found = []
    for service in services.filter(Q(pk__in=list(chosen))
                                   | Q(availability_target__isnull=False)).order_by("name", "id"):
        agreement = chosen.get(service.pk)
        if agreement is not None:
            # Measured as the agreement's page measures it: in its hours, to its target.
            service = copy(service)
            service.service_hours = agreement.service_hours
            if agreement.availability_target is not None:
                service.availability_target = agreement.availability_target
        found.append((service, agreement))
    return found


def period_availability(user, start: datetime, end: datetime, *, service_unit=None,
                        team=None, now: datetime | None = None) -> list[Targeted]:
    """Each targeted service's availability over [start, end) (measured until now when
    the period runs on), against its target: the service desk statistics' period, which
    need not be whole months."""
    now = now or timezone.now()
    pairs = targeted_services(user, service_unit=service_unit, team=team)
    if not pairs:
        return []
    services = [s for s, _a in pairs]
    business = council_calendar(services[0].organisation_id)
    downs = _downs(Outage.objects.visible_to(user), services, start, end)
    first = timezone.localtime(start, business.tz).date()
    last = timezone.localtime(end, business.tz).date()
    timelines: dict[str, WorkingTimeline] = {}
    found = []
    for service, agreement in pairs:
        if service.service_hours not in timelines:
            timelines[service.service_hours] = WorkingTimeline(
                round_the_clock_or(service, business), first, last)
        figures = measure(timelines[service.service_hours].minutes_between, start, end,
                          downs[service.pk], now=now, target=service.availability_target)
        found.append(Targeted(service, agreement, figures))
    return found


def outages_of_service(service: BusinessService, user, limit: int = 10) -> list[Outage]:
    return list(Outage.objects.visible_to(user).filter(service=service)
                .order_by("-started_at", "-id")[:limit])


# --- major incidents and changes -------------------------------------------------------------

def services_of_incident(ticket, user) -> list[BusinessService]:
    """The services a major incident takes down: the service it names, and those the CMDB
    says stop when its configuration item is lost (redundancy honoured), by name."""
    found: dict[int, BusinessService] = {}
    if ticket.service_id:
        service = BusinessService.objects.visible_to(user).filter(pk=ticket.service_id).first()
        if service is not None:
            found[service.pk] = service
    if ticket.ci_id:
        item = ticket.ci
        for path in catalogue.services_stopped_by(item, user):
            found.setdefault(path.service.pk, path.service)
    return sorted(found.values(), key=lambda s: (s.name, s.pk))


def outages_of_ticket(ticket, user) -> list[Outage]:
    return list(Outage.objects.visible_to(user).filter(ticket_id=ticket.pk)
                .select_related("service").order_by("service__name", "id"))


def outages_of_change(change, user) -> list[Outage]:
    return list(Outage.objects.visible_to(user).filter(change_id=change.pk)
                .select_related("service").order_by("service__name", "id"))


def window_of_change(change) -> tuple[datetime | None, datetime | None]:
    """The change's window as done (its actual start and end) or, before then, as planned."""
    if change.actual_start:
        return change.actual_start, change.actual_end
    return change.planned_start, change.planned_end


# --- components: a configuration item's up or down metrics --------------------------------------

@dataclass(frozen=True)
class ComponentMonth:
    """An up or down metric's month: the share of the time measured that it was up.
    Measured from its points (each one's state lasting until the next) and, for days
    whose raw points the retention job removed, from those days' share of points up."""

    month: date
    measured_from: datetime | None  # None: nothing measured
    measured_until: datetime | None
    measured_minutes: float
    down_minutes: float
    complete: bool  # the whole month is measured

    @property
    def availability(self) -> float | None:
        if self.measured_minutes <= 0:
            return None
        return 100 * (self.measured_minutes - self.down_minutes) / self.measured_minutes


def _clock_minutes(lo: datetime, hi: datetime) -> float:
    return max((hi - lo).total_seconds(), 0) / 60


def _component_month(metric: Metric, month: date, tz, raw_from: datetime | None,
                     now: datetime) -> ComponentMonth:
    lo, hi = month_start(month, tz), min(month_start(next_month(month), tz), now)
    measured = down = 0.0
    begun = ended = None
    # Days before the oldest raw point: their daily rollup's mean is the share of 0s and 1s
    # that were 1 (the retention job keeps whole days, so these are whole days).
    rolled_until = min(hi, raw_from) if raw_from is not None else hi
    for day, mean in capacity.daily_up_shares(metric, lo, rolled_until):
        following = day.astimezone(tz).date() + timedelta(days=1)
        after = datetime(following.year, following.month, following.day,
                         tzinfo=tz).astimezone(UTC)
        minutes = _clock_minutes(day, min(after, rolled_until))
        measured += minutes
        down += minutes * (1 - min(max(mean, 0.0), 1.0))
        begun = begun or day
        ended = min(after, rolled_until)
    if raw_from is not None and raw_from < hi:
        start = max(lo, raw_from)
        before = capacity.point_before(metric.pk, start)
        seen: list[datetime] = []

        def inside():
            for at, value in capacity.iter_points(metric.pk, start, hi):
                if not seen:
                    seen.append(at)
                seen[1:] = [at]
                yield at, value

        # The state at `start` is the point's before it; each point's lasts until the
        # next, and the last one's until the month's end only if a later point exists.
        runs = capacity.down_runs(chain([before] if before else [], inside()))
        if before or seen:
            frm = start if before else seen[0]
            until = hi if capacity.has_point_from(metric.pk, hi) else (seen or [frm])[-1]
            figures = measure(_clock_minutes, frm, until,
                              [Down(max(a, frm), b, False) for a, b in runs], now=until)
            measured += figures.service_minutes
            down += figures.downtime_minutes
            begun = begun or frm
            ended = until
    complete = (begun is not None and begun <= lo and ended is not None
                and ended >= month_start(next_month(month), tz))
    return ComponentMonth(month, begun, ended, measured, down, complete)


def component_availability(metric: Metric, months: list[date], *,
                           now: datetime | None = None) -> list[ComponentMonth]:
    """An up or down metric's availability in each month given (first days, oldest
    first) that has begun: the share of the time measured it was up (24x7, every point
    counts: the shortest outage applies to outages, not to this)."""
    now = now or timezone.now()
    tz = capacity.zone()
    earliest = capacity.earliest_point_at(metric)
    raw_from = None
    if earliest is not None:
        # Whole days before the oldest point are the rollups'; its own day the points'.
        local = earliest.astimezone(tz)
        raw_from = datetime(local.year, local.month, local.day, tzinfo=tz).astimezone(UTC)
    return [_component_month(metric, month, tz, raw_from, now) for month in months
            if month_start(month, tz) < now]


def item_annotations() -> dict:
    """For a CI page's own read of the item (core.queries.with_record_extras): whether
    monitoring recorded any outage of it."""
    return {"panel_outages": Exists(Outage.objects.filter(configuration_item=OuterRef("pk")))}


def outages_of_item(item, user, limit: int = 10) -> list[Outage]:
    """The outages monitoring recorded of a configuration item, latest first."""
    if none_recorded(item, "panel_outages"):
        return []
    return list(Outage.objects.visible_to(user).filter(configuration_item=item)
                .select_related("service").order_by("-started_at", "service__name", "-id")
                [:limit])


__all__ = ["Down", "Figures", "Source", "availability", "measure", "merge", "subtract"]
