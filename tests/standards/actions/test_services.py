"""The action plan's services: permissions per role, validation, references, audit,
status history, completion dates and stale versions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core.models import AuditEvent
from borough.core.services import StaleVersionError
from borough.standards.actions import services
from borough.standards.models import Action, ActionStatus, ActionUpdate, ReportReview
from tests.factories import AssessmentCycleFactory, StandardFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_manager_creates_an_action_with_a_reference_audit_and_first_status(world, new_action):
    first = new_action()
    second = new_action(title="Publish the service catalogue")
    assert (first.reference, second.reference) == ("ACT-000001", "ACT-000002")
    assert list(first.standards.all()) == [world.standards[0]]
    assert list(first.objectives.all()) == [world.objective]
    event = AuditEvent.objects.get(object_id=first.pk, action="create",
                                   content_type__model="action")
    assert event.actor_id == world.manager.pk and "standards" in event.changes
    update = first.updates.get()
    assert (update.status, update.rag, update.note) == ("not-started", "green",
                                                        "Added to the action plan.")


def test_references_are_per_council(world, new_action):
    new_action()
    theirs = services.create_action(world.org_b.pk, actor=world.manager_b, title="Their action")
    assert theirs.reference == "ACT-000001"


@pytest.mark.parametrize("role", ["owner", "agent", "auditor", "requester", "manager_b"])
def test_only_managers_of_the_council_create_and_change(world, new_action, role):
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        services.create_action(world.org.pk, actor=user, title="X")
    action = new_action()
    with pytest.raises(PermissionDenied):
        services.update_action(action, actor=user, title="Y", expected_version=action.version)


def test_an_administrator_may_create_too(world):
    action = services.create_action(world.org.pk, actor=world.admin, title="Replace the firewall")
    assert action.reference == "ACT-000001"


@pytest.mark.parametrize("field, value, message", [
    ("owner", "person_b", "Choose one from this organisation."),
    ("objectives", "objective_b", "Choose corporate plan objectives of this organisation."),
    ("due_on", date(2026, 11, 22), "The due date cannot be in the past."),
    ("due_on", date(2040, 1, 1), "Enter a due date between 2000 and 2036."),
    ("title", "   ", "Enter a title."),
])
def test_validation_names_the_field(world, new_action, field, value, message):
    if isinstance(value, str) and hasattr(world, value):
        value = getattr(world, value)
        value = [value] if field == "objectives" else value
    with pytest.raises(ValidationError) as caught:
        new_action(**{field: value})
    assert caught.value.message_dict[field] == [message]
    assert not Action.objects.exists()


def test_standards_must_come_from_one_framework_and_the_reviews(world, new_action):
    elsewhere = StandardFactory(name="Other framework's standard")
    with pytest.raises(ValidationError) as caught:
        new_action(standards=[world.standards[0], elsewhere], theme=None)
    assert "one framework" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        new_action(standards=[world.standards[0]], theme=elsewhere.theme)
    assert "same framework" in str(caught.value)
    cycle = AssessmentCycleFactory(organisation=world.org)  # another framework
    with pytest.raises(ValidationError) as caught:
        new_action(cycle=cycle)
    assert "framework the review used" in str(caught.value)
    ok = AssessmentCycleFactory(organisation=world.org, framework=world.framework,
                                starts_on=date(2026, 4, 1))
    assert new_action(cycle=ok).cycle == ok


def test_done_sets_completed_on_and_writes_the_status_history(world, new_action):
    action = new_action()
    done = services.update_action(action, actor=world.manager, status=ActionStatus.DONE,
                                  expected_version=action.version)
    assert done.completed_on == TODAY and done.version == action.version + 1
    latest = done.updates.first()
    assert latest.status == "done" and "Not started, Green to Done, Green" in latest.note
    reopened = services.update_action(done, actor=world.manager, status=ActionStatus.IN_PROGRESS, rag="amber",
                                      expected_version=done.version, note="Found more sites")
    assert reopened.completed_on is None
    assert reopened.updates.first().note == "Found more sites"
    assert reopened.updates.count() == 3


def test_a_change_without_status_or_rag_leaves_no_progress_note(world, new_action):
    action = new_action()
    services.update_action(action, actor=world.manager, title="Better title", expected_version=action.version)
    assert action.updates.count() == 1
    assert AuditEvent.objects.filter(object_id=action.pk, action="update",
                                     content_type__model="action").count() == 1


def test_a_stale_version_is_refused_with_the_other_change(world, new_action):
    action = new_action()
    services.update_action(action, actor=world.admin, title="Theirs", expected_version=1)
    with pytest.raises(StaleVersionError) as caught:
        services.update_action(action, actor=world.manager, title="Mine", expected_version=1)
    assert caught.value.changes[0].field == "title"
    assert Action.objects.get(pk=action.pk).title == "Theirs"


def test_moving_the_due_date_into_the_past_is_refused_but_an_old_one_may_stay(world, new_action):
    action = new_action()
    Action.objects.filter(pk=action.pk).update(due_on=date(2026, 10, 1))
    action.refresh_from_db()
    kept = services.update_action(action, actor=world.manager, title="Still late",
                                  expected_version=action.version)
    assert kept.due_on == date(2026, 10, 1)
    with pytest.raises(ValidationError):
        services.update_action(kept, actor=world.manager, due_on=date(2026, 9, 1),
                               expected_version=kept.version)


# --- progress notes ----------------------------------------------------------------------

def test_the_owner_adds_a_progress_note_that_sets_status_and_rag(world, new_action):
    action = new_action()
    update = services.add_action_update(action, actor=world.owner, note="Drafted with Finance",
                                        rag="amber", status="in-progress",
                                        expected_version=action.version)
    action.refresh_from_db()
    assert (action.status, action.rag, action.version) == ("in-progress", "amber", 2)
    assert update.created_by == world.owner
    event = AuditEvent.objects.filter(object_id=action.pk, content_type__model="action",
                                      action="update").get()
    assert event.note == "Progress note" and "rag" in event.changes
    done = services.add_action_update(action, actor=world.owner, note="Signed off",
                                      rag="green", status="done")
    done.action.refresh_from_db()
    assert done.action.completed_on == TODAY


@pytest.mark.parametrize("role", ["agent", "auditor", "requester", "manager_b"])
def test_others_cannot_add_progress_notes(world, new_action, role):
    action = new_action()
    with pytest.raises(PermissionDenied):
        services.add_action_update(action, actor=getattr(world, role), note="x", rag="green",
                                   status="in-progress")
    assert action.updates.count() == 1


def test_managers_may_note_progress_on_any_action(world, new_action):
    action = new_action(owner=None)
    services.add_action_update(action, actor=world.manager, note="Chased", rag="red",
                               status="blocked")
    assert Action.objects.get(pk=action.pk).status == "blocked"


def test_a_note_needs_text_and_valid_choices_and_a_current_version(world, new_action):
    action = new_action()
    with pytest.raises(ValidationError):
        services.add_action_update(action, actor=world.owner, note="  ", rag="green",
                                   status="done")
    with pytest.raises(ValidationError):
        services.add_action_update(action, actor=world.owner, note="x", rag="purple",
                                   status="done")
    with pytest.raises(StaleVersionError):
        services.add_action_update(action, actor=world.owner, note="x", rag="green",
                                   status="done", expected_version=action.version + 5)
    assert ActionUpdate.objects.filter(action=action).count() == 1


# --- reviews -----------------------------------------------------------------------------

def test_a_manager_records_a_review(world):
    review = services.record_review(world.org.pk, actor=world.manager, report="servicedesk-statistics",
                                    reviewed_on=date(2026, 11, 20), meeting="ICT management team")
    assert review.pk and AuditEvent.objects.filter(object_id=review.pk,
                                                   content_type__model="reportreview").exists()


@pytest.mark.parametrize("report, day, field", [
    ("servicedesk-statistics", date(2026, 11, 24), "reviewed_on"),
    ("servicedesk-statistics", date(2020, 1, 1), "reviewed_on"),
    ("made-up", date(2026, 11, 20), "report"),
])
def test_bad_reviews_are_refused(world, report, day, field):
    with pytest.raises(ValidationError) as caught:
        services.record_review(world.org.pk, actor=world.manager, report=report, reviewed_on=day)
    assert field in caught.value.message_dict
    assert not ReportReview.objects.exists()


def test_agents_and_auditors_cannot_record_reviews(world):
    for user in (world.agent, world.auditor):
        with pytest.raises(PermissionDenied):
            services.record_review(world.org.pk, actor=user, report="servicedesk-statistics",
                                   reviewed_on=TODAY)
