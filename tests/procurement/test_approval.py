"""The approval route: steps by value with exact boundaries, each step in turn, several
approvers and a quorum, refusals, returns, stale versions and changed business cases,
who may decide which step, and what each person is told."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.core.models import ApprovalVote, AuditEvent, Notification
from borough.core.services import StaleVersionError, update_record
from borough.procurement import models as m
from borough.procurement import services
from borough.procurement.lifecycle import route_for
from tests.procurement.factories import ProcurementOptionFactory, ProcurementRequestFactory
from tests.procurement.world import copeland

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(org_a):
    return copeland(org_a)


def names(steps):
    return [s.name for s in steps]


@pytest.mark.parametrize(("value", "route"), [
    ("0.01", ["ICT manager"]),
    ("5000.00", ["ICT manager"]),
    ("5000.01", ["ICT manager", "Head of finance"]),
    ("25000.00", ["ICT manager", "Head of finance"]),
    ("25000.01", ["ICT manager", "Head of finance", "Executive"]),
    ("2000000.00", ["ICT manager", "Head of finance", "Executive"]),
])
def test_the_route_is_every_step_up_to_the_first_whose_limit_covers_the_value(
        council, value, route):
    assert names(route_for(council.org.pk, Decimal(value))) == route


def test_without_a_step_above_the_others_a_high_value_has_no_route(council):
    council.steps[2].delete()
    assert route_for(council.org.pk, Decimal("25000.01")) == []
    request = council.request("30000.00")
    with pytest.raises(ValidationError) as refused:
        services.submit(request, actor=council.users["requester"])
    assert "No approval step covers £30,000.00: the highest goes up to £25,000.00" in \
        str(refused.value)


@pytest.mark.parametrize(("value", "steps"), [("5000.00", 1), ("25000.00", 2)])
def test_a_value_exactly_at_a_limit_is_approved_at_that_step(council, value, steps):
    request = council.request(value)
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    if steps == 2:
        request.refresh_from_db()
        assert request.current_step.name == "Head of finance"
        services.approve(request, actor=council.users["finance"])
    request.refresh_from_db()
    assert request.status == m.Status.APPROVED
    assert request.route.count() == steps


def test_a_request_goes_through_each_step_in_turn_with_a_quorum_at_the_executive(council):
    request = council.request("30000.00")
    assert request.value == Decimal("30000.00")
    services.submit(request, actor=council.users["requester"], note="Please approve.")
    request.refresh_from_db()
    assert request.status == m.Status.SUBMITTED and request.round == 1
    assert request.current_step.name == "ICT manager"
    told = Notification.objects.filter(recipient=council.users["ictmanager"],
                                       event="procurement-approval-due")
    assert told.count() == 1 and request.reference in told.get().subject

    # The head of finance's turn has not come.
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=council.users["finance"])

    services.approve(request, actor=council.users["ictmanager"], note="Fits the roadmap.")
    request.refresh_from_db()
    assert request.status == m.Status.IN_APPROVAL
    assert request.current_step.name == "Head of finance"
    assert Notification.objects.filter(recipient=council.users["finance"]).count() == 1

    services.approve(request, actor=council.users["finance"])
    request.refresh_from_db()
    assert request.current_step.name == "Executive"
    for key in ("exec1", "exec2", "exec3"):
        assert Notification.objects.filter(recipient=council.users[key],
                                           event="procurement-approval-due").count() == 1

    services.approve(request, actor=council.users["exec1"], note="Yes.")
    request.refresh_from_db()
    assert request.status == m.Status.IN_APPROVAL, "one of the two approvals needed"
    with pytest.raises(ValidationError, match="already voted"):
        services.approve(request, actor=council.users["exec1"])
    services.approve(request, actor=council.users["exec3"])
    request.refresh_from_db()
    assert request.status == m.Status.APPROVED and request.current_step is None
    assert request.decided_at is not None

    decisions = list(request.decisions.values_list("step__name", "decided_by__username",
                                                   "outcome", "note"))
    assert decisions == [
        ("ICT manager", "cbc-ictmanager", "approve", "Fits the roadmap."),
        ("Head of finance", "cbc-finance", "approve", ""),
        ("Executive", "cbc-exec1", "approve", "Yes."),
        ("Executive", "cbc-exec3", "approve", ""),
    ]
    assert list(request.route.values_list("state", flat=True)) == ["approved"] * 3
    # Votes counted per step: none current once it is decided.
    assert not ApprovalVote.objects.filter(object_id=request.pk, is_current=True).exists()
    assert Notification.objects.filter(recipient=council.users["requester"],
                                       event="procurement-decided",
                                       subject__contains="is approved").count() == 1
    history = AuditEvent.objects.for_object(request)
    assert history.filter(changes__has_key="status").count() >= 3
    assert history.filter(changes__has_key="approval").count() == 4


def test_any_approver_of_the_step_may_refuse_with_a_reason_and_it_ends_there(council):
    request = council.request("12000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    with pytest.raises(ValidationError):
        services.refuse(request, actor=council.users["finance"], note="")
    services.refuse(request, actor=council.users["finance"],
                    note="No budget this year: bring it back in 2027/28.")
    request.refresh_from_db()
    assert request.status == m.Status.REFUSED and request.current_step is None
    assert list(request.route.values_list("state", flat=True)) == ["approved", "refused"]
    refusal = request.decisions.get(outcome="refuse")
    assert refusal.decided_by == council.users["finance"]
    told = Notification.objects.get(recipient=council.users["requester"],
                                    event="procurement-decided")
    assert "was refused" in told.subject and "No budget this year" in told.body
    with pytest.raises(ValidationError, match="Only a request waiting for approval"):
        services.approve(request, actor=council.users["finance"])
    with pytest.raises(ValidationError, match="Only a draft"):
        services.submit(request, actor=council.users["requester"])


def test_returned_for_changes_it_is_changed_and_goes_round_again_from_the_first_step(
        council):
    request = council.request("30000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    services.return_for_changes(request, actor=council.users["finance"],
                                note="Compare a shared service with Allerdale.")
    request.refresh_from_db()
    assert request.status == m.Status.RETURNED
    assert list(request.route.values_list("state", flat=True)) == [
        "approved", "returned", "cancelled"]
    # Its options may change again; the cheaper shared service is now recommended.
    services.save_option(ProcurementOptionFactory.build(
        organisation=council.org, request=request, description="Shared with Allerdale",
        provider=m.Provider.SHARED, whole_life_cost=Decimal("20000.00"),
        is_recommended=True), actor=council.users["requester"])
    request.refresh_from_db()
    assert request.value == Decimal("20000.00")
    assert request.options.filter(is_recommended=True).count() == 1
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    assert request.round == 2 and request.current_step.name == "ICT manager"
    assert request.route.filter(round=2).count() == 2  # £20,000: no Executive now
    # The ICT manager approved round 1; their vote then does not count now.
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    assert request.current_step.name == "Head of finance"


def test_a_vote_on_a_version_someone_changed_is_refused_as_stale(council):
    request = council.request("3000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    read = request.version
    update_record(request, actor=council.users["requester"],
                  data={"justification": "Also needed for the new contact centre."},
                  expected_version=read)
    with pytest.raises(StaleVersionError) as stale:
        services.approve(request, actor=council.users["ictmanager"], expected_version=read)
    assert "justification" in str(stale.value)


def test_a_business_case_changed_after_submission_goes_back_to_draft(council):
    request = council.request("12000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    changed = update_record(request, actor=council.users["requester"],
                            data={"cost_centre": "ICT200"}, expected_version=request.version)
    assert changed.status == m.Status.DRAFT and changed.current_step is None
    event = AuditEvent.objects.for_object(request).order_by("-id").first()
    assert "Returned to draft: its funding changed after it was submitted." in event.note
    assert list(request.route.values_list("state", flat=True)) == ["approved", "cancelled"]
    told = Notification.objects.filter(recipient=council.users["finance"],
                                       event="procurement-approval-withdrawn")
    assert told.count() == 1
    # The head of finance, whose turn it was, can no longer decide it.
    with pytest.raises(ValidationError, match="Only a request waiting for approval can be "
                                              "approved; PRQ-000001 is draft"):
        services.approve(changed, actor=council.users["finance"])


def _half_approved(council, value="12000.00"):
    """A request the ICT manager approved, now waiting for the head of finance."""
    request = council.request(value)
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    assert request.current_step.name == "Head of finance"
    return request


def _redrafted(request, council, words):
    request.refresh_from_db()
    assert request.status == m.Status.DRAFT and request.current_step is None
    said = f"Returned to draft: its {words} changed after it was submitted."
    assert AuditEvent.objects.for_object(request).filter(note__contains=said).count() == 1
    assert list(request.route.values_list("state", flat=True)) == ["approved", "cancelled"]
    # The ICT manager's approval no longer counts: no vote is current, and the head of
    # finance is told it no longer waits for them.
    assert not ApprovalVote.objects.filter(object_id=request.pk, is_current=True).exists()
    assert Notification.objects.filter(recipient=council.users["finance"],
                                       event="procurement-approval-withdrawn",
                                       subject__startswith=request.reference).count() == 1
    return request


def test_objectives_changed_after_submission_take_it_back_to_draft(council):
    from tests.factories import CorporateObjectiveFactory

    request = _half_approved(council)
    objective = CorporateObjectiveFactory(organisation=council.org)
    update_record(request, actor=council.users["requester"],
                  data={"objectives": [objective]}, expected_version=request.version)
    _redrafted(request, council, "objectives")
    # Submitted again, it starts from the first step with a fresh vote.
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    assert (request.round, request.current_step.name) == (2, "ICT manager")


def test_standards_changed_after_submission_take_it_back_to_draft(council):
    from tests.factories import StandardFactory

    request = _half_approved(council)
    standard = StandardFactory()
    update_record(request, actor=council.users["requester"],
                  data={"standards": [standard]}, expected_version=request.version)
    _redrafted(request, council, "standards")


def test_the_same_objectives_saved_again_change_nothing(council):
    request = _half_approved(council)
    update_record(request, actor=council.users["requester"], data={"objectives": []},
                  expected_version=request.version)
    request.refresh_from_db()
    assert request.status == m.Status.IN_APPROVAL


def test_an_option_changed_after_submission_takes_it_back_to_draft(council):
    request = _half_approved(council)
    option = request.options.get(is_recommended=True)
    services.save_option(option, actor=council.users["requester"],
                         data={"whole_life_cost": Decimal("26000.00")},
                         expected_version=option.version)
    request = _redrafted(request, council, "options")
    assert request.value == Decimal("26000.00")
    # The new value takes the route to the Executive when submitted again.
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    assert [s.name for s in request.route.filter(round=2)] == [
        "ICT manager", "Head of finance", "Executive"]


def test_an_option_added_or_removed_after_submission_takes_it_back_to_draft(council):
    request = _half_approved(council)
    services.save_option(ProcurementOptionFactory.build(
        organisation=council.org, request=request, description="Share with a neighbour",
        provider=m.Provider.SHARED), actor=council.users["requester"])
    _redrafted(request, council, "options")

    other = _half_approved(council, "13000.00")
    services.remove_option(other.options.get(provider=m.Provider.INTERNAL),
                           actor=council.users["requester"])
    _redrafted(other, council, "options")


def test_a_stale_option_change_redrafts_nothing(council):
    request = _half_approved(council)
    option = request.options.get(is_recommended=True)
    with pytest.raises(StaleVersionError):
        services.save_option(option, actor=council.users["requester"],
                             data={"benefits": "More."}, expected_version=option.version - 1
                             if option.version > 1 else option.version + 1)
    request.refresh_from_db()
    assert request.status == m.Status.IN_APPROVAL


def test_options_of_a_decided_request_cannot_change(council):
    request = council.request("3000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    option = request.options.first()
    with pytest.raises(ValidationError, match="is approved: its options can change only"):
        services.save_option(option, actor=council.users["requester"],
                             data={"whole_life_cost": Decimal("1.00")},
                             expected_version=option.version)
    with pytest.raises(ValidationError, match="is approved"):
        services.remove_option(option, actor=council.users["requester"])


def test_the_recommendation_moves_and_the_value_follows(council):
    request = council.request("3000.00")
    internal = request.options.get(provider=m.Provider.INTERNAL)
    services.save_option(internal, actor=council.users["requester"],
                         data={"is_recommended": True}, expected_version=internal.version)
    request.refresh_from_db()
    assert request.value == Decimal("6000.00")
    assert list(request.options.filter(is_recommended=True)) == [internal]
    services.remove_option(request.options.get(pk=internal.pk),
                           actor=council.users["requester"])
    request.refresh_from_db()
    assert request.value is None


def test_a_request_says_what_it_needs_before_it_can_be_submitted(council):
    request = ProcurementRequestFactory(organisation=council.org, funding_source="",
                                        financial_year="", requester=council.people["requester"])
    with pytest.raises(ValidationError) as refused:
        services.submit(request, actor=council.users["requester"])
    words = " ".join(refused.value.messages)
    assert "Appraise at least one option" in words
    assert "funding source" in words and "financial year" in words
    services.save_option(ProcurementOptionFactory.build(
        organisation=council.org, request=request), actor=None)
    with pytest.raises(ValidationError, match="Mark the option you recommend"):
        services.submit(request, actor=council.users["requester"])


def test_nobody_approves_their_own_request(council):
    request = council.request("3000.00", by="ictmanager")
    services.submit(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    with pytest.raises(PermissionDenied, match="never the person who raised it"):
        services.approve(request, actor=council.users["ictmanager"])


def test_who_may_submit_and_decide(council, org_b):
    request = council.request("3000.00")
    with pytest.raises(PermissionDenied):
        services.submit(request, actor=council.users["auditor"])
    with pytest.raises(PermissionDenied):
        services.submit(request, actor=council.users["agent"])
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    for key in ("agent", "auditor", "finance", "exec1"):
        with pytest.raises(PermissionDenied):
            services.approve(request, actor=council.users[key])
    other = copeland(org_b)
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=other.users["ictmanager"])
    request.refresh_from_db()
    assert request.status == m.Status.SUBMITTED


def test_each_reads_the_requests_they_are_part_of(council):
    mine = council.request("3000.00")
    theirs = council.request("3000.00", by="exec1")
    big = council.request("30000.00", by="exec2")
    services.submit(big, actor=council.users["exec2"])
    big.refresh_from_db()
    visible = {key: set(m.ProcurementRequest.objects.visible_to(user).values_list(
        "pk", flat=True)) for key, user in council.users.items()}
    assert visible["ictmanager"] == visible["auditor"] == {mine.pk, theirs.pk, big.pk}
    assert visible["requester"] == {mine.pk}
    assert visible["exec1"] == {theirs.pk, big.pk}  # an Executive member of big's route
    assert visible["finance"] == {big.pk}
    assert visible["agent"] == set()
    # Options go with their request.
    assert set(m.ProcurementOption.objects.visible_to(council.users["requester"])
               .values_list("request_id", flat=True)) == {mine.pk}
