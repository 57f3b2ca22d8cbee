"""The commercial benchmark (bench/commercial) still runs: the `tiny` size seeds the
counts it says in-process on the suite's database, every page it measures answers 200,
the year's recharge run shares every pool, and the cost line import takes a generated
finance export whole. Timings are not looked at."""

import json
from pathlib import Path

import pytest

from borough.core import roles

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_tiny_size_seeds_and_measures_in_process(org_a, member, tmp_path):
    from bench.commercial import importing, measure, seed
    from borough.finance.models import CostLine, RechargeRun

    size = seed.SIZES["tiny"]
    stats, years = seed.seed(org_a, size)
    counts = seed.counts(org_a)
    assert counts["items"] == size["items"]
    assert counts["contracts"] == size["contracts"]
    assert counts["licences"] == size["licences"]
    assert counts["cost_lines"] == size["cost_lines"]
    assert counts["cost_centres"] == size["cost_centres"]
    assert counts["suppliers"] == size["contracts"] // 10
    assert counts["entitlements"] >= size["licences"]
    assert counts["contract_covers"] >= size["contracts"]
    assert counts["cost_pools"] == 5 and counts["systems"] > 0 and counts["devices"] > 0
    assert stats["seconds"] >= 0

    user = member(roles.ICT_MANAGER)
    fixture = {"organisation_id": org_a.pk, **years}
    result = measure.measure(fixture, user.username, concurrency8=False, budget=None, runs=2,
                             renders=4)
    assert set(result["operations"]) == set(measure.PAGES)
    for name, entry in result["operations"].items():
        assert entry["c1"]["n"] == 4, name  # each render raised unless it answered 200
    assert {page["status"] for page in result["page_queries"].values()} == {200}
    recharge = result["recharge"]
    assert len(recharge["runs"]) == 2 and recharge["lines"] > 0
    run = RechargeRun.objects.filter(organisation=org_a).order_by("-pk").first()
    assert run.year == years["recharge_year"] and run.lines.count() == recharge["lines"]

    before = CostLine.objects.filter(organisation=org_a).count()
    found = importing.run(fixture, 60, user.username)
    assert found["lines_imported"] == 60 and found["lines_before"] == before
    assert found["check"]["rows_per_second"] > 0 and found["rss_peak_mb"] > 0
    assert CostLine.objects.filter(organisation=org_a).count() == before  # deleted again


def test_the_run_command_knows_its_sizes_and_targets():
    from bench.commercial import run, seed

    assert set(run.IMPORT_ROWS) == set(seed.SIZES) == set(run.SIZES)
    assert seed.SIZES["1m"]["contracts"] == 10_000
    assert seed.SIZES["1m"]["licences"] == 50_000
    assert seed.SIZES["1m"]["cost_lines"] == 1_000_000
    assert run.IMPORT_ROWS["1m"] == 100_000
    assert [t[0] for t in run.TARGETS] == ["page_renewals", "page_system", "page_compliance",
                                           "page_statement", "recharge_run"]
    json.dumps(run.TARGETS)
