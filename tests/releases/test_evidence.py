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
         release_type=m.ReleaseType.MINOR, **fields):
    return ReleaseFactory(organisation=org, status=m.Status.LIVE, release_type=release_type,
                          deployed_at=deployed, tested_at=tested,
                          test_result=result if tested else "", **fields)


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


def test_releases_live_were_planned_as_a_whole(org_a, org_b):
    rule = RULE["releases.planned-whole"]
    assert "nothing to show" in rule.run(org_a, {}, NOW).summary

    def whole(**fields):
        fields = {"planned_test_date": (NOW - 20 * DAY).date(),
                  "planned_live_date": (NOW - 10 * DAY).date(),
                  "release_notes": "Sign in to the new version.", "decision": m.Decision.GO,
                  "decided_at": NOW - 11 * DAY,
                  "licences_checked_for": (NOW - 10 * DAY).date()} | fields
        return live(org_a, deployed=NOW - 10 * DAY, tested=NOW - 12 * DAY, **fields)

    whole()
    assert rule.run(org_a, {}, NOW).met
    notes = whole(release_notes="")
    unchecked = whole(licences_checked_for=None, planned_live_date=None)
    late = whole(decided_at=NOW - 5 * DAY)  # the go recorded after it went live
    live(org_b, deployed=NOW - 3 * DAY)  # another council's: not counted
    result = rule.run(org_a, {}, NOW)
    assert not result.met and result.figures["live"] == 4
    assert result.figures["short"] == {
        notes.reference: ["no release notes"],
        unchecked.reference: ["no planned dates", "licences not checked"],
        late.reference: ["no go decided first"]}
    assert notes.reference in result.summary
    # As at a date before any went live: nothing to show.
    assert rule.run(org_a, {}, NOW - 15 * DAY).figures["live"] == 0


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
    assert named["releases.planned-whole"][1] == "release-management"
    for name, (_, _, params) in named.items():
        RULE[name].clean(params)
