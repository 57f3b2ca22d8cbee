"""Profile the CMDB's pages in-process on a seeded database: per-render times and cProfile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/borough_bench_cmdb_100k \\
    .venv/bin/python -m bench.cmdb.profile bench/data/cmdb-postgres-100k/fixture.json \\
        --page item --renders 50 [--sort tottime] [--lines 40] [--no-profile]

Pages: `item` (the sample's CIs in turn, one per role at a time), `list`, `catalogue`
(the readings of measure.py in turn), `system` (measure.py's systems). Signed in as
`edc-agent` through Django's test client with DEBUG off, as bench/cmdb/measure.py does.
Prints the median and p95 of the renders timed without the profiler, then (unless
--no-profile) the profile of the same renders. Nothing is written.
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

from bench.cmdb.measure import catalogue_urls, percentile, system_ids  # noqa: E402
from bench.renders import render_all  # noqa: E402


def urls_for(page: str, fixture: dict, count: int) -> list[str]:
    organisation_id, sample = fixture["organisation_id"], fixture["sample"]
    if page == "item":
        roles = sorted(r for r in sample if r != "directory")  # its walk is another matter
        ids = [sample[role][i % len(sample[role])] for i in range(count) for role in roles][:count]
        return [f"/configuration/items/{pk}/" for pk in ids]
    if page == "list":
        return ["/configuration/items/"] * count
    if page == "catalogue":
        readings = catalogue_urls(organisation_id)
        return [readings[i % len(readings)] for i in range(count)]
    if page == "system":
        systems = system_ids(organisation_id, sample)
        return [f"/configuration/systems/{systems[i % len(systems)]}/" for i in range(count)]
    raise SystemExit(f"unknown page {page}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--page", default="item")
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--username", default="edc-agent")
    parser.add_argument("--url", help="Render this URL rather than a page's.")
    parser.add_argument("--queries", action="store_true",
                        help="Print the queries of the first render, with their times.")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--width", type=int, default=160, help="Characters of SQL shown.")
    parser.add_argument("--slowest", type=int, default=0, help="List the slowest renders.")
    parser.add_argument("--callees", help="Also print what functions matching this call.")
    parser.add_argument("--callers", help="Also print what calls functions matching this.")
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
    for url in urls[:3]:  # warm-up: templates compiled, caches filled
        client.get(url)
    if args.queries:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(urls[0])
        for query in captured.captured_queries:
            print(f"{float(query['time']) * 1000:6.1f} ms  {query['sql'][:args.width]}")
    rendered = render_all(client, urls)
    times, cpu = rendered.times, rendered.cpu_ms
    sql = {"ms": rendered.sql_ms * len(times), "queries": rendered.queries * len(times)}
    print(f"{args.page}: {len(times)} renders, p50 {statistics.median(times):.1f} ms, "
          f"p95 {percentile(times, 0.95):.1f} ms, mean {statistics.fmean(times):.1f} ms; "
          f"{sql['queries'] / len(times):.1f} queries and {sql['ms'] / len(times):.1f} ms "
          f"in the database a render (mean); this process's CPU {cpu:.1f} ms a render "
          f"(mean: steadier than the clock under load); load {os.getloadavg()[0]:.1f}")
    slowest = sorted(zip(times, urls, strict=True), reverse=True)[:args.slowest]
    for elapsed, url in slowest:
        print(f"  {elapsed:7.1f} ms  {url}")
    if args.no_profile:
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for url in urls:
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats(args.sort)
    stats.print_stats(args.lines)
    if args.callees:
        stats.print_callees(args.callees)
    if args.callers:
        stats.print_callers(args.callers)


if __name__ == "__main__":
    main()
