"""Reads of service status: each live service's state now (the status page and the
portal), what is happening and coming up, recent history, and the figures other modules
read (outages per service and the minutes lost: the availability work to come)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from borough.catalogue.models import BusinessService, ServiceStatus
from borough.status.models import (
    SEVERITY,
    Announcement,
    AnnouncementUpdate,
    Kind,
    State,
    Subscription,
)

UPCOMING_DAYS = 14  # planned work shown this far ahead
HISTORY_DAYS = 30  # resolved announcements shown this far back

# A service's state in words, by the worst kind of what is happening to it now.
STATE_WORDS = {None: ("Working normally", "green"), Kind.INFORMATION: ("Working normally",
                                                                         "green"),
               Kind.PLANNED: ("Planned work now", "blue"),
               Kind.DEGRADED: ("Degraded", "yellow"), Kind.OUTAGE: ("Outage", "red")}


@dataclass
class ServiceState:
    service: BusinessService
    current: list = field(default_factory=list)  # open and started, worst first
    upcoming: list = field(default_factory=list)
    subscribed: bool = False

    @property
    def worst(self) -> str | None:
        return self.current[0].kind if self.current else None

    @property
    def words(self) -> str:
        return STATE_WORDS[self.worst][0]

    @property
    def colour(self) -> str:
        return STATE_WORDS[self.worst][1]


def _by_severity(announcements) -> list:
    return sorted(announcements, key=lambda a: (-SEVERITY[a.kind], a.starts_at))


def _with_latest_updates(queryset):
    return queryset.prefetch_related(
        "services", Prefetch("updates", queryset=AnnouncementUpdate.objects.order_by(
            "-created_at", "-id")))


def current_and_upcoming(user, now: datetime | None = None) -> tuple[list, list]:
    """The open announcements `user` may read: those happening now (worst first) and
    those starting within UPCOMING_DAYS (soonest first)."""
    now = now or timezone.now()
    found = list(_with_latest_updates(Announcement.objects.visible_to(user).filter(
        state=State.OPEN, starts_at__lte=now + timedelta(days=UPCOMING_DAYS))))
    current = _by_severity(a for a in found if a.starts_at <= now)
    upcoming = sorted((a for a in found if a.starts_at > now), key=lambda a: a.starts_at)
    return current, upcoming


def recent(user, now: datetime | None = None, days: int = HISTORY_DAYS) -> list:
    """What ended in the last `days` days, latest first."""
    now = now or timezone.now()
    return list(Announcement.objects.visible_to(user).filter(
        state=State.RESOLVED, resolved_at__gte=now - timedelta(days=days))
        .prefetch_related("services").order_by("-resolved_at", "-id")[:50])


def service_states(user, organisation_id: int, current: list, upcoming: list
                   ) -> list[ServiceState]:
    """Every live service of the organisation with its state now. Service names are read
    for everyone who may read announcements (a requester cannot open the catalogue: the
    portal offers the same names)."""
    services = list(BusinessService.objects.filter(organisation_id=organisation_id,
                                                   status=ServiceStatus.LIVE)
                    .order_by("name", "pk"))
    mine = set(Subscription.objects.filter(organisation_id=organisation_id, user=user)
               .values_list("service_id", flat=True))
    states = {s.pk: ServiceState(s, subscribed=s.pk in mine) for s in services}
    for group, name in ((current, "current"), (upcoming, "upcoming")):
        for announcement in group:
            for pk in [s.pk for s in announcement.services.all()]:
                if pk in states:
                    getattr(states[pk], name).append(announcement)
    for state in states.values():
        state.current = _by_severity(state.current)
    return list(states.values())


def subscribable_services(organisation_id: int):
    """The services a person may subscribe to: the organisation's live ones."""
    return BusinessService.objects.filter(organisation_id=organisation_id,
                                          status=ServiceStatus.LIVE).order_by("name", "pk")


def for_source(source, user) -> list[Announcement]:
    """The announcements made from a record (a ticket, a change) that `user` may read."""
    from django.contrib.contenttypes.models import ContentType

    return list(Announcement.objects.visible_to(user).filter(
        source_type=ContentType.objects.get_for_model(type(source)), source_id=source.pk)
        .order_by("-starts_at"))


# --- figures ---------------------------------------------------------------------------------

@dataclass
class ServiceOutages:
    service_id: int
    name: str
    outages: int = 0
    degraded: int = 0
    minutes_lost: int = 0  # outage minutes within the period
    minutes_degraded: int = 0


def _overlap_minutes(start, end, period_start, period_end) -> int:
    begin, finish = max(start, period_start), min(end, period_end)
    return max(0, int((finish - begin).total_seconds() // 60))


def outages_by_service(organisation_id: int, start: datetime, end: datetime,
                       now: datetime | None = None) -> list[ServiceOutages]:
    """Per service, the outages and degraded periods announced that overlap [start, end)
    and the minutes of each within it (an open one counts up to `now`). Elapsed minutes,
    not service hours: the availability measure against a service's hours is the
    availability module's. Cancelled announcements count for nothing."""
    now = now or timezone.now()
    rows: dict[int, ServiceOutages] = {}
    found = (Announcement.objects.filter(organisation_id=organisation_id,
                                         kind__in=(Kind.OUTAGE, Kind.DEGRADED),
                                         starts_at__lt=end)
             .exclude(state=State.CANCELLED)
             .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=start))
             .prefetch_related("services"))
    for announcement in found:
        finish = announcement.resolved_at or now
        minutes = _overlap_minutes(announcement.starts_at, finish, start, end)
        for service in announcement.services.all():
            row = rows.setdefault(service.pk, ServiceOutages(service.pk, service.name))
            if announcement.kind == Kind.OUTAGE:
                row.outages += 1
                row.minutes_lost += minutes
            else:
                row.degraded += 1
                row.minutes_degraded += minutes
    return sorted(rows.values(), key=lambda r: (-r.minutes_lost, -r.minutes_degraded, r.name))


def announced_major_incidents(organisation_id: int, start: datetime, end: datetime
                              ) -> tuple[int, int]:
    """(major incidents raised in the period, of which announced): the evidence rule's
    figures. Read through the service desk's models by id only."""
    from django.contrib.contenttypes.models import ContentType

    from borough.servicedesk.models import Ticket

    majors = Ticket.objects.filter(organisation_id=organisation_id, is_major_incident=True,
                                   created_at__gte=start, created_at__lt=end)
    announced = Announcement.objects.filter(
        organisation_id=organisation_id, source_type=ContentType.objects.get_for_model(Ticket),
        source_id__in=majors.values("pk")).values("source_id").distinct().count()
    return majors.count(), announced
