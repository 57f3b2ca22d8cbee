"""The email benchmark (bench/email) still runs: a tiny run on SQLite in a temporary
directory, in its own process, with every count right. Timings are not looked at."""

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.email import workload

ROOT = Path(__file__).resolve().parent.parent


def test_the_plan_sends_follow_ups_after_their_message_on_the_same_connection():
    people = [(f"person{n}@copeland.example.gov.uk", f"Person {n}")
              for n in range(workload.people_needed(200))]
    plan = workload.plan(200, 4, people=people, address="ithelp@copeland.example.gov.uk")
    assert sorted(i for lane in plan.lanes for i in lane) == list(range(200))
    position = {index: (n, lane.index(index)) for n, lane in enumerate(plan.lanes)
                for index in lane}
    for item in plan.items:
        if item.original is not None:
            lane, at = position[item.index]
            assert position[item.original][0] == lane
            assert position[item.original][1] < at
    expected = plan.expected()
    assert expected["new"] + expected["replies"] + expected["duplicate"] == 200
    assert plan.counts["busiest_sender"] < workload.LOOP_LIMIT


def test_a_tiny_run_on_sqlite_counts_right(tmp_path):
    out = tmp_path / "email.json"
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "email" / "run.py"), "--db", "sqlite",
         "--messages", "20", "--notifications", "10", "--threads", "2", "--directory", "50",
         "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(out.read_text())
    ingest, sent = result["ingest"], result["notifications_sent"]
    assert (ingest["messages"], ingest["accepted_250"], ingest["never_visible"]) == (20, 20, 0)
    assert ingest["mix"]["new"] + ingest["mix"]["replies"] + ingest["mix"]["duplicate"] == 20
    assert [name for name, count in ingest["counts"].items() if not count["ok"]] == []
    assert ingest["counts"]["new_tickets"]["found"] == ingest["mix"]["new"]
    assert sent["emails"] == 10
    assert [name for name, count in sent["counts"].items() if not count["ok"]] == []
    assert result["ok"] is True
