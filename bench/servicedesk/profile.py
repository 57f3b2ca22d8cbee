"""Query counts and the slowest SQL of each benchmarked page, measured in-process.

Not timed for the results (that is the load client's job): this says *why* a
page costs what it does. Uses Django's test client signed in as the agent, with
the same database the server will use. Prints JSON on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.servicedesk.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from borough.accounts.models import User  # noqa: E402


def explain(sql: str) -> list[str]:
    prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql"
              else "EXPLAIN QUERY PLAN ")
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return [" | ".join(str(c) for c in row) for row in cursor.fetchall()][:40]
    except Exception as exc:  # noqa: BLE001 - a plan we cannot get is reported, not fatal
        return [f"{type(exc).__name__}: {exc}"]


def pages(fixture: dict) -> dict[str, str]:
    """The pages the benchmark profiles, by endpoint name (one ticket of the fixture)."""
    ticket = fixture["ticket_ids"][0]
    return {
        "floor": "/bench/floor/?queue=all",
        "queue_default": "/service-desk/tickets/?queue=all",
        "queue_filtered": "/service-desk/tickets/?queue=all&priority=1&status=new",
        "ticket_page": f"/service-desk/tickets/{ticket}/",
        "ticket_form_page": "/service-desk/tickets/add/",
        "statistics": "/service-desk/statistics/",
        "api_list": "/api/servicedesk/tickets/?page_size=25",
    }


def main() -> None:
    # The report is the only thing on stdout: what the pages print (the console email
    # backend shows the acknowledgement a created ticket sends) goes to stderr.
    out, sys.stdout = sys.stdout, sys.stderr
    with open(sys.argv[1]) as handle:
        fixture = json.load(handle)
    username = sys.argv[2] if len(sys.argv) > 2 else "cbc-agent"
    client = Client()
    client.force_login(User.objects.get(username=username))
    report = {}
    for name, path in pages(fixture).items():
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        entry = {
            "path": path, "status": response.status_code, "queries": len(queries),
            "sql_ms": round(sql_ms, 1), "total_ms": round(elapsed * 1000, 1),
            "slowest": [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:600]}
                        for q in queries[:3]],
        }
        if queries and name in ("queue_default", "queue_filtered", "ticket_page", "statistics"):
            entry["plan_of_slowest"] = explain(queries[0]["sql"])
        report[name] = entry
    # Creation through the staff form, as the server does it (one ticket).
    data = {"ticket_type": "incident", "requester": fixture["requester_ids"][0],
            "title": "Profile: printer jammed", "description": "Raised by bench profile.",
            "channel": "phone", "impact": 3, "urgency": 3, "team": fixture["team_ids"][0],
            "service_unit": fixture["service_unit_ids"][0], "site": fixture["site_ids"][0],
            "category": fixture["category_ids"][0], "assignee": ""}
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.post("/service-desk/tickets/add/", data)
        elapsed = time.perf_counter() - started
    report["create_form"] = {
        "path": "/service-desk/tickets/add/ (POST)", "status": response.status_code,
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
        "total_ms": round(elapsed * 1000, 1),
        "slowest": [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:600]}
                    for q in sorted(captured.captured_queries,
                                    key=lambda q: -float(q["time"]))[:3]],
    }
    json.dump(report, out)


if __name__ == "__main__":
    main()
