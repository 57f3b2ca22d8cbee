"""An ICT manager records a DR test from the continuity plan's page: the test's page then
shows the recovery time achieved against each service's objective, met or not met in
words, and the service's page shows it as its last test. axe-core on every page, and the
test's page at 390 px."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borough.continuity import models as m
from tests.browser.signing_in import sign_in
from tests.catalogue.factories import BusinessServiceFactory
from tests.conftest import make_member
from tests.continuity.factories import ContinuityPlanFactory
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_ict_manager_records_a_dr_test(page, axe):
    org = OrganisationFactory()
    manager = make_member(org, "ICT Manager")
    tax = BusinessServiceFactory(organisation=org, name="Council Tax",
                                 rto_hours=Decimal("24"), rpo_hours=Decimal("4"))
    phones = BusinessServiceFactory(organisation=org, name="Telephony",
                                    rto_hours=Decimal("4"), rpo_hours=Decimal("24"))
    plan = ContinuityPlanFactory(organisation=org, title="Moresby failover",
                                 services=[tax, phones])
    sign_in(page, manager.username)

    page.goto(f"/continuity/plans/{plan.pk}/")
    page.get_by_role("heading", name="Configuration items to recover").wait_for()
    axe(page, "the plan")
    page.get_by_role("link", name="Record a DR test").click()
    assert page.get_by_label("Plan").input_value() == str(plan.pk)
    axe(page, "recording a DR test")
    page.get_by_label("Scenario").fill("The Whitehaven computer room is lost at 08:00.")
    page.get_by_label("Kind").select_option("full_failover")
    day = timezone.localdate() - datetime.timedelta(days=3)
    page.get_by_label("Tested on").fill(day.isoformat())
    page.get_by_label("Result").select_option("passed_with_issues")
    page.get_by_label("Recovery time achieved (hours)").fill("6.5")
    page.get_by_label("Data lost (hours of work)").fill("1")
    page.get_by_label("Lessons learned").fill("The telephone trunks took longest.")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("heading", name="Against the recovery objectives").wait_for()
    test = m.ContinuityTest.objects.get()
    assert test.created_by == manager and test.met_rto() is False
    rows = page.locator("#main-content table").last
    assert "Council Tax" in rows.inner_text() and "Telephony" in rows.inner_text()
    assert page.get_by_text("Not met").count() >= 1 and page.get_by_text("Met", exact=True).count() >= 1
    axe(page, "the DR test")
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page, "the DR test on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"/catalogue/services/{phones.pk}/")
    page.get_by_role("heading", name="Continuity").wait_for()
    expect(page.get_by_role("link", name=test.reference)).to_be_visible()
    axe(page, "the service's continuity")


def test_an_analysis_and_a_plans_revision_read_well(page, axe):
    from borough.continuity import services
    from tests.continuity.factories import (
        BusinessImpactAnalysisFactory,
        ImpactRowFactory,
        PlanContactFactory,
        PlanStepFactory,
    )

    org = OrganisationFactory()
    manager = make_member(org, "ICT Manager")
    service = BusinessServiceFactory(organisation=org, name="Benefits")
    bia = BusinessImpactAnalysisFactory(organisation=org, service=service)
    ImpactRowFactory(organisation=org, analysis=bia)
    plan = ContinuityPlanFactory(organisation=org, services=[service])
    PlanStepFactory(organisation=org, plan=plan, instruction="Invoke the plan.")
    PlanContactFactory(organisation=org, plan=plan)
    services.approve_plan(plan, actor=manager)
    sign_in(page, manager.username)

    page.goto(f"/continuity/impact-analyses/{bia.pk}/")
    page.get_by_role("heading", name="Impacts over time").wait_for()
    axe(page, "an analysis")
    page.get_by_role("link", name="Approve").click()
    axe(page, "approving an analysis")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("is approved").wait_for()
    service.refresh_from_db()
    assert service.rto_hours == bia.proposed_rto_hours

    page.goto(f"/continuity/plans/{plan.pk}/revisions/1/")
    page.get_by_role("heading", name="Steps").wait_for()
    expect(page.get_by_text("Invoke the plan.")).to_be_visible()
    axe(page, "a plan's revision")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/continuity/plans/{plan.pk}/print/")
    axe(page, "a plan to print, on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
