"""A page of another checkout against this one's, paired on a busy machine: processes of
each take turns (old, new, old, new…) rendering the same URLs on the same seeded
database, each after its own warm-up, so a busy minute slows both alike; per turn the
CPU this process spent a render (time.process_time), the time in SQL a render, the
clock's p50 and p95; and whether both rendered the same HTML for every URL (the CSRF
token and the page's timing comment left out).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/borough_bench_commercial_1m \\
    .venv/bin/python -m bench.commercial.paired bench/data/commercial-postgres-1m/fixture.json \\
        --old /work/other/src --page system [--renders 20] [--turns 3] [--out FILE]

Never in tests: timings are only looked at here."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VOLATILE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"|csrf[_-]?token[^<>]*'
                      rb'|<!--[^>]*ms[^>]*-->')


def worker(fixture_path: str, page: str, renders: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "borough.settings")
    os.environ.setdefault("BOROUGH_MODE", "development")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.test import Client

    from bench.commercial.profile import urls_for
    from bench.renders import render_all
    from borough.accounts.models import User

    fixture = json.loads(Path(fixture_path).read_text())
    client = Client()
    client.force_login(User.objects.get(username="edc-ictmanager"))
    urls = urls_for(page, fixture, renders)
    for url in urls[:3]:
        client.get(url)
    rendered = render_all(client, urls, keep=True)
    times, cpu, sql = rendered.times, rendered.cpu_ms, {"ms": rendered.sql_ms * len(urls)}
    pages = {url: hashlib.sha256(VOLATILE.sub(b"", content)).hexdigest()
             for url, content in rendered.contents.items()}
    times.sort()
    print(json.dumps({"cpu_ms": round(cpu, 1), "sql_ms": round(sql["ms"] / len(urls), 1),
                      "p50_ms": round(statistics.median(times), 1),
                      "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
                      "load": round(os.getloadavg()[0], 1), "pages": pages}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fixture")
    parser.add_argument("--old", required=True, help="the other checkout's src directory")
    parser.add_argument("--page", default="system")
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.fixture, args.page, args.renders)
        return
    sides = {"old": str(Path(args.old).resolve()), "new": str(ROOT / "src")}
    found: dict[str, list[dict]] = {"old": [], "new": []}
    for turn in range(args.turns):
        for side in ("old", "new") if turn % 2 == 0 else ("new", "old"):
            env = dict(os.environ, PYTHONPATH=f"{sides[side]}:{ROOT}")
            done = subprocess.run([sys.executable, "-m", "bench.commercial.paired", args.fixture,
                                   "--old", args.old, "--page", args.page,
                                   "--renders", str(args.renders), "--worker"],
                                  env=env, cwd=ROOT, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            found[side].append(result)
            print(f"{args.page} turn {turn + 1} {side}: CPU {result['cpu_ms']} ms a render, "
                  f"SQL {result['sql_ms']} ms, p50 {result['p50_ms']} / p95 "
                  f"{result['p95_ms']} ms, load {result['load']}", flush=True)
    same = all(run["pages"] == found["old"][0]["pages"] for run in found["old"] + found["new"])
    summary = {side: {key: statistics.median(run[key] for run in runs)
                      for key in ("cpu_ms", "sql_ms", "p50_ms", "p95_ms")}
               for side, runs in found.items()}
    ratios = {key: round(summary["new"][key] / summary["old"][key], 2)
              for key in summary["new"] if summary["old"][key]}
    print(f"medians of the turns: old {summary['old']}, new {summary['new']}; new/old "
          f"{ratios}; the same HTML for every URL: {same}")
    if args.out:
        for runs in found.values():
            for run in runs:
                run.pop("pages")
        Path(args.out).write_text(json.dumps({"page": args.page, "renders": args.renders,
                                              "turns": found, "medians": summary,
                                              "ratios": ratios, "same_html": same},
                                             indent=1) + "\n")


if __name__ == "__main__":
    main()
