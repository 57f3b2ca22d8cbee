"""Seed the service desk with N tickets and their timelines, fast.

Run after `borough migrate` and `borough demo` against the benchmark database:

    python -m bench.servicedesk.seed --tickets 100000 --weeks 156 --fixture out.json

How: the demo plans (borough.demo.servicedesk) and servicedesk.history plays a pool of ticket
lives through the real SLA functions on each council's calendar; the seeder
then places copies of those lives evenly across the benchmark's window, each
moved by whole weeks (so weekdays and office hours hold; a copy moved across a
clock change or a bank holiday can be an hour or a day off its true due time),
cuts them at the present moment (recent ones are still open) and gives each
copy a requester from a directory sized to the volume. Rows go in with COPY on
PostgreSQL and executemany inserts on SQLite, in batches, with explicit ids;
sequences and reference counters are moved past them at the end. The
volume of timeline entries, audit events and ratings per ticket is the
simulator's (about 7, 6.5 and 0.3).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from borough.core.models import AuditEvent, ReferenceCounter  # noqa: E402
from borough.demo import servicedesk as demo  # noqa: E402
from borough.organisation.models import Organisation, Person  # noqa: E402
from borough.servicedesk import daily, elapsed, history  # noqa: E402
from borough.servicedesk.models import Satisfaction, Ticket, TimelineEntry  # noqa: E402

SHARES = {"cbc": 0.7, "edc": 0.3}  # share of the seeded tickets per demo council
POOL_PER_ORG = 4000  # distinct simulated lives per council; copies are spread over the window
TICKETS_PER_REQUESTER = 60
BATCH = 10_000


def log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- writing rows --------------------------------------------------------------------

class Writer:
    """Inserts plain tuples into a model's table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.postgres = connection.vendor == "postgresql"
        self.convert = [self._converter(f) for f in self.fields]
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        if self.postgres:
            self.sql = f"COPY {table} ({names}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in self.columns)
            self.sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows = 0

    def _converter(self, f):
        internal = f.get_internal_type()
        if internal == "JSONField":
            if self.postgres:
                from psycopg.types.json import Jsonb

                return lambda v: None if v is None else Jsonb(v)
            return lambda v: None if v is None else json.dumps(v)
        if internal == "DateTimeField" and not self.postgres:
            return lambda v: None if v is None else (
                v.astimezone(UTC).replace(tzinfo=None).isoformat(" "))
        if internal == "BooleanField" and not self.postgres:
            return lambda v: None if v is None else int(v)
        return None

    def take_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def write(self, rows: list[dict]) -> None:
        """Rows are dicts by attname; missing fields are NULL."""
        if not rows:
            return
        attnames = [f.attname for f in self.fields]
        convert = self.convert
        tuples = []
        for row in rows:
            values = []
            for name, conv in zip(attnames, convert, strict=True):
                value = row.get(name)
                values.append(conv(value) if conv is not None else value)
            tuples.append(values)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if self.postgres:
                with raw.copy(self.sql) as copy:
                    for values in tuples:
                        copy.write_row(values)
            else:
                raw.executemany(self.sql, tuples)
        self.rows += len(rows)


# --- placing tickets -------------------------------------------------------------------

class BulkLoad:
    """On PostgreSQL, for big loads: no FK triggers while loading (the rows are generated
    consistent), secondary indexes dropped first and built once at the end. Needs the
    database superuser, which the benchmark uses; elsewhere it does nothing."""

    def __init__(self, models, enabled: bool):
        self.tables = [m._meta.db_table for m in models]
        self.enabled = enabled and connection.vendor == "postgresql"
        self.definitions: list[str] = []

    def __enter__(self):
        if not self.enabled:
            return self
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            # Indexes that back no constraint (primary keys and unique constraints stay).
            cursor.execute("""
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                  WHERE c.conname = i.indexname)
            """, [self.tables])
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
            self.definitions = [definition for _, definition in found]
        log(f"loading without {len(self.definitions)} secondary indexes and FK triggers")
        return self

    def __exit__(self, *exc):
        if not self.enabled:
            return False
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            for definition in self.definitions:
                cursor.execute(definition)
        log(f"rebuilt {len(self.definitions)} indexes in {time.monotonic() - started:.0f} s")
        return False


def make_requesters(organisation, count: int, rng: random.Random) -> list:
    have = Person.objects.filter(organisation=organisation, user__isnull=True).count()
    if count > have:
        demo.ensure_requesters(organisation, rng, count=count)
    return list(Person.objects.filter(
        organisation=organisation, user__isnull=True, is_active=True,
        service_unit__name__in=list(demo.UNITS)).select_related("service_unit", "site")
        .order_by("pk"))


def story_pool(ctx, rng: random.Random, size: int, now: datetime) -> list:
    """Complete ticket lives (all the way to closure), arriving over the demo's window."""
    tz = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(tz).date()
    start = today - timedelta(weeks=demo.HISTORY_WEEKS, days=today.weekday())
    rate = max(1.2 * size / (demo.HISTORY_WEEKS * 5.2), 1)  # weekday factors sum to 5.2
    times = demo.arrivals(ctx, rng, start, now, rate)
    rng.shuffle(times)
    horizon = now + timedelta(days=3650)
    rules = history.Rules(ctx.organisation)
    pool = []
    for created in times[:size]:
        mood = demo.Mood(improved=rng.random() < 0.5, strain=rng.random())
        ticket, events = demo.plan_ticket(ctx, rng, created, mood)
        pool.append(history.simulate(rules, ticket, events, rng, horizon))
    return pool


WEEK = timedelta(weeks=1)


def place(created: datetime, now: datetime, weeks: int, rng: random.Random) -> timedelta:
    """A whole-week shift (plus a few seconds, so copies differ) that puts a life arriving at
    `created` at a time spread evenly over the last `weeks` weeks, never after `now`.

    A target time is drawn from [now - weeks, now + 1 week]; the copy lands in the week
    before the target on the story's own weekday and time; a copy that would land after
    now is drawn again. Arrivals are then as dense in the current week as in any other."""
    while True:
        target = now - timedelta(seconds=rng.uniform(-WEEK.total_seconds(),
                                                     weeks * WEEK.total_seconds()))
        back = math.ceil((created - target) / WEEK)
        shift = -back * WEEK - timedelta(seconds=rng.randint(0, 59))
        if created + shift <= now:
            return shift


def seed(total: int, weeks: int, seed_value: int = 7) -> dict:
    now = timezone.now()
    rng = random.Random(seed_value)
    existing = Ticket.objects.count()
    extra = max(total - existing, 0)
    log(f"{existing} tickets already (demo); adding {extra} over {weeks} weeks")
    stats = {"existing": existing, "added": extra, "weeks": weeks}
    if not extra:
        return stats
    started = time.monotonic()
    placements = []  # (created_at, org code, story index, shift)
    contexts, pools, people = {}, {}, {}
    for code, share in SHARES.items():
        organisation = Organisation.objects.get(code=code)
        count = round(extra * share) if code != list(SHARES)[-1] else extra - len(placements)
        people[code] = make_requesters(organisation, max(count // TICKETS_PER_REQUESTER, 72),
                                       rng)
        ctx = demo.configure(organisation)
        contexts[code] = ctx
        pools[code] = story_pool(ctx, rng, min(count, POOL_PER_ORG), now)
        pool_size = len(pools[code])
        log(f"{code}: {len(people[code])} requesters, pool of {pool_size} simulated lives")
        for index in range(count):
            story = index % pool_size if count <= pool_size else rng.randrange(pool_size)
            shift = place(pools[code][story].steps[0].at, now, weeks, rng)
            placements.append((pools[code][story].steps[0].at + shift, code, story, shift))
    stats["simulate_seconds"] = round(time.monotonic() - started, 1)
    placements.sort(key=lambda p: p[0])
    # Ids continue from what is there now (the requesters above wrote audit events).
    writers = {m: Writer(m) for m in (Ticket, TimelineEntry, AuditEvent, Satisfaction)}
    org_ids = {c: x.organisation.pk for c, x in contexts.items()}
    stampers = {c: elapsed.Stamper.for_organisation(org_ids[c], placements[0][0], now)
                for c in org_ids}
    loader = Loader(writers, pools, people, org_ids, stampers, now, rng)
    started = time.monotonic()
    with BulkLoad(writers, enabled=extra >= 50_000):
        for start in range(0, len(placements), BATCH):
            loader.write(placements[start:start + BATCH])
            done = min(start + BATCH, len(placements))
            if done % 100_000 == 0 or done == len(placements):
                rate = done / max(time.monotonic() - started, 0.001)
                log(f"{done} tickets written ({rate:,.0f}/s)")
    stats["write_seconds"] = round(time.monotonic() - started, 1)
    with transaction.atomic():
        for (code, prefix), value in loader.counters.items():
            ReferenceCounter.objects.update_or_create(
                organisation_id=loader.org_ids[code], prefix=prefix,
                defaults={"last_value": value})
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(writers)):
                cursor.execute(sql)
    started = time.monotonic()
    daily.rebuild()  # the rows were copied in, bypassing Ticket.save, which keeps them
    stats["daily_totals_seconds"] = round(time.monotonic() - started, 1)
    if connection.vendor == "postgresql":
        # What autovacuum would have done by the time anyone looks at a million tickets.
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        stats["analyze_seconds"] = round(time.monotonic() - started, 1)
    stats.update({f"{m._meta.model_name}_rows": w.rows for m, w in writers.items()})
    stats["open_added"] = loader.open_count
    return stats


class Loader:
    """Turns placed copies of ticket lives into rows and hands them to the writers."""

    def __init__(self, writers, pools, people, org_ids, stampers, now, rng):
        self.writers, self.pools, self.people = writers, pools, people
        self.org_ids, self.stampers, self.now, self.rng = org_ids, stampers, now, rng
        self.content_type_id = ContentType.objects.get_for_model(Ticket).pk
        self.counters = {(o, p): v for o, p, v in ReferenceCounter.objects.values_list(
            "organisation__code", "prefix", "last_value")}
        self.open_count = 0

    def write(self, placements) -> None:
        writers = self.writers
        batch = {m: [] for m in writers}
        for _, code, story_index, shift in placements:
            row = history.materialise(self.pools[code][story_index], cutoff=self.now, shift=shift)
            if row is None:
                continue
            org_id = self.org_ids[code]
            person = self.rng.choice(self.people[code])
            fields = self.stampers[code].fill(dict(row.fields), row.created_at)
            prefix = Ticket.reference_prefixes[fields["ticket_type"]]
            self.counters[(code, prefix)] = self.counters.get((code, prefix), 0) + 1
            reference = f"{prefix}-{self.counters[(code, prefix)]:06d}"
            pk = writers[Ticket].take_id()
            fields.update(id=pk, reference=reference, organisation_id=org_id,
                          requester_id=person.pk, service_unit_id=person.service_unit_id,
                          site_id=person.site_id, created_at=row.created_at,
                          updated_at=row.updated_at)
            self.open_count += fields["status"] not in ("resolved", "closed", "cancelled")
            batch[Ticket].append(fields)
            for at, kind, body, author_id, author_name, data, by_requester in row.entries:
                batch[TimelineEntry].append({
                    "id": writers[TimelineEntry].take_id(), "organisation_id": org_id,
                    "ticket_id": pk, "kind": kind, "body": body,
                    "author_id": None if by_requester else author_id,
                    "author_name": person.full_name if by_requester else author_name,
                    "data": data, "created_at": at, "updated_at": at,
                    "created_by_id": None if by_requester else author_id, "version": 1})
            repr_ = f"{reference} {fields['title']}"[:300]
            for at, action, actor_id, actor_repr, changes, version, note in row.audits:
                if action == "create":
                    changes = {"reference": [None, reference], **changes,
                               "requester": [None, person.full_name],
                               "service_unit": [None, str(person.service_unit)],
                               "site": [None, str(person.site) if person.site else None]}
                batch[AuditEvent].append({
                    "id": writers[AuditEvent].take_id(), "organisation_id": org_id,
                    "content_type_id": self.content_type_id, "object_id": pk,
                    "object_repr": repr_, "action": action, "actor_id": actor_id,
                    "actor_repr": actor_repr, "at": at, "changes": changes,
                    "version": version, "note": note})
            if row.rating is not None:
                at, score, comment, _ = row.rating
                batch[Satisfaction].append({
                    "id": writers[Satisfaction].take_id(), "organisation_id": org_id,
                    "ticket_id": pk, "score": score, "comment": comment, "created_at": at,
                    "updated_at": at, "version": 1})
        with transaction.atomic():
            for model, writer in writers.items():
                writer.write(batch[model])


def fixture(path: str, username: str) -> None:
    """Ids the load client needs: tickets the agent can open, requesters, lookups."""
    from borough.accounts.models import User
    from borough.organisation.models import ServiceUnit, Site, Team
    from borough.servicedesk.models import Category

    user = User.objects.get(username=username)
    org = user.memberships.filter(is_default=True).values_list("organisation_id", flat=True)[0]
    last = Ticket.objects.filter(organisation_id=org).aggregate(m=Max("pk"))["m"]
    ids = list(Ticket.objects.filter(organisation_id=org).values_list("pk", flat=True)
               .order_by("?")[:5000]) if last and last < 200_000 else None
    if ids is None:  # ORDER BY random() over a million rows is itself a benchmark
        rng = random.Random(3)
        sample = rng.sample(range(1, last + 1), 20_000)
        ids = list(Ticket.objects.filter(organisation_id=org, pk__in=sample)
                   .values_list("pk", flat=True))[:5000]
    from django.db.migrations.recorder import MigrationRecorder

    latest = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("id").values_list("app", "name"):
        if app.startswith(("servicedesk", "core", "organisation", "accounts")):
            latest[app] = name
    data = {
        "organisation_id": org,
        "migrations": latest,  # the app's state when measured (the code moves on)
        "ticket_ids": ids,
        "requester_ids": list(Person.objects.filter(organisation_id=org, user__isnull=True)
                              .values_list("pk", flat=True)[:500]),
        "category_ids": list(Category.objects.filter(organisation_id=org, parent__isnull=False,
                                                     ticket_type="incident")
                             .values_list("pk", flat=True)),
        "service_unit_ids": list(ServiceUnit.objects.filter(organisation_id=org)
                                 .values_list("pk", flat=True)),
        "site_ids": list(Site.objects.filter(organisation_id=org).values_list("pk", flat=True)),
        "team_ids": list(Team.objects.filter(organisation_id=org).values_list("pk", flat=True)),
        "counts": {
            "tickets": Ticket.objects.count(),
            "open_tickets": Ticket.objects.open().count(),
            "tickets_in_agent_organisation": Ticket.objects.filter(organisation_id=org).count(),
            "open_in_agent_organisation": Ticket.objects.filter(organisation_id=org).open().count(),
            "timeline_entries": TimelineEntry.objects.count(),
            "audit_events": AuditEvent.objects.count(),
            "satisfaction_ratings": Satisfaction.objects.count(),
            "people": Person.objects.count(),
        },
    }
    with open(path, "w") as handle:
        json.dump(data, handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, required=True, help="Total tickets wanted.")
    parser.add_argument("--weeks", type=int, default=52, help="Weeks the tickets arrive over.")
    parser.add_argument("--fixture", help="Write ids for the load client to this JSON file.")
    parser.add_argument("--agent", default="cbc-agent")
    parser.add_argument("--stats", help="Write seeding figures to this JSON file.")
    args = parser.parse_args()
    started = time.monotonic()
    stats = seed(args.tickets, args.weeks)
    stats["seconds"] = round(time.monotonic() - started, 1)
    log(f"seeded in {stats['seconds']} s: {stats}")
    if args.fixture:
        fixture(args.fixture, args.agent)
    if args.stats:
        with open(args.stats, "w") as handle:
            json.dump(stats, handle)


if __name__ == "__main__":
    main()
