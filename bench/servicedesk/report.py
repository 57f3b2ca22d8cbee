"""Markdown tables of the service desk results, for docs/performance.md.

    .venv/bin/python bench/servicedesk/report.py [bench/results/servicedesk-*.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "results"
ORDER = {"small": 0, "10k": 1, "100k": 2, "1m": 3}
TARGETS = {"queue_default": "p95 < 50", "queue_filtered": "p95 < 50", "ticket_page": "p95 < 25",
           "create_form": "p95 < 20", "create_api": "p95 < 20", "statistics": "p95 < 1000"}
LIMITS = {"queue_default": 50, "queue_filtered": 50, "ticket_page": 25, "create_form": 20,
          "create_api": 20, "statistics": 1000}


def table(result: dict) -> str:
    data = result["data"]
    server = result["server"]
    peak = max((m or 0) for m in server["worker_peak_rss_mb"]) if server["worker_peak_rss_mb"] else 0
    head = (f"**{result['database']} · {result['size']}** — {data['tickets']:,} tickets "
            f"({data['open_tickets']:,} open; the agent's council {data['tickets_in_agent_organisation']:,}"
            f" / {data['open_in_agent_organisation']:,} open), {data['timeline_entries']:,} timeline "
            f"entries, {data['audit_events']:,} audit events; database {result['database_size_mb']:,} MB;"
            f" seeded in {result['seeding'].get('seed_seconds')} s; worker RSS peak {peak} MB "
            f"({server['workers']} workers × {server['threads_per_worker']} threads); "
            f"load average {result['machine']['load_average_before'][0]}–"
            f"{result['machine']['load_average_after'][0]} on {result['machine']['cpus']} CPUs.")
    lines = [head, "",
             "| endpoint | p50 ms | p95 ms | rps c=1 | rps c=8 | × floor | server CPU ms | "
             "target (c=1) | met? |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    applies = result["database"] == "postgresql" and result["size"] in ("100k", "1m")
    for name, entry in result["endpoints"].items():
        c1, c8 = entry.get("c1", {}), entry.get("c8", {})
        target = TARGETS.get(name, "")
        met = ""
        if name in LIMITS and c1.get("p95_ms") is not None:
            ok = c1["p95_ms"] < LIMITS[name]
            met = ("yes" if ok else "**no**") if applies else ("(yes)" if ok else "(no)")
        lines.append(
            f"| {name} | {c1.get('p50_ms', '')} | {c1.get('p95_ms', '')} | {c1.get('rps', '')} | "
            f"{c8.get('rps', '')} | "
            f"{entry.get('x_floor_p50_c1', '')} | {c1.get('server_cpu_ms_per_request', '')} | "
            f"{target} | {met} |")
    return "\n".join(lines)


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted(
        RESULTS.glob("servicedesk-*.json"),
        key=lambda p: (p.stem.split("-")[1], ORDER.get(p.stem.split("-")[2], 9)))
    for path in paths:
        print(table(json.loads(path.read_text())))
        print()


if __name__ == "__main__":
    main()
