"""Spreadsheet import of the estate: 10,000 configuration-item rows, time and peak memory.

    .venv/bin/python -m bench.imports.run [--db sqlite|postgres|both] [--rows 10000]
                                          [--format xlsx|csv] [--no-write]

For each database, on this machine:

1. A fresh database: SQLite in bench/data/imports-sqlite/ (git-ignored), or the PostgreSQL
   database borough_bench_imports on 127.0.0.1:5432 as user postgres, dropped and made
   again; `borough migrate`.
2. In a child process with that database (so each run starts from the same memory): a
   council with the CMDB's shipped classes, a Team Lead, 50 people, 10 teams, 5 sites and
   10 service units, and a workbook of `--rows` physical servers (name, status, owner,
   support team, site, criticality, host name, CPU cores, memory, IP address, warranty
   date; every value a real one, so each row goes through every look-up and check).
3. The import as people run it, through core.importing with the background task runner
   `worker` (the file is above IMPORT_BACKGROUND_ROWS, so both steps are tasks, run here
   in-process as `borough worker` runs them): the upload (the file read and its header
   matched), the check (every row validated and saved, then rolled back: the preview),
   the import (the same, kept). Each step's wall time, its queries, and the process's
   peak resident memory during it (VmHWM from /proc, reset before each step through
   /proc/self/clear_refs), beside the memory after start-up.
4. bench/results/imports-<db>-<rows>.json; a table is printed.

The machine is shared (2 CPUs, other work running): times are noisy, by a factor of up
to two between runs; the query counts and the memory are steady.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import DATA, RESULTS, ROOT, VENV, log, machine, postgres_admin, run

PG_NAME = "borough_bench_imports"


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def workbook(rows: int, fmt: str, people: list[str], teams: list[str], sites: list[str]
             ) -> bytes:
    header = ["Name", "Status", "Owner", "Support team", "Site", "Criticality", "Host name",
              "CPU cores", "Memory (GB)", "IP address", "Warranty ends", "Description"]
    statuses = ["Live", "In build", "Planned"]
    levels = ["Low", "Medium", "High", "Critical"]

    def row(n: int) -> list:
        return [f"SRV{n:05}", statuses[n % 3], people[n % len(people)],
                teams[n % len(teams)], sites[n % len(sites)], levels[n % 4], f"srv{n:05}",
                (n % 32) + 1, f"{(n % 64) + 0.5}", f"10.{n // 65536 % 256}.{n // 256 % 256}."
                f"{n % 256}", f"20{27 + n % 3}-0{1 + n % 9}-1{n % 10}",
                f"Server number {n} in the estate"]

    if fmt == "csv":
        import csv

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for n in range(rows):
            writer.writerow(row(n))
        return buffer.getvalue().encode()
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for n in range(rows):
        sheet.append(row(n))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def child(args) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from borough.accounts.models import Membership, User
    from borough.cmdb.models import CIClass, ConfigurationItem
    from borough.core import background, importing, roles
    from borough.core.importers import importer_for
    from borough.core.models import ImportStatus
    from borough.organisation.models import Person, ServiceUnit, Site, Team
    from borough.organisation.services import create_organisation

    settings.BACKGROUND_TASK_RUNNER = "worker"
    # A small run (a profile) goes through the background tasks too, as a big file does.
    settings.IMPORT_BACKGROUND_ROWS = min(settings.IMPORT_BACKGROUND_ROWS, args.rows - 1)
    started_kb = status_kb("VmRSS")
    org = create_organisation(actor=None, name="Bench Borough Council", code="bench",
                              nation="england-and-wales")
    user = User.objects.create_user("bench-officer", password="unused-" + os.urandom(8).hex())
    Membership.objects.create(organisation=org, user=user, is_default=True,
                              role=Group.objects.get(name=roles.TEAM_LEAD))
    user.active_organisation_id = org.pk
    people = [Person.objects.create(organisation=org, full_name=f"Person {n}").full_name
              for n in range(50)]
    teams = [Team.objects.create(organisation=org, name=f"Team {n}").name for n in range(10)]
    sites = [Site.objects.create(organisation=org, name=f"Site {n}", town="Whitehaven").name
             for n in range(5)]
    for n in range(10):
        ServiceUnit.objects.create(organisation=org, name=f"Unit {n}")
    server = CIClass.objects.get(organisation=org, code="physical-server")
    content = workbook(args.rows, args.format, people, teams, sites)
    importer = importer_for("cmdb.configurationitem")
    figures: dict = {"rows": args.rows, "format": args.format,
                     "file_kb": round(len(content) / 1024),
                     "rss_after_setup_mb": round(status_kb("VmRSS") / 1024, 1),
                     "rss_at_start_mb": round(started_kb / 1024, 1)}

    def step(name, work):
        reset_peak()
        before = status_kb("VmRSS")
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            began = time.perf_counter()
            result = work()
            seconds = time.perf_counter() - began
        figures[name] = {"seconds": round(seconds, 2), "queries": len(queries),
                         "rss_before_mb": round(before / 1024, 1),
                         "rss_peak_mb": round(status_kb("VmHWM") / 1024, 1),
                         "rss_after_mb": round(status_kb("VmRSS") / 1024, 1)}
        if name != "upload":
            figures[name]["rows_per_second"] = round(args.rows / seconds)
        log(f"{name}: {seconds:.1f} s, {len(queries):,} queries, peak "
            f"{figures[name]['rss_peak_mb']} MB")
        return result

    upload = step("upload", lambda: importing.upload(
        importer, SimpleUploadedFile(f"servers.{args.format}", content), user=user,
        options={"ci_class": server.pk}))
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        step("check", lambda: profiler.runcall(background.run_waiting, via="bench"))
        with open(args.profile, "w") as out:
            stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
            stats.print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
        log(f"profile of the check: {args.profile}")
    else:
        step("check", lambda: background.run_waiting(via="bench"))
    upload.refresh_from_db()
    assert upload.status == ImportStatus.CHECKED, upload.status
    assert not upload.error_count, upload.errors[:5]
    step("confirm", lambda: importing.confirm(upload, user=user, sha256=upload.sha256))
    step("import", lambda: background.run_waiting(via="bench"))
    upload.refresh_from_db()
    assert upload.status == ImportStatus.IMPORTED, (upload.status, upload.errors[:5])
    figures["items_saved"] = ConfigurationItem.objects.filter(organisation=org).count()
    assert figures["items_saved"] == args.rows
    return figures


def bench_one(db: str, args) -> dict:
    data_dir = DATA / (f"imports-{db}-{args.label}" if args.label else f"imports-{db}")
    # --code: Borough's source from another tree (an older commit, from `git archive`)
    # first on the path, to measure it beside this one.
    paths = [str(Path(args.code).resolve())] if args.code else []
    env = {**os.environ, "BOROUGH_DATA_DIR": str(data_dir),
           "PYTHONPATH": os.pathsep.join([*paths, str(ROOT)])}
    if db == "postgres":
        postgres_admin(f"DROP DATABASE IF EXISTS {args.pg_name} WITH (FORCE)")
        postgres_admin(f"CREATE DATABASE {args.pg_name}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.pg_name}"
    else:
        import shutil

        shutil.rmtree(data_dir, ignore_errors=True)
        env.pop("DATABASE_URL", None)
    data_dir.mkdir(parents=True, exist_ok=True)
    run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env)
    out = data_dir / "figures.json"
    run([str(VENV / "python"), "-m", "bench.imports.run", "--child", "--rows", str(args.rows),
         "--format", args.format, "--out", str(out),
         *(["--profile", str(Path(args.profile).resolve())] if args.profile else [])], env)
    return {"db": db, **json.loads(out.read_text())}


def uptime() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--pg-name", default=PG_NAME,
                        help="the PostgreSQL database to drop and make again (on a shared "
                             "machine, one of your own)")
    parser.add_argument("--label", default="",
                        help="added to the result's file name: imports-<db>-<rows>-<label>.json")
    parser.add_argument("--profile", help="write a cProfile report of the check (the preview) "
                                          "to this file")
    parser.add_argument("--code", help="a src/ directory to import Borough from instead of "
                                       "this tree's (e.g. `git archive <commit> src`)")
    parser.add_argument("--code-commit", default="",
                        help="the commit --code came from, recorded with the result")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Path(args.out).write_text(json.dumps(child(args)))
        return
    measured = args.code_commit or commit()
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        load_before = uptime()
        figures = bench_one(db, args)
        result = {"benchmark": "imports", "at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "commit": measured, "machine": machine(),
                  # The machine is shared: its load (uptime's 1, 5, 15-minute averages)
                  # before and after the run says how much else was running.
                  "load_before": load_before, "load_after": uptime(), **figures}
        print(json.dumps(result, indent=2))
        if not args.no_write:
            RESULTS.mkdir(exist_ok=True)
            suffix = f"-{args.label}" if args.label else ""
            path = RESULTS / f"imports-{db}-{args.rows}{suffix}.json"
            path.write_text(json.dumps(result, indent=2) + "\n")
            log(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
