"""Capacity benchmark: a year of five-minute utilisation for N metrics, then ingest, the
monthly report page, the night's rollup and forecast, and storage per million points.

    .venv/bin/python -m bench.capacity.run [--db sqlite|postgres|both] [--metrics 1000]
        [--days 365] [--points 500000] [--reuse] [--only report,nightly,store,prometheus,http]
        [--out FILE | --no-write]

Per database: a fresh database (SQLite in bench/data/capacity-sqlite-<metrics>/, or
PostgreSQL `borough_bench_capacity_<metrics>` on 127.0.0.1:5432 as user postgres, dropped
and recreated), `borough migrate`, `borough demo` (the councils and their logins), then
bench/capacity/seed.py writes the year; bench/capacity/measure.py times the in-process
parts, and bench/capacity/push.py pushes line protocol to `borough serve` (production
settings, gunicorn) over HTTP. Results: bench/results/capacity-<db>-<metrics>.json and a
table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import run as common

ROOT = common.ROOT
VENV = common.VENV
KEEPER = "cbc-ictmanager"
TARGETS = [("ingest_http", 50_000, "line protocol over HTTP ≥ 50,000 points/s (PostgreSQL)"),
           ("ingest_vs_copy", 3, "ingest within 3× of COPY (PostgreSQL)"),
           ("report_p95", 500, "monthly report page p95 < 500 ms (whole estate)"),
           ("nightly", 300, "nightly rollup and forecast < 5 minutes")]


def log(message: str) -> None:
    print(f"[capacity bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def database_name(metrics: int) -> str:
    return f"borough_bench_capacity_{metrics}"


def prepare(db: str, args, data_dir: Path, env: dict) -> dict:
    fixture = data_dir / "fixture.json"
    if args.reuse and fixture.exists():
        log(f"reusing the seeded database of {data_dir}")
        common.run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
        return json.loads(fixture.read_text())
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if db == "postgres":
        common.postgres_admin(f"DROP DATABASE IF EXISTS {database_name(args.metrics)} "
                              "WITH (FORCE)")
        common.postgres_admin(f"CREATE DATABASE {database_name(args.metrics)}")
    common.run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
    common.run([str(VENV / "borough"), "demo", "--quiet-logins"], env)
    common.run([str(VENV / "python"), "-m", "bench.capacity.seed", "--metrics",
                str(args.metrics), "--days", str(args.days), "--fixture", str(fixture)], env)
    return json.loads(fixture.read_text())


def over_http(env: dict, data_dir: Path, points: int) -> list[dict]:
    token = common.run([str(VENV / "borough"), "token", "create", KEEPER, "--organisation",
                        "cbc", "--name", f"bench {datetime.now(UTC):%Y%m%d%H%M%S%f}"], env,
                       capture=True).strip().splitlines()[-1]
    port = common.spare_port()
    alphabet = string.ascii_letters + string.digits
    prod_env = {**env, "BOROUGH_MODE": "production", "DEBUG": "false",
                "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
                "ALLOWED_HOSTS": "127.0.0.1", "HOST": "127.0.0.1", "PORT": str(port)}
    server = None
    with open(data_dir / "server.log", "w") as log_file:
        try:
            server = subprocess.Popen([str(VENV / "borough"), "serve"], env=prod_env, cwd=ROOT,
                                      stdout=log_file, stderr=subprocess.STDOUT)
            common.wait_healthy(port, server)
            return json.loads(common.run(
                [str(VENV / "python"), str(ROOT / "bench" / "capacity" / "push.py"), "--port",
                 str(port), "--token", token, "--points", str(points)], prod_env,
                capture=True, timeout=3600))
        finally:
            common.stop(server)


def bench_one(db: str, args) -> dict:
    data_dir = Path(args.data_dir or common.DATA) / f"capacity-{db}-{args.metrics}"
    env = common.django_env(db, database_name(args.metrics), data_dir)
    log(f"=== {db}, {args.metrics} metrics × {args.days} days ===")
    load_before = os.getloadavg()
    started = time.monotonic()
    fixture = prepare(db, args, data_dir, env)
    prepare_seconds = round(time.monotonic() - started, 1)
    only = [o for o in args.only.split(",") if o and o != "http"] if args.only else []
    measured = {}
    if not args.only or only:
        cmd = [str(VENV / "python"), "-m", "bench.capacity.measure", str(data_dir / "fixture.json"),
               "--points", str(args.points), "--prometheus-series", str(args.prometheus_series)]
        if only:
            cmd += ["--only", ",".join(only)]
        measured = json.loads(common.run(cmd, env, capture=True, timeout=7200))
    if not args.only or "http" in args.only.split(","):
        measured["http"] = over_http(env, data_dir, args.points)
    load_after = os.getloadavg()
    return {"benchmark": "capacity", "database": "postgresql" if db == "postgres" else "sqlite",
            "metrics": args.metrics, "days": args.days,
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {**common.machine(),
                        "load_average_before": [round(x, 2) for x in load_before],
                        "load_average_after": [round(x, 2) for x in load_after]},
            "data": fixture["counts"], "prepare_seconds": prepare_seconds, **measured}


def targets(result: dict) -> list[dict]:
    found = []
    http = max((p["points_per_second"] for p in result.get("http", [])), default=None)
    floor = result.get("store", {}).get("floor_points_per_second")
    ratio = round(floor / http, 2) if http and floor else None
    report = result.get("report", {}).get("estate", {}).get("p95_ms")
    nightly = result.get("nightly", {}).get("total_seconds")
    values = {"ingest_http": http, "ingest_vs_copy": ratio, "report_p95": report,
              "nightly": nightly}
    for key, limit, text in TARGETS:
        value = values[key]
        met = None if value is None else (value >= limit if key == "ingest_http"
                                          else value <= limit)
        found.append({"target": text, "value": value, "met": met})
    return found


def summary(result: dict) -> str:
    lines = [f"capacity, {result['database']}, {result['metrics']} metrics:"]
    for name, found in result.get("report", {}).items():
        lines.append(f"  report {name:8} ({found['metrics']} metrics): p50 {found['p50_ms']} ms, "
                     f"p95 {found['p95_ms']} ms, {found['queries']} queries")
    if "store" in result:
        s = result["store"]
        lines.append(f"  floor {s['floor_points_per_second']:,}/s, store "
                     f"{s['store_points_per_second']:,}/s, push in-process "
                     f"{s['push_points_per_second']:,}/s")
    for phase in result.get("http", []):
        lines.append(f"  HTTP push at concurrency {phase['concurrency']}: "
                     f"{phase['points_per_second']:,} points/s")
    if "prometheus" in result and "collect_points_per_second" in result["prometheus"]:
        p = result["prometheus"]
        lines.append(f"  Prometheus: {p['collect_points_per_second']:,} points/s "
                     f"({p['collect_vs_fetch_only']}× fetching alone)")
    if "nightly" in result:
        n = result["nightly"]
        lines.append(f"  nightly: rollup {n['rollup_seconds']} s + forecast "
                     f"{n['forecast_seconds']} s")
    if "storage" in result:
        lines.append(f"  storage: {result['storage'].get('mb_per_million_points')} MB per "
                     "million points")
    for t in result.get("targets", []):
        lines.append(f"  {'met' if t['met'] else 'NOT met' if t['met'] is False else '—':7} "
                     f"{t['target']}: {t['value']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--metrics", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--points", type=int, default=500_000)
    parser.add_argument("--prometheus-series", type=int, default=200)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--data-dir")
    parser.add_argument("--out")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for db in dbs:
        result = bench_one(db, args)
        if db == "postgres":
            result["targets"] = targets(result)
        print(summary(result), flush=True)
        if not args.no_write:
            out = Path(args.out) if args.out else (
                common.RESULTS / f"capacity-{db}-{args.metrics}.json")
            out.write_text(json.dumps(result, indent=2) + "\n")
            log(f"wrote {out}")


if __name__ == "__main__":
    main()
