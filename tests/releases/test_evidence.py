"""Release management's evidence rule: met, not met, nothing to show, and as at a date;
and the shipped framework names it with parameters it accepts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from borough.releases import models as m
from borough.releases.evidence import RULES
from tests.releases.factories import ReleaseFactory

pytestmark = pytest.mark.django_db
RULE = {r.name: r for r in RULES}
NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def live(org, *, deployed, tested=None, result=m.TestResult.PASSED,
         release_type=m.ReleaseType.MINOR):
    return ReleaseFactory(organisation=org, status=m.Status.LIVE, release_type=release_type,
                          deployed_at=deployed, tested_at=tested,
                          test_result=result if tested else "")


def test_releases_live_were_tested_first(org_a, org_b):
    rule = RULE["releases.tested"]
    result = rule.run(org_a, {}, NOW)
    assert not result.met and "nothing to show" in result.summary
    live(org_a, deployed=NOW - 10 * DAY, tested=NOW - 12 * DAY)
    result = rule.run(org_a, {}, NOW)
    assert result.met and result.figures["live"] == 1
    untested = live(org_a, deployed=NOW - 5 * DAY)
    failed = live(org_a, deployed=NOW - 4 * DAY, tested=NOW - 6 * DAY,
                  result=m.TestResult.FAILED)
    after = live(org_a, deployed=NOW - 3 * DAY, tested=NOW - 2 * DAY)  # tested after live
    live(org_a, deployed=NOW - 3 * DAY, release_type=m.ReleaseType.EMERGENCY)  # not counted
    live(org_b, deployed=NOW - 3 * DAY)  # another council's: not counted
    result = rule.run(org_a, {}, NOW)
    assert not result.met
    assert result.figures["live"] == 4 and result.figures["tested_first"] == 1
    assert result.figures["untested"] == sorted([untested.reference, failed.reference,
                                                 after.reference])
    # Emergencies counted when asked.
    assert rule.run(org_a, {"types": ["emergency"]}, NOW).figures["untested"]
    # As at a date before the untested ones went live: met.
    assert rule.run(org_a, {}, NOW - 6 * DAY).met
    # Outside the period: nothing to show.
    assert rule.run(org_a, {"period_days": 1}, NOW).figures["live"] == 0


def test_the_framework_names_the_rule_with_parameters_it_takes():
    from pathlib import Path

    import yaml

    path = Path(__file__).parents[2] / "src/borough/standards/framework/data/nesds-ict.yaml"
    data = yaml.safe_load(path.read_text())
    named = {c["rule"]: (s["code"], c["code"], c.get("params"))
             for s in data["standards"] for level in s["criteria"].values() for c in level
             if c.get("rule", "").startswith("releases.")}
    assert set(named) == set(RULE)
    assert named["releases.tested"][:2] == ("configuration-development-integration",
                                            "tested-releases")
    RULE["releases.tested"].clean(named["releases.tested"][2])
