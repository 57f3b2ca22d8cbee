"""Two code trees on the same seeded data, measured side by side: "no regression beyond noise".

    .venv/bin/python -m bench.servicedesk.versus --before /work/bench-before --after /work/main \
        [--size 100k] [--rounds 100] [--block 20] [--only floor,statistics] [--keep] [--reuse]

Each tree is a checkout with its own `make install` (a git worktree of the older commit
serves as "before"). The PostgreSQL database seeded by bench/run.py (borough_bench_<size>;
seeded from the before tree if missing) is copied once to bench_vs_base, cleaned of the
tickets earlier runs raised (forget.py) and given a known password and an API token; that
copy is copied again to bench_vs_before and bench_vs_after, each migrated and served by its
own tree's `borough serve` with its own bench settings. As in paired.py, the load client (this
tree's load.py) alternates between the two servers in blocks at concurrency 1, the first
server changing every round, so both see the same machine. Prints p50/p95 per endpoint for
each tree and the after/before ratios, each server's worker memory, and writes
bench/results/servicedesk-postgres-versus-<size>.json. The copies are dropped at the end
unless --keep; the servers are stopped on errors and on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import statistics
import string
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402 - the load client's HTTP session and endpoints

from bench.run import (  # noqa: E402
    AGENT,
    DATA,
    PG_URL,
    RESULTS,
    ROOT,
    SIZES,
    children,
    log,
    machine,
    memory_mb,
    postgres_admin,
    spare_port,
    stop,
    wait_healthy,
)
from bench.servicedesk.paired import ENDPOINTS, pct  # noqa: E402

SIDES = ("before", "after")
BASE_DB = "bench_vs_base"
COPY_DB = "bench_vs_{side}"


def tree_run(tree: Path, cmd: list[str], env: dict, *, capture: bool = False) -> str:
    """A command of `tree`, run from it: `python -m bench...` imports the package of the
    current directory, which must be the tree's own, not this one's."""
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=tree, text=True, timeout=3600,
                            stdout=subprocess.PIPE if capture else None)
    if result.returncode:
        raise RuntimeError(f"{' '.join(cmd)} (in {tree}) failed with exit code "
                           f"{result.returncode}")
    log(f"{tree.name}: {' '.join([Path(cmd[0]).name, *cmd[1:3]])} took "
        f"{time.monotonic() - started:.1f} s")
    return result.stdout or ""


def tree_env(tree: Path, database: str, data_dir: Path) -> dict:
    """As bench/run.py sets it: the tree's root on PYTHONPATH, so bench.servicedesk.settings
    (and the floor URL) are the tree's own; its .venv runs its own src/ (editable install)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
            "PYTHONPATH": str(tree), "DJANGO_SETTINGS_MODULE": "bench.servicedesk.settings",
            "BOROUGH_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING",
            "DATABASE_URL": PG_URL.format(name=database)}


def describe(tree: Path) -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True,
                              check=True).stdout.strip()

    return {"path": str(tree), "commit": git("rev-parse", "HEAD"),
            "subject": git("log", "-1", "--format=%s"),
            # Uncommitted changes to tracked files: the commit alone does not say what ran.
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def query(database: str, sql: str, params=()):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={database}") as conn:
        return conn.execute(sql, params).fetchone()[0]


def exists(database: str) -> bool:
    return bool(query("postgres", "SELECT count(*) FROM pg_database WHERE datname = %s",
                      (database,)))


def copy_database(name: str, template: str) -> None:
    started = time.monotonic()
    postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    log(f"{name}: copied from {template} in {time.monotonic() - started:.1f} s")


def seeded(size: str, before: Path, fixture: Path | None) -> Path:
    """The fixture of the seeded database; seeds it from the before tree if it is missing
    (bench/data is per tree, so the fixture is wherever the seeding tree put it)."""
    source = f"borough_bench_{size}"
    if not exists(source):
        if fixture:
            sys.exit(f"{source} does not exist, so {fixture} describes nothing: drop --fixture "
                     "to seed it from the before tree.")
        log(f"{source} is missing: seeding it from {before}")
        started = time.time()
        try:
            # Only the floor is timed, briefly: the point is the database and its fixture.
            tree_run(before, [str(before / ".venv" / "bin" / "python"), "bench/run.py",
                              "--size", size, "--db", "postgres", "--no-profile",
                              "--only", "floor", "--no-write"], {**os.environ})
        except RuntimeError:
            # The seeding is done once the fixture is written; a failure after it (the
            # floor's timing) does not matter here.
            written = before / "bench" / "data" / f"postgres-{size}" / "fixture.json"
            if not (written.exists() and written.stat().st_mtime > started):
                raise
            log("bench/run.py failed after seeding: going on with the seeded database")
    fixture = fixture or before / "bench" / "data" / f"postgres-{size}" / "fixture.json"
    if not fixture.exists():
        sys.exit(f"No fixture at {fixture}: pass --fixture bench/data/postgres-{size}/"
                 "fixture.json of the tree that seeded the database.")
    return fixture


def prepare_base(args, fixture: dict, password: str) -> str:
    """bench_vs_base: the seeded database without earlier runs' tickets, the demo logins'
    password set and an API token; returns the token. Cleaning and analysing once, before
    the two copies, gives both the same rows and the same planner statistics (ANALYZE
    samples at random, so analysing each copy could give each its own plans)."""
    env = {**tree_env(args.before, BASE_DB, DATA / "versus" / "base"),
           "BOROUGH_MODE": "development", "DEBUG": "false", "BOROUGH_DEMO_PASSWORD": password}
    if args.reuse and exists(BASE_DB):
        log(f"reusing {BASE_DB}")
    else:
        copy_database(BASE_DB, f"borough_bench_{args.size}")
    bin_ = args.before / ".venv" / "bin"
    tree_run(args.before, [str(bin_ / "borough"), "migrate", "--no-input", "-v", "0"], env)
    tree_run(args.before, [str(bin_ / "python"), "-m", "bench.servicedesk.forget"], env)
    tree_run(args.before, [str(bin_ / "borough"), "demo", "--quiet-logins"], env)
    token = tree_run(args.before, [str(bin_ / "borough"), "token", "create", AGENT,
                                   "--organisation", "cbc", "--name",
                                   f"versus {datetime.now(UTC):%Y%m%d%H%M%S}"],
                     env, capture=True).strip().splitlines()[-1]
    # A fixture from another seeding would send ticket_page to tickets that do not exist.
    ids = fixture["ticket_ids"]
    found = query(BASE_DB, "SELECT count(*) FROM servicedesk_ticket WHERE id = ANY(%s)", (ids,))
    if found != len(ids):
        sys.exit(f"Only {found} of the fixture's {len(ids)} tickets are in the database: "
                 "the fixture is from another seeding (pass --fixture).")
    return token


def start(side: str, tree: Path, stack: ExitStack) -> dict:
    """Migrates the side's copy with its tree and starts its production server (not waited
    for: both servers start at once, as collectstatic and check --deploy take a while)."""
    database = COPY_DB.format(side=side)
    data_dir = DATA / "versus" / side  # its own static root even when both trees are one
    env = tree_env(tree, database, data_dir)
    bin_ = tree / ".venv" / "bin"
    tree_run(tree, [str(bin_ / "borough"), "migrate", "--no-input", "-v", "0"],
             {**env, "BOROUGH_MODE": "development", "DEBUG": "false"})
    port = spare_port()
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    prod_env = {**env, "BOROUGH_MODE": "production", "DEBUG": "false",
                "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
                "ALLOWED_HOSTS": "127.0.0.1", "HOST": "127.0.0.1", "PORT": str(port)}
    log_file = stack.enter_context(open(data_dir / "server.log", "w"))  # noqa: SIM115
    server = subprocess.Popen([str(bin_ / "borough"), "serve"], env=prod_env, cwd=tree,
                              stdout=log_file, stderr=subprocess.STDOUT)
    stack.callback(stop, server)
    return {"side": side, "port": port, "server": server}


def timed_block(endpoint, session: load.Session, rng: random.Random, count: int,
                workers: list[int]) -> tuple[list[float], float | None]:
    """`count` timed requests and the CPU the server's workers spent on them. One untimed
    request first: gunicorn closes a keep-alive connection idle for 2 s, so while the other
    server had its block this one may have dropped ours, and the reconnection would land in
    the first timing of nearly every block, near the p95."""
    method, path, body, headers = endpoint.make(rng)
    session.request(method, path, body, headers)
    cpu_before = load.cpu_seconds(workers)
    times = []
    for _ in range(count):
        method, path, body, headers = endpoint.make(rng)
        started = time.perf_counter()
        status, _headers, data = session.request(method, path, body, headers)
        times.append((time.perf_counter() - started) * 1000)
        if status not in endpoint.expect:
            raise RuntimeError(f"{endpoint.name}: HTTP {status}: {data[:200]!r}")
    cpu_after = load.cpu_seconds(workers)
    cpu = cpu_after - cpu_before if None not in (cpu_before, cpu_after) else None
    return times, cpu


def figures(times: list[float], cpu: list[float | None]) -> dict:
    entry = {"requests": len(times), "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95),
             "mean_ms": round(statistics.fmean(times), 1)}
    if None not in cpu:  # else a worker went away (restarted) during a block
        entry["server_cpu_ms_per_request"] = round(sum(cpu) * 1000 / len(times), 2)
    return entry


def ratio(after: float | None, before: float | None) -> float | None:
    return round(after / before, 3) if after and before else None


def measure(servers: dict[str, dict], rounds: int, block: int, names) -> dict:
    sessions = {side: load.Session(s["port"], s["cookies"]) for side, s in servers.items()}
    report = {}
    for index, name in enumerate(names):
        # The same seed on both sides: both get the same tickets, in the same order.
        rngs = {side: random.Random(20261206 + index) for side in SIDES}
        times: dict[str, list[list[float]]] = {side: [] for side in SIDES}
        cpu: dict[str, list[float | None]] = {side: [] for side in SIDES}
        for side in SIDES:  # warm both
            timed_block(servers[side]["endpoints"][name], sessions[side], rngs[side], 10,
                        servers[side]["workers"])
        for round_ in range(rounds):
            for side in (SIDES if round_ % 2 == 0 else SIDES[::-1]):
                block_times, block_cpu = timed_block(servers[side]["endpoints"][name],
                                                     sessions[side], rngs[side], block,
                                                     servers[side]["workers"])
                times[side].append(block_times)
                cpu[side].append(block_cpu)
        entry = {side: figures([t for b in times[side] for t in b], cpu[side]) for side in SIDES}
        for key, metric in (("p50_ratio", "p50_ms"), ("p95_ratio", "p95_ms"),
                            ("cpu_ratio", "server_cpu_ms_per_request")):
            entry[key] = ratio(entry["after"].get(metric), entry["before"].get(metric))
        # The ratios from each half of the rounds: how far they move within one run.
        half = rounds // 2
        entry["halves"] = {}
        for metric, p in (("p50", 0.5), ("p95", 0.95)):
            entry["halves"][f"{metric}_ratio"] = [
                ratio(pct([t for b in times["after"][part] for t in b], p),
                      pct([t for b in times["before"][part] for t in b], p))
                for part in (slice(0, half), slice(half, None))] if half else []
        report[name] = entry
        b, a = entry["before"], entry["after"]
        log(f"{name:15} before {b['p50_ms']:6} / {b['p95_ms']:6}   after {a['p50_ms']:6} / "
            f"{a['p95_ms']:6}   ratio p50 {entry['p50_ratio']} p95 {entry['p95_ratio']}")
    return report


def table(result: dict) -> str:
    lines = [f"{'endpoint':<15} {'before p50':>10} {'p95':>7} {'after p50':>10} {'p95':>7} "
             f"{'p50 a/b':>8} {'p95 a/b':>8} {'p95 halves':>12} {'cpu ms b':>9} "
             f"{'cpu ms a':>9} {'cpu a/b':>8}"]
    for name, e in result["endpoints"].items():
        b, a = e["before"], e["after"]
        halves = "/".join(str(x) for x in e["halves"].get("p95_ratio", [])) or "-"
        lines.append(f"{name:<15} {b['p50_ms']:>10} {b['p95_ms']:>7} {a['p50_ms']:>10} "
                     f"{a['p95_ms']:>7} {e['p50_ratio']:>8} {e['p95_ratio']:>8} {halves:>12} "
                     f"{b.get('server_cpu_ms_per_request', '-'):>9} "
                     f"{a.get('server_cpu_ms_per_request', '-'):>9} "
                     f"{e.get('cpu_ratio') or '-':>8}")
    for side in SIDES:
        s = result["servers"][side]
        lines.append(f"{side} worker RSS {s['worker_rss_mb']} MiB "
                     f"(peak {s['worker_peak_rss_mb']}), master {s['master_rss_mb']} MiB")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="The tree of the old code.")
    parser.add_argument("--after", type=Path, required=True, help="The tree of the new code.")
    parser.add_argument("--size", choices=SIZES, default="100k")
    parser.add_argument("--fixture", type=Path,
                        help="fixture.json of the seeding (default: the before tree's "
                             "bench/data/postgres-<size>/fixture.json).")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--block", type=int, default=20, help="Requests per block.")
    parser.add_argument("--only", help="Only these endpoints (comma-separated names).")
    parser.add_argument("--keep", action="store_true",
                        help="Keep bench_vs_base, bench_vs_before and bench_vs_after.")
    parser.add_argument("--reuse", action="store_true",
                        help="Start from the bench_vs_base an earlier --keep run left, instead "
                             "of copying the seeded database again.")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    args.before = trees["before"]
    for side, tree in trees.items():
        if not (tree / ".venv" / "bin" / "borough").exists():
            sys.exit(f"{side}: no {tree}/.venv/bin/borough: run `make install` in it.")
    names = args.only.split(",") if args.only else ENDPOINTS

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    # Stop cleanly on SIGTERM or SIGINT (even in the background, where SIGINT is ignored):
    # the ExitStack stops the servers, then drops the copies.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.monotonic()
    fixture_path = seeded(args.size, args.before, args.fixture).resolve()
    fixture = json.loads(fixture_path.read_text())
    log(f"fixture {fixture_path}")
    load_before = os.getloadavg()
    password = secrets.token_urlsafe(16)
    with ExitStack() as stack:
        if not args.keep:  # registered first, so it runs after the servers have stopped
            stack.callback(lambda: [postgres_admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
                                    for db in (*[COPY_DB.format(side=s) for s in SIDES],
                                               BASE_DB)])
        token = prepare_base(args, fixture, password)
        for side in SIDES:
            copy_database(COPY_DB.format(side=side), BASE_DB)
        servers = {side: start(side, trees[side], stack) for side in SIDES}
        for side, s in servers.items():
            # Two at once, each running check --deploy and collectstatic first: on a busy
            # 2-CPU machine that has taken over the 3 minutes bench/run.py allows one.
            wait_healthy(s["port"], s["server"], timeout=600)
            s["workers"] = children(s["server"].pid)
            s["cookies"], csrf = load.sign_in(s["port"], AGENT, password)
            s["endpoints"] = {e.name: e for e in load.endpoints(fixture, token, csrf,
                                                                quick=False)}
            log(f"{side}: server up on port {s['port']}: master {s['server'].pid}, "
                f"workers {s['workers']}")
        endpoints = measure(servers, args.rounds, args.block, names)
        server_memory = {}
        for side, s in servers.items():
            workers = [memory_mb(pid) for pid in children(s["server"].pid)]
            server_memory[side] = {
                "workers": len(workers), "worker_rss_mb": [m.get("VmRSS") for m in workers],
                "worker_peak_rss_mb": [m.get("VmHWM") for m in workers],
                "master_rss_mb": memory_mb(s["server"].pid).get("VmRSS")}
    result = {
        "benchmark": "servicedesk-versus", "database": "postgresql", "size": args.size,
        "ran_at": started_at, "seconds": round(time.monotonic() - started),
        "method": f"both servers up, each on its own copy of the same data; c=1; "
                  f"{args.rounds} rounds of {args.block} requests (after one untimed) per "
                  "tree per endpoint, alternating which tree goes first",
        "trees": {side: describe(tree) for side, tree in trees.items()},
        "fixture": str(fixture_path), "data": fixture["counts"],
        "machine": {**machine(), "postgresql": query("postgres", "SHOW server_version"),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "servers": server_memory, "endpoints": endpoints,
    }
    print(table(result), flush=True)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"servicedesk-postgres-versus-{args.size}.json"
        path.write_text(json.dumps(result, indent=1) + "\n")
        log(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as exc:  # the servers are stopped, the copies dropped by now
        log(f"interrupted ({exc})")
        sys.exit(130)
