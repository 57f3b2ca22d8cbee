"""A change's lifecycle through its services (no HTTP): each transition, each refusal in
words, and who may take it, role by role."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.changes import models as m
from borough.changes import services
from borough.changes.lifecycle import CHANGE
from borough.core.models import AuditEvent, Notification
from tests.changes.factories import ChangeTemplateFactory, ScheduleWindowFactory
from tests.changes.world import SATURDAY

pytestmark = pytest.mark.django_db


def votes(council, change, *keys, decision="approve"):
    for key in keys:
        services.vote(change, actor=council.users[key], decision=decision)
        change.refresh_from_db()


def test_a_normal_change_goes_from_draft_through_the_board_to_closed(council):
    change = council.change()
    assert (change.status, change.reference) == (m.Status.DRAFT, "CHG-000001")
    change = council.assessed(change, yes=("Is it hard to back out?",))
    assert change.status == m.Status.ASSESSMENT and change.submitted_at is not None
    # The highest level a yes raises it to; the answers kept with their words.
    assert change.risk_level == m.Level.HIGH
    assert [a["answer"] for a in change.risk_answers] == [False, True]
    # The CMDB's impact analysis kept: losing the server stops the application on it,
    # which delivers Council Tax.
    snap = change.impact_snapshot
    assert snap["items"][0]["reference"] == council.items["server"].reference
    assert snap["items"][0]["stops"] == 1
    assert [s["name"] for s in snap["services"]] == ["Council Tax"]

    services.request_authorisation(change, actor=council.users["manager"])
    change.refresh_from_db()
    assert (change.status, change.board, change.round) == (
        m.Status.AUTHORISATION, council.cab, 1)
    # Each seat's member and deputy is asked for their vote.
    asked = set(Notification.objects.filter(event="change-authorisation-due")
                .values_list("recipient__username", flat=True))
    assert asked == {f"cbc-{k}" for k in ("cab1", "cab2", "cab3", "dep1", "dep2", "dep3")}

    votes(council, change, "cab1", "cab2")
    services.authorise(change, actor=council.users["chair"], note="Go ahead.")
    change.refresh_from_db()
    assert change.status == m.Status.SCHEDULED
    assert change.authorised_by == council.users["chair"] and change.authorised_at
    assert change.conflicts_at_decision == []

    services.start(change, actor=council.users["manager"])
    change.refresh_from_db()
    assert change.status == m.Status.IMPLEMENTING and change.actual_start
    services.complete(change, actor=council.users["manager"], outcome=m.Outcome.SUCCESSFUL,
                      note="Patched and restarted in 40 minutes.")
    change.refresh_from_db()
    assert (change.status, change.outcome) == (m.Status.REVIEW, m.Outcome.SUCCESSFUL)
    with pytest.raises(ValidationError, match="post-implementation review"):
        services.close(change, actor=council.users["manager"], review="")
    services.close(change, actor=council.users["manager"],
                   review="Met its objective; the restart took longer than planned.")
    change.refresh_from_db()
    assert change.status == m.Status.CLOSED and change.reviewed_at and change.closed_at
    moves = [e.changes.get("status") for e in AuditEvent.objects.filter(
        object_id=change.pk, content_type__model="change", action="update").order_by("pk")
        if "status" in e.changes]
    assert [mv[1] for mv in moves] == ["Assessment", "Awaiting authorisation", "Scheduled",
                                       "Implementing", "Review", "Closed"]


def test_submitting_needs_what_it_changes_and_what_will_be_done(council):
    change = council.change(items=())
    change.services.clear()
    with pytest.raises(ValidationError, match="Name the configuration items or services"):
        services.submit(change, actor=council.users["manager"])


def test_the_board_needs_risk_plans_and_a_window(council):
    change = council.change()
    services.submit(change, actor=council.users["manager"])
    with pytest.raises(ValidationError) as refused:
        services.request_authorisation(change, actor=council.users["manager"])
    words = " ".join(refused.value.messages)
    for missing in ("Assess its risk", "Give its impact", "implementation plan", "test plan",
                    "back-out plan"):
        assert missing in words


def test_every_risk_question_must_be_answered(council):
    change = council.change()
    services.submit(change, actor=council.users["manager"])
    with pytest.raises(ValidationError, match="Answer"):
        services.assess(change, actor=council.users["manager"], impact_level="low",
                        answers={council.questions[0].pk: True})


def test_the_chair_decides_only_once_the_quorum_has_voted(council):
    change = council.with_board(council.change())
    votes(council, change, "cab1")
    with pytest.raises(ValidationError, match="1 vote of the 2 the board's quorum needs"):
        services.authorise(change, actor=council.users["chair"])
    votes(council, change, "cab2", decision="reject")
    services.reject(change, actor=council.users["chair"], note="Too close to billing.")
    change.refresh_from_db()
    assert change.status == m.Status.REJECTED
    assert change.decision_note == "Too close to billing."


def test_a_change_is_never_started_before_it_is_authorised(council):
    change = council.with_board(council.change())
    with pytest.raises(ValidationError, match="Only a scheduled change can be started"):
        services.start(change, actor=council.users["manager"])


def test_a_non_emergency_change_is_not_authorised_into_a_freeze(council):
    change = council.with_board(council.change())
    ScheduleWindowFactory(organisation=council.org, name="Annual billing",
                          starts_at=SATURDAY - datetime.timedelta(days=1),
                          ends_at=SATURDAY + datetime.timedelta(days=3))
    votes(council, change, "cab1", "cab2")
    with pytest.raises(ValidationError, match="falls in the freeze “Annual billing”"):
        services.authorise(change, actor=council.users["chair"])
    # Moved out of the window, it is authorised.
    services.reschedule(change, actor=council.users["manager"],
                        planned_start=SATURDAY + datetime.timedelta(days=7),
                        planned_end=SATURDAY + datetime.timedelta(days=7, hours=2))
    change.refresh_from_db()
    services.authorise(change, actor=council.users["chair"])
    change.refresh_from_db()
    assert change.status == m.Status.SCHEDULED


def test_an_emergency_change_goes_to_the_emergency_board_and_may_be_made_in_a_freeze(council):
    ScheduleWindowFactory(organisation=council.org, starts_at=SATURDAY - datetime.timedelta(days=1),
                          ends_at=SATURDAY + datetime.timedelta(days=3))
    change = council.with_board(council.change(change_type=m.ChangeType.EMERGENCY))
    assert change.board == council.ecab
    services.vote(change, actor=council.users["ecab"], decision="approve")
    services.authorise(change, actor=council.users["chair"])
    change.refresh_from_db()
    assert change.status == m.Status.SCHEDULED


def test_a_standard_change_is_scheduled_from_its_template_without_the_board(council):
    template = ChangeTemplateFactory(organisation=council.org, name="New starter's laptop")
    change = services.raise_standard(template, actor=council.users["agent"],
                                     planned_start=SATURDAY, items=[council.items["other"]])
    assert change.planned_end == SATURDAY + datetime.timedelta(minutes=90)
    with pytest.raises(ValidationError, match="scheduled from its template"):
        services.submit(change, actor=council.users["agent"])
    services.schedule_standard(change, actor=council.users["agent"])
    change.refresh_from_db()
    assert change.status == m.Status.SCHEDULED and change.authorised_at is not None
    assert change.risk_level == m.Level.LOW
    # A template no longer in use schedules nothing more.
    template.is_active = False
    template.save()
    draft = council.change(change_type=m.ChangeType.STANDARD, template=template,
                           by="agent")
    with pytest.raises(ValidationError, match="no longer in use"):
        services.schedule_standard(draft, actor=council.users["agent"])


def test_a_successful_standard_change_closes_without_a_review_but_a_failed_one_needs_it(council):
    template = ChangeTemplateFactory(organisation=council.org)
    for outcome in (m.Outcome.SUCCESSFUL, m.Outcome.FAILED):
        change = services.raise_standard(template, actor=council.users["agent"],
                                         planned_start=SATURDAY, items=[council.items["other"]])
        for step in (services.schedule_standard, services.start):
            step(change, actor=council.users["manager"])
        services.complete(change, actor=council.users["manager"], outcome=outcome, note="Done.")
        change.refresh_from_db()
        if outcome == m.Outcome.FAILED:
            with pytest.raises(ValidationError):
                services.close(change, actor=council.users["manager"], review="")
        else:
            services.close(change, actor=council.users["manager"], review="")


def test_cancelling_tells_the_board_and_needs_a_reason(council):
    change = council.with_board(council.change())
    with pytest.raises(ValidationError, match="Give the reason"):
        services.cancel(change, actor=council.users["manager"], note=" ")
    services.cancel(change, actor=council.users["manager"], note="No longer needed.")
    change.refresh_from_db()
    assert change.status == m.Status.CANCELLED
    assert Notification.objects.filter(event="change-cancelled").count() == 6


# --- who may, role by role -----------------------------------------------------------------

RAISE = {"manager", "chair", "agent", "lead", "admin"}
MANAGE = {"manager", "chair", "admin"}
EVERYONE = ["manager", "chair", "agent", "lead", "auditor", "requester", "admin", "unithead",
            "security", "cab1"]


@pytest.mark.parametrize("key", EVERYONE)
def test_who_may_submit_a_change(council, key):
    change = council.change()
    if key in RAISE:
        services.submit(change, actor=council.users[key])
        change.refresh_from_db()
        assert change.status == m.Status.ASSESSMENT
    else:
        with pytest.raises(PermissionDenied):
            services.submit(change, actor=council.users[key])


@pytest.mark.parametrize("key", EVERYONE)
def test_who_may_assess_and_send_a_change_to_the_board(council, key):
    change = council.assessed(council.change())
    if key in MANAGE:
        services.request_authorisation(change, actor=council.users[key])
    else:
        with pytest.raises(PermissionDenied):
            services.request_authorisation(change, actor=council.users[key])
        with pytest.raises(PermissionDenied):
            services.assess(change, actor=council.users[key], impact_level="low", answers={})


@pytest.mark.parametrize("key", [*EVERYONE, "chairdeputy", "dep1"])
def test_only_the_chair_or_the_chairs_deputy_decides(council, key):
    change = council.with_board(council.change())
    votes(council, change, "cab1", "cab2")
    if key in ("chair", "chairdeputy"):
        services.authorise(change, actor=council.users[key])
        change.refresh_from_db()
        assert change.status == m.Status.SCHEDULED
    else:
        with pytest.raises(PermissionDenied):
            services.authorise(change, actor=council.users[key])


def test_the_auditor_changes_nothing_even_when_seated(council):
    from tests.changes.factories import BoardMemberFactory

    BoardMemberFactory(organisation=council.org, board=council.cab,
                       member=council.people["auditor"])
    change = council.with_board(council.change())
    with pytest.raises(PermissionDenied):
        services.vote(change, actor=council.users["auditor"], decision="approve")


def test_what_a_page_offers_is_what_the_role_may_do_from_the_state(council):
    change = council.with_board(council.change())
    offered = {key: sorted(a.name for a in services.CHANGE_ACTIONS.available(
        change, council.users[key])) for key in ("manager", "chair", "cab1", "auditor")}
    assert offered["cab1"] == ["vote"]
    assert offered["auditor"] == []
    assert {"authorise", "reject", "send-back"} <= set(offered["chair"])
    assert "vote" not in offered["manager"] and "reschedule" in offered["manager"]
    assert set(CHANGE.states) == set(m.Status.values)
