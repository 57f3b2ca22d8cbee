"""The assessment services: permissions per role, locking, sign-off rules, versions,
evidence, and organisation isolation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core import roles
from borough.core.models import Attachment, AuditEvent
from borough.core.services import StaleVersionError
from borough.standards import models as st
from borough.standards.assessments import services
from tests.conftest import make_member
from tests.factories import TicketFactory
from tests.standards.assessments.conftest import build_framework, complete, rating_of, result_of

pytestmark = pytest.mark.django_db


def test_start_cycle_makes_a_rating_per_standard_and_an_answer_per_criterion(cycle, framework):
    assert cycle.status == st.CycleStatus.IN_PROGRESS
    codes = set(cycle.ratings.values_list("standard__code", flat=True))
    assert codes == {"alpha", "beta", "gamma"}
    assert st.CriterionResult.objects.filter(rating__cycle=cycle).count() == 5
    assert set(st.CriterionResult.objects.filter(rating__cycle=cycle).values_list(
        "met", flat=True)) == {None}
    assert AuditEvent.objects.for_object(cycle).filter(action="create").exists()
    assert AuditEvent.objects.for_object(rating_of(cycle, "alpha")).filter(
        action="create").exists()


def test_targets_are_copied_from_the_previous_cycle_matching_standards_by_code(
        org_a, manager, reviewer, cycle):
    for code, target in (("alpha", 3), ("beta", 2)):
        rating = rating_of(cycle, code)
        services.rate_standard(rating, actor=manager, current_level=1, target_level=target, commentary="",
                               expected_version=rating.version)
    newer = build_framework(version=2, extra_standard=True)
    second = services.start_cycle(org_a, actor=manager, framework=newer, name="Annual review 2027/28",
                                  starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    assert rating_of(second, "alpha").target_level == 3
    assert rating_of(second, "beta").target_level == 2
    assert rating_of(second, "gamma").target_level is None
    assert rating_of(second, "delta").target_level is None
    assert rating_of(second, "alpha").standard.framework == newer
    # Current levels are not copied: each cycle assesses afresh.
    assert rating_of(second, "alpha").current_level is None
    # A new version leaves the past cycle's ratings on the old version's standards.
    assert rating_of(cycle, "alpha").standard.framework.version == 1


def test_another_framework_code_is_not_a_previous_cycle(org_a, manager, cycle):
    rating = rating_of(cycle, "alpha")
    services.rate_standard(rating, actor=manager, current_level=1, target_level=3, commentary="",
                           expected_version=rating.version)
    other = build_framework(code="other-framework")
    fresh = services.start_cycle(org_a, actor=manager, framework=other, name="Other review",
                                 starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    assert rating_of(fresh, "alpha").target_level is None


def test_start_cycle_validates(org_a, framework, manager, cycle):
    with pytest.raises(ValidationError) as exc:
        services.start_cycle(org_a, actor=manager, framework=framework, name="annual review 2026/27",
                             starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    assert "already a cycle" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.start_cycle(org_a, actor=manager, framework=framework, name="Backwards",
                             starts_on=date(2027, 4, 1), ends_on=date(2026, 3, 31))
    assert "on or after the start" in str(exc.value)
    with pytest.raises(ValidationError):
        services.start_cycle(org_a, actor=manager, framework=framework, name="  ", starts_on=date(2027, 4, 1),
                             ends_on=date(2028, 3, 31))


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.AGENT, roles.TEAM_LEAD,
                                  roles.SERVICE_UNIT_HEAD, roles.REQUESTER])
def test_only_managers_and_administrators_write(role, org_a, framework, cycle):
    user = make_member(org_a, role, "someone")
    rating = rating_of(cycle, "alpha")
    result = result_of(rating, "a-min")
    attempts = [
        lambda: services.start_cycle(org_a, actor=user, framework=framework, name="Mine",
                                     starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31)),
        lambda: services.rate_standard(rating, actor=user, current_level=1, target_level=2, commentary="",
                                       expected_version=rating.version),
        lambda: services.answer_criterion(result, actor=user, met=True, note="", expected_version=1),
        lambda: services.add_evidence(rating, actor=user, title="Mine", note="x"),
        lambda: services.sign_off_rating(rating, actor=user, note="ok"),
        lambda: services.submit_cycle(cycle, actor=user),
        lambda: services.reopen_cycle(cycle, actor=user),
        lambda: services.approve_cycle(cycle, actor=user),
        lambda: services.update_cycle(cycle, actor=user, name="x", expected_version=cycle.version),
        lambda: services.delete_cycle(cycle, actor=user, expected_version=None),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert st.AssessmentCycle.objects.count() == 1
    rating.refresh_from_db()
    assert rating.current_level is None


@pytest.mark.parametrize("role", [roles.ICT_MANAGER, roles.ADMINISTRATOR])
def test_managers_and_administrators_may_rate(role, org_a, cycle):
    user = make_member(org_a, role, "writer")
    rating = rating_of(cycle, "alpha")
    saved = services.rate_standard(rating, actor=user, current_level=2, target_level=3, commentary="Good",
                                   expected_version=rating.version)
    assert (saved.current_level, saved.target_level, saved.assessor) == (2, 3, user)
    assert saved.assessed_on == date.today() or saved.assessed_on is not None
    assert saved.version == rating.version + 1
    event = AuditEvent.objects.for_object(saved).filter(action="update").latest("at")
    assert event.changes["current_level"] == [None, "Progressing"]


def test_other_organisations_cannot_write_or_see(org_a, org_b, cycle, framework):
    admin_b = make_member(org_b, roles.ADMINISTRATOR, "admin-b")
    rating = rating_of(cycle, "alpha")
    with pytest.raises(PermissionDenied):
        services.rate_standard(rating, actor=admin_b, current_level=1, target_level=2, commentary="",
                               expected_version=rating.version)
    with pytest.raises(PermissionDenied):
        services.start_cycle(org_a, actor=admin_b, framework=framework, name="Sneaky",
                             starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    assert not st.AssessmentCycle.objects.visible_to(admin_b).exists()
    assert not st.StandardAssessment.objects.visible_to(admin_b).exists()


def test_rate_validates_levels_and_version(manager, cycle):
    rating = rating_of(cycle, "alpha")
    with pytest.raises(ValidationError) as exc:
        services.rate_standard(rating, actor=manager, current_level=7, target_level=2, commentary="",
                               expected_version=rating.version)
    assert "current_level" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.rate_standard(rating, actor=manager, current_level=None, target_level=2, commentary="",
                               expected_version=rating.version)
    services.rate_standard(rating, actor=manager, current_level=1, target_level=2, commentary="",
                           expected_version=rating.version)
    with pytest.raises(StaleVersionError) as stale:
        services.rate_standard(rating, actor=manager, current_level=2, target_level=2, commentary="",
                               expected_version=rating.version)
    assert stale.value.changes and stale.value.current.current_level == 1


def test_answer_criterion_and_its_stale_version(manager, cycle):
    result = result_of(rating_of(cycle, "alpha"), "a-min")
    saved = services.answer_criterion(result, actor=manager, met=True, note="Register seen",
                                      expected_version=result.version)
    assert saved.met is True and saved.note == "Register seen"
    with pytest.raises(StaleVersionError):
        services.answer_criterion(result, actor=manager, met=False, note="", expected_version=result.version)
    with pytest.raises(ValidationError):
        services.answer_criterion(saved, actor=manager, met="maybe", note="", expected_version=saved.version)


def test_reviewer_must_not_be_the_assessor(manager, reviewer, cycle):
    rating = rating_of(cycle, "alpha")
    with pytest.raises(ValidationError) as exc:
        services.sign_off_rating(rating, actor=reviewer, note="too early")
    assert "Rate the standard" in str(exc.value)
    rating = services.rate_standard(rating, actor=manager, current_level=1, target_level=2, commentary="",
                                    expected_version=rating.version)
    with pytest.raises(ValidationError) as exc:
        services.sign_off_rating(rating, actor=manager, note="my own")
    assert "someone else must sign it off" in str(exc.value)
    signed = services.sign_off_rating(rating, actor=reviewer, note="Agreed", expected_version=rating.version)
    assert (signed.reviewed_by, signed.review_note) == (reviewer, "Agreed")
    # Changing the rating afterwards clears the sign-off.
    changed = services.rate_standard(signed, actor=manager, current_level=2, target_level=2, commentary="",
                                     expected_version=signed.version)
    assert changed.reviewed_by is None and changed.reviewed_on is None


def test_sign_off_needs_the_approve_permission(org_a, manager, cycle):
    rating = rating_of(cycle, "alpha")
    rating = services.rate_standard(rating, actor=manager, current_level=1, target_level=2, commentary="",
                                    expected_version=rating.version)
    lead = make_member(org_a, roles.TEAM_LEAD, "lead")
    with pytest.raises(PermissionDenied):
        services.sign_off_rating(rating, actor=lead, note="ok")


def test_submit_and_approve_list_what_is_missing(manager, reviewer, cycle):
    with pytest.raises(ValidationError) as exc:
        services.submit_cycle(cycle, actor=manager)
    assert "Alpha skills" in str(exc.value) and "Rate the current level" in str(exc.value)
    for rating in cycle.ratings.all():
        services.rate_standard(rating, actor=manager, current_level=1, target_level=2, commentary="",
                               expected_version=rating.version)
    cycle.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.approve_cycle(cycle, actor=reviewer)
    assert "Submit the cycle" in str(exc.value)
    cycle = services.submit_cycle(cycle, actor=manager, expected_version=cycle.version)
    assert cycle.status == st.CycleStatus.IN_REVIEW
    services.sign_off_rating(rating_of(cycle, "alpha"), actor=reviewer, note="ok")
    with pytest.raises(ValidationError) as exc:
        services.approve_cycle(cycle, actor=reviewer)
    message = " ".join(exc.value.messages)
    assert "sign off" in message and "Beta desk" in message and "Gamma sourcing" in message
    assert "Alpha skills" not in message


def test_approve_needs_the_permission(org_a, manager, reviewer, cycle):
    cycle = complete(cycle, manager, reviewer)
    lead = make_member(org_a, roles.TEAM_LEAD, "lead")
    with pytest.raises(PermissionDenied):
        services.approve_cycle(cycle, actor=lead)
    approved = services.approve_cycle(cycle, actor=manager, expected_version=cycle.version)
    assert approved.status == st.CycleStatus.APPROVED and approved.approved_by == manager
    assert approved.is_locked


def test_reopen_only_before_approval(manager, reviewer, cycle):
    with pytest.raises(ValidationError):
        services.reopen_cycle(cycle, actor=manager)
    cycle = complete(cycle, manager, reviewer)
    reopened = services.reopen_cycle(cycle, actor=manager, expected_version=cycle.version,
                                     note="One more look")
    assert reopened.status == st.CycleStatus.IN_PROGRESS
    assert AuditEvent.objects.for_object(reopened).latest("at").note == "One more look"
    cycle = services.submit_cycle(reopened, actor=manager, expected_version=reopened.version)
    cycle = services.approve_cycle(cycle, actor=reviewer, expected_version=cycle.version)
    with pytest.raises(ValidationError) as exc:
        services.reopen_cycle(cycle, actor=manager)
    assert "locked" in str(exc.value)


def test_stale_cycle_version_is_refused(manager, reviewer, cycle):
    cycle = complete(cycle, manager, reviewer)
    with pytest.raises(StaleVersionError):
        services.approve_cycle(cycle, actor=reviewer, expected_version=cycle.version - 1)


def test_every_write_on_an_approved_cycle_is_refused(org_a, manager, reviewer, cycle, rules,
                                                      settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path
    rating = rating_of(cycle, "alpha")
    kept = services.add_evidence(rating, actor=manager, title="Skills matrix", note="On the drive")
    cycle = complete(cycle, manager, reviewer)
    services.approve_cycle(cycle, actor=reviewer, expected_version=cycle.version)
    rating.refresh_from_db()
    result = result_of(rating, "a-min")
    before = (list(st.StandardAssessment.objects.values()), list(st.CriterionResult.objects
              .values()), list(st.Evidence.objects.values()))
    attempts = [
        lambda: services.rate_standard(rating, actor=manager, current_level=3, target_level=3, commentary="",
                                       expected_version=rating.version),
        lambda: services.answer_criterion(result, actor=manager, met=False, note="",
                                          expected_version=result.version),
        lambda: services.add_evidence(rating, actor=manager, title="Late", note="x"),
        lambda: services.remove_evidence(kept, actor=manager),
        lambda: services.sign_off_rating(rating, actor=manager, note="again"),
        lambda: services.submit_cycle(cycle, actor=manager),
        lambda: services.reopen_cycle(cycle, actor=manager),
        lambda: services.approve_cycle(cycle, actor=reviewer),
        lambda: services.update_cycle(cycle, actor=manager, summary="Rewritten", expected_version=None),
        lambda: services.delete_cycle(cycle, actor=manager, expected_version=None),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "locked" in str(exc.value)
    after = (list(st.StandardAssessment.objects.values()), list(st.CriterionResult.objects
             .values()), list(st.Evidence.objects.values()))
    assert after == before


def test_add_evidence_with_a_record_a_link_and_files(org_a, manager, cycle, settings, tmp_path,
                                                    django_capture_on_commit_callbacks):
    settings.ATTACHMENTS_ROOT = tmp_path
    rating = rating_of(cycle, "alpha")
    ticket = TicketFactory(organisation=org_a)
    found = services.find_record(ticket.reference, actor=manager)
    assert found == ticket
    criterion = st.Criterion.objects.get(code="a-min")
    item = services.add_evidence(
        rating, actor=manager, title="Training log", note="Kept by HR", criterion=criterion, record=found,
        url="https://intranet.example.org/skills",
        files=[SimpleUploadedFile("log.txt", b"Training log 2026", "text/plain"),
               SimpleUploadedFile("plan.csv", b"a,b\n1,2\n", "text/csv")])
    assert item.record_label == str(ticket) and item.record_id == ticket.pk
    assert services.record_url(item) == f"/service-desk/tickets/{ticket.pk}/"
    files = services.evidence_files([item])[item.pk]
    assert [f.original_name for f in files] == ["log.txt", "plan.csv"]
    assert AuditEvent.objects.for_object(item).filter(action="create").exists()
    assert AuditEvent.objects.for_object(rating).filter(action="event").exists()
    stored = [tmp_path / f.stored_name for f in files]
    assert all(p.exists() for p in stored)

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(item, actor=manager, expected_version=item.version)
    assert not st.Evidence.objects.filter(pk=item.pk).exists()
    assert not Attachment.objects.filter(pk__in=[f.pk for f in files]).exists()
    assert not any(p.exists() for p in stored)


def test_a_bad_file_saves_nothing(manager, cycle, settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path
    rating = rating_of(cycle, "alpha")
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(rating, actor=manager, title="Mixed", files=[
            SimpleUploadedFile("ok.txt", b"fine", "text/plain"),
            SimpleUploadedFile("bad.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,
                               "application/octet-stream")])
    assert "not a type of file" in str(exc.value)
    assert not st.Evidence.objects.exists()
    assert not Attachment.objects.exists()
    assert list(tmp_path.iterdir()) == []


def test_evidence_validation(manager, cycle):
    rating = rating_of(cycle, "alpha")
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(rating, actor=manager, title="Only a title")
    assert "a title alone" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(rating, actor=manager, title="x", url="javascript:alert(1)")
    assert "url" in exc.value.message_dict
    other = st.Criterion.objects.get(code="b-min")
    with pytest.raises(ValidationError) as exc:
        services.add_evidence(rating, actor=manager, title="x", note="n", criterion=other)
    assert "criterion" in exc.value.message_dict


def test_records_of_another_organisation_cannot_be_linked(org_a, org_b, manager, cycle):
    theirs = TicketFactory(organisation=org_b)
    for text in (theirs.reference, f"/service-desk/tickets/{theirs.pk}/",
                 f"https://borough.example/service-desk/tickets/{theirs.pk}/"):
        with pytest.raises(ValidationError) as exc:
            services.find_record(text, actor=manager)
        assert "No record you can see" in str(exc.value)
    with pytest.raises(ValidationError):
        services.add_evidence(rating_of(cycle, "alpha"), actor=manager, title="x", record=theirs)


def test_find_record_by_page_address(org_a, manager, cycle):
    ticket = TicketFactory(organisation=org_a)
    assert services.find_record(f"/service-desk/tickets/{ticket.pk}/", actor=manager) == ticket
    assert services.find_record(
        f"https://borough.example/service-desk/tickets/{ticket.pk}/", actor=manager) == ticket
    rating = rating_of(cycle, "beta")
    assert services.find_record(f"/standards/ratings/{rating.pk}/", actor=manager) == rating
    for bad in ("/no/such/page/", "ftp://x/service-desk/tickets/1/", "../../etc/passwd",
                "/service-desk/statistics/", "INC-99999999"):
        with pytest.raises(ValidationError):
            services.find_record(bad, actor=manager)


def test_delete_cycle_before_approval(manager, cycle):
    services.delete_cycle(cycle, actor=manager, expected_version=cycle.version)
    assert not st.AssessmentCycle.objects.exists()
    assert not st.StandardAssessment.objects.exists()
