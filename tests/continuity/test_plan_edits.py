"""Editing an approved plan's content — its fields, contacts, steps or items to recover,
by page, API or service — returns it to draft in the same write, audited on the plan
with what changed; the revision it issued stays readable, and approving it again issues
the next. Drafts and retired plans keep their state; what is not content (a DR test, a
field no revision keeps) leaves an approved plan approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.continuity import models as m
from borough.continuity import services
from borough.core import roles
from borough.core import services as core
from borough.core.models import AuditEvent
from tests.cmdb.factories import ConfigurationItemFactory, RelationshipFactory
from tests.conftest import make_member
from tests.continuity.factories import (
    ContinuityPlanFactory,
    PlanContactFactory,
    PlanStepFactory,
    RecoveryItemFactory,
)

pytestmark = pytest.mark.django_db


def approved_plan(org, manager, **fields):
    plan = ContinuityPlanFactory(organisation=org, **fields)
    PlanStepFactory(organisation=org, plan=plan, number=1, instruction="Invoke the plan.")
    PlanContactFactory(organisation=org, plan=plan, role="Link engineer")
    return services.approve_plan(plan, actor=manager)


def last_note(plan) -> str:
    return AuditEvent.objects.for_object(plan).order_by("-at", "-pk").first().note


def state(plan):
    plan.refresh_from_db()
    return plan.status


def test_editing_an_approved_plan_s_fields_returns_it_to_draft(org_a, manager, signed_in):
    plan = approved_plan(org_a, manager)
    plan = core.update_record(plan, actor=manager, expected_version=plan.version,
                              data={"invocation_criteria": "The building is lost."})
    assert plan.status == m.PlanStatus.DRAFT and plan.revision == 1
    assert last_note(plan) == "Returned to draft: invocation criteria changed."
    [revision] = plan.revisions.all()
    assert "out of reach" in revision.content["invocation_criteria"]
    page = signed_in(manager).get(reverse("continuity:plan_revision", args=[plan.pk, 1]))
    assert page.status_code == 200 and "out of reach" in page.content.decode()
    plan = services.approve_plan(plan, actor=manager)
    assert plan.status == m.PlanStatus.APPROVED and plan.revision == 2


@pytest.mark.parametrize("write, words", [
    (lambda plan, by: core.create_record(m.PlanContact(
        organisation_id=plan.organisation_id, plan=plan, role="Controller", name="Duty "
        "manager", phone="01946 000000"), actor=by), "contacts"),
    (lambda plan, by: core.update_record(plan.steps.get(), actor=by, expected_version=None,
                                         data={"expected_minutes": 30}), "steps"),
    (lambda plan, by: core.delete_record(plan.contacts.get(), actor=by,
                                         expected_version=None), "contacts"),
    (lambda plan, by: core.create_record(m.RecoveryItem(
        organisation_id=plan.organisation_id, plan=plan, position=1,
        configuration_item=ConfigurationItemFactory(organisation_id=plan.organisation_id)),
        actor=by), "items to recover"),
])
def test_writing_a_part_of_an_approved_plan_returns_it_to_draft(org_a, manager, write,
                                                                  words):
    plan = approved_plan(org_a, manager)
    version = plan.version
    write(plan, manager)
    assert state(plan) == m.PlanStatus.DRAFT and plan.version == version + 1
    assert last_note(plan).startswith(f"Returned to draft: {words} changed.")
    assert plan.revisions.count() == 1


def test_moving_a_step_to_another_plan_returns_both_to_draft(org_a, manager):
    first, second = approved_plan(org_a, manager), approved_plan(org_a, manager)
    core.update_record(first.steps.get(), actor=manager, expected_version=None,
                       data={"plan": second, "number": 2})
    assert state(first) == state(second) == m.PlanStatus.DRAFT


def test_drafts_retired_plans_and_what_is_not_content_keep_their_state(org_a, manager):
    draft = ContinuityPlanFactory(organisation=org_a)
    before = AuditEvent.objects.for_object(draft).count()
    PlanStepFactory(organisation=org_a, plan=draft, number=1)  # made before any write path
    core.create_record(m.PlanStep(organisation=org_a, plan=draft, number=9,
                                  instruction="Check the backups."), actor=manager)
    assert state(draft) == m.PlanStatus.DRAFT
    assert AuditEvent.objects.for_object(draft).count() == before
    retired = services.retire_plan(approved_plan(org_a, manager), actor=manager)
    core.update_record(retired.steps.get(), actor=manager, expected_version=None,
                       data={"expected_minutes": 45})
    assert state(retired) == m.PlanStatus.RETIRED
    approved = approved_plan(org_a, manager)
    # An edit that changes nothing writes nothing.
    core.update_record(approved.steps.get(), actor=manager, expected_version=None,
                       data={"expected_minutes": approved.steps.get().expected_minutes})
    assert state(approved) == m.PlanStatus.APPROVED


def test_ordering_an_approved_plan_from_the_cmdb_returns_it_to_draft_only_if_it_moves(
        org_a, manager):
    san = ConfigurationItemFactory(organisation=org_a, name="SAN")
    app = ConfigurationItemFactory(organisation=org_a, name="App")
    RelationshipFactory(organisation=org_a, source=app, target=san,
                        relationship_type="depends_on")
    plan = ContinuityPlanFactory(organisation=org_a)
    RecoveryItemFactory(organisation=org_a, plan=plan, configuration_item=app, position=1)
    RecoveryItemFactory(organisation=org_a, plan=plan, configuration_item=san, position=2)
    PlanStepFactory(organisation=org_a, plan=plan)
    PlanContactFactory(organisation=org_a, plan=plan)
    plan = services.approve_plan(plan, actor=manager)
    plan = services.order_from_cmdb(plan, actor=manager)
    assert state(plan) == m.PlanStatus.DRAFT
    assert last_note(plan) == "Returned to draft: items to recover changed. Ordered from the CMDB."
    plan = services.approve_plan(plan, actor=manager)
    services.order_from_cmdb(plan, actor=manager)  # already in order: nothing moves
    assert state(plan) == m.PlanStatus.APPROVED


def test_by_page_and_api(org_a, org_b, manager, signed_in):
    plan = approved_plan(org_a, manager)
    step = plan.steps.get()
    api = signed_in(manager, api=True)
    url = reverse("api:continuity-planstep-detail", args=[step.pk])
    changed = api.patch(url, {"instruction": "Invoke the plan and tell the chief executive.",
                              "version": step.version}, format="json")
    assert changed.status_code == 200, changed.content
    assert state(plan) == m.PlanStatus.DRAFT
    plan = services.approve_plan(plan, actor=manager)
    client = signed_in(manager)
    edit = client.get(reverse("continuity:continuityplan_edit", args=[plan.pk]))
    assert "Saving a change to its title" in edit.content.decode()
    saved = client.post(reverse("continuity:continuityplan_edit", args=[plan.pk]), {
        "title": plan.title, "kind": plan.kind, "site": plan.site_id, "scope": "Everything.",
        "invocation_criteria": plan.invocation_criteria, "review_months": plan.review_months,
        "version": plan.version}, follow=True)
    assert "It is draft again." in saved.content.decode()
    assert state(plan) == m.PlanStatus.DRAFT
    # Another council's step is not theirs to change, so their plan is not touched.
    outsider = signed_in(make_member(org_b, roles.ICT_MANAGER, "outsider"), api=True)
    assert outsider.patch(url, {"expected_minutes": 1}, format="json").status_code == 404
