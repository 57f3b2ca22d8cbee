"""The licences' evidence rule, met and not met, and named by the framework."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from borough.core.registry import registry
from borough.licences import models as m
from tests.licences.factories import (
    ApplicationFactory,
    ConsumptionCountFactory,
    EntitlementFactory,
    LicenceFactory,
)

pytestmark = pytest.mark.django_db

RULE = "licences.compliant"
TODAY = datetime.date.today()


def run(organisation, params=None, as_of=None):
    return registry.evidence_rules[RULE].run(organisation, params, as_of or timezone.now())


def licence(org, users, quantity):
    app = ApplicationFactory(organisation=org, attributes={"number_of_users": users})
    found = LicenceFactory(organisation=org, software=app)
    EntitlementFactory(organisation=org, licence=found, quantity=quantity,
                       cost=Decimal("100.00"), term_start=TODAY - datetime.timedelta(days=10),
                       term_end=None)
    return found


def test_every_licence_known_and_none_over_used_is_met(org_a):
    licence(org_a, 10, 10)
    licence(org_a, 5, 10)
    result = run(org_a)
    assert result.met, result.summary
    assert result.figures["licences"] == 2 and result.figures["over_used"] == []


def test_an_over_used_licence_is_not_met_unless_allowed(org_a):
    over = licence(org_a, 12, 10)
    result = run(org_a)
    assert not result.met and result.figures["over_used"] == [over.reference]
    assert "1 are over-used" in result.summary
    assert run(org_a, {"max_over_used": 1}).met


def test_a_use_not_known_or_a_stale_count_is_not_met(org_a):
    unknown = LicenceFactory(organisation=org_a, licence_model=m.LicenceModel.CONCURRENT,
                             counted_from=m.CountedFrom.ENTERED)
    result = run(org_a)
    assert not result.met and result.figures["not_known"] == [unknown.reference]
    ConsumptionCountFactory(organisation=org_a, licence=unknown, count=0,
                            counted_on=TODAY - datetime.timedelta(days=400))
    result = run(org_a)
    assert not result.met and result.figures["counts_out_of_date"] == [unknown.reference]
    assert run(org_a, {"count_within_days": 500}).met


def test_no_licences_is_not_met_and_a_licence_made_later_does_not_count(org_a):
    assert not run(org_a).met
    licence(org_a, 1, 1)
    assert not run(org_a, as_of=timezone.now() - datetime.timedelta(days=1)).met


def test_the_framework_names_the_rule_for_the_asset_inventory():
    path = (Path(__file__).parents[2] / "src/borough/standards/framework/data/nesds-ict.yaml")
    data = yaml.safe_load(path.read_text())
    found = [c for s in data["standards"] for level in s["criteria"].values() for c in level
             if c.get("rule") == RULE]
    assert [c["code"] for c in found] == ["asset-inventory"]
    registry.evidence_rules[RULE].clean(found[0].get("params"))
