"""Profile the commercial pages in-process on a seeded database: per-render times, the
queries of one render, and cProfile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/borough_bench_commercial_1m \\
    .venv/bin/python -m bench.commercial.profile bench/data/commercial-postgres-1m/fixture.json \\
        --page system --renders 20 [--queries] [--sort tottime] [--lines 40] [--no-profile]

Pages: `renewals`, `system` (measure.py's systems in turn), `compliance`, `statement`
(each unit's statement of the latest run of the recharge year; run measure.py's
recharge_run first). Signed in as the seeded council's ICT manager through Django's test
client with DEBUG off, as bench/commercial/measure.py does. Prints the median and p95 of
the renders timed without the profiler, then (unless --no-profile) the profile of the
same renders. Nothing is written.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
os.environ.setdefault("BOROUGH_MODE", "development")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from bench.cmdb.measure import percentile  # noqa: E402
from bench.commercial.measure import system_ids  # noqa: E402
from bench.renders import render_all  # noqa: E402


def urls_for(page: str, fixture: dict, count: int) -> list[str]:
    if page == "renewals":
        return ["/commercial/renewals/"] * count
    if page == "compliance":
        return ["/commercial/licence-compliance/"] * count
    if page == "system":
        systems = system_ids(fixture["organisation_id"])
        return [f"/configuration/systems/{systems[i % len(systems)]}/" for i in range(count)]
    if page == "statement":
        from borough.finance.models import RechargeLine, RechargeRun

        run = (RechargeRun.objects.filter(organisation_id=fixture["organisation_id"],
                                          year=fixture["recharge_year"]).order_by("-pk")
               .first())
        if run is None:
            raise SystemExit("No recharge run: run bench.commercial.measure first.")
        units = sorted(set(RechargeLine.objects.filter(run=run)
                           .values_list("service_unit_id", flat=True)))
        return [f"/finance/recharges/{run.pk}/units/{units[i % len(units)]}/"
                for i in range(count)]
    raise SystemExit(f"unknown page {page}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--page", default="system")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--username", default="edc-ictmanager")
    parser.add_argument("--url", help="Render this URL rather than a page's.")
    parser.add_argument("--queries", action="store_true",
                        help="Print the queries of the first render, with their times.")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--width", type=int, default=160, help="Characters of SQL shown.")
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.load(handle)
    from django.db import connection
    from django.test import Client

    from borough.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.username))
    urls = ([args.url] * args.renders if args.url
            else urls_for(args.page, fixture, args.renders))
    for url in urls[:2]:  # warm-up: templates compiled, caches filled
        client.get(url)
    if args.queries:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(urls[0])
        for query in captured.captured_queries:
            print(f"{float(query['time']) * 1000:7.1f} ms  {query['sql'][:args.width]}")
        print(f"{len(captured.captured_queries)} queries, "
              f"{sum(float(q['time']) for q in captured.captured_queries) * 1000:.1f} ms")
    rendered = render_all(client, urls)
    times, cpu = rendered.times, rendered.cpu_ms
    sql = {"ms": rendered.sql_ms * len(times), "queries": rendered.queries * len(times)}
    print(f"{args.page}: {len(times)} renders, p50 {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 0.95):.1f} ms, mean {statistics.fmean(times):.1f} ms; "
          f"{sql['queries'] / len(times):.1f} queries and {sql['ms'] / len(times):.1f} ms "
          f"in the database a render (mean); this process's CPU {cpu:.1f} ms a render; "
          f"load {os.getloadavg()[0]:.1f}")
    if args.no_profile:
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for url in urls:
        client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
