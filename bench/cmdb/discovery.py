#!/usr/bin/env python3
"""Directory discovery benchmark: N computers in a real slapd, read and reconciled.

    .venv/bin/python -m bench.cmdb.discovery [--computers 20000] [--db sqlite|postgres|both]
        [--changed-percent 1] [--no-write]

Per database: a fresh database (SQLite under bench/data/discovery-sqlite/, or PostgreSQL
`borough_bench_discovery` on 127.0.0.1:5432 as user postgres, dropped and recreated),
`borough migrate`; a throwaway slapd (tests/slapd.py, with Active Directory's `computer`
class) loaded with N computer objects under two OUs, 1 in 10 of them servers, limited as
AD is (pages of at most 1,000), read by a service account. Then, in a child process with
Django set up on that database: one organisation with the shipped classes and a directory
source (pages of 500, as shipped), and

1. the directory read alone (no database writes), timed;
2. the first run: every computer new;
3. ~1 % of the computers changed in the directory (an in-place upgrade: a new operating
   system version), half as many deleted and as many disabled, then the second run;
4. a third run with nothing changed.

Each run's wall time, queries, counts and the child's peak memory go to
bench/results/cmdb-discovery-<db>-<N>.json. Only 127.0.0.1 is contacted; slapd is
stopped at the end, errors included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VENV = ROOT / ".venv" / "bin"
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
PG_NAME = "borough_bench_discovery"
BASE = "dc=council,dc=bench"
COMPUTERS = f"ou=computers,{BASE}"
OUS = {"servers": f"ou=servers,{COMPUTERS}", "workstations": f"ou=workstations,{COMPUTERS}"}
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{BASE}", "bench-admin"
READER_DN, READER_PASSWORD = f"cn=borough-reader,{BASE}", "bench-reader"
ORG_CODE = "bench"
PASSWORD_ENV = "DISCOVERY_BENCH_PASSWORD"
# Active Directory's MaxPageSize, and no more than that in one unpaged search.
LIMITS = ("sizelimit size.soft=1000 size.hard=1000 size.pr=1000 size.prtotal=unlimited",)


def log(message: str) -> None:
    print(f"[discovery {time.strftime('%H:%M:%S')}] {message}", flush=True)


def name_of(n: int) -> tuple[str, str]:
    """The n-th computer: (cn, OU key). One in ten is a server."""
    return (f"SRV{n:05d}", "servers") if n % 10 == 0 else (f"PC{n:05d}", "workstations")


def ldif(computers: int) -> str:
    import base64

    rng = random.Random(20261206)
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: council\no: Bench\n",
        f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: borough-reader\nuserPassword: {READER_PASSWORD}\n",
        f"dn: {COMPUTERS}\nobjectClass: organizationalUnit\nou: computers\n",
        *(f"dn: {dn}\nobjectClass: organizationalUnit\nou: {ou}\n" for ou, dn in OUS.items()),
    ]
    for n in range(computers):
        cn, ou = name_of(n)
        system = ("Windows Server 2022 Standard", "10.0 (20348)") if ou == "servers" else \
            ("Windows 11 Enterprise", "10.0 (22631)")
        guid = base64.b64encode(uuid.UUID(int=rng.getrandbits(128)).bytes_le).decode()
        entries.append(
            f"dn: cn={cn},{OUS[ou]}\nobjectClass: computer\ncn: {cn}\n"
            f"dNSHostName: {cn.lower()}.council.bench\noperatingSystem: {system[0]}\n"
            f"operatingSystemVersion: {system[1]}\nuserAccountControl: 4096\n"
            f"objectGUID:: {guid}\ndescription: Bench computer {n}\n")
    return "\n".join(entries)


# --- the child: Django on the benchmark's database ---------------------------------------


def child(args) -> None:
    import django

    django.setup()
    import ldap
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from borough.cmdb.discovery import directory, services
    from borough.cmdb.models import CIClass, ConfigurationItem, DirectorySource
    from borough.core import services as core_services
    from borough.organisation.services import create_organisation

    org = create_organisation(actor=None, name="Bench Borough Council", code=ORG_CODE,
                              nation="england-and-wales")
    classes = {c.code: c for c in CIClass.objects.filter(organisation=org)}
    source = core_services.create_record(DirectorySource(
        organisation_id=org.pk, name="Bench domain", server_uri=args.uri, bind_dn=READER_DN,
        password_env=PASSWORD_ENV, base_dn=COMPUTERS, server_class=classes["virtual-server"],
        device_class=classes["end-user-device"], server_ous=OUS["servers"]), actor=None)
    source = DirectorySource.objects.select_related(
        "organisation", "server_class", "device_class").get(pk=source.pk)

    started = time.monotonic()
    reading = directory.read_computers(
        services.connection_for(source), base_dn=source.base_dn,
        search_filter=source.search_filter, attributes=source.attribute_names(),
        page_size=source.page_size)
    results = {"read_only": {"seconds": round(time.monotonic() - started, 2),
                             "computers": len(reading.computers), "pages": reading.pages}}
    log(f"read {len(reading.computers)} computers in {results['read_only']['seconds']} s")

    def timed_run(label: str) -> None:
        requested = services.request_run(source, actor=None, queue=False)
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            if args.profile and label == "first_run":
                import cProfile

                with cProfile.Profile() as profile:
                    run = services.execute(requested.pk)
                profile.dump_stats(args.profile)
            else:
                run = services.execute(requested.pk)
        seconds = time.monotonic() - started
        results[label] = {
            "seconds": round(seconds, 2), "queries": len(queries), "outcome": run.outcome,
            "error": run.error, **{k: getattr(run, k) for k in (
                "seen", "created", "changed", "unchanged", "skipped", "vanished", "returned",
                "pages")},
            "ms_per_computer": round(seconds * 1000 / max(run.seen, 1), 3)}
        log(f"{label}: {results[label]}")

    timed_run("first_run")

    rng = random.Random(7)
    picked = rng.sample(range(args.computers), k=max(3, args.computers * args.changed // 100))
    third = len(picked) // 4
    changed, deleted, disabled = picked[:2 * third], picked[2 * third:3 * third], \
        picked[3 * third:]
    admin = ldap.initialize(args.uri)
    admin.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
    for n in changed:
        cn, ou = name_of(n)
        admin.modify_s(f"cn={cn},{OUS[ou]}", [(ldap.MOD_REPLACE, "operatingSystemVersion",
                                               [b"10.0 (26100)"])])
    for n in deleted:
        cn, ou = name_of(n)
        admin.delete_s(f"cn={cn},{OUS[ou]}")
    for n in disabled:
        cn, ou = name_of(n)
        admin.modify_s(f"cn={cn},{OUS[ou]}", [(ldap.MOD_REPLACE, "userAccountControl",
                                               [b"4098"])])
    admin.unbind_s()
    results["directory_changes"] = {"changed": len(changed), "deleted": len(deleted),
                                    "disabled": len(disabled)}
    timed_run("second_run")
    timed_run("third_run_unchanged")
    results["items"] = ConfigurationItem.objects.filter(organisation=org).count()
    results["child_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(args.out).write_text(json.dumps(results))


# --- the parent: databases, slapd, the child ----------------------------------------------


def fresh_database(db: str, data_dir: Path) -> str:
    if db == "postgres":
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_NAME}"')
        return f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob("borough.sqlite3*"):
        old.unlink()
    return f"sqlite:///{data_dir / 'borough.sqlite3'}"


def bench_one(db: str, uri: str, args) -> dict:
    data_dir = DATA / f"discovery-{db}"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp"), "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "borough.settings", "BOROUGH_MODE": "development",
           "DEBUG": "false", "LOG_LEVEL": "WARNING", "BOROUGH_DATA_DIR": str(data_dir),
           "DATABASE_URL": fresh_database(db, data_dir), PASSWORD_ENV: READER_PASSWORD}
    log(f"=== {db}: migrate ===")
    subprocess.run([str(VENV / "borough"), "migrate", "--no-input", "-v", "0"], env=env,
                   cwd=ROOT, check=True)
    out = data_dir / "child.json"
    subprocess.run([str(VENV / "python"), "-m", "bench.cmdb.discovery", "--child",
                    "--uri", uri, "--computers", str(args.computers), "--changed",
                    str(args.changed_percent), "--out", str(out),
                    *(["--profile", args.profile] if args.profile else [])],
                   env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--computers", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--changed-percent", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--uri", help=argparse.SUPPRESS)
    parser.add_argument("--changed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help="write a cProfile of the first run to this file")
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from bench import run as desk_bench  # machine()
    from tests.slapd import AD_SCHEMA, running_slapd

    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    for db in dbs:
        with tempfile.TemporaryDirectory(prefix="bench-slapd-") as root:
            started = time.monotonic()
            with running_slapd(Path(root), suffix=BASE, admin_dn=ADMIN_DN,
                               admin_password=ADMIN_PASSWORD, ldif=ldif(args.computers),
                               schemas=("core", "cosine"), extra_schema=AD_SCHEMA,
                               limits=LIMITS, maxsize=2 * 1024 ** 3) as uri:
                log(f"slapd with {args.computers} computers ready in "
                    f"{time.monotonic() - started:.1f} s")
                results = bench_one(db, uri, args)
        report = {"benchmark": "cmdb-discovery", "db": db, "computers": args.computers,
                  "changed_percent": args.changed_percent,
                  "at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "load_average": os.getloadavg(), "machine": desk_bench.machine(), **results}
        print(json.dumps(report, indent=2))
        if not args.no_write:
            RESULTS.mkdir(exist_ok=True)
            path = RESULTS / f"cmdb-discovery-{db}-{args.computers}.json"
            path.write_text(json.dumps(report, indent=2) + "\n")
            log(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
