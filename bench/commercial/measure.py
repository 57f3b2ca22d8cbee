"""Time the commercial pages and the year's recharge run on a seeded database, in-process.

    python -m bench.commercial.measure fixture.json --username edc-ictmanager
        [--only recharge_run,page_renewals] [--no-c8] [--budget 90]

Signed in through Django's test client (DEBUG off) as a login that reads finance (the
seeded council's ICT manager). Operations, in this order:

- `recharge_run`: finance.services.run_recharges for the previous financial year (every
  pool of the year shared out to the service units and saved as a draft run), RUNS times
  one after the other; drafts left by an earlier measurement of the year are deleted
  first, so statements are read from this run's last;
- `page_renewals`: GET /commercial/renewals/ (the next twelve months, by month);
- `page_system`: GET /configuration/systems/<pk>/ for up to SYSTEMS systems drawn with a
  fixed seed (their contracts, licences and compliance, cost and recharge panels);
- `page_compliance`: GET /commercial/licence-compliance/ (every licence's position, the
  largest risk first, the first page of 50);
- `page_statement`: GET /finance/recharges/<run>/units/<unit>/, each service unit's
  statement of the last run in turn.

Each page is rendered up to its count (RENDERS) or until `--budget` seconds have passed
(at least MIN_RENDERS), after three untimed renders; then the same renders again at
concurrency 8: two forked processes of four threads, each with its own connection (as
`borough serve` runs two gunicorn workers of four threads). The result (JSON on stdout)
has p50/p95/max per operation and concurrency, and for one render of each page its
query count, the time in SQL and the slowest statement.
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.cmdb.measure import concurrently, figures  # noqa: E402
from borough.core.perf import collector  # noqa: E402

PAGES = ["page_renewals", "page_system", "page_compliance", "page_statement"]
OPERATIONS = ["recharge_run", *PAGES]
RENDERS = {"page_renewals": 60, "page_system": 100, "page_compliance": 40,
           "page_statement": 66}
MIN_RENDERS = 8
RUNS = 3
SYSTEMS = 100


def log(message: str) -> None:
    print(f"[commercial measure {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def system_ids(organisation_id: int, count: int = SYSTEMS) -> list[int]:
    """Systems (applications, not retired) drawn with a fixed seed."""
    from borough.cmdb import rules
    from borough.cmdb.models import ConfigurationItem

    found = list(ConfigurationItem.objects.filter(
        organisation_id=organisation_id, ci_class__code=rules.APPLICATION)
        .exclude(status="retired").order_by("pk").values_list("pk", flat=True))
    return sorted(random.Random(17).sample(found, min(count, len(found))))


class Operations:
    """What measure.concurrently (bench/cmdb) expects: `time(name, keys)` and `client()`;
    a key is a URL here."""

    def __init__(self, fixture: dict, username: str):
        from borough.accounts.models import User

        self.organisation_id = fixture["organisation_id"]
        self.user = User.objects.get(username=username)
        self.user.active_organisation_id = self.organisation_id
        client = Client()
        client.force_login(self.user)
        self.session = client.cookies[settings.SESSION_COOKIE_NAME].value

    def client(self) -> Client:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.session
        return client

    def get(self, client: Client, url: str):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    def time(self, name: str, urls: list[str], budget: float | None = None) -> list[float]:
        client = self.client()
        times, began = [], time.monotonic()
        for url in urls:
            if budget is not None and len(times) >= MIN_RENDERS and (
                    time.monotonic() - began > budget):
                break
            started = time.perf_counter()
            self.get(client, url)
            times.append((time.perf_counter() - started) * 1000)
        return times


def recharge(ops: Operations, year: int, runs: int) -> tuple[dict, int]:
    """Time the year's recharge run `runs` times; returns the figures and the last run."""
    from borough.finance import services
    from borough.finance.models import RechargeRun
    from borough.finance.years import FinancialYear

    RechargeRun.objects.filter(organisation_id=ops.organisation_id, year=year,
                               issued_at__isnull=True).delete()
    seconds, queries, run = [], [], None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run = services.run_recharges(ops.organisation_id, FinancialYear(year),
                                         actor=ops.user)
            seconds.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
        log(f"recharge run {run.reference}: {seconds[-1]:.2f} s, "
            f"{len(captured.captured_queries)} queries")
    lines = run.lines.count()
    return {"runs": [round(s, 2) for s in seconds], "best_s": round(min(seconds), 2),
            "median_s": round(sorted(seconds)[len(seconds) // 2], 2),
            "queries": queries[-1], "lines": lines, "total": str(run.total),
            "unallocated": str(run.unallocated)}, run.pk


def urls_of(fixture: dict, run_id: int | None) -> dict[str, list[str]]:
    from borough.finance.models import RechargeLine

    systems = system_ids(fixture["organisation_id"])
    units = (sorted(set(RechargeLine.objects.filter(run_id=run_id)
                        .values_list("service_unit_id", flat=True))) if run_id else [])
    count = RENDERS["page_statement"]
    return {
        "page_renewals": ["/commercial/renewals/"] * RENDERS["page_renewals"],
        "page_system": [f"/configuration/systems/{pk}/" for pk in systems],
        "page_compliance": ["/commercial/licence-compliance/"] * RENDERS["page_compliance"],
        "page_statement": [f"/finance/recharges/{run_id}/units/{units[i % len(units)]}/"
                           for i in range(count)] if units else [],
    }


def page_queries(ops: Operations, urls: dict[str, list[str]]) -> dict:
    """Queries of one render of each page (for the system page, three systems')."""
    client = ops.client()
    found = {}
    targets = [(name, found_urls[0]) for name, found_urls in urls.items()
               if found_urls and name != "page_system"]
    targets += [(f"page_system {i}", url) for i, url in enumerate(urls.get("page_system", [])[:3])]
    for name, url in targets:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        queries = captured.captured_queries
        slowest = max(queries, key=lambda q: float(q["time"]), default=None)
        found[name] = {"url": url, "status": response.status_code, "ms": round(elapsed, 1),
                       "queries": len(queries),
                       "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
                       "bytes": len(response.content),
                       "slowest_sql": slowest["sql"][:600] if slowest else None,
                       "slowest_sql_ms": (round(float(slowest["time"]) * 1000, 1)
                                          if slowest else None)}
    return found


def measure(fixture: dict, username: str, only: list[str] | None = None,
            concurrency8: bool = True, budget: float | None = 90,
            runs: int = RUNS, renders: int | None = None) -> dict:
    """`renders`: at most this many renders of each page (a quick check)."""
    ops = Operations(fixture, username)
    names = [n for n in OPERATIONS if not only or n in only]
    result: dict = {"operations": {}}
    run_id = None
    if "recharge_run" in names or "page_statement" in names:
        if "recharge_run" in names:
            result["recharge"], run_id = recharge(ops, fixture["recharge_year"], runs)
        else:  # statements of the run an earlier measurement left
            from borough.finance.models import RechargeRun

            run_id = (RechargeRun.objects.filter(organisation_id=ops.organisation_id,
                                                 year=fixture["recharge_year"])
                      .order_by("-pk").values_list("pk", flat=True).first())
    urls = {name: found[:renders] if renders else found
            for name, found in urls_of(fixture, run_id).items()}
    for name in names:
        if name == "recharge_run" or not urls[name]:
            continue
        client = ops.client()
        for url in urls[name][:3]:  # warm-up: templates compiled, caches filled
            ops.get(client, url)
        # As a server's worker runs (gunicorn_conf): what is loaded by now out of the
        # collector's view, so that a full collection does not walk it mid-render.
        collector.settle()
        cpu = time.process_time()
        c1 = ops.time(name, urls[name], budget)
        # This process's CPU a render: steadier than the clock on a shared machine (it
        # leaves out the database server's own).
        entry = {"c1": {**figures(c1), "cpu_ms_mean": round(
            (time.process_time() - cpu) * 1000 / max(len(c1), 1), 1)}}
        if len(c1) < len(urls[name]):
            entry["cut_by_budget"] = f"{len(c1)} of {len(urls[name])} renders in {budget} s"
        if concurrency8:
            entry["c8"] = figures(concurrently(ops, name, urls[name][:len(c1)]))
        result["operations"][name] = entry
        log(f"{name}: c1 {entry['c1']}, c8 {entry.get('c8')}")
    if any(n.startswith("page") for n in names):
        result["page_queries"] = page_queries(
            ops, {n: u for n, u in urls.items() if n in names})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--username", default="edc-ictmanager")
    parser.add_argument("--only", help="Only these operations (comma-separated).")
    parser.add_argument("--no-c8", action="store_true", help="Concurrency 1 only.")
    parser.add_argument("--budget", type=float, default=90,
                        help="Seconds of renders per page at concurrency 1 (at least "
                             f"{MIN_RENDERS} renders).")
    parser.add_argument("--runs", type=int, default=RUNS, help="Recharge runs timed.")
    args = parser.parse_args()
    with open(args.fixture) as handle:
        fixture = json.load(handle)
    only = args.only.split(",") if args.only else None
    print(json.dumps(measure(fixture, args.username, only, not args.no_c8, args.budget,
                             args.runs)))


if __name__ == "__main__":
    main()
