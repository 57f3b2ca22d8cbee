"""Forward schedule benchmark: the month's schedule with its conflicts (changes.queries.
schedule) over an estate of CIs (bench/cmdb's generator and seeder) and N changes spread
over two years, each on one to three items, a fifth of them on a service with maintenance
hours, with blackout and freeze windows. Prints and writes p50/p95 and the query count.

    DATABASE_URL=... .venv/bin/python -m bench.changes.schedule --items 100000 \
        --relationships 300000 --changes 50000 [--runs 30] [--out FILE]

Run against a database migrated for the purpose (its first organisation is used; one
is made if there is none). Never in tests: timings are only looked at here."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from bench.changes import percentiles, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--relationships", type=int, default=30_000)
    parser.add_argument("--changes", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.cmdb.seed import seed
    from borough.accounts.models import Membership, User
    from borough.catalogue.models import BusinessService
    from borough.changes import models as m
    from borough.changes import queries
    from borough.cmdb.models import ConfigurationItem
    from borough.core import roles
    from borough.core.perf import collector
    from borough.organisation.models import Organisation

    organisation = Organisation.objects.order_by("pk").first() or Organisation.objects.create(
        name="Bench council", code="bench")
    user = User.objects.filter(username="bench-changes").first()
    if user is None:
        user = User.objects.create(username="bench-changes")
        Membership.objects.create(user=user, organisation=organisation, is_default=True,
                                  role=Group.objects.get(name=roles.CHANGE_MANAGER))
    user.active_organisation_id = organisation.pk
    started = time.monotonic()
    if not ConfigurationItem.objects.filter(organisation=organisation).exists():
        seed(organisation, args.items, args.relationships)
    item_ids = list(ConfigurationItem.objects.filter(organisation=organisation)
                    .values_list("pk", flat=True))
    rng = random.Random(5)
    origin = datetime(2027, 1, 1, tzinfo=UTC)
    if not m.Change.objects.filter(organisation=organisation).exists():
        services = [BusinessService.objects.create(organisation=organisation,
                                                   name=f"Bench service {i}",
                                                   reference=f"SVC-9{i:05d}")
                    for i in range(20)]
        for service in services:
            for weekday in (2, 5, 6):
                m.MaintenanceWindow.objects.create(organisation=organisation, service=service,
                                                   weekday=weekday, starts=clock(18),
                                                   ends=clock(0))
        for n, (name, kind) in enumerate((("Billing", "blackout"), ("Year end", "freeze"),
                                          ("Elections", "freeze"))):
            m.ScheduleWindow.objects.create(
                organisation=organisation, name=name, kind=kind,
                starts_at=origin + timedelta(days=60 + 200 * n),
                ends_at=origin + timedelta(days=74 + 200 * n))
        statuses = [m.Status.ASSESSMENT, m.Status.AUTHORISATION, m.Status.SCHEDULED,
                    m.Status.SCHEDULED, m.Status.CLOSED]
        for start in range(0, args.changes, 2000):
            rows = []
            for n in range(start, min(start + 2000, args.changes)):
                begins = origin + timedelta(minutes=15 * rng.randrange(0, 4 * 24 * 730))
                rows.append(m.Change(
                    organisation=organisation, reference=f"CHG-{n + 1:06d}",
                    title=f"Bench change {n}", status=rng.choice(statuses),
                    change_type=rng.choice(["normal"] * 8 + ["emergency", "standard"]),
                    planned_start=begins,
                    planned_end=begins + timedelta(minutes=30 * rng.randint(1, 12))))
            with transaction.atomic():
                made = m.Change.objects.bulk_create(rows)
                links = [m.Change.configuration_items.through(
                    change_id=c.pk, configurationitem_id=i)
                    for c in made for i in rng.sample(item_ids, rng.randint(1, 3))]
                m.Change.configuration_items.through.objects.bulk_create(links)
                m.Change.services.through.objects.bulk_create([
                    m.Change.services.through(change_id=c.pk,
                                              businessservice_id=rng.choice(services).pk)
                    for c in made if rng.random() < 0.2])
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seeded = time.monotonic() - started
    # As a server's worker runs (gunicorn_conf): what is loaded by now out of the
    # collector's view, so that a full collection does not walk it mid-request.
    collector.settle()
    # The first schedule of a process builds what it keeps (the organisation's dependency
    # graph, cmdb.graphcache, again after any write to the relationships): timed apart.
    begun = time.perf_counter()
    assert queries.schedule(user, origin, origin + timedelta(days=31)).conflicted is not None
    first_ms = round((time.perf_counter() - begun) * 1000, 1)
    timings, counts, sizes = [], [], []
    for _ in range(args.runs):
        first = origin + timedelta(days=30 * rng.randrange(0, 23))
        begun = time.perf_counter()
        found = queries.schedule(user, first, first + timedelta(days=31))
        conflicted = found.conflicted
        timings.append((time.perf_counter() - begun) * 1000)
        # Counted on a render of its own, untimed: capturing makes the cursor write out
        # each statement with its parameters (a month's thousands of ids), which a
        # server's requests never do.
        with CaptureQueriesContext(connection) as ctx:
            counted = queries.schedule(user, first, first + timedelta(days=31))
            assert counted.conflicted == conflicted
        counts.append(len(ctx.captured_queries))
        sizes.append((len(found.changes), len(conflicted)))
    timings.sort()
    result = {
        "database": connection.vendor, "items": len(item_ids),
        "changes": m.Change.objects.filter(organisation=organisation).count(),
        "runs": args.runs, "seed_seconds": round(seeded, 1),
        **percentiles(timings), "first_ms": first_ms,
        "queries": max(counts), "month_changes": max(s[0] for s in sizes),
        "month_conflicted": max(s[1] for s in sizes),
        "target": "month schedule with conflicts p95 < 100 ms (PostgreSQL, 50k changes, "
                  "100k CIs)",
    }
    report(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
