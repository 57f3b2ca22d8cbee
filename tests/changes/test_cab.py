"""The change advisory board: one vote per seat (member or deputy), the quorum, the
chair's decision, a new round after a change is sent back, and the agenda a meeting
generates from the changes awaiting its board."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.changes import models as m
from borough.changes import services
from tests.changes.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_deputy_votes_for_the_seat_and_the_member_then_cannot(council):
    change = council.with_board(council.change())
    vote = services.vote(change, actor=council.users["dep1"], decision="approve",
                         note="For Cara, who is on leave.")
    assert (vote.seat, vote.as_deputy, vote.voter) == (council.seats[0], True,
                                                      council.users["dep1"])
    with pytest.raises(ValidationError, match="Member dep1 has already voted for Member "
                                              "cab1's seat"):
        services.vote(change, actor=council.users["cab1"], decision="reject")


def test_a_member_who_voted_keeps_the_seat_from_the_deputy_and_votes_once(council):
    change = council.with_board(council.change())
    services.vote(change, actor=council.users["cab2"], decision="reject")
    with pytest.raises(ValidationError, match="You have already voted"):
        services.vote(change, actor=council.users["cab2"], decision="approve")
    with pytest.raises(ValidationError, match="already voted"):
        services.vote(change, actor=council.users["dep2"], decision="approve")
    assert m.CabVote.objects.filter(change=change).count() == 1


def test_someone_with_no_seat_cannot_vote_even_with_the_cab_role(council):
    change = council.with_board(council.change())
    with pytest.raises(PermissionDenied, match="Only the members of the board"):
        services.vote(change, actor=council.users["ecab"], decision="approve")
    seat = council.seats[2]
    seat.is_active = False
    seat.save()
    with pytest.raises(PermissionDenied):
        services.vote(change, actor=council.users["cab3"], decision="approve")


def test_abstentions_count_towards_the_quorum_and_the_chair_may_decide_against_the_votes(
        council):
    change = council.with_board(council.change())
    services.vote(change, actor=council.users["cab1"], decision="abstain")
    services.vote(change, actor=council.users["cab2"], decision="reject")
    change.refresh_from_db()
    services.authorise(change, actor=council.users["chair"],
                       note="Authorised over one objection: the risk is accepted.")
    change.refresh_from_db()
    assert change.status == m.Status.SCHEDULED
    assert change.decision_note.startswith("Authorised over one objection")


def test_the_chair_is_told_when_the_quorum_is_reached(council):
    from borough.core.models import Notification

    change = council.with_board(council.change())
    services.vote(change, actor=council.users["cab1"], decision="approve")
    assert not Notification.objects.filter(event="change-quorum-reached").exists()
    services.vote(change, actor=council.users["dep2"], decision="approve")
    assert set(Notification.objects.filter(event="change-quorum-reached").values_list(
        "recipient__username", flat=True)) == {"cbc-chair", "cbc-chairdeputy"}


def test_sent_back_and_returned_the_change_has_a_fresh_round_of_votes(council):
    change = council.with_board(council.change())
    services.vote(change, actor=council.users["cab1"], decision="approve")
    services.vote(change, actor=council.users["cab2"], decision="reject")
    change.refresh_from_db()
    services.send_back(change, actor=council.users["chair"], note="Check the back-out plan.")
    change.refresh_from_db()
    assert change.status == m.Status.ASSESSMENT
    services.request_authorisation(change, actor=council.users["manager"])
    change.refresh_from_db()
    assert change.round == 2
    with pytest.raises(ValidationError, match="0 votes of the 2"):
        services.authorise(change, actor=council.users["chair"])
    services.vote(change, actor=council.users["cab1"], decision="approve")  # votes again


def test_a_meeting_generates_its_agenda_from_the_changes_awaiting_its_board(council):
    from datetime import timedelta

    from tests.changes.world import SATURDAY

    later = council.with_board(council.change(title="Later", start=SATURDAY + timedelta(days=3)))
    sooner = council.with_board(council.change(title="Sooner", items=("other",)))
    council.assessed(council.change(title="Still in assessment"))
    emergency = council.with_board(council.change(title="Urgent fix",
                                                  change_type=m.ChangeType.EMERGENCY))
    meeting = MeetingFactory(organisation=council.org, board=council.cab)
    services.generate_agenda(meeting, actor=council.users["manager"])
    assert [(i.position, i.change) for i in meeting.items.all()] == [(1, sooner), (2, later)]
    services.generate_agenda(meeting, actor=council.users["chair"])  # nothing new: no repeats
    assert meeting.items.count() == 2
    assert emergency.board == council.ecab
    # The decision is written on the agenda.
    services.vote(sooner, actor=council.users["cab1"], decision="approve")
    services.vote(sooner, actor=council.users["cab2"], decision="approve")
    sooner.refresh_from_db()
    services.authorise(sooner, actor=council.users["chair"], note="Agreed.")
    assert meeting.items.get(change=sooner).decision == "Authorise: Agreed."
    with pytest.raises(PermissionDenied):
        services.generate_agenda(meeting, actor=council.users["cab1"])
