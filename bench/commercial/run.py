"""Commercial benchmark (issue 18): contracts, licences and cost lines at volume; the
renewals page, a system's page, licence compliance, a recharge statement, the year's
recharge run and the import of cost lines.

    .venv/bin/python -m bench.commercial.run --size tiny|10k|1m [--db sqlite|postgres|both]
        [--reuse] [--only recharge_run,page_renewals,import] [--no-c8] [--budget 90]
        [--import-rows N] [--out FILE | --no-write]

Per database: a fresh database (SQLite in bench/data/commercial-sqlite-<size>/, or
PostgreSQL `borough_bench_commercial_<size>` on 127.0.0.1:5432 as user postgres, dropped
and recreated), `borough migrate`, `borough demo` (the councils and their logins), then
bench/commercial/seed.py writes the volume into the second council (Eskmouth, whose CMDB
and finance the demo leaves empty), bench/commercial/measure.py times the recharge run
and the pages in a process of its own, and bench/commercial/importing.py imports the
cost lines in another (its peak memory is that process's). `--reuse` measures again on
the database an earlier run seeded (migrations added since are applied first).
Results: bench/results/commercial-<db>-<size>.json, and a table on stdout.
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
SIZES = ("tiny", "10k", "1m")
# Cost lines imported at each size: the 100,000 at full size.
IMPORT_ROWS = {"tiny": 200, "10k": 10_000, "1m": 100_000}
# A login of the seeded council that reads (and keeps) the finance figures.
USERNAME = "edc-ictmanager"
# The targets, for PostgreSQL at 10k contracts, 50k licences and 1M cost lines.
TARGETS = [("page_renewals", 100, "the renewals page p95 < 100 ms"),
           ("page_system", 100, "a system's page p95 < 100 ms"),
           ("page_compliance", 100, "the licence compliance page p95 < 100 ms"),
           ("page_statement", 100, "a service unit's recharge statement p95 < 100 ms"),
           ("recharge_run", 10, "the whole year's recharge run < 10 s")]
TARGET_SIZE = "1m"


def log(message: str) -> None:
    print(f"[commercial bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr,
          flush=True)


def database_name(size: str) -> str:
    return f"borough_bench_commercial_{size}"


def prepare(db: str, size: str, data_dir: Path, env: dict, reuse: bool) -> dict:
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
    started = time.monotonic()
    common.run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
    common.run([str(VENV / "borough"), "demo", "--quiet-logins"], env)
    demo_seconds = time.monotonic() - started
    common.run([str(VENV / "python"), "-m", "bench.commercial.seed", "--size", size,
                "--fixture", str(fixture)], env)
    found = json.loads(fixture.read_text())
    found["seeding"]["migrate_and_demo_seconds"] = round(demo_seconds, 1)
    fixture.write_text(json.dumps(found))
    return found


def database_mb(db: str, size: str, data_dir: Path) -> float | None:
    if db == "sqlite":
        path = data_dir / "borough.sqlite3"
        return round(path.stat().st_size / 1024 / 1024, 1) if path.exists() else None
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={database_name(size)}"
                         ) as conn:
        found = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return round(found / 1024 / 1024, 1)


def bench_one(db: str, size: str, args) -> dict:
    data_dir = Path(args.data_dir or common.DATA) / f"commercial-{db}-{size}"
    env = common.django_env(db, database_name(size), data_dir)
    log(f"=== {db}, {size} ===")
    load_before = os.getloadavg()
    fixture = prepare(db, size, data_dir, env, args.reuse)
    only = args.only.split(",") if args.only else None
    started = time.monotonic()
    measured: dict = {"operations": {}}
    if not only or set(only) - {"import"}:
        cmd = [str(VENV / "python"), "-m", "bench.commercial.measure",
               str(data_dir / "fixture.json"), "--username", USERNAME,
               "--budget", str(args.budget)]
        if only:
            cmd += ["--only", ",".join(n for n in only if n != "import")]
        if args.no_c8:
            cmd.append("--no-c8")
        measured = json.loads(common.run(cmd, env, capture=True, timeout=7200))
    load_middle = os.getloadavg()
    if not only or "import" in only:
        rows = args.import_rows or IMPORT_ROWS[size]
        out = data_dir / "import.json"
        common.run([str(VENV / "python"), "-m", "bench.commercial.importing",
                    str(data_dir / "fixture.json"), "--rows", str(rows), "--username",
                    USERNAME, "--out", str(out)], env, timeout=4 * 3600)
        measured["import"] = json.loads(out.read_text())
    result = {
        "benchmark": "commercial", "database": "postgresql" if db == "postgres" else "sqlite",
        "size": size, "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": {**common.machine(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after_pages": [round(x, 2) for x in load_middle],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "data": fixture["counts"], "seeding": fixture.get("seeding", {}),
        "recharge_year": fixture["recharge_year"], "database_mb": database_mb(db, size, data_dir),
        "measure_seconds": round(time.monotonic() - started, 1), "user": USERNAME,
        "concurrency": {"c1": "one request at a time",
                        "c8": "2 forked processes x 4 threads, each its own connection"},
        **measured,
    }
    applies = db == "postgres" and size == TARGET_SIZE
    result["targets"] = []
    for name, limit, label in TARGETS:
        if name == "recharge_run":
            value = measured.get("recharge", {}).get("median_s")
        else:
            value = measured["operations"].get(name, {}).get("c1", {}).get("p95_ms")
        result["targets"].append({"target": label, "operation": name, "limit": limit,
                                  "value": value, "met": value is not None and value < limit,
                                  "applies": applies})
    return result


def commit() -> str:
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("+changes" if dirty else "")


def summary(result: dict) -> str:
    data = result["data"]
    load = result["machine"]
    lines = [f"\n{result['database']} · {result['size']} · {data['contracts']:,} contracts, "
             f"{data['licences']:,} licences, {data['cost_lines']:,} cost lines, "
             f"{data['items']:,} CIs ({data['systems']:,} systems, {data['devices']:,} devices)"
             f" · load {load['load_average_before'][0]} → {load['load_average_after'][0]}",
             f"{'operation':<18} {'n':>4} {'p50':>8} {'p95':>8} {'max':>9} {'p50 c8':>8} "
             f"{'p95 c8':>8} {'queries':>8} {'slowest SQL ms':>15}"]
    queries = result.get("page_queries", {})
    for name, entry in result["operations"].items():
        c1, c8 = entry.get("c1", {}), entry.get("c8", {})
        page = queries.get(name) or queries.get(f"{name} 0") or {}
        lines.append(f"{name:<18} {c1.get('n', '-'):>4} {c1.get('p50_ms', '-'):>8} "
                     f"{c1.get('p95_ms', '-'):>8} {c1.get('max_ms', '-'):>9} "
                     f"{c8.get('p50_ms', '-'):>8} {c8.get('p95_ms', '-'):>8} "
                     f"{page.get('queries', '-'):>8} {page.get('slowest_sql_ms', '-'):>15}")
    if "recharge" in result:
        found = result["recharge"]
        lines.append(f"recharge run: {found['runs']} s ({found['queries']} queries, "
                     f"{found['lines']} lines)")
    if "import" in result:
        found = result["import"]
        lines.append(f"import of {found['rows']:,} cost lines: upload {found['upload']['seconds']}"
                     f" s, check {found['check']['seconds']} s, import "
                     f"{found['import']['seconds']} s; peak memory {found['rss_peak_mb']} MB")
    for target in result["targets"]:
        scope = "" if target["applies"] else " (the target is for PostgreSQL at 1m)"
        lines.append(f"  {target['target']}: {target['value']} → "
                     f"{'met' if target['met'] else 'NOT MET'}{scope}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="tiny")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--only", help="Only these (comma-separated): recharge_run, "
                                       "page_renewals, page_system, page_compliance, "
                                       "page_statement, import.")
    parser.add_argument("--no-c8", action="store_true", help="Concurrency 1 only.")
    parser.add_argument("--budget", type=float, default=90,
                        help="Seconds of renders per page at concurrency 1.")
    parser.add_argument("--import-rows", type=int, help="Cost lines imported (by size: "
                        + ", ".join(f"{k} {v:,}" for k, v in IMPORT_ROWS.items()) + ").")
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
                common.RESULTS / f"commercial-{db}-{args.size}{args.suffix}.json")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=1) + "\n")
            log(f"wrote {path}")
        print(summary(result), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
