"""Service desk statistics for ICT managers.

Every figure starts from `visible_to(user)` (SECURITY.md rule 2), narrowed to a service
unit and team when asked. Counts, SLA compliance, first-contact resolution and the mean
working times are sums of the daily totals (`daily.py`: tickets logged and resolved on
each local day, kept as tickets are saved), grouped by the database into weeks and
months (see `truncated`); the cost follows the days in the period, not the tickets.
Three figures read the tickets themselves: open tickets now (the partial index of open
tickets), the 90th percentiles of working time (from the minutes stamped on each
ticket, `elapsed.py`, ranked by the database), and the ratings. No ticket is read into
Python. Team, unit and category names are looked up afterwards for the few groups found.

Each figure is returned as a `Figure`: a chart (with its table of numbers) and a
plain-words statement of how it is computed, for the page, the exports and the
committee report alike.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DateField,
    FloatField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import NullIf
from django.utils import timezone

from borough.core import charts, scope
from borough.core.business_time import describe_working_time
from borough.core.charts import Chart, Series
from borough.core.registry import registry
from borough.organisation.models import ServiceUnit, Team
from borough.servicedesk import daily, queries
from borough.servicedesk.models import (
    MINUTE_BANDS,
    NO_RECORD,
    OPEN_STATUSES,
    Category,
    DailyOpened,
    DailyResolved,
    Priority,
    Satisfaction,
    Ticket,
)

logger = logging.getLogger(__name__)

MAX_PERIOD_DAYS = 731  # two years, a leap day included
DEFAULT_WEEKS = 13
TOP_CATEGORIES = 10
AGE_BANDS = (  # label, lower bound in days (inclusive), upper bound (exclusive)
    ("Under 1 day", 0, 1),
    ("1 to 3 days", 1, 3),
    ("3 to 7 days", 3, 7),
    ("7 to 30 days", 7, 30),
    ("Over 30 days", 30, None),
)
PERCENTILE = 90


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def can_view(user) -> bool:
    """ICT managers and others who see every ticket of the organisation; not requesters."""
    return (scope.can(user, "view", Ticket, None)
            and user.has_perm("servicedesk.view_all_tickets"))


# --- the period ------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Local dates, both included."""

    date_from: date
    date_to: date

    @classmethod
    def default(cls, today: date) -> Period:
        """The current ISO week and the 12 before it."""
        monday = today - timedelta(days=today.weekday())
        return cls(monday - timedelta(weeks=DEFAULT_WEEKS - 1), today)

    @property
    def start(self) -> datetime:
        return _midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """Midnight after the last day (exclusive)."""
        return _midnight(self.date_to + timedelta(days=1))

    @property
    def weeks(self) -> list[date]:
        """Mondays of the ISO weeks the period touches."""
        monday = self.date_from - timedelta(days=self.date_from.weekday())
        return [monday + timedelta(weeks=i)
                for i in range((self.date_to - monday).days // 7 + 1)]

    @property
    def months(self) -> list[date]:
        months, month = [], self.date_from.replace(day=1)
        while month <= self.date_to:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def __str__(self):
        return f"{_day(self.date_from)} to {_day(self.date_to)}"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


# --- small maths ------------------------------------------------------------------

def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage to one decimal place; None when whole is 0."""
    return round(100 * part / whole, 1) if whole else None


def nearest_rank(count: int, p: float) -> int:
    """The rank (counting from 1) of the p-th percentile of `count` sorted values by the
    nearest-rank method: ceil(p / 100 × count), at least 1."""
    return max(1, math.ceil(p / 100 * count))


class RankedValue(Aggregate):
    """The value at rank `rank` (from 1) of `count` values in ascending order, on
    PostgreSQL: `percentile_disc(f)` returns the value at position ceil(f × count), and
    f = (rank − ½) / count puts that at `rank` whatever the rounding of f. The tests
    check it against sorting by hand on both databases."""

    vendors = ("postgresql",)
    function = "percentile_disc"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, rank: int, count: int, **extra):
        super().__init__(expression, fraction=repr((rank - 0.5) / count), **extra)


# --- the figures ------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    key: str
    heading: str
    method: str
    chart: Chart


@dataclass(frozen=True)
class TimeSummary:
    count: int
    mean: float | None
    p90: float | None


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    opened: int
    resolved: int
    open_now: int
    sla_percent: float | None


@dataclass
class Statistics:
    period: Period
    service_unit: object = None
    team: object = None
    now: datetime | None = None
    headlines: list[tuple[str, str]] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    # Headline label -> how it moved since the previous period of the same length.
    changes: dict[str, str] = field(default_factory=dict)
    # Working minutes to respond and to resolve, exact (the charts show hours).
    times: tuple[TimeSummary, TimeSummary] | None = None

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _narrowed(qs, service_unit, team, column: str = "{}_id"):
    """`qs` for one service unit and team when chosen; `column` names the column holding
    each one's pk (through a relation for ratings, `…_pk` in the daily totals)."""
    for name, value in (("service_unit", service_unit), ("team", team)):
        if value is not None:
            qs = qs.filter(**{column.format(name): value.pk})
    return qs.order_by()


def tickets_for(user, *, service_unit=None, team=None):
    return _narrowed(Ticket.objects.visible_to(user), service_unit, team)


def ratings_for(user, *, service_unit=None, team=None):
    return _narrowed(Satisfaction.objects.visible_to(user), service_unit, team, "ticket__{}_id")


def days_for(model, user, *, service_unit=None, team=None):
    """The daily totals (`DailyOpened` or `DailyResolved`, see daily.py) the user may read."""
    return _narrowed(model.objects.visible_to(user), service_unit, team, "{}_pk")


def _resolved_in(period: Period) -> Q:
    return Q(resolved_at__gte=period.start, resolved_at__lt=period.end)


def truncated(field_name: str, firsts: list[date]):
    """The week or month (given by their first days, in order) the local day in
    `field_name` falls in, as a CASE expression the database groups by."""
    whens = [When(**{f"{field_name}__gte": day}, then=Value(day)) for day in reversed(firsts)]
    return Case(*whens, default=Value(None), output_field=DateField())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=local_zone())


# Every count on the page is a sum of daily totals (daily.py): tickets logged and
# resolved on each local day by team, service unit, category and priority, kept as
# tickets are saved. Each figure asks the database for its own sums (a few dozen rows),
# so the cost follows the days in the period, not the tickets logged in them. Open
# tickets are counted from the tickets themselves (the partial index of open tickets).
NO_RECORD_AS_NONE = {"team_id": NullIf("team_pk", Value(NO_RECORD)),
                     "service_unit_id": NullIf("service_unit_pk", Value(NO_RECORD))}


@dataclass(frozen=True)
class Groups:
    opened_weeks: dict[date, int]
    opened_categories: dict[int | None, int]
    opened: list[dict]  # team_id, service_unit_id: n
    resolved: list[dict]  # week, month, priority: n and the other MonthCounts measures
    resolved_by_group: list[dict]  # team_id, service_unit_id: n, with_sla, sla_met
    open_now: list[dict]  # team_id, service_unit_id: n, band0 … band4 (see AGE_BANDS)


def _in_period(days, period: Period):
    return days.filter(day__gte=period.date_from, day__lte=period.date_to)


def grouped(tickets, opened_days, resolved_days, period: Period, now: datetime) -> Groups:
    """The grouped sums every figure adds up: `opened_days` and `resolved_days` are the
    user's `DailyOpened` and `DailyResolved` rows, `tickets` the user's tickets."""
    opened = _in_period(opened_days, period)
    weeks = opened.annotate(week=truncated("day", period.weeks)).values("week")
    categories = opened.annotate(category_id=NullIf("category_pk", Value(NO_RECORD)))
    bands = {}
    for index, (_, low, high) in enumerate(AGE_BANDS):
        band = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            band &= Q(created_at__gt=now - timedelta(days=high))
        bands[f"band{index}"] = Count("created_at", filter=band)
    # Counting created_at (never null), not id: the id is not in the ticket_open_backlog
    # index, which then answers alone.
    open_now = (tickets.filter(status__in=OPEN_STATUSES).values("team_id", "service_unit_id")
                .annotate(n=Count("created_at"), **bands).order_by())
    resolved = _in_period(resolved_days, period)
    return Groups(
        opened_weeks={row["week"]: row["n"] for row in weeks.annotate(n=Sum("tickets"))},
        opened_categories=dict(categories.values("category_id").annotate(n=Sum("tickets"))
                               .values_list("category_id", "n")),
        opened=list(opened.values(**NO_RECORD_AS_NONE).annotate(n=Sum("tickets"))),
        resolved=resolved_rows(resolved, period, by_week=True),
        resolved_by_group=list(resolved.values(**NO_RECORD_AS_NONE).annotate(
            n=Sum("tickets"), with_sla=Sum("with_sla"), sla_met=Sum("sla_met"))),
        open_now=list(open_now),
    )


def resolved_rows(resolved_days, period: Period, *, by_week=False) -> list[dict]:
    """`DailyResolved` rows of the period summed by local month, priority and, if asked,
    week (see MonthCounts for the measures)."""
    buckets = {"month": truncated("day", period.months)}
    if by_week:
        buckets["week"] = truncated("day", period.weeks)
    return list(_in_period(resolved_days, period).annotate(**buckets)
                .values(*buckets, "priority")
                .annotate(n=Sum("tickets"), **{name: Sum(name) for name in SUMMED}))


def weekly_counts(groups: Groups, period: Period) -> tuple[list[date], list[int], list[int]]:
    """Tickets opened and resolved in each ISO week (Monday to Sunday, local time)."""
    weeks = period.weeks
    resolved = dict.fromkeys(weeks, 0)
    for row in groups.resolved:
        resolved[row["week"]] += row["n"]
    return weeks, [groups.opened_weeks.get(w, 0) for w in weeks], list(resolved.values())


def backlog_by_age(groups: Groups) -> list[int]:
    """Open tickets now, by how long ago they were logged (see AGE_BANDS)."""
    return [sum(row[f"band{i}"] for row in groups.open_now) for i in range(len(AGE_BANDS))]


SUMMED = daily.RESOLVED_MEASURES[1:]  # all but "tickets", which rows carry as n


def _no_bands() -> dict[str, list[int]]:
    return {measure: [0] * len(columns) for measure, columns in daily.BAND_COLUMNS.items()}


@dataclass
class MonthCounts:
    resolved: int = 0
    first_contact: int = 0
    with_sla: int = 0
    sla_met: int = 0
    responded: int = 0
    respond_seconds: int = 0
    resolve_seconds: int = 0
    # Tickets by band of MINUTE_BANDS, to respond and to resolve.
    bands: dict[str, list[int]] = field(default_factory=_no_bands)

    def add(self, row: dict) -> None:
        self.resolved += row["n"]
        for name in daily.SCALAR_MEASURES:
            setattr(self, name, getattr(self, name) + row[name])
        for measure, columns in daily.BAND_COLUMNS.items():
            self.bands[measure] = [n + row[c] for n, c in zip(self.bands[measure], columns,
                                                             strict=True)]


def by_month(rows: list[dict]) -> dict[tuple[date, int], MonthCounts]:
    months: dict[tuple[date, int], MonthCounts] = {}
    for row in rows:
        months.setdefault((row["month"], row["priority"]), MonthCounts()).add(row)
    return months


def tickets_logged(opened_days, period: Period) -> int:
    """Tickets logged in the period, from `DailyOpened` rows (the page's "Tickets opened")."""
    return _in_period(opened_days, period).aggregate(n=Sum("tickets"))["n"] or 0


def monthly_resolution(resolved_days, period: Period) -> dict[tuple[date, int], MonthCounts]:
    """Resolved tickets by local month and priority, from `DailyResolved` rows."""
    return by_month(resolved_rows(resolved_days, period))


def business_times(tickets, period: Period, totals: MonthCounts) -> tuple[TimeSummary, TimeSummary]:
    """Working minutes from logging to first response, and to resolution, of the tickets
    resolved in the period: the figures stamped on each ticket when it happened
    (`elapsed.py`). Counts and means come from the daily totals (`totals`: their sums
    over the period). The 90th percentile is the value at its nearest rank among the
    tickets' own figures: the totals say which band of MINUTE_BANDS holds that rank and
    at which place, so the database sorts the tickets of one band, not all of them."""
    resolved = tickets.filter(_resolved_in(period))
    measures = {"minutes_to_respond": ("respond", totals.responded, totals.respond_seconds),
                "minutes_to_resolve": ("resolve", totals.resolved, totals.resolve_seconds)}
    wanted = {}  # column: (its band as a filter, rank within the band, tickets in the band)
    for name, (measure, count, _) in measures.items():
        if count:
            wanted[name] = _rank_in_band(name, totals.bands[measure],
                                         nearest_rank(count, PERCENTILE))
    if connections[tickets.db].vendor in RankedValue.vendors:
        p90s = resolved.aggregate(**{
            name: RankedValue(name, rank=rank, count=size, filter=in_band)
            for name, (in_band, rank, size) in wanted.items()}) if wanted else {}
    else:
        p90s = {name: resolved.filter(in_band).order_by(name).values_list(name, flat=True)[rank - 1]
                for name, (in_band, rank, _) in wanted.items()}
    summaries = []
    for name, (_, count, seconds) in measures.items():
        summaries.append(TimeSummary(count, round(seconds / 60 / count, 1), round(p90s[name], 1))
                         if count else TimeSummary(0, None, None))
    return summaries[0], summaries[1]


def _rank_in_band(name: str, in_bands: list[int], rank: int) -> tuple[Q, int, int]:
    """Which band of MINUTE_BANDS holds the value at `rank` overall (as a filter on
    `name`), its rank within that band, and how many values the band holds."""
    before = 0
    for band, size in enumerate(in_bands):
        if before + size >= rank:
            in_band = Q(**{f"{name}__gte": MINUTE_BANDS[band]})
            if band + 1 < len(MINUTE_BANDS):
                in_band &= Q(**{f"{name}__lt": MINUTE_BANDS[band + 1]})
            return in_band, rank - before, size
        before += size
    # Only if the totals had drifted from the tickets (daily.differences() would say so):
    # rank among all of them rather than fail the page.
    logger.warning("daily totals count %s values for %s, fewer than rank %s", before, name, rank)
    return Q(**{f"{name}__isnull": False}), rank, max(before, rank)


def satisfaction(ratings, period: Period) -> tuple[int, float | None, list[int]]:
    """Ratings given in the period: how many, the mean score, and how many of each 1–5.

    `ratings` is a queryset of ratings (scoped like the tickets, and narrowed through
    the ticket only when a unit or team is chosen): counted by the index on the rating's
    organisation and time, without looking up each rating's ticket."""
    given = ratings.filter(created_at__gte=period.start, created_at__lt=period.end).order_by()
    scores = {f"s{i}": Count("id", filter=Q(score=i)) for i in range(1, 6)}
    totals = given.aggregate(count=Count("id"), mean=Avg("score"), **scores)
    mean = round(totals["mean"], 2) if totals["mean"] is not None else None
    return totals["count"], mean, [totals[f"s{i}"] for i in range(1, 6)]


def top_categories(groups: Groups, user, limit: int = TOP_CATEGORIES) -> list[tuple[str, int]]:
    """The categories with the most tickets opened in the period, most first (ties by name)."""
    top = sorted(groups.opened_categories.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))
    top = top[:limit]
    names = {c.pk: (f"{c.parent.name} › {c.name}" if c.parent_id else c.name)
             for c in Category.objects.visible_to(user)
             .filter(pk__in=[pk for pk, _ in top if pk is not None]).select_related("parent")}
    result = [(_label(names, pk, "category", "No category"), n) for pk, n in top]
    return sorted(result, key=lambda item: (-item[1], item[0].lower()))


BREAKDOWNS = {"team": (Team, "No team"), "service_unit": (ServiceUnit, "No service unit")}


def _label(names: dict, pk, noun: str, none_label: str) -> str:
    if pk is None:
        return none_label
    # Names come through visible_to: a ticket pointing at a record the user may not see
    # (another council's team, say) shows its number, never that record's name.
    return names.get(pk, f"{noun.capitalize()} {pk}")


def breakdowns(groups: Groups, user) -> dict[str, list[BreakdownRow]]:
    """Per team and per service unit: opened and resolved in the period, open now, and
    SLA compliance of those resolved."""
    totals = {name: {} for name in BREAKDOWNS}
    measures = (("opened", groups.opened), ("resolved", groups.resolved_by_group),
                ("open_now", groups.open_now))
    for measure, rows in measures:
        for row in rows:
            for name in BREAKDOWNS:
                entry = totals[name].setdefault(row[f"{name}_id"], {
                    "opened": 0, "open_now": 0, "resolved": 0, "with_sla": 0, "sla_met": 0})
                entry[measure] += row["n"]
                if measure == "resolved":
                    entry["with_sla"] += row["with_sla"]
                    entry["sla_met"] += row["sla_met"]
    result = {}
    for name, (model, none_label) in BREAKDOWNS.items():
        labels = dict(model.objects.visible_to(user)
                      .filter(pk__in=[k for k in totals[name] if k is not None])
                      .values_list("pk", "name"))
        noun = model._meta.verbose_name
        ordered = sorted(totals[name].items(), key=lambda item: (
            item[0] is None, -item[1]["opened"], -item[1]["open_now"],
            _label(labels, item[0], noun, none_label).lower()))
        result[name] = [BreakdownRow(_label(labels, key, noun, none_label), e["opened"],
                                     e["resolved"], e["open_now"],
                                     percent(e["sla_met"], e["with_sla"]))
                        for key, e in ordered]
    return result


# --- putting it together ---------------------------------------------------------

# Sections other apps add to the statistics (registry.add_page_panel; their context is
# given the Statistics): availability against target. Besides what its template reads,
# a section's context carries `key`, `heading`, `method` and `table` ({title, columns,
# rows} of raw values), which the exports and the API give as they are.
STATISTICS_PAGE = "servicedesk.statistics"


def sections(stats: Statistics, user) -> list[tuple[object, dict]]:
    """The (panel, context) of each section other apps add for `user` to these figures."""
    return registry.page_panels_for(STATISTICS_PAGE, stats, user)


def compute(user, period: Period, *, service_unit=None, team=None,
            now: datetime | None = None) -> Statistics:
    now = now or timezone.now()
    day_minutes = queries.calendar(user.active_organisation_id).working_day_minutes
    narrowed = {"service_unit": service_unit, "team": team}
    tickets = tickets_for(user, **narrowed)
    stats = Statistics(period, service_unit, team, now)

    groups = grouped(tickets, days_for(DailyOpened, user, **narrowed),
                     days_for(DailyResolved, user, **narrowed), period, now)
    weeks, opened, resolved = weekly_counts(groups, period)
    backlog = backlog_by_age(groups)
    months = by_month(groups.resolved)
    totals = MonthCounts()
    for row in groups.resolved:
        totals.add(row)
    respond, resolve = business_times(tickets, period, totals)
    stats.times = (respond, resolve)
    rated, mean_score, scores = satisfaction(ratings_for(user, **narrowed), period)
    categories = top_categories(groups, user)
    per = breakdowns(groups, user)
    teams, units = per["team"], per["service_unit"]
    month_keys = period.months

    stats.headlines = [
        ("Tickets opened", f"{sum(opened):,}"),
        ("Tickets resolved", f"{sum(resolved):,}"),
        ("Open now", f"{sum(backlog):,}"),
        ("Resolved within SLA", _percent_text(percent(totals.sla_met, totals.with_sla),
                                              f"of {totals.with_sla:,} with an SLA")),
        ("Resolved at first contact", _percent_text(
            percent(totals.first_contact, totals.resolved), f"of {totals.resolved:,} resolved")),
        ("Time to resolve", _minutes_text(resolve, day_minutes)),
        ("Satisfaction", f"{mean_score:.2f} out of 5 from {rated:,} rating"
                         f"{'' if rated == 1 else 's'}" if rated else "No ratings"),
    ]

    stats.changes = _changes(user, narrowed, period, day_minutes, {
        "Tickets opened": sum(opened), "Tickets resolved": sum(resolved),
        "Resolved within SLA": percent(totals.sla_met, totals.with_sla),
        "Resolved at first contact": percent(totals.first_contact, totals.resolved),
        "Time to resolve": resolve.mean, "Satisfaction": mean_score})

    stats.figures = [
        _weekly_figure(weeks, opened, resolved),
        _backlog_figure(backlog),
        _sla_figure(month_keys, months),
        _fcr_figure(month_keys, months),
        _times_figure(respond, resolve, day_minutes),
        _satisfaction_figure(rated, mean_score, scores),
        _categories_figure(categories),
        _breakdown_figure("teams", "Tickets by team", "Team", teams),
        _breakdown_figure("service-units", "Tickets by service unit", "Service unit", units),
    ]
    return stats


def _changes(user, narrowed: dict, period: Period, day_minutes: float, now: dict
             ) -> dict[str, str]:
    """How each headline moved since the period of the same length just before, in words
    (read without colour): three queries on the daily totals and the ratings."""
    days = (period.date_to - period.date_from).days + 1
    before = Period(period.date_from - timedelta(days=days), period.date_from - timedelta(days=1))
    # One sum over the period's daily totals: no month or band buckets needed here.
    sums = _in_period(days_for(DailyResolved, user, **narrowed), before).aggregate(
        resolved=Sum("tickets"), **{name: Sum(name) for name in (
            "with_sla", "sla_met", "first_contact", "resolve_seconds")})
    resolved = sums["resolved"] or 0
    given = ratings_for(user, **narrowed).filter(
        created_at__gte=before.start, created_at__lt=before.end).order_by()
    mean_score = given.aggregate(mean=Avg("score"))["mean"]
    was = {
        "Tickets opened": tickets_logged(days_for(DailyOpened, user, **narrowed), before),
        "Tickets resolved": resolved,
        "Resolved within SLA": percent(sums["sla_met"] or 0, sums["with_sla"] or 0),
        "Resolved at first contact": percent(sums["first_contact"] or 0, resolved),
        "Time to resolve": (sums["resolve_seconds"] / 60 / resolved if resolved else None),
        "Satisfaction": round(mean_score, 2) if mean_score is not None else None,
    }
    when = f"the previous {days} days"
    said = {}
    for label, value in now.items():
        old = was[label]
        if value is None or old is None:
            said[label] = f"Nothing to compare with in {when}"
        elif label in ("Tickets opened", "Tickets resolved"):
            said[label] = _moved(value - old, f"{old:,}", when, f"{abs(value - old):,}")
        elif label == "Time to resolve":
            said[label] = _moved(round(value - old, 1), describe_working_time(old, day_minutes),
                                 when, describe_working_time(abs(value - old), day_minutes),
                                 up="Slower by", down="Faster by")
        elif label == "Satisfaction":
            said[label] = _moved(round(value - old, 2), f"{old:.2f}", when,
                                 f"{abs(value - old):.2f}")
        else:
            said[label] = _moved(round(value - old, 1), f"{old:.1f}%", when,
                                 f"{abs(value - old):.1f} points")
    return said


def _moved(delta: float, old: str, when: str, by: str, *, up: str = "Up",
           down: str = "Down") -> str:
    if delta == 0:
        return f"The same as in {when}: {old}"
    return f"{up if delta > 0 else down} {by} on {when}, when it was {old}"


def _percent_text(value: float | None, of: str) -> str:
    return f"{value:.1f}% {of}" if value is not None else "No tickets to measure"


def _minutes_text(summary: TimeSummary, day_minutes: float) -> str:
    if not summary.count:
        return "No tickets resolved"
    return (f"mean {describe_working_time(summary.mean, day_minutes)}, 90th percentile "
            f"{describe_working_time(summary.p90, day_minutes)} ({summary.count:,} tickets)")


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 1)


def _week_label(monday: date) -> str:
    return _day(monday)


def _month_label(month: date) -> str:
    return f"{month:%b %Y}"


def _weekly_figure(weeks, opened, resolved) -> Figure:
    chart = Chart(
        title="Tickets opened and resolved per week",
        description=(f"{sum(opened):,} tickets opened and {sum(resolved):,} resolved over "
                     f"{len(weeks)} weeks."),
        x_labels=[_week_label(w) for w in weeks],
        series=[Series("Opened", opened), Series("Resolved", resolved)],
        unit="tickets", kind=charts.LINE if len(weeks) > 26 else charts.BAR,
        x_title="Week beginning", key="weekly",
        empty_text="No tickets were opened or resolved in this period.",
    )
    return Figure("weekly", "Opened and resolved per week", (
        "Tickets opened are counted by the date and time they were logged, tickets resolved by "
        "when they were last resolved (a ticket reopened and not yet resolved again does not "
        "count). Weeks run Monday to Sunday in UK time (ISO weeks). Only days inside the period "
        "count, so the first and last weeks may be part weeks."), chart)


def _backlog_figure(backlog) -> Figure:
    chart = Chart(
        title="Open tickets by age",
        description=f"{sum(backlog):,} tickets are open now.",
        x_labels=[label for label, _, _ in AGE_BANDS],
        series=[Series("Open tickets", backlog)], unit="tickets", x_title="Age",
        key="backlog", empty_text="There are no open tickets.",
    )
    return Figure("backlog", "Backlog by age", (
        "Tickets open now (new, assigned, in progress or awaiting the customer or a third party), "
        "whatever period is chosen, by calendar time since they were logged. A ticket exactly "
        "1, 3, 7 or 30 days old counts in the older band."), chart)


def _sla_figure(month_keys, months) -> Figure:
    series, all_met, all_total = [], [], []
    for priority in Priority:
        values = []
        for month in month_keys:
            counts = months.get((month, priority.value), MonthCounts())
            values.append(percent(counts.sla_met, counts.with_sla))
        series.append(Series(f"P{priority.value}", values,
                             in_chart=any(v is not None for v in values)))
    for month in month_keys:
        met = sum(c.sla_met for (m, _), c in months.items() if m == month)
        total = sum(c.with_sla for (m, _), c in months.items() if m == month)
        all_met.append(percent(met, total))
        all_total.append(total)
    series.append(Series("All priorities", all_met))
    series.append(Series("Resolved with an SLA", all_total, unit="tickets", in_chart=False))
    chart = Chart(
        title="Resolved within the SLA target, by priority and month",
        description="The share of resolved tickets with an SLA that met the resolution target.",
        x_labels=[_month_label(m) for m in month_keys], series=series, unit="%",
        kind=charts.LINE, x_title="Month resolved", y_max=100, key="sla",
        empty_text="No tickets with an SLA were resolved in this period.",
    )
    return Figure("sla", "SLA compliance by priority and month", (
        "Of the tickets resolved in each month that had an SLA policy, the percentage whose "
        "resolution target was never breached. A breach, once recorded, stays recorded, so a "
        "ticket that breached and was later reprioritised still counts as a breach. Months "
        "follow UK time; the first and last months count only days inside the period. A dash "
        "means no ticket of that priority with an SLA was resolved that month."), chart)


def _fcr_figure(month_keys, months) -> Figure:
    resolved, first = [], []
    for month in month_keys:
        resolved.append(sum(c.resolved for (m, _), c in months.items() if m == month))
        first.append(sum(c.first_contact for (m, _), c in months.items() if m == month))
    chart = Chart(
        title="Resolved at first contact, by month",
        description="The share of resolved tickets that were resolved at first contact.",
        x_labels=[_month_label(m) for m in month_keys],
        series=[Series("Resolved at first contact", [percent(f, r) for f, r in zip(first, resolved,
                                                                                  strict=True)]),
                Series("Resolved at first contact", first, unit="tickets", in_chart=False),
                Series("Resolved", resolved, unit="tickets", in_chart=False)],
        unit="%", x_title="Month resolved", y_max=100, key="fcr",
        empty_text="No ticket was resolved at first contact in this period.",
    )
    return Figure("fcr", "First-contact resolution", (
        "Of the tickets resolved in each month, the percentage resolved at first contact: "
        "logged by phone or in person, resolved within 30 minutes of being logged and never "
        "reopened."), chart)


def _times_figure(respond: TimeSummary, resolve: TimeSummary, day_minutes: float) -> Figure:
    day_hours = day_minutes / 60
    chart = Chart(
        title="Time to respond and to resolve",
        description=(f"Mean and 90th percentile in working hours (a working day is "
                     f"{day_hours:g} hours) over {resolve.count:,} tickets resolved in the "
                     "period."),
        x_labels=["Time to first response", "Time to resolve"],
        series=[Series("Mean", [_hours(respond.mean), _hours(resolve.mean)]),
                Series("90th percentile", [_hours(respond.p90), _hours(resolve.p90)]),
                Series("Tickets measured", [respond.count, resolve.count], unit="tickets",
                       in_chart=False)],
        unit="working hours", x_title="Measure", key="times",
        empty_text="No ticket was resolved in this period.",
    )
    return Figure("times", "Time to respond and to resolve", (
        "For the tickets resolved in the period: the working time from when each ticket was "
        "logged to its first response, and to its resolution, counted on the council's working "
        "hours and leaving out weekends, bank holidays and closure days, as they stood when the "
        "ticket was answered and resolved. Time waiting for the customer or a supplier is "
        "included (unlike the SLA clock). The mean is the total (each ticket's time to the "
        "second) divided by the number of tickets. The 90th percentile uses the nearest-rank method: "
        "sort the times from shortest to longest and take the one at position 90% × the "
        "number of tickets, rounded up, so 9 in 10 tickets took that long or less."), chart)


def _satisfaction_figure(rated: int, mean_score: float | None, scores) -> Figure:
    labels = ["1 – Very dissatisfied", "2 – Dissatisfied", "3 – Neither", "4 – Satisfied",
              "5 – Very satisfied"]
    summary = (f"{rated:,} ratings, mean score {mean_score:.2f} out of 5." if rated
               else "No ratings were given in this period.")
    chart = Chart(
        title="Satisfaction ratings", description=summary, x_labels=labels,
        series=[Series("Ratings", scores)], unit="ratings", x_title="Score",
        key="satisfaction", empty_text="No ratings were given in this period.",
    )
    return Figure("satisfaction", "Satisfaction", (
        "Ratings (1 to 5) that requesters gave in the period after their ticket was resolved. "
        "The mean score is the sum of the scores divided by the number of ratings. "
        + summary), chart)


def _categories_figure(categories) -> Figure:
    chart = Chart(
        title=f"Top {TOP_CATEGORIES} categories by tickets opened",
        description=(f"The {len(categories)} categories with the most tickets opened in the "
                     "period."),
        x_labels=[label for label, _ in categories],
        series=[Series("Opened", [n for _, n in categories])], unit="tickets",
        kind=charts.HBAR, x_title="Category", key="categories",
        empty_text="No tickets were opened in this period.",
    )
    return Figure("categories", "Top categories", (
        f"The {TOP_CATEGORIES} categories with the most tickets logged in the period, most "
        "first; tickets without a category are counted together as \u201cNo category\u201d."),
        chart)


def _breakdown_figure(key: str, title: str, noun: str, rows: list[BreakdownRow]) -> Figure:
    chart = Chart(
        title=title,
        description=f"Tickets opened, resolved and open now for each {noun.lower()}.",
        x_labels=[r.label for r in rows],
        series=[Series("Opened", [r.opened for r in rows]),
                Series("Resolved", [r.resolved for r in rows]),
                Series("Open now", [r.open_now for r in rows]),
                Series("Resolved within SLA", [r.sla_percent for r in rows], unit="%",
                       in_chart=False)],
        unit="tickets", kind=charts.BAR, x_title=noun, key=key,
        empty_text="No tickets were opened, resolved or open in this period.",
    )
    return Figure(key, f"Per {noun.lower()}", (
        f"For each {noun.lower()}: tickets logged in the period, tickets resolved in the period, "
        "tickets open now, and the percentage of tickets resolved in the period with an SLA "
        f"whose resolution target was not breached. The {noun.lower()} is the one the ticket "
        "has now."), chart)
