"""A release's lifecycle through its services (no HTTP): each transition, each refusal in
words, who may take it, role by role, and the rule that a change is in at most one open
release."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from borough.changes import services as changes
from borough.core import scope
from borough.core.models import AuditEvent, Notification
from borough.releases import models as m
from borough.releases import services
from tests.licences.factories import ApplicationFactory, EntitlementFactory, LicenceFactory
from tests.releases.factories import ReleaseItemFactory

pytestmark = pytest.mark.django_db


def test_a_release_goes_from_draft_through_test_and_go_to_live_and_closed(
        council, authorised, release):
    change = authorised(owner=council.people["agent"])
    rel = release(changes=[change])
    assert (rel.status, rel.reference) == (m.Status.DRAFT, "REL-000001")
    manager = council.users["manager"]

    services.plan(rel, actor=manager)
    rel.refresh_from_db()
    services.start_test(rel, actor=manager)
    rel.refresh_from_db()
    assert rel.status == m.Status.TESTING and rel.test_started_at is not None
    with pytest.raises(ValidationError, match="no test result yet"):
        services.go(rel, actor=manager)
    services.record_test(rel, actor=manager, result="passed",
                         notes="Invoices, payments and journals posted in the test system.")
    rel.refresh_from_db()
    assert (rel.test_result, rel.status) == (m.TestResult.PASSED, m.Status.TESTING)
    services.go(rel, actor=council.users["chair"], note="Go for Saturday.")
    rel.refresh_from_db()
    assert (rel.status, rel.decision, rel.decided_by) == (
        m.Status.READY, m.Decision.GO, council.users["chair"])
    services.go_live(rel, actor=manager, note="Deployed in an hour.")
    rel.refresh_from_db()
    assert rel.status == m.Status.LIVE and rel.deployed_at is not None
    assert rel.tested_first
    with pytest.raises(ValidationError, match="Write the review"):
        services.close(rel, actor=manager, review=" ")
    services.close(rel, actor=manager, review="Delivered as planned; one report moved.")
    rel.refresh_from_db()
    assert rel.status == m.Status.CLOSED and rel.closed_at and rel.review

    # Each move is in the history, in words.
    moves = [e.changes["status"][1] for e in AuditEvent.objects.filter(
        object_id=rel.pk, content_type__model="release", action="update").order_by("pk")
        if "status" in e.changes]
    assert moves == ["Planned", "In test", "Ready for live (go)", "Live", "Closed"]
    # The change's owner is told of each move (the release's owner did them all).
    told = list(Notification.objects.filter(recipient=council.users["agent"],
                                            event__startswith="release-")
                .values_list("event", flat=True))
    assert set(told) == {"release-planned", "release-in-test", "release-go", "release-live",
                         "release-closed"}
    # The owner is told of what others did, never of what they did themself.
    owner_told = set(Notification.objects.filter(recipient=manager,
                                                 event__startswith="release-")
                     .values_list("event", flat=True))
    assert owner_told == {"release-go"}


def test_planning_needs_the_dates_and_testing_needs_a_change(council, release):
    manager = council.users["manager"]
    rel = release(planned_test_date=None)
    with pytest.raises(ValidationError, match="Give the date testing starts"):
        services.plan(rel, actor=manager)
    rel.planned_test_date = rel.planned_live_date
    rel.save()
    services.plan(rel, actor=manager)
    rel.refresh_from_db()
    with pytest.raises(ValidationError, match="Add the changes it delivers"):
        services.start_test(rel, actor=manager)
    assert m.Release.objects.get(pk=rel.pk).status == m.Status.PLANNED


def test_go_needs_a_passed_test_and_every_change_authorised(council, authorised, release):
    manager = council.users["manager"]
    ready = authorised()
    waiting = council.change(title="Upgrade the application", items=("app",))
    rel = release(changes=[ready, waiting])
    services.plan(rel, actor=manager)
    services.start_test(m.Release.objects.get(pk=rel.pk), actor=manager)
    rel.refresh_from_db()
    services.record_test(rel, actor=manager, result="failed", notes="Payments file rejected.")
    rel.refresh_from_db()
    with pytest.raises(ValidationError, match="failed its test"):
        services.go(rel, actor=manager)
    # No-go: back to planning, with the reason, counted.
    with pytest.raises(ValidationError, match="Give the reason"):
        services.no_go(rel, actor=manager, note="")
    services.no_go(rel, actor=manager, note="Fix the payments file layout.")
    rel.refresh_from_db()
    assert (rel.status, rel.decision, rel.no_go_count) == (
        m.Status.PLANNED, m.Decision.NO_GO, 1)
    # A new test clears the last one's result.
    services.start_test(rel, actor=manager)
    rel.refresh_from_db()
    assert (rel.test_result, rel.tested_at) == ("", None)
    services.record_test(rel, actor=manager, result="passed", notes="Payments file accepted.")
    rel.refresh_from_db()
    with pytest.raises(ValidationError, match=f"{waiting.reference} is not"):
        services.go(rel, actor=manager)
    assert m.Release.objects.get(pk=rel.pk).status == m.Status.TESTING


def test_each_action_refuses_a_release_in_the_wrong_state(council, release):
    rel = release()
    manager = council.users["manager"]
    with pytest.raises(ValidationError, match="Only a release ready for live"):
        services.go_live(rel, actor=manager)
    with pytest.raises(ValidationError, match="Only a live release can be closed"):
        services.close(rel, actor=manager, review="Fine.")
    with pytest.raises(ValidationError, match="Give the reason"):
        services.cancel(rel, actor=manager, note="")
    services.cancel(rel, actor=manager, note="Folded into the spring release.")
    rel.refresh_from_db()
    assert rel.status == m.Status.CANCELLED
    with pytest.raises(ValidationError, match="only a release not yet live"):
        services.cancel(rel, actor=manager, note="Again.")


@pytest.mark.parametrize("key, may_drive, may_read", [
    ("manager", True, True),     # Change Manager
    ("chair", True, True),       # ICT Manager
    ("admin", True, True),       # Administrator
    ("cab1", False, True),       # CAB Member: reads
    ("agent", False, True),
    ("lead", False, True),
    ("auditor", False, True),
    ("security", False, True),
    ("unithead", False, True),
    ("requester", False, False),
])
def test_who_may_drive_and_read_releases(council, release, key, may_drive, may_read):
    rel = release()
    user = council.users[key]
    assert scope.can(user, "view", m.Release, council.org.pk) is may_read
    assert scope.can(user, "add", m.Release, council.org.pk) is may_drive
    assert (m.Release.objects.visible_to(user).filter(pk=rel.pk).exists()) is may_read
    if may_drive:
        services.plan(rel, actor=user)
        assert m.Release.objects.get(pk=rel.pk).status == m.Status.PLANNED
    else:
        with pytest.raises(PermissionDenied):
            services.plan(rel, actor=user)
        assert m.Release.objects.get(pk=rel.pk).status == m.Status.DRAFT


def test_a_change_is_in_at_most_one_open_release(council, release):
    change = council.change()
    first = release(changes=[change])
    with pytest.raises(ValidationError, match=f"already in {first.reference}"):
        release(changes=[change], title="Another")
    services.cancel(first, actor=council.users["manager"], note="Replanned.")
    second = release(changes=[change], title="Replanned")
    assert list(second.changes.all()) == [change]
    # A cancelled change cannot be delivered.
    gone = council.change(title="Withdrawn")
    changes.cancel(gone, actor=council.users["manager"], note="Not needed.")
    gone.refresh_from_db()
    with pytest.raises(ValidationError, match="is cancelled"):
        release(changes=[gone], title="Third")


def test_the_software_in_a_release_names_an_application_and_its_own_licence(council,
                                                                            release):
    from borough.core import services as core

    rel = release()
    financials = ApplicationFactory(organisation=council.org, name="Financials")
    other = LicenceFactory(organisation=council.org, name="GIS seats")
    own = LicenceFactory(organisation=council.org, name="Financials users",
                         software=financials)
    manager = council.users["manager"]
    with pytest.raises(ValidationError, match="licenses"):
        core.create_record(m.ReleaseItem(organisation=council.org, release=rel,
                                         software=financials, from_version="7.5",
                                         to_version="8.0", licence=other), actor=manager)
    with pytest.raises(ValidationError, match="choose an application"):
        core.create_record(m.ReleaseItem(organisation=council.org, release=rel,
                                         software=council.items["server"],
                                         to_version="8.0"), actor=manager)
    with pytest.raises(ValidationError, match="must differ"):
        core.create_record(m.ReleaseItem(organisation=council.org, release=rel,
                                         software=financials, from_version="8.0",
                                         to_version="8.0"), actor=manager)
    item = core.create_record(m.ReleaseItem(organisation=council.org, release=rel,
                                            software=financials, from_version="7.5",
                                            to_version="8.0", licence=own), actor=manager)
    assert str(item) == f"Financials 7.5 → 8.0 ({rel.reference})"
    # Once live, what it delivered stays.
    m.Release.objects.filter(pk=rel.pk).update(status=m.Status.LIVE)
    with pytest.raises(ValidationError, match="stays as it went live"):
        core.create_record(ReleaseItemFactory.build(organisation=council.org,
                                                    release=m.Release.objects.get(pk=rel.pk),
                                                    software=financials), actor=manager)


def test_go_needs_each_licence_of_its_software_in_force_and_covering_the_use(
        council, authorised, release):
    manager = council.users["manager"]
    rel = release(changes=[authorised()])  # goes live on 21 January 2030
    software = ApplicationFactory(organisation=council.org, name="Financials",
                                  attributes={"number_of_users": 40})
    licence = LicenceFactory(organisation=council.org, software=software,
                             name="Financials named users")
    ReleaseItemFactory(organisation=council.org, release=rel, software=software,
                       to_version="ERPx 2026.2", licence=licence)
    ReleaseItemFactory(organisation=council.org, release=rel, to_version="1.0",
                       software=ApplicationFactory(organisation=council.org))  # no licence
    for step, fields in ((services.plan, {}), (services.start_test, {}),
                         (services.record_test, {"result": "passed", "notes": "Posted."})):
        step(rel, actor=manager, **fields)
        rel.refresh_from_db()
    with pytest.raises(ValidationError, match=f"{licence.reference} Financials named users "
                                              "has no entitlement in force on 21 January 2030"):
        services.go(rel, actor=manager)
    bought = EntitlementFactory(organisation=council.org, licence=licence, quantity=30,
                                term_start=datetime.date(2029, 4, 1),
                                term_end=datetime.date(2030, 3, 31))
    with pytest.raises(ValidationError, match=r"is 10 short \(40 used, 30 entitled\)"):
        services.go(rel, actor=manager)
    type(bought).objects.filter(pk=bought.pk).update(quantity=50)
    services.go(rel, actor=manager)
    rel.refresh_from_db()
    assert (rel.status, rel.licences_checked_for) == (m.Status.READY,
                                                       datetime.date(2030, 1, 21))
