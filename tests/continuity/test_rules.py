"""Continuity's evidence rules: met, not met, nothing to show, as at a date, another
council's records not counted; the RTO/RPO comparison behind them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from borough.continuity import models as m
from borough.continuity import services
from borough.continuity.evidence import RULES
from borough.core.evidence import BadParameter
from tests.catalogue.factories import BusinessServiceFactory
from tests.continuity.factories import (
    BusinessImpactAnalysisFactory,
    ContinuityPlanFactory,
    ContinuityTestFactory,
    ImpactRowFactory,
    PlanContactFactory,
    PlanStepFactory,
)

pytestmark = pytest.mark.django_db
RULE = {r.name: r for r in RULES}
NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def test_compare():
    assert m.compare(Decimal("3"), "4") is True
    assert m.compare(Decimal("4"), "4.00") is True
    assert m.compare(Decimal("4.5"), "4") is False
    assert m.compare(None, "4") is None
    assert m.compare(Decimal("1"), None) is None


def approved_analysis(service, manager):
    bia = BusinessImpactAnalysisFactory(organisation=service.organisation, service=service)
    ImpactRowFactory(organisation=service.organisation, analysis=bia)
    return services.approve_analysis(bia, actor=manager)


def issued_plan(org, manager, *services_):
    plan = ContinuityPlanFactory(organisation=org, services=list(services_))
    PlanStepFactory(organisation=org, plan=plan)
    PlanContactFactory(organisation=org, plan=plan)
    return services.approve_plan(plan, actor=manager)


def test_critical_services_planned(org_a, org_b, manager):
    rule = RULE["continuity.critical-services-planned"]
    assert "nothing to show" in rule.run(org_a, {}, NOW).summary
    tax = BusinessServiceFactory(organisation=org_a, name="Council Tax", criticality="critical")
    mail = BusinessServiceFactory(organisation=org_a, name="Email", criticality="critical")
    BusinessServiceFactory(organisation=org_a, name="Leisure", criticality="low")
    BusinessServiceFactory(organisation=org_b, name="Theirs", criticality="critical")
    result = rule.run(org_a, {}, NOW)
    assert not result.met and result.figures["services"] == 2
    assert result.figures["short"]["Email"] == ["no approved impact analysis in date",
                                                "no plan reviewed within its period"]
    approved_analysis(tax, manager)
    approved_analysis(mail, manager)
    issued_plan(org_a, manager, tax)
    result = rule.run(org_a, {}, timezone.now())
    assert not result.met and list(result.figures["short"]) == ["Email"]
    assert result.figures["short"]["Email"] == ["no plan reviewed within its period"]
    issued_plan(org_a, manager, mail)
    result = rule.run(org_a, {}, timezone.now())
    assert result.met, result.summary
    # As at a day before any of it: not met.
    assert not rule.run(org_a, {}, NOW - DAY).met
    # Thirteen months on, the twelve-month reviews are overdue.
    later = timezone.now() + 400 * DAY
    result = rule.run(org_a, {}, later)
    assert not result.met and len(result.figures["short"]) == 2
    # A low-criticality service counts when asked, and has nothing.
    assert not rule.run(org_a, {"criticalities": ["critical", "low"]}, timezone.now()).met
    with pytest.raises(BadParameter):
        rule.clean({"criticalities": ["urgent"]})


def test_tested_within_year(org_a, org_b, manager):
    rule = RULE["continuity.tested-within-year"]
    assert not rule.run(org_a, {}, NOW).met
    tax = BusinessServiceFactory(organisation=org_a, criticality="critical",
                                 rto_hours=Decimal("24"), rpo_hours=Decimal("4"))
    plan = ContinuityPlanFactory(organisation=org_a, services=[tax])
    today = timezone.localdate()
    slow = ContinuityTestFactory(organisation=org_a, plan=plan, tested_on=today - 30 * DAY,
                                 achieved_recovery_hours=Decimal("30"))
    assert slow.met_rto() is False
    ContinuityTestFactory(organisation=org_a, plan=plan, tested_on=today - 20 * DAY,
                          result=m.TestResult.FAILED, achieved_recovery_hours=Decimal("2"))
    ContinuityTestFactory(organisation=org_a, plan=plan, tested_on=today - 10 * DAY,
                          kind=m.TestKind.WALKTHROUGH, achieved_recovery_hours=Decimal("2"))
    other = ContinuityPlanFactory(organisation=org_b, services=[
        BusinessServiceFactory(organisation=org_b, rto_hours=Decimal("24"))])
    ContinuityTestFactory(organisation=org_b, plan=other, tested_on=today - 5 * DAY)
    result = rule.run(org_a, {}, timezone.now())
    # A slow one, a failed one and a walkthrough (not a kind counted): not met.
    assert not result.met and result.figures["tests"] == 2 and result.figures["met"] == []
    assert result.met is False and "None of the 2" in result.summary
    # The walkthrough counts when asked.
    assert rule.run(org_a, {"kinds": ["walkthrough"]}, timezone.now()).met
    good = ContinuityTestFactory(organisation=org_a, plan=plan, tested_on=today - 5 * DAY,
                                 kind=m.TestKind.FULL_FAILOVER,
                                 result=m.TestResult.PASSED_WITH_ISSUES,
                                 achieved_recovery_hours=Decimal("20"),
                                 achieved_data_loss_hours=Decimal("6"))
    result = rule.run(org_a, {}, timezone.now())
    assert result.met and result.figures["met"] == [good.reference]
    # Its data loss (6 hours) missed the 4-hour RPO.
    assert not rule.run(org_a, {"measure": "rto_and_rpo"}, timezone.now()).met
    # Every critical service: the one has a test; another critical service has none.
    assert rule.run(org_a, {"coverage": "critical"}, timezone.now()).met
    BusinessServiceFactory(organisation=org_a, name="Payroll", criticality="critical")
    result = rule.run(org_a, {"coverage": "critical"}, timezone.now())
    assert not result.met and result.figures["untested"] == ["Payroll"]
    # As at a week ago the good test had not happened; outside a 3-day period neither.
    assert not rule.run(org_a, {}, NOW - 7 * DAY).met
    assert not rule.run(org_a, {"period_days": 3}, timezone.now()).met
