"""The continuity demo: written through the services (after the CMDB and catalogue demos):
the critical services' analyses, the Moresby failover in the CMDB's recovery order, and
its spring test against the services' objectives; its evidence rules met."""

import pytest
from django.utils import timezone

from borough.catalogue.models import BusinessService
from borough.continuity import models as m
from borough.continuity.evidence import RULES
from borough.demo import catalogue, cmdb, organisations
from borough.demo import continuity as demo


@pytest.mark.django_db
def test_copeland_gets_its_analyses_and_the_moresby_failover():
    organisations.load("demo-password-1")
    cmdb.load()
    catalogue.load()
    found = demo.load()
    assert found["cbc"] == 6 + 3
    assert demo.load() == {"cbc": 0}, "safe to run again"

    critical = BusinessService.objects.filter(criticality="critical", status="live")
    analyses = m.BusinessImpactAnalysis.objects.filter(status=m.AnalysisStatus.APPROVED)
    assert {a.service_id for a in analyses} == {s.pk for s in critical}
    for service in critical:
        bia = analyses.get(service=service)
        assert service.rto_hours == bia.proposed_rto_hours
        assert bia.impacts.count() == 3

    plan = m.ContinuityPlan.objects.get(title="Moresby failover")
    assert plan.status == m.PlanStatus.APPROVED and plan.revision == 1
    order = list(plan.recovery_items.order_by("position")
                 .values_list("configuration_item__name", flat=True))
    # What an item runs on comes first: the host before its servers, the domain's
    # controller before the domain, the database before the applications using it.
    for first, then in (("MORHOST01", "DC02"), ("DC02", "Corporate domain"),
                        ("SQL01", "Revenues database"),
                        ("Revenues database", "Council Tax and business rates"),
                        ("Whitehaven to Moresby link", "Telephone system")):
        assert order.index(first) < order.index(then), order
    assert plan.contacts.filter(person__isnull=True).exclude(phone="").count() == 2

    test = plan.tests.get()
    assert test.tested_on.year == 2026 or test.tested_on < timezone.localdate()
    assert test.kind == m.TestKind.FULL_FAILOVER and test.met_rto() is True
    assert {row["name"] for row in test.measured()} == {s.name for s in critical}
    assert test.follow_ups.count() == 1
    rules = {r.name: r for r in RULES}
    now = timezone.now()
    assert rules["continuity.critical-services-planned"].run(plan.organisation, {}, now).met
    assert rules["continuity.tested-within-year"].run(plan.organisation,
                                                      {"coverage": "critical"}, now).met
