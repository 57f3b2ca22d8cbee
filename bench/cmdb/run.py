"""CMDB benchmark: seed an estate of N configuration items, time impact analysis and the
CMDB's pages, compare with an in-memory networkx floor in the same run.

    .venv/bin/python -m bench.cmdb.run --size tiny|10k|100k [--db sqlite|postgres|both]
        [--reuse] [--only impact,page_item] [--no-c8] [--out FILE | --no-write]

Per database: a fresh database (SQLite in bench/data/cmdb-sqlite-<size>/, or PostgreSQL
`borough_bench_cmdb_<size>` on 127.0.0.1:5432 as user postgres, dropped and recreated),
`borough migrate`, `borough demo` (the councils and their logins), then
bench/cmdb/seed.py writes the estate into the first council's CMDB, and
bench/cmdb/measure.py times each operation in its own process. `--reuse` measures again
on the database an earlier run seeded (migrations added since are applied first).
Results: bench/results/cmdb-<db>-<size>.json, and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import run as common

ROOT = common.ROOT
VENV = common.VENV
SIZES = {"tiny": (300, 1_500), "10k": (10_000, 50_000), "100k": (100_000, 500_000)}
# Eskmouth: the demo gives Copeland an estate of its own, Eskmouth an empty CMDB.
USERNAME = "edc-agent"
# The targets, for PostgreSQL at 100k items: p95 at concurrency 1.
TARGETS = [("impact", 50, "impact of a CI p95 < 50 ms"),
           ("single_points", 50, "single points of failure of a CI p95 < 50 ms"),
           ("page_item", 50, "a CI's page p95 < 50 ms"),
           ("page_list", 50, "the CI list page p95 < 50 ms"),
           ("page_catalogue", 50, "the systems catalogue page p95 < 50 ms"),
           ("page_system", 50, "a system's page p95 < 50 ms")]


def log(message: str) -> None:
    print(f"[cmdb bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def database_name(size: str) -> str:
    return f"borough_bench_cmdb_{size}"


def prepare(db: str, size: str, data_dir: Path, env: dict, reuse: bool, per_role: int) -> dict:
    fixture = data_dir / "fixture.json"
    if reuse and fixture.exists():
        log(f"reusing the seeded database of {data_dir}")
        common.run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
        return json.loads(fixture.read_text())
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if db == "postgres":
        common.postgres_admin(f"DROP DATABASE IF EXISTS {database_name(size)} WITH (FORCE)")
        common.postgres_admin(f"CREATE DATABASE {database_name(size)}")
    items, relationships = SIZES[size]
    common.run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
    common.run([str(VENV / "borough"), "demo", "--quiet-logins"], env)
    common.run([str(VENV / "python"), "-m", "bench.cmdb.seed", "--items", str(items),
                "--relationships", str(relationships), "--per-role", str(per_role),
                "--fixture", str(fixture)], env)
    return json.loads(fixture.read_text())


def bench_one(db: str, size: str, args) -> dict:
    data_dir = Path(args.data_dir or common.DATA) / f"cmdb-{db}-{size}"
    env = common.django_env(db, database_name(size), data_dir)
    log(f"=== {db}, {size} ===")
    load_before = os.getloadavg()
    fixture = prepare(db, size, data_dir, env, args.reuse, args.per_role)
    cmd = [str(VENV / "python"), "-m", "bench.cmdb.measure", str(data_dir / "fixture.json"),
           "--username", USERNAME]
    if args.only:
        cmd += ["--only", args.only]
    if args.no_c8:
        cmd.append("--no-c8")
    started = time.monotonic()
    measured = json.loads(common.run(cmd, env, capture=True, timeout=7200))
    result = {
        "benchmark": "cmdb", "database": "postgresql" if db == "postgres" else "sqlite",
        "size": size, "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {**common.machine(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "data": fixture["counts"], "seeding": fixture.get("seeding", {}),
        "sample": {role: len(ids) for role, ids in fixture["sample"].items()},
        "measure_seconds": round(time.monotonic() - started, 1),
        "concurrency": {"c1": "one call at a time",
                        "c8": "2 forked processes x 4 threads, each its own connection"},
        **measured,
    }
    applies = db == "postgres" and size == "100k"
    result["targets"] = []
    for name, limit, label in TARGETS:
        value = measured["operations"].get(name, {}).get("c1", {}).get("p95_ms")
        result["targets"].append({"target": label, "operation": name, "limit": limit,
                                  "value": value, "met": value is not None and value < limit,
                                  "applies": applies})
    return result


def summary(result: dict) -> str:
    lines = [f"\n{result['database']} · {result['size']} · {result['data']['items']:,} items, "
             f"{result['data']['relationships']:,} relationships · sample "
             f"{sum(result['sample'].values())} CIs over {len(result['sample'])} roles · load "
             f"{result['machine']['load_average_before'][0]} → "
             f"{result['machine']['load_average_after'][0]}",
             f"{'operation':<20} {'p50':>8} {'p95':>8} {'max':>9} {'p50 c8':>8} {'p95 c8':>8} "
             f"{'×floor p95':>10}"]
    for name, entry in result["operations"].items():
        c1, c8 = entry.get("c1", {}), entry.get("c8", {})
        lines.append(f"{name:<20} {c1.get('p50_ms', '-'):>8} {c1.get('p95_ms', '-'):>8} "
                     f"{c1.get('max_ms', '-'):>9} {c8.get('p50_ms', '-'):>8} "
                     f"{c8.get('p95_ms', '-'):>8} "
                     f"{entry.get('c1_x_floor', {}).get('p95_ms', '-'):>10}")
    for target in result["targets"]:
        scope = "" if target["applies"] else " (the target is for PostgreSQL at 100k)"
        lines.append(f"  {target['target']}: {target['value']} → "
                     f"{'met' if target['met'] else 'NOT MET'}{scope}")
    differs = result["answers"]["walks_that_differ"]
    lines.append("  the database walk, the in-memory walk and the networkx floor give the same "
                 f"answer for every CI of the sample: {not differs}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", help="Only these operations (comma-separated).")
    parser.add_argument("--no-c8", action="store_true", help="Concurrency 1 only.")
    parser.add_argument("--per-role", type=int, default=25, help="CIs sampled per role.")
    parser.add_argument("--data-dir", help="Where SQLite databases go (bench/data/).")
    parser.add_argument("--out", help="Write the result here (one database only).")
    parser.add_argument("--suffix", default="", help="Added to the result's file name.")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not (VENV / "borough").exists():
        sys.exit("Run `make install` first: the benchmark uses .venv/bin/borough.")
    failed = False
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        try:
            result = bench_one(db, args.size, args)
        except Exception as exc:  # noqa: BLE001 - report and go on to the next database
            log(f"{db} {args.size} failed: {type(exc).__name__}: {exc}")
            failed = True
            continue
        if not args.no_write:
            path = Path(args.out) if args.out else (
                common.RESULTS / f"cmdb-{db}-{args.size}{args.suffix}.json")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=1) + "\n")
            log(f"wrote {path}")
        print(summary(result), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
