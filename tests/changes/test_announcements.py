"""Planned changes as service announcements (changes.announcements): opened when a change
is scheduled, moved when it is rescheduled or started outside its window, closed with its
outcome or its cancellation; subscribers emailed once per stage; never a second
announcement for one change; nothing across organisations."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from borough.changes import models as m
from borough.changes import services
from borough.mail.models import OutboundEmail
from borough.status import services as status
from borough.status.models import Announcement, AnnouncementUpdate, Kind, State
from tests.changes.factories import ChangeTemplateFactory
from tests.changes.world import SATURDAY, copeland

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def sent(event, to=None):
    found = OutboundEmail.objects.filter(event=event)
    if to is not None:
        found = found.filter(recipient=to.email)
    return found.count()


def scheduled(council, change=None, *, by="chair", **fields) -> m.Change:
    """A change (a new one with `fields`) through the board to scheduled."""
    change = change or council.change(**fields)
    if change.status != m.Status.AUTHORISATION:
        change = council.with_board(change)
    board = change.board
    voters = ["cab1", "cab2"] if board == council.cab else ["ecab"]
    for key in voters:
        services.vote(change, actor=council.users[key], decision="approve")
    change.refresh_from_db()
    services.authorise(change, actor=council.users[by], note="Go ahead.")
    change.refresh_from_db()
    return change


def announcements_of(change):
    return Announcement.objects.filter(source_id=change.pk,
                                       source_type__model="change")


@pytest.fixture
def subscriber(council):
    user = council.users["requester"]
    status.subscribe(council.items["service"], actor=user)
    return user


def test_scheduling_a_normal_change_announces_planned_work_on_its_services(council, subscriber):
    change = council.with_board(council.change())
    assert not Announcement.objects.exists()  # not before the board decides
    change = scheduled(council, change)
    [announcement] = announcements_of(change)
    assert announcement.kind == Kind.PLANNED and announcement.state == State.OPEN
    assert (announcement.starts_at, announcement.expected_end_at) == (
        change.planned_start, change.planned_end)
    assert [s.name for s in announcement.services.all()] == ["Council Tax"]
    assert announcement.title == change.title
    assert announcement.source_text.startswith(change.reference)
    assert announcement.description.startswith(f"Planned change {change.reference}.")
    # The chair (ICT manager) may publish: the announcement is theirs.
    assert announcement.created_by == council.users["chair"]
    assert sent("status-opened", subscriber) == 1
    # Shown on the change's page.
    from django.test import Client

    client = Client()
    client.force_login(council.users["manager"])
    page = client.get(change.get_absolute_url()).content.decode()
    assert announcement.reference in page


def test_rescheduling_twice_moves_the_one_announcement_and_tells_subscribers_each_time(
        council, subscriber):
    change = scheduled(council)
    for days in (7, 14):
        services.reschedule(change, actor=council.users["manager"],
                            planned_start=SATURDAY + datetime.timedelta(days=days),
                            planned_end=SATURDAY + datetime.timedelta(days=days, hours=3))
        change.refresh_from_db()
    [announcement] = announcements_of(change)
    assert announcement.starts_at == SATURDAY + datetime.timedelta(days=14)
    assert announcement.expected_end_at == SATURDAY + datetime.timedelta(days=14, hours=3)
    assert sent("status-opened", subscriber) == 1
    assert sent("status-updated", subscriber) == 2
    assert AnnouncementUpdate.objects.filter(announcement=announcement).count() == 2


def test_cancelling_a_scheduled_change_withdraws_its_announcement(council, subscriber):
    change = scheduled(council)
    services.cancel(change, actor=council.users["manager"], note="Supplier not ready.")
    [announcement] = announcements_of(change)
    assert announcement.state == State.CANCELLED
    closing = announcement.updates.get(closing=True)
    assert change.reference in closing.body and "not going ahead" in closing.body
    # The internal reason is not broadcast.
    assert "Supplier" not in closing.body
    assert sent("status-closed", subscriber) == 1


@pytest.mark.parametrize("outcome, words", [
    (m.Outcome.SUCCESSFUL, "was made successfully"),
    (m.Outcome.FAILED, "did not go as planned"),
    (m.Outcome.BACKED_OUT, "was backed out"),
])
def test_implementing_resolves_the_announcement_with_its_outcome(council, subscriber, outcome,
                                                                 words):
    change = scheduled(council)
    services.start(change, actor=council.users["manager"])
    change.refresh_from_db()
    [announcement] = announcements_of(change)
    # Started now, long before its window (2030): the announcement says it is happening.
    assert announcement.starts_at <= timezone.now() < announcement.expected_end_at
    assert sent("status-updated", subscriber) == 1
    services.complete(change, actor=council.users["manager"], outcome=outcome,
                      note="Internal detail of the back-out.")
    announcement.refresh_from_db()
    assert announcement.state == State.RESOLVED and announcement.resolved_at
    closing = announcement.updates.get(closing=True).body
    assert words in closing and change.reference in closing
    assert "Internal detail" not in closing
    assert sent("status-closed", subscriber) == 1
    # Closing the change after its review touches the announcement no more.
    change.refresh_from_db()
    services.close(change, actor=council.users["manager"], review="Reviewed.")
    assert sent("status-closed", subscriber) == 1
    assert announcements_of(change).count() == 1


def test_a_change_started_inside_its_window_leaves_the_announcement_as_it_is(council):
    start = timezone.now().replace(microsecond=0) - HOUR
    change = scheduled(council, start=start, hours=3)
    services.start(change, actor=council.users["manager"])
    [announcement] = announcements_of(change)
    assert announcement.starts_at == start
    assert not announcement.updates.exists()


def test_an_emergency_change_is_announced_too(council):
    change = scheduled(council, change_type=m.ChangeType.EMERGENCY)
    assert announcements_of(change).count() == 1


def test_a_change_naming_no_service_is_not_announced(council, subscriber):
    change = council.change()
    change.services.clear()
    change = scheduled(council, change)
    assert change.status == m.Status.SCHEDULED
    assert not announcements_of(change).exists()
    assert sent("status-opened") == 0


@pytest.mark.parametrize("announce", [False, True])
def test_a_standard_change_is_announced_only_when_its_template_says_users_notice_it(
        council, subscriber, announce):
    template = ChangeTemplateFactory(organisation=council.org, announce=announce)
    change = services.raise_standard(template, actor=council.users["agent"],
                                     planned_start=SATURDAY, items=[council.items["other"]],
                                     services_=[council.items["service"]])
    services.schedule_standard(change, actor=council.users["agent"])
    assert announcements_of(change).count() == (1 if announce else 0)
    assert sent("status-opened", subscriber) == (1 if announce else 0)
    if announce:
        services.cancel(change, actor=council.users["agent"], note="Not needed.")
        assert announcements_of(change).get().state == State.CANCELLED


def test_a_board_member_who_cannot_publish_announcements_schedules_it_as_borough(council):
    # The chair's deputy is a CAB member, who cannot publish announcements.
    change = scheduled(council, by="chairdeputy")
    [announcement] = announcements_of(change)
    assert announcement.created_by is None


def test_announcements_stay_in_the_changes_organisation(council, subscriber, org_b):
    other = copeland(org_b)
    # Eskmouth's own Council Tax service and its subscriber hear nothing of Copeland's.
    theirs = other.users["requester"]
    theirs.email = "requester@eskmouth.example.gov.uk"  # the world gives both the same
    theirs.save(update_fields=["email"])
    status.subscribe(other.items["service"], actor=theirs)
    change = scheduled(council)
    [announcement] = announcements_of(change)
    assert announcement.organisation_id == council.org.pk
    assert sent("status-opened", subscriber) == 1
    assert sent("status-opened", theirs) == 0
    assert not Announcement.objects.visible_to(other.users["manager"]).filter(
        pk=announcement.pk).exists()
    # Their change, scheduled the same way, is announced in their organisation only.
    their_change = scheduled(other)
    [their_announcement] = announcements_of(their_change)
    assert their_announcement.organisation_id == org_b.pk
    assert sent("status-opened", subscriber) == 1 and sent("status-opened", theirs) == 1
