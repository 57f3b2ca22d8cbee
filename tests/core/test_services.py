"""The write door: audit in the same transaction, versions, references, idempotency."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core import references, roles, services
from borough.core.models import AuditAction, AuditEvent, SubmissionKey
from borough.organisation.models import Person, ServiceUnit
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory

pytestmark = pytest.mark.django_db


def test_create_records_who_and_what(org_a, admin_a):
    admin_a.active_organisation_id = org_a.pk
    unit = services.create_record(ServiceUnit(organisation=org_a, name="Housing"), actor=admin_a)
    assert unit.created_by == admin_a and unit.version == 1
    event = AuditEvent.objects.for_object(unit).get()
    assert event.action == AuditAction.CREATE
    assert event.actor == admin_a
    assert event.changes["name"] == [None, "Housing"]


def test_update_records_before_and_after_and_bumps_version(org_a, admin_a):
    admin_a.active_organisation_id = org_a.pk
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    updated = services.update_record(unit, actor=admin_a, data={"name": "Housing Services"},
                                     expected_version=1)
    assert updated.version == 2
    event = AuditEvent.objects.for_object(unit).filter(action=AuditAction.UPDATE).get()
    assert event.changes == {"name": ["Housing", "Housing Services"]}
    assert event.version == 2


def test_update_without_a_change_writes_no_history(org_a, admin_a):
    admin_a.active_organisation_id = org_a.pk
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    services.update_record(unit, actor=admin_a, data={"name": "Housing"}, expected_version=1)
    assert not AuditEvent.objects.for_object(unit).exists()
    unit.refresh_from_db()
    assert unit.version == 1


def test_stale_version_is_refused_and_names_the_other_change(org_a, admin_a, member):
    other = member(roles.ICT_MANAGER, username="other-manager")
    other.active_organisation_id = admin_a.active_organisation_id = org_a.pk
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    services.update_record(unit, actor=other, data={"code": "HSG"}, expected_version=1)
    with pytest.raises(services.StaleVersionError) as caught:
        services.update_record(unit, actor=admin_a, data={"name": "Homes"}, expected_version=1)
    assert [c.field for c in caught.value.changes] == ["code"]
    assert "code" in str(caught.value)
    unit.refresh_from_db()
    assert unit.name == "Housing" and unit.code == "HSG"


def test_validation_error_saves_nothing(org_a, admin_a):
    admin_a.active_organisation_id = org_a.pk
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    with pytest.raises(ValidationError):
        services.update_record(unit, actor=admin_a, data={"name": ""}, expected_version=1)
    unit.refresh_from_db()
    assert unit.name == "Housing" and unit.version == 1
    assert not AuditEvent.objects.for_object(unit).exists()


def test_role_without_permission_is_refused(org_a, member):
    requester = member(roles.REQUESTER)
    requester.active_organisation_id = org_a.pk
    with pytest.raises(PermissionDenied):
        services.create_record(ServiceUnit(organisation=org_a, name="X"), actor=requester)
    assert not ServiceUnit.objects.filter(name="X").exists()


def test_auditor_changes_nothing(org_a, member):
    auditor = member(roles.AUDITOR)
    auditor.active_organisation_id = org_a.pk
    unit = ServiceUnitFactory(organisation=org_a)
    with pytest.raises(PermissionDenied):
        services.update_record(unit, actor=auditor, data={"name": "Y"}, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.delete_record(unit, actor=auditor, expected_version=1)


def test_membership_in_another_organisation_grants_nothing_here(org_a, org_b):
    admin_b = make_member(org_b, roles.ADMINISTRATOR)
    admin_b.active_organisation_id = org_b.pk
    with pytest.raises(PermissionDenied):
        services.create_record(ServiceUnit(organisation=org_a, name="Z"), actor=admin_b)


def test_delete_is_blocked_by_protected_relations_and_names_them(org_a, admin_a):
    from borough.organisation.models import TeamMembership
    from tests.factories import TeamFactory

    admin_a.active_organisation_id = org_a.pk
    person = PersonFactory(organisation=org_a, full_name="Jo Bloggs")
    team = TeamFactory(organisation=org_a)
    membership = TeamMembership.objects.create(organisation=org_a, team=team, person=person)
    # Team membership cascades; nothing protects a person, so delete succeeds and is audited.
    services.delete_record(person, actor=admin_a, expected_version=1)
    assert not Person.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.for_object(person).filter(action=AuditAction.DELETE).get()
    assert event.changes["full_name"] == ["Jo Bloggs", None]
    # What went with it by cascade is recorded too, and on the team it belonged to.
    gone = AuditEvent.objects.for_object(membership).get()
    assert gone.action == AuditAction.DELETE and "Deleted with the person" in gone.note
    assert AuditEvent.objects.for_object(team).filter(action=AuditAction.EVENT).exists()


def test_audit_history_is_append_only(org_a, admin_a):
    admin_a.active_organisation_id = org_a.pk
    unit = services.create_record(ServiceUnit(organisation=org_a, name="Leisure"), actor=admin_a)
    event = AuditEvent.objects.for_object(unit).get()
    event.note = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_references_count_per_organisation(org_a, org_b):
    assert references.allocate(org_a.pk, "INC") == "INC-000001"
    assert references.allocate(org_a.pk, "INC") == "INC-000002"
    assert references.allocate(org_b.pk, "INC") == "INC-000001"
    assert references.allocate(org_a.pk, "REQ") == "REQ-000001"


def test_idempotency_key_returns_the_first_record(org_a, admin_a):
    admin_a.active_organisation_id = org_a.pk
    first = services.create_record(ServiceUnit(organisation=org_a, name="Planning"), actor=admin_a,
                                   idempotency_key="abc")
    second = services.create_record(ServiceUnit(organisation=org_a, name="Planning"),
                                    actor=admin_a, idempotency_key="abc")
    assert first.pk == second.pk
    assert ServiceUnit.objects.filter(name="Planning").count() == 1
    assert SubmissionKey.objects.count() == 1


def test_a_json_value_saved_again_with_its_keys_in_another_order_is_no_change():
    """PostgreSQL's jsonb returns an object's keys in its own order: a no-op edit of a
    JSON field must not read as a change (a version bump, a history entry)."""
    from borough.core import audit
    from borough.core.models import ScheduledAction

    before = ScheduledAction(fields={"b": 1, "a": [{"y": 2, "x": 1}]})
    after = ScheduledAction(fields={"a": [{"x": 1, "y": 2}], "b": 1})
    assert audit.diff(audit.snapshot(before), audit.snapshot(after)) == {}
    changed = ScheduledAction(fields={"a": [{"x": 1, "y": 3}], "b": 1})
    assert "fields" in audit.diff(audit.snapshot(before), audit.snapshot(changed))
