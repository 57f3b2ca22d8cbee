"""Taking measurements in: line protocol pushes (`push`), and the points an upload or a
source query gives (`store`). Every way in ends in `store`, which writes the raw points
in bulk (a point written again for the same metric and time replaces the value, as in
InfluxDB) and keeps each metric's latest value and where its rollups must start again.

Points older than the raw retention (`raw_cutoff`) are refused: their day has been
rolled up and its raw points removed, so taking one in would leave a rollup that no
longer matches its points. Points more than a day ahead of now are refused too (a clock
set wrong)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from borough.capacity import lineprotocol
from borough.capacity.models import CollectionRun, Kind, Mapping, Metric, Point, Source, Unit
from borough.core import audit
from borough.core.models import AuditAction

log = logging.getLogger(__name__)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
FUTURE_ALLOWED = datetime.timedelta(days=1)
ERRORS_KEPT = 100
# Rows a statement writes at once; metrics whose latest value one statement updates.
POINT_BATCH = 5000
METRIC_BATCH = 250


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def retention_days() -> int:
    return settings.CAPACITY_RAW_RETENTION_DAYS


def raw_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """The oldest moment raw points are kept from: local midnight `retention_days()` days
    before today, so whole days are removed and whole days are taken in."""
    now = now or timezone.now()
    day = now.astimezone(zone()).date() - datetime.timedelta(days=retention_days())
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone()).astimezone(
        datetime.UTC)


def time_problem(at: datetime.datetime, cutoff: datetime.datetime,
                 now: datetime.datetime) -> str | None:
    """Why a point at `at` cannot be taken in, or None."""
    if at < cutoff:
        return (f"the time {at:%Y-%m-%d %H:%M:%S} UTC is older than the "
                f"{retention_days()} days raw points are kept (from "
                f"{cutoff.astimezone(zone()):%d %b %Y})")
    if at > now + FUTURE_ALLOWED:
        return f"the time {at:%Y-%m-%d %H:%M:%S} UTC is more than a day in the future"
    return None


# --- storing points --------------------------------------------------------------------

# Called as f(metric id, earliest, latest) for each up or down metric that took points
# in, inside the storing transaction (availability records outages from them; it sits
# above capacity, so it registers here rather than being imported).
_up_down_listeners: list[Callable[[int, datetime.datetime, datetime.datetime], None]] = []


def listen_for_up_down(listener: Callable[[int, datetime.datetime, datetime.datetime], None]
                       ) -> None:
    if listener not in _up_down_listeners:
        _up_down_listeners.append(listener)


def store(points: Iterable[tuple[int, datetime.datetime, float]]) -> int:
    """Write points (metric id, aware time, value) and keep their metrics' latest value
    and rollup start; a later duplicate of (metric, time) wins. Returns the points
    written. Call inside a transaction to keep them with other writes."""
    rows: dict[tuple[int, datetime.datetime], float] = {}
    for metric_id, at, value in points:
        rows[(metric_id, at)] = value
    if not rows:
        return 0
    ordered = sorted(rows.items())
    # Each metric's first time, last time and last value, read once for every step.
    spans: dict[int, list] = {}
    for (metric_id, at), value in ordered:
        span = spans.get(metric_id)
        if span is None:
            spans[metric_id] = [at, at, value]
        else:
            span[1] = at
            span[2] = value
    with transaction.atomic():
        _write(ordered, spans)
        _touch_metrics(spans)
        _tell_up_down(spans)
    return len(ordered)


def _tell_up_down(spans) -> None:
    """Every way in ends in `store`, so the listeners hear of every up or down point
    whether pushed, uploaded or queried. A listener's failure is logged and never loses
    the points (its own savepoint)."""
    if not _up_down_listeners:
        return
    ids = list(spans)
    up_down = []
    for start in range(0, len(ids), 500):
        up_down += Metric.objects.filter(pk__in=ids[start:start + 500],
                                         kind=Kind.UP_DOWN).values_list("pk", flat=True)
    for metric_id in sorted(up_down):
        first, last, _value = spans[metric_id]
        for listener in _up_down_listeners:
            try:
                with transaction.atomic():
                    listener(metric_id, first, last)
            except Exception:  # noqa: BLE001 - the points are kept whatever happens
                log.exception("Up or down listener %s failed for metric %s", listener,
                              metric_id)


def _write(ordered, spans) -> None:
    table = Point._meta.db_table
    if connection.vendor == "postgresql":
        _write_postgresql(table, ordered, spans)
        return
    for start in range(0, len(ordered), POINT_BATCH):
        batch = ordered[start:start + POINT_BATCH]
        if connection.vendor == "sqlite":
            adapt = connection.ops.adapt_datetimefield_value
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} (metric_id, at, value) VALUES (%s, %s, %s) "  # noqa: S608
                    "ON CONFLICT (metric_id, at) DO UPDATE SET value = excluded.value",
                    [(m, adapt(a), v) for (m, a), v in batch])
        else:
            Point.objects.bulk_create(
                [Point(metric_id=m, at=a, value=v) for (m, a), v in batch],
                update_conflicts=True, unique_fields=["metric", "at"], update_fields=["value"])


def _write_postgresql(table: str, ordered, spans) -> None:
    """New points by COPY, the fastest way PostgreSQL takes rows (psycopg formats them in
    C, where the upsert's array parameters are formatted in Python: bench/capacity);
    points already stored (a push sent again) by the upsert. A point another push
    stores meanwhile makes the COPY fail on the unique index: its savepoint is rolled
    back and the upsert writes them all."""
    stored = _stored(table, spans)
    if stored:
        stored = {key for key, _value in ordered if key in stored}
        fresh = [row for row in ordered if row[0] not in stored]
        _upsert(table, [row for row in ordered if row[0] in stored])
    else:
        fresh = ordered
    if fresh and not _copy(table, fresh):
        _upsert(table, fresh)


def _stored(table: str, spans) -> set[tuple[int, datetime.datetime]]:
    """The stored points between each metric's first and last time (one index range a
    metric): usually none, as pushes bring newer points than any kept."""
    found: set[tuple[int, datetime.datetime]] = set()
    ids = list(spans)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), POINT_BATCH):
            chunk = ids[start:start + POINT_BATCH]
            cursor.execute(
                f"SELECT p.metric_id, p.at FROM {table} p "  # noqa: S608 - our table
                "JOIN unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) "
                "AS s(m, lo, hi) ON p.metric_id = s.m AND p.at BETWEEN s.lo AND s.hi",
                [chunk, [spans[m][0] for m in chunk], [spans[m][1] for m in chunk]])
            found.update(cursor.fetchall())
    return found


def _upsert(table: str, rows) -> None:
    # Three array parameters a statement, whatever its rows: far cheaper than a row of
    # parameters a point.
    with connection.cursor() as cursor:
        for start in range(0, len(rows), POINT_BATCH):
            batch = rows[start:start + POINT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} (metric_id, at, value) "  # noqa: S608 - our table
                "SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::float8[]) "
                "ON CONFLICT (metric_id, at) DO UPDATE SET value = EXCLUDED.value",
                [[m for (m, _), _ in batch], [a for (_, a), _ in batch],
                 [v for _, v in batch]])


def _copy(table: str, rows) -> bool:
    """False, with nothing written, when the unique index refuses a point."""
    try:
        sql = f"COPY {table} (metric_id, at, value) FROM STDIN (FORMAT BINARY)"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor, \
                cursor.cursor.copy(sql) as copy:
            copy.set_types(["int8", "timestamptz", "float8"])
            write = copy.write_row
            for (metric_id, at), value in rows:
                write((metric_id, at, value))
    except psycopg.errors.UniqueViolation:
        return False
    return True


def _touch_metrics(spans) -> None:
    """Each metric's newest point (if newer than its latest) and its earliest (where its
    rollups start again), in one statement per METRIC_BATCH metrics."""
    ids = sorted(spans)
    if connection.vendor == "postgresql":
        _touch_metrics_postgresql(ids, spans)
        return
    for start in range(0, len(ids), METRIC_BATCH):
        chunk = ids[start:start + METRIC_BATCH]
        first = {m: spans[m][0] for m in chunk}
        last = {m: (spans[m][1], spans[m][2]) for m in chunk}
        newer = {m: Q(pk=m) & (Q(latest_at__isnull=True) | Q(latest_at__lte=last[m][0]))
                 for m in chunk}
        Metric.objects.filter(pk__in=chunk).update(
            latest_at=Case(*[When(newer[m], then=Value(last[m][0])) for m in chunk],
                           default=F("latest_at")),
            latest_value=Case(*[When(newer[m], then=Value(last[m][1])) for m in chunk],
                              default=F("latest_value")),
            dirty_from=Case(*[When(pk=m, then=Coalesce(Least(F("dirty_from"), Value(first[m])),
                                                        Value(first[m])))
                              for m in chunk], default=F("dirty_from")))


def _touch_metrics_postgresql(ids: list[int], spans) -> None:
    # The ORM's statement compiles a CASE arm a metric, several milliseconds a push of
    # one series (bench/capacity); this one takes the figures as four arrays. In SET,
    # every m.column is the row before the update, as in the ORM's.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Metric._meta.db_table} m SET "  # noqa: S608 - our table
            "latest_at = CASE WHEN m.latest_at IS NULL OR m.latest_at <= s.last_at "
            "THEN s.last_at ELSE m.latest_at END, "
            "latest_value = CASE WHEN m.latest_at IS NULL OR m.latest_at <= s.last_at "
            "THEN s.last_value ELSE m.latest_value END, "
            "dirty_from = LEAST(m.dirty_from, s.first_at) "  # LEAST passes over a NULL
            "FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[], %s::float8[]) "
            "AS s(id, first_at, last_at, last_value) WHERE m.id = s.id",
            [ids, [spans[m][0] for m in ids], [spans[m][1] for m in ids],
             [spans[m][2] for m in ids]])


# --- runs ------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one taking-in did, before it is recorded as a CollectionRun."""

    source: str
    detail: str = ""
    lines: int = 0
    accepted: int = 0
    skipped: int = 0
    metrics_created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    refused_lines: set[int] = field(default_factory=set)

    def refuse(self, line: int, message: str) -> None:
        if line not in self.refused_lines:
            self.refused_lines.add(line)
            self.errors.append((line, message))

    @property
    def refused(self) -> int:
        return len(self.refused_lines)


def record_run(organisation_id: int, outcome: Outcome, *, actor,
               started_at: datetime.datetime) -> CollectionRun:
    """The run, written as it finished (Borough's own record: no audit event)."""
    errors = [{"line": n, "message": m} for n, m in sorted(outcome.errors)[:ERRORS_KEPT]]
    return CollectionRun.objects.create(
        organisation_id=organisation_id, source=outcome.source, detail=outcome.detail[:300],
        requested_by=actor if getattr(actor, "pk", None) else None, started_at=started_at,
        finished_at=timezone.now(), lines=outcome.lines, accepted=outcome.accepted,
        refused=outcome.refused, skipped=outcome.skipped,
        metrics_created=outcome.metrics_created, errors=errors)


# --- line protocol pushes ---------------------------------------------------------------

def guess_unit(measurement: str, field_key: str) -> str:
    """A first guess at a pushed series' unit, from Telegraf's names; an administrator
    sets the right one when attaching it."""
    name = field_key.casefold()
    if "percent" in name or name.startswith("usage_") or name.endswith("_pct"):
        return Unit.PERCENT
    if name.startswith("bytes_") or name in ("used", "free", "total", "available",
                                             "buffered", "cached"):
        return Unit.BYTES
    if name.endswith("_ms") or "latency" in name or "response_time" in name:
        return Unit.MILLISECONDS
    return Unit.OTHER


def resolve_series(organisation_id: int, wanted: dict[str, tuple[str, str]], *, actor,
                   outcome: Outcome) -> dict[str, int]:
    """Metric ids by series key; a key no metric has gets a new unmapped metric while the
    organisation has fewer than CAPACITY_MAX_UNMAPPED of them (`wanted`: key ->
    (measurement, field), to name and guess the unit of a new one)."""
    keys = list(wanted)
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        found.update(Metric.objects.filter(organisation_id=organisation_id,
                                           source_key__in=keys[start:start + 500])
                     .values_list("source_key", "pk"))
    missing = [k for k in keys if k not in found]
    if not missing:
        return found
    room = settings.CAPACITY_MAX_UNMAPPED - Metric.objects.filter(
        organisation_id=organisation_id, mapping=Mapping.UNMAPPED).count()
    new_keys = missing[:max(room, 0)]
    if new_keys:
        user = actor if getattr(actor, "pk", None) else None
        Metric.objects.bulk_create([
            Metric(organisation_id=organisation_id, source_key=key, name=key[:200],
                   unit=guess_unit(*wanted[key]), mapping=Mapping.UNMAPPED,
                   created_by=user, updated_by=user)
            for key in new_keys], ignore_conflicts=True)
        made = list(Metric.objects.filter(organisation_id=organisation_id,
                                          source_key__in=new_keys))
        audit.record_bulk(made, AuditAction.CREATE, actor=user,
                          note="A series pushed that no metric named yet.")
        found.update((m.source_key, m.pk) for m in made)
        outcome.metrics_created += len(made)
    return found


@dataclass
class PushResult:
    run: CollectionRun
    outcome: Outcome


def push(organisation_id: int, body: str, *, precision: str | None, actor,
         detail: str = "", now: datetime.datetime | None = None) -> PushResult:
    """Take in a line protocol body: every good line's numeric fields become points of
    the metric their series names; bad lines, and values that cannot be kept, are
    refused with their line number. ValueError: an unknown precision."""
    started = timezone.now()
    now = now or started
    lines, errors = lineprotocol.parse(body, precision)
    outcome = Outcome(Source.PUSH, detail=detail, lines=len(lines) + len(errors))
    for error in errors:
        outcome.refuse(error.number, error.message)
    cutoff = raw_cutoff(now)
    wanted: dict[str, tuple[str, str]] = {}
    values: list[tuple[str, datetime.datetime, float, int]] = []
    # A batch shares few timestamps and series: each is worked out once (a series that
    # cannot be kept is cached as its reason, a str in a tuple).
    moments: dict[int | None, datetime.datetime | str] = {None: now}
    keys: dict[tuple, str | tuple[str]] = {}
    longest = Metric._meta.get_field("source_key").max_length
    latest = now + FUTURE_ALLOWED
    for line in lines:
        at = moments.get(line.timestamp)
        if at is None:
            try:
                at = EPOCH + datetime.timedelta(microseconds=line.timestamp // 1000)
            except OverflowError:
                at = "the timestamp is out of range"
            else:
                if not cutoff <= at <= latest:
                    at = time_problem(at, cutoff, now) or at
            moments[line.timestamp] = at
        if isinstance(at, str):
            outcome.refuse(line.number, at)
            continue
        for key, value in line.fields:
            if isinstance(value, str):
                outcome.skipped += 1
                continue
            named = (line.measurement, line.tags, key)
            series = keys.get(named)
            if series is None:
                series = lineprotocol.series_key(*named)
                if len(series) > longest:
                    series = (f"the series “{series[:60]}…” is longer than 500 characters",)
                else:
                    wanted[series] = (line.measurement, key)
                keys[named] = series
            if series.__class__ is tuple:
                outcome.refuse(line.number, series[0])
                continue
            values.append((series, at, float(value), line.number))
    with transaction.atomic():
        ids = resolve_series(organisation_id, wanted, actor=actor, outcome=outcome)
        points = []
        for series, at, value, number in values:
            metric_id = ids.get(series)
            if metric_id is None:
                outcome.refuse(number, (
                    f"the series “{series}” is not a metric yet, and "
                    f"{settings.CAPACITY_MAX_UNMAPPED:,} series wait to be attached already: "
                    "attach or delete some (Capacity › Metrics, “Waiting to be attached”)"))
                continue
            points.append((metric_id, at, value))
        outcome.accepted = store(points)
    run = record_run(organisation_id, outcome, actor=actor, started_at=started)
    return PushResult(run, outcome)
