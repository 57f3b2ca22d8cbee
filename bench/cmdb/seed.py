"""Write a generated estate (bench/cmdb/estate.py) into the CMDB of one organisation, fast.

Run after `borough migrate` and `borough demo` against the benchmark's database:

    python -m bench.cmdb.seed --items 100000 --relationships 500000 --fixture out.json

Rows go in as the service desk's seeder writes them (bench/servicedesk/seed.py's
`Writer`: COPY on PostgreSQL, executemany on SQLite, batches of 10,000, explicit ids),
with secondary indexes dropped and rebuilt once on PostgreSQL for big loads; the CI
reference counter and the id sequences are moved past them, and the tables analysed
(what autovacuum would have done by the time anyone looks). No audit events are
written for the seeded items: the pages measured read none at this size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")

import django  # noqa: E402

django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.cmdb import estate as estate_module  # noqa: E402
from bench.servicedesk.seed import BATCH, BulkLoad, Writer  # noqa: E402
from borough.cmdb import models as m  # noqa: E402
from borough.cmdb.services import install_default_classes  # noqa: E402
from borough.core.models import ReferenceCounter  # noqa: E402
from borough.organisation.models import Organisation, Person, ServiceUnit, Site, Team  # noqa: E402

STATUSES = ["live"] * 17 + ["in_build", "retiring", "planned"]
CRITICALITY = ["low", "medium", "medium", "high", "critical"]
SAMPLE_PER_ROLE = 25


def log(message: str) -> None:
    print(f"[cmdb seed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def seed(organisation: Organisation, items: int, relationships: int, seed_value: int = 7):
    """Returns (the estate, the id of its item 0, figures)."""
    started = time.monotonic()
    estate = estate_module.generate(items, relationships, seed_value)
    stats = {"generate_seconds": round(time.monotonic() - started, 1),
             "items": len(estate.items), "relationships": len(estate.edges)}
    install_default_classes(organisation.pk)
    classes = dict(m.CIClass.objects.filter(organisation=organisation)
                   .values_list("code", "pk"))
    sites = list(Site.objects.filter(organisation=organisation).order_by("pk")
                 .values_list("pk", flat=True)) or [None]
    teams = list(Team.objects.filter(organisation=organisation).values_list("pk", flat=True))
    # Each application belongs to one of the council's service units and has a business
    # owner, as the systems catalogue shows them (drawn apart, so the rest of the estate is
    # the same as before they were).
    units = list(ServiceUnit.objects.filter(organisation=organisation).order_by("pk")
                 .values_list("pk", flat=True))
    people = list(Person.objects.filter(organisation=organisation).order_by("pk")
                  .values_list("pk", flat=True))
    owners = random.Random(seed_value + 1)
    counter, _ = ReferenceCounter.objects.get_or_create(organisation=organisation, prefix="CI")
    rng = random.Random(seed_value)
    now = timezone.now()
    writers = {model: Writer(model) for model in (m.ConfigurationItem, m.Relationship)}
    first_id = writers[m.ConfigurationItem].next_id
    number = counter.last_value
    started = time.monotonic()
    with BulkLoad(list(writers), enabled=len(estate.edges) >= 50_000):
        for start in range(0, len(estate.items), BATCH):
            rows = []
            for code, name, _, attributes, place in estate.items[start:start + BATCH]:
                number += 1
                hardware = code not in ("virtual-server", "database", "application",
                                        "interface", "standard-build")
                rows.append({
                    "id": writers[m.ConfigurationItem].take_id(),
                    "organisation_id": organisation.pk, "reference": f"CI-{number:06d}",
                    "name": name, "ci_class_id": classes[code],
                    "status": rng.choice(STATUSES), "criticality": rng.choice(CRITICALITY),
                    "data_classification": "official", "description": "",
                    "attributes": attributes,
                    "site_id": sites[place % len(sites)] if hardware and place >= 0 else None,
                    "support_team_id": rng.choice(teams) if teams else None,
                    "service_unit_id": owners.choice(units) if code == "application"
                    and units else None,
                    "owner_id": owners.choice(people) if code == "application"
                    and people else None,
                    # Not found by directory discovery.
                    "discovery_source_id": None, "discovery_key": "", "discovered_at": None,
                    "last_seen_at": None, "missing_from_directory_since": None,
                    "missing_reason": "", "directory_values": {},
                    "created_at": now, "updated_at": now, "version": 1})
            with transaction.atomic():
                writers[m.ConfigurationItem].write(rows)
        for start in range(0, len(estate.edges), BATCH):
            rows = [{"id": writers[m.Relationship].take_id(), "organisation_id": organisation.pk,
                     "source_id": first_id + source, "target_id": first_id + target,
                     "relationship_type": kind, "redundancy_group": group, "description": "",
                     "created_at": now, "updated_at": now, "version": 1}
                    for source, target, kind, group in estate.edges[start:start + BATCH]]
            with transaction.atomic():
                writers[m.Relationship].write(rows)
    stats["write_seconds"] = round(time.monotonic() - started, 1)
    # BulkLoad turns triggers off, the graph generation's too (cmdb.graphcache): moved here.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cmdb_graph_generation SET generation = generation + 1 "
                       "WHERE organisation_id = %s", [organisation.pk])
    counter.last_value = number
    counter.save(update_fields=["last_value"])
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(writers)):
            cursor.execute(sql)
    if not connection.in_atomic_block:  # a test's transaction cannot VACUUM
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        stats["analyze_seconds"] = round(time.monotonic() - started, 1)
    return estate, first_id, stats


def sample(estate, first_id: int, per_role: int = SAMPLE_PER_ROLE, seed_value: int = 11):
    """Up to `per_role` item ids of each role (applications, hosts, access switches…): the
    estate's layers, from what depends on much to what much depends on."""
    rng = random.Random(seed_value)
    return {role: sorted(first_id + i for i in rng.sample(members, min(per_role, len(members))))
            for role, members in sorted(estate.by_role().items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--relationships", type=int, default=500_000)
    parser.add_argument("--organisation", default="edc")
    parser.add_argument("--per-role", type=int, default=SAMPLE_PER_ROLE)
    parser.add_argument("--fixture", required=True, help="Write the sample's ids here.")
    args = parser.parse_args()
    organisation = Organisation.objects.get(code=args.organisation)
    started = time.monotonic()
    estate, first_id, stats = seed(organisation, args.items, args.relationships)
    stats["seconds"] = round(time.monotonic() - started, 1)
    log(f"seeded: {stats}")
    with open(args.fixture, "w") as handle:
        json.dump({"organisation_id": organisation.pk, "first_id": first_id,
                   "sample": sample(estate, first_id, args.per_role), "seeding": stats,
                   # The seeded council's own (the demo's estate of another is not counted).
                   "counts": {"items": m.ConfigurationItem.objects.filter(
                                  organisation=organisation).count(),
                              "relationships": m.Relationship.objects.filter(
                                  organisation=organisation).count()}}, handle)


if __name__ == "__main__":
    main()
