"""Planning and execution time of every query a page makes, from PostgreSQL's EXPLAIN.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/borough_bench_100k \\
        .venv/bin/python -m bench.servicedesk.explain bench/data/postgres-100k/fixture.json \\
        [page ...]

Signs in as the agent with Django's test client (in-process), captures the queries of
each page (after one warm-up request) and runs each again under
`EXPLAIN (ANALYZE, SUMMARY)`. Prints per page: query count, the sum of planning and of
execution time, the view's wall time in-process, and the three queries that plan the
longest. Deterministic enough to compare changes on a busy machine, unlike latency.
Nothing here is asserted; `EXPLAIN ANALYZE` runs each query once more, so only
read-only pages are explained.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.servicedesk.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.servicedesk.profile import pages as profiled_pages  # noqa: E402
from borough.accounts.models import User  # noqa: E402

TIMES = re.compile(r"(Planning|Execution) Time: ([\d.]+) ms")


def explain(sql: str, params) -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    found = dict(TIMES.findall(text))
    return float(found.get("Planning", 0)), float(found.get("Execution", 0))


def main() -> None:
    with open(sys.argv[1]) as handle:
        fixture = json.load(handle)
    pages = profiled_pages(fixture)
    wanted = sys.argv[2:] or list(pages)
    client = Client()
    client.force_login(User.objects.get(username="cbc-agent"))
    # Record each query's SQL with its parameters: Django's captured SQL has them inlined.
    statements: list[tuple[str, object]] = []

    def recorder(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    report = {}
    for name in wanted:
        path = pages[name]
        client.get(path)
        statements.clear()
        with connection.execute_wrapper(recorder), CaptureQueriesContext(connection):
            started = time.perf_counter()
            response = client.get(path)
            wall = (time.perf_counter() - started) * 1000
        rows = []
        for sql, params in list(statements):
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            plan, execute = explain(sql, params)
            rows.append((plan, execute, sql))
        rows.sort(key=lambda r: -r[0])
        report[name] = {
            "status": response.status_code, "queries": len(statements),
            "planning_ms": round(sum(r[0] for r in rows), 2),
            "execution_ms": round(sum(r[1] for r in rows), 2),
            "view_ms_in_process": round(wall, 1),
            "slowest_to_plan": [{"plan_ms": r[0], "exec_ms": r[1], "sql": r[2][:300]}
                                for r in rows[:3]],
        }
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
