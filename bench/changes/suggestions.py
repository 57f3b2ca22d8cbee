"""Suggestions on the ticket page: the known errors a ticket suggests (problems.queries.
ticket_suggestions' query: its CI, service, category and words) and the knowledge
articles matching its words (knowledge.queries.staff_suggestions), over N known errors
and N published articles written from an IT vocabulary, a tenth of the known errors on
one of the estate's CIs. Prints and writes p50/p95 of the two together.

    DATABASE_URL=... .venv/bin/python -m bench.changes.suggestions --known-errors 20000 \
        [--runs 200] [--out FILE]

Run against the database bench/changes/schedule.py seeded (its first organisation, its
CIs and its Change Manager user are used). Never in tests: timings are only looked at
here."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date

from bench.changes import percentiles, report

THINGS = ["printer", "laptop", "monitor", "wifi", "vpn", "email", "outlook", "password",
          "account", "scanner", "telephone", "headset", "citrix", "payroll", "finance",
          "planning", "portal", "website", "database", "server", "backup", "firewall",
          "switch", "router", "licence", "teams", "sharepoint", "onedrive", "mailbox",
          "calendar", "docking", "keyboard", "mouse", "battery", "driver", "update",
          "certificate", "browser", "edge", "chrome", "council-tax", "benefits", "revenues",
          "libraries", "gis", "cctv", "door-entry", "smartcard", "token", "mfa"]
SYMPTOMS = ["slow", "frozen", "crashes", "offline", "locked", "expired", "missing", "blank",
            "error", "timeout", "disconnects", "jammed", "unreadable", "denied", "corrupt",
            "duplicated", "stuck", "flickers", "silent", "garbled"]
FIXES = ["restart", "reinstall", "reset", "clear the cache", "re-enrol", "reconnect",
         "update the driver", "renew the certificate", "unlock the account", "replace"]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(THINGS + SYMPTOMS) for _ in range(words))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--known-errors", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from borough.accounts.models import User
    from borough.cmdb.models import ConfigurationItem
    from borough.knowledge import queries as knowledge
    from borough.knowledge.models import Article, Audience, Status
    from borough.organisation.models import Person
    from borough.problems import queries as problems
    from borough.problems.models import KnownError

    user = User.objects.get(username="bench-changes")
    organisation_id = user.memberships.order_by("pk").first().organisation_id
    user.active_organisation_id = organisation_id
    rng = random.Random(11)
    items = list(ConfigurationItem.objects.filter(organisation_id=organisation_id)
                 .order_by("pk").values_list("pk", flat=True)[:20_000])
    started = time.monotonic()
    if not KnownError.objects.filter(organisation_id=organisation_id).exists():
        owner = Person.objects.filter(organisation_id=organisation_id).first() or \
            Person.objects.create(organisation_id=organisation_id, full_name="Bench owner",
                                  email="bench-owner@example.org")
        for start in range(0, args.known_errors, 2000):
            count = min(2000, args.known_errors - start)
            with transaction.atomic():
                KnownError.objects.bulk_create([KnownError(
                    organisation_id=organisation_id, reference=f"KE-{start + n + 1:06d}",
                    title=sentence(rng, 5), symptoms=sentence(rng, 30),
                    workaround=f"{rng.choice(FIXES)} the {rng.choice(THINGS)}",
                    ci_id=rng.choice(items) if rng.random() < 0.1 else None,
                    is_active=rng.random() < 0.9) for n in range(count)])
                Article.objects.bulk_create([Article(
                    organisation_id=organisation_id, reference=f"KB-{start + n + 1:06d}",
                    title=sentence(rng, 6), summary=sentence(rng, 12),
                    body=sentence(rng, 150), keywords=sentence(rng, 4),
                    audience=rng.choice([Audience.STAFF, Audience.PUBLIC]),
                    status=Status.PUBLISHED if rng.random() < 0.8 else Status.DRAFT,
                    owner=owner, review_on=date(2027, 6, 1)) for n in range(count)])
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seeded = time.monotonic() - started
    timings, counts, shown = [], [], []
    for run in range(args.runs + 5):
        text = f"{sentence(rng, 6)} {sentence(rng, 25)}"
        ci_id = rng.choice(items)
        with CaptureQueriesContext(connection) as ctx:
            begun = time.perf_counter()
            errors = problems.known_error_suggestions(user, ci_id=ci_id, text=text)
            articles = knowledge.staff_suggestions(user, text)
            elapsed = (time.perf_counter() - begun) * 1000
        if run >= 5:  # the first few warm the connection and the plans
            timings.append(elapsed)
            counts.append(len(ctx.captured_queries))
            shown.append(len(errors) + len(articles))
    timings.sort()
    result = {
        "database": connection.vendor,
        "known_errors": KnownError.objects.filter(organisation_id=organisation_id).count(),
        "articles": Article.objects.filter(organisation_id=organisation_id).count(),
        "runs": args.runs, "seed_seconds": round(seeded, 1),
        **percentiles(timings),
        "queries": max(counts), "suggested_min": min(shown),
        "target": "known-error and article suggestions for a ticket p95 < 50 ms "
                  "(PostgreSQL, 20k known errors and articles)",
    }
    report(result, args.out)


if __name__ == "__main__":
    sys.exit(main())
