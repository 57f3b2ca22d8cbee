"""Continuity's services: approving an analysis makes its objectives the service's (and
supersedes the earlier one), editing an approved one reopens it; a plan's approvals issue
revisions that keep what it said; a DR test keeps the objectives it is measured against;
the CMDB's recovery order; who may; review reminders sent once."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from borough.continuity import models as m
from borough.continuity import queries, services
from borough.core import services as core
from borough.core.models import Notification
from tests.catalogue.factories import BusinessServiceFactory
from tests.cmdb.factories import ConfigurationItemFactory, RelationshipFactory
from tests.conftest import make_member
from tests.continuity.factories import (
    BusinessImpactAnalysisFactory,
    ContinuityPlanFactory,
    ImpactRowFactory,
    PlanContactFactory,
    PlanStepFactory,
    RecoveryItemFactory,
)
from tests.organisation.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_approving_an_analysis_sets_the_services_objectives(org_a, manager):
    service = BusinessServiceFactory(organisation=org_a, rto_hours=Decimal("48"),
                                     rpo_hours=Decimal("24"), mto_hours=Decimal("96"))
    bia = BusinessImpactAnalysisFactory(organisation=org_a, service=service,
                                        proposed_rto_hours=Decimal("8"),
                                        proposed_rpo_hours=Decimal("2"),
                                        proposed_mto_hours=Decimal("24"))
    with pytest.raises(ValidationError, match="at least one impact"):
        services.approve_analysis(bia, actor=manager)
    ImpactRowFactory(organisation=org_a, analysis=bia)
    bia = services.approve_analysis(bia, actor=manager)
    service.refresh_from_db()
    assert (service.rto_hours, service.rpo_hours, service.mto_hours) == (8, 2, 24)
    assert bia.status == m.AnalysisStatus.APPROVED and bia.approved_by == manager
    assert bia.review_due == m.add_months(timezone.localdate(), 12)
    # A newer analysis supersedes it; the service takes the newer objectives.
    newer = BusinessImpactAnalysisFactory(organisation=org_a, service=service,
                                          proposed_rto_hours=Decimal("12"))
    ImpactRowFactory(organisation=org_a, analysis=newer)
    services.approve_analysis(newer, actor=manager)
    bia.refresh_from_db()
    service.refresh_from_db()
    assert bia.status == m.AnalysisStatus.SUPERSEDED and service.rto_hours == 12
    # Changing what the approved one proposes returns it to draft; the service keeps its
    # objectives until it is approved again.
    newer.refresh_from_db()
    newer = core.update_record(newer, actor=manager, expected_version=newer.version,
                               data={"proposed_rto_hours": Decimal("6")})
    assert newer.status == m.AnalysisStatus.DRAFT and newer.approved_at is None
    service.refresh_from_db()
    assert service.rto_hours == 12


def test_an_rto_longer_than_the_mto_is_refused(org_a, manager):
    bia = BusinessImpactAnalysisFactory.build(
        organisation=org_a, service=BusinessServiceFactory(organisation=org_a),
        proposed_rto_hours=Decimal("48"), proposed_mto_hours=Decimal("24"))
    with pytest.raises(ValidationError, match="longer than the maximum tolerable outage"):
        core.create_record(bia, actor=manager)


def test_who_may_approve_and_record(org_a):
    auditor = make_member(org_a, "Auditor")
    agent = make_member(org_a, "Service Desk Agent")
    lead = make_member(org_a, "Team Lead")
    bia = BusinessImpactAnalysisFactory(organisation=org_a)
    ImpactRowFactory(organisation=org_a, analysis=bia)
    with pytest.raises(PermissionDenied):
        services.approve_analysis(bia, actor=auditor)
    plan = ContinuityPlanFactory(organisation=org_a)
    test = m.ContinuityTest(organisation=org_a, plan=plan, scenario="Lost the room.",
                            tested_on=timezone.localdate(), result=m.TestResult.PASSED)
    with pytest.raises(PermissionDenied):
        core.create_record(test, actor=agent)
    assert core.create_record(test, actor=lead).reference.startswith("DRT-")


def test_a_test_keeps_the_objectives_it_was_measured_against(org_a, manager):
    tax = BusinessServiceFactory(organisation=org_a, name="Council Tax",
                                 rto_hours=Decimal("24"), rpo_hours=Decimal("4"))
    mail = BusinessServiceFactory(organisation=org_a, name="Email",
                                  rto_hours=Decimal("8"), rpo_hours=Decimal("4"))
    plan = ContinuityPlanFactory(organisation=org_a, services=[tax, mail])
    test = core.create_record(m.ContinuityTest(
        organisation=org_a, plan=plan, scenario="Whitehaven lost.",
        tested_on=timezone.localdate(), result=m.TestResult.PASSED_WITH_ISSUES,
        achieved_recovery_hours=Decimal("10"), achieved_data_loss_hours=Decimal("1")),
        actor=manager)
    measured = {row["name"]: row for row in test.measured()}
    assert measured["Council Tax"]["rto_met"] is True
    assert measured["Email"]["rto_met"] is False
    assert measured["Email"]["rpo_met"] is True
    assert test.met_rto() is False and test.met_rpo() is True
    # The objectives changing later does not change what it was measured against.
    core.update_record(mail, actor=manager, expected_version=None,
                       data={"rto_hours": Decimal("12")})
    test = m.ContinuityTest.objects.get(pk=test.pk)
    test = core.update_record(test, actor=manager, expected_version=test.version,
                              data={"lessons": "Restore Exchange earlier."})
    assert test.met_rto() is False
    # A date in the future is refused.
    with pytest.raises(ValidationError, match="future"):
        core.update_record(test, actor=manager, expected_version=test.version,
                           data={"tested_on": timezone.localdate() + datetime.timedelta(2)})


def test_plan_revisions_keep_what_it_said(org_a, manager):
    plan = ContinuityPlanFactory(organisation=org_a, invocation_criteria="")
    with pytest.raises(ValidationError) as refused:
        services.approve_plan(plan, actor=manager)
    words = " ".join(refused.value.messages)
    assert "Say when it is invoked" in words and "Write its steps" in words
    plan = core.update_record(plan, actor=manager, expected_version=None,
                              data={"invocation_criteria": "The computer room is lost."})
    step = PlanStepFactory(organisation=org_a, plan=plan, instruction="Call the link provider.")
    PlanContactFactory(organisation=org_a, plan=plan)
    plan = services.approve_plan(plan, actor=manager)
    assert plan.revision == 1 and plan.status == m.PlanStatus.APPROVED
    with pytest.raises(ValidationError, match="has not changed since revision 1"):
        services.approve_plan(plan, actor=manager)
    core.update_record(step, actor=manager, expected_version=None,
                       data={"instruction": "Call Openreach on the priority line."})
    plan.refresh_from_db()
    assert queries.changed_since_revision(plan)
    plan = services.approve_plan(plan, actor=manager, note="New provider number.")
    first, second = sorted(plan.revisions.all(), key=lambda r: r.number)
    assert first.content["steps"][0]["instruction"] == "Call the link provider."
    assert second.content["steps"][0]["instruction"] == "Call Openreach on the priority line."
    assert second.note == "New provider number."
    # A plan with issued revisions is retired, not deleted.
    with pytest.raises(ValidationError):
        core.delete_record(plan, actor=manager, expected_version=None)


def test_an_external_contact_needs_a_phone(org_a, manager):
    plan = ContinuityPlanFactory(organisation=org_a)
    with pytest.raises(ValidationError, match="phone number"):
        core.create_record(m.PlanContact(organisation=org_a, plan=plan, role="Link engineer",
                                         name="Openreach"), actor=manager)
    with pytest.raises(ValidationError, match="Choose a person"):
        core.create_record(m.PlanContact(organisation=org_a, plan=plan, role="Controller"),
                           actor=manager)
    person = PersonFactory(organisation=org_a)
    assert core.create_record(m.PlanContact(organisation=org_a, plan=plan, role="Controller",
                                            person=person), actor=manager).who == \
        person.full_name


def test_order_from_the_cmdb(org_a, manager):
    san = ConfigurationItemFactory(organisation=org_a, name="SAN")
    host = ConfigurationItemFactory(organisation=org_a, name="Host")
    app = ConfigurationItemFactory(organisation=org_a, name="App")
    RelationshipFactory(organisation=org_a, source=app, target=host, relationship_type="runs_on")
    RelationshipFactory(organisation=org_a, source=host, target=san,
                        relationship_type="depends_on")
    plan = ContinuityPlanFactory(organisation=org_a)
    rows = {ci.name: RecoveryItemFactory(organisation=org_a, plan=plan, configuration_item=ci,
                                         position=n)
            for n, ci in enumerate((app, host, san), start=1)}
    suggested = queries.suggested_order(plan, queries.recovery_items(plan, manager))
    assert [s.item.configuration_item.name for s in suggested] == ["SAN", "Host", "App"]
    services.order_from_cmdb(plan, actor=manager)
    for name, place in (("SAN", 1), ("Host", 2), ("App", 3)):
        rows[name].refresh_from_db()
        assert rows[name].position == place


def test_review_reminders_are_sent_once(org_a, manager):
    owner = PersonFactory(organisation=org_a, user=manager)
    plan = ContinuityPlanFactory(organisation=org_a, owner=owner)
    PlanStepFactory(organisation=org_a, plan=plan)
    PlanContactFactory(organisation=org_a, plan=plan)
    plan = services.approve_plan(plan, actor=manager)
    bia = BusinessImpactAnalysisFactory(organisation=org_a, assessed_by=owner)
    ImpactRowFactory(organisation=org_a, analysis=bia)
    services.approve_analysis(bia, actor=manager)
    now = timezone.now()
    assert services.remind_reviews(now) == 0  # a year off
    soon = now + datetime.timedelta(days=360)
    assert services.remind_reviews(soon) == 2
    assert services.remind_reviews(soon) == 0
    assert services.remind_reviews(soon + datetime.timedelta(days=2)) == 0
    later = now + datetime.timedelta(days=400)
    assert services.remind_reviews(later) == 2  # passed: told once more
    assert services.remind_reviews(later) == 0
    subjects = list(Notification.objects.filter(recipient=manager).values_list("subject",
                                                                                flat=True))
    assert len(subjects) == 4
    assert any("due for review" in s and plan.reference in s for s in subjects)
