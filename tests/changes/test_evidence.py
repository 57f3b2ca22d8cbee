"""Change management's evidence rules: met, not met, nothing to show, and as at a date;
and the shipped framework names them with parameters they accept."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from borough.changes import models as m
from borough.changes.evidence import RULES
from tests.changes.factories import ChangeFactory

pytestmark = pytest.mark.django_db
RULE = {r.name: r for r in RULES}
NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def made(org, *, started, authorised=None, ended=None, reviewed=None, review="Reviewed.",
         change_type=m.ChangeType.NORMAL):
    return ChangeFactory(organisation=org, change_type=change_type, actual_start=started,
                         authorised_at=authorised, actual_end=ended, reviewed_at=reviewed,
                         review=review if reviewed else "")


def test_every_normal_change_authorised_before_it_started(org_a):
    rule = RULE["changes.authorised-before-implementation"]
    assert not rule.run(org_a, {}, NOW).met  # nothing to show
    made(org_a, started=NOW - 10 * DAY, authorised=NOW - 11 * DAY)
    assert rule.run(org_a, {}, NOW).met
    late = made(org_a, started=NOW - 5 * DAY, authorised=NOW - 4 * DAY)
    made(org_a, started=NOW - 3 * DAY)  # never authorised
    made(org_a, started=NOW - 3 * DAY, change_type=m.ChangeType.EMERGENCY)  # not counted
    result = rule.run(org_a, {}, NOW)
    assert not result.met
    assert result.figures["started"] == 3 and late.reference in result.figures["without"]
    # As at a date before the late ones started: met.
    assert rule.run(org_a, {}, NOW - 6 * DAY).met


def test_post_implementation_reviews_held(org_a):
    rule = RULE["changes.reviews-held"]
    params = {"grace_days": 30, "target_percent": 50, "types": ["normal", "emergency"]}
    made(org_a, started=NOW - 60 * DAY, ended=NOW - 59 * DAY, reviewed=NOW - 50 * DAY)
    missing = made(org_a, started=NOW - 45 * DAY, ended=NOW - 44 * DAY,
                   change_type=m.ChangeType.EMERGENCY)
    made(org_a, started=NOW - 5 * DAY, ended=NOW - 4 * DAY)  # within its grace: not yet due
    result = rule.run(org_a, params, NOW)
    assert result.met and result.figures["percent"] == 50.0
    assert result.figures["without_review"] == [missing.reference]
    assert not rule.run(org_a, {**params, "target_percent": 90}, NOW).met


def test_the_framework_names_both_rules_with_parameters_they_take():
    from pathlib import Path

    import yaml

    path = Path(__file__).parents[2] / "src/borough/standards/framework/data/nesds-ict.yaml"
    data = yaml.safe_load(path.read_text())
    named = {c["rule"]: c.get("params") for s in data["standards"]
             for level in s["criteria"].values() for c in level if c.get("rule", "").startswith(
                 "changes.")}
    assert set(named) == set(RULE)
    for name, params in named.items():
        RULE[name].clean(params)  # raises on a parameter the rule does not take
