"""The CMDB benchmark (bench/cmdb) still runs: its estate keeps the relationship rules, a
tiny estate seeds and measures in-process (the database walk, the in-memory walk and the
networkx floor agree), and the command runs end to end on SQLite in its own process.
Timings are not looked at."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.cmdb import estate
from borough.cmdb import rules
from borough.core import roles

ROOT = Path(__file__).resolve().parent.parent


def test_the_estate_keeps_the_relationship_rules_and_its_sizes():
    generated = estate.generate(items=2_000, relationships=9_000, seed=3)
    assert len(generated.items) == 2_000
    assert len(generated.edges) == 9_000
    assert len({(s, t, k) for s, t, k, _ in generated.edges}) == len(generated.edges)
    classes = {code: SimpleNamespace(code=code, name=code) for code in rules.SHIPPED}
    for source, target, kind, _ in generated.edges:
        assert source != target
        problem = rules.pair_problem(kind, classes[generated.items[source][0]],
                                     classes[generated.items[target][0]])
        assert problem is None, (generated.items[source], kind, generated.items[target])
    assert {code for code, *_ in generated.items} == rules.SHIPPED
    assert any(group for *_, group in generated.edges)  # redundancy groups exist


@pytest.mark.django_db
def test_a_tiny_estate_seeds_and_measures_in_process(org_a, member):
    from bench.cmdb import measure, seed

    user = member(roles.AGENT)
    generated, first_id, stats = seed.seed(org_a, 250, 1_000)
    assert stats["items"] == 250
    fixture = {"organisation_id": org_a.pk, "first_id": first_id,
               "sample": seed.sample(generated, first_id, per_role=2)}
    result = measure.measure(fixture, user.username, concurrency8=False)
    assert result["answers"]["walks_that_differ"] == []
    assert set(result["operations"]) == set(measure.OPERATIONS)
    assert result["graph"]["dependency_edges"] > 0
    assert {page["status"] for page in result["page_queries"].values()} == {200}


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="runs the whole benchmark on a SQLite file of its own, whatever the "
                           "suite's database: once per CI run (the SQLite pass) is enough")
def test_a_tiny_run_on_sqlite(tmp_path):
    out = tmp_path / "cmdb.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",
                                                             "DJANGO_SETTINGS_MODULE")}
    run = subprocess.run(
        [sys.executable, "-m", "bench.cmdb.run", "--size", "tiny", "--db", "sqlite",
         "--per-role", "2", "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    result = json.loads(out.read_text())
    assert result["data"]["items"] == 300 and result["data"]["relationships"] > 300
    assert result["answers"]["walks_that_differ"] == []
    for name in ("impact", "single_points", "page_item", "page_list", "floor_impact",
                 "page_catalogue", "page_system"):
        assert result["operations"][name]["c1"]["n"] == result["operations"][name]["c8"]["n"]
    assert [t["applies"] for t in result["targets"]] == [False] * 6
