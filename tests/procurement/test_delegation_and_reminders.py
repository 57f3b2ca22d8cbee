"""Approvers reminded of requests that wait on them (once per step, after the council's
days), and an approver's decision delegated to a deputy (who must be able to approve;
recorded, audited, told; the one who delegated no longer decides)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from borough.core import roles
from borough.core.models import AuditEvent, Notification, ReminderSent
from borough.procurement import models as m
from borough.procurement import services
from borough.procurement.reminders import remind_approvers
from tests.factories import PersonFactory
from tests.procurement.world import copeland

pytestmark = pytest.mark.django_db

REMINDER = "procurement-approval-reminder"


@pytest.fixture
def council(org_a):
    return copeland(org_a)


def submitted(council, value="30000.00"):
    request = council.request(value)
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    return request


def reminded(user, request=None):
    found = Notification.objects.filter(recipient=user, event=REMINDER)
    return found.filter(subject__contains=request.reference) if request else found


# --- reminders ---------------------------------------------------------------------------

def test_an_approver_is_reminded_once_when_the_step_has_waited_its_days(council):
    request = submitted(council, "3000.00")
    step = request.current_step
    assert step.remind_after_days == 5  # copied from the council's step
    started = step.started_at
    assert remind_approvers(started + timedelta(days=4)) == 0
    assert not reminded(council.users["ictmanager"]).exists()
    assert remind_approvers(started + timedelta(days=5)) == 1
    told = reminded(council.users["ictmanager"], request).get()
    assert "has waited 5 days for your approval" in told.subject
    assert "delegate" in told.body
    # The next day's run, and a second worker's, tell nobody again.
    assert remind_approvers(started + timedelta(days=6)) == 0
    assert remind_approvers(started + timedelta(days=6)) == 0
    assert reminded(council.users["ictmanager"]).count() == 1
    assert ReminderSent.objects.filter(object_id=step.pk).count() == 1


def test_the_days_are_the_councils_per_step_and_blank_is_none(council):
    council.steps[0].remind_after_days = 2
    council.steps[0].save()
    request = submitted(council, "3000.00")
    assert remind_approvers(request.current_step.started_at + timedelta(days=2)) == 1
    council.steps[0].remind_after_days = None
    council.steps[0].save()
    other = submitted(council, "3000.00")
    assert remind_approvers(other.current_step.started_at + timedelta(days=60)) == 0


def test_each_step_is_reminded_once_and_those_who_voted_are_not(council):
    request = submitted(council)
    services.approve(request, actor=council.users["ictmanager"])
    services.approve(m.ProcurementRequest.objects.get(pk=request.pk),
                     actor=council.users["finance"])
    request.refresh_from_db()
    assert request.current_step.name == "Executive"
    services.approve(request, actor=council.users["exec1"])  # 1 of the 2 needed
    request.refresh_from_db()
    sent = remind_approvers(request.current_step.started_at + timedelta(days=5))
    assert sent == 1
    assert not reminded(council.users["exec1"]).exists()  # already approved
    assert reminded(council.users["exec2"], request).count() == 1
    assert reminded(council.users["exec3"], request).count() == 1
    assert not reminded(council.users["requester"]).exists()


def test_a_decided_or_redrafted_request_is_not_reminded(council):
    request = submitted(council, "3000.00")
    services.approve(request, actor=council.users["ictmanager"])
    other = submitted(council, "3000.00")
    services.withdraw(other, actor=council.users["requester"])
    assert remind_approvers(timezone.now() + timedelta(days=30)) == 0


# --- delegation --------------------------------------------------------------------------

def test_an_approver_delegates_their_step_to_a_deputy_who_decides_in_their_place(council):
    deputy_user = council.person("deputy", roles.SERVICE_UNIT_HEAD, "Dee Puty")
    request = submitted(council, "12000.00")
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    assert request.current_step.name == "Head of finance"
    services.delegate(request, actor=council.users["finance"],
                      deputy=council.people["deputy"], note="On leave until the 20th.",
                      expected_version=request.version)
    delegation = m.Delegation.objects.get()
    assert (delegation.step, delegation.delegated_by, delegation.deputy) == (
        request.current_step, council.users["finance"], council.people["deputy"])
    event = AuditEvent.objects.for_object(request).filter(changes__has_key="delegation")
    assert event.count() == 1 and "Dee Puty" in str(event.get().changes)
    told = Notification.objects.get(recipient=deputy_user,
                                    event="procurement-approval-delegated")
    assert request.reference in told.subject and "On leave until the 20th." in told.body
    # The deputy reads it, the delegator no longer decides it, the deputy does.
    assert m.ProcurementRequest.objects.visible_to(deputy_user).filter(pk=request.pk).exists()
    request.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.approve(request, actor=council.users["finance"])
    services.approve(request, actor=deputy_user, note="Approved for Fiona.")
    request.refresh_from_db()
    assert request.status == m.Status.APPROVED
    assert request.decisions.last().decided_by == deputy_user
    assert "Fiona" in request.route.get(name="Head of finance").who_text()


@pytest.mark.parametrize(("key", "role", "words"), [
    ("auditor2", roles.AUDITOR, "does not let them decide"),
    ("requester2", roles.REQUESTER, "does not let them decide"),
])
def test_the_deputy_must_hold_a_role_that_may_decide(council, key, role, words):
    council.person(key, role, f"Someone {key}")
    request = submitted(council, "3000.00")
    with pytest.raises(ValidationError, match=words):
        services.delegate(request, actor=council.users["ictmanager"],
                          deputy=council.people[key])
    assert not m.Delegation.objects.exists()


def test_the_deputy_needs_a_login_and_is_not_the_requester_or_an_approver(council):
    request = submitted(council)
    services.approve(request, actor=council.users["ictmanager"])
    services.approve(m.ProcurementRequest.objects.get(pk=request.pk),
                     actor=council.users["finance"])
    request.refresh_from_db()
    no_login = PersonFactory(organisation=council.org, user=None, full_name="No Login")
    for deputy, words in ((no_login, "cannot sign in"),
                          (council.people["requester"], "raised this request"),
                          (council.people["exec2"], "already decides this step")):
        with pytest.raises(ValidationError, match=words):
            services.delegate(request, actor=council.users["exec1"], deputy=deputy)


def test_only_an_approver_of_the_step_who_has_not_voted_delegates(council):
    council.person("deputy", roles.TEAM_LEAD, "Dee Puty")
    request = submitted(council, "3000.00")
    with pytest.raises(PermissionDenied):
        services.delegate(request, actor=council.users["finance"],
                          deputy=council.people["deputy"])
    big = submitted(council)
    services.approve(big, actor=council.users["ictmanager"])
    services.approve(m.ProcurementRequest.objects.get(pk=big.pk), actor=council.users["finance"])
    big.refresh_from_db()
    services.approve(big, actor=council.users["exec1"])
    big.refresh_from_db()
    with pytest.raises(ValidationError, match="already approved at this step"):
        services.delegate(big, actor=council.users["exec1"], deputy=council.people["deputy"])
    # The quorum still needs two different people: exec2 hands over, the deputy approves.
    services.delegate(big, actor=council.users["exec2"], deputy=council.people["deputy"])
    big.refresh_from_db()
    services.approve(big, actor=council.users["deputy"])
    big.refresh_from_db()
    assert big.status == m.Status.APPROVED
    assert big.value == Decimal("30000.00")


def test_a_reminder_goes_to_the_deputy_not_the_one_who_delegated(council):
    deputy_user = council.person("deputy", roles.TEAM_LEAD, "Dee Puty")
    request = submitted(council, "3000.00")
    services.delegate(request, actor=council.users["ictmanager"],
                      deputy=council.people["deputy"])
    request.refresh_from_db()
    remind_approvers(request.current_step.started_at + timedelta(days=5))
    assert reminded(deputy_user, request).count() == 1
    assert not reminded(council.users["ictmanager"]).exists()


def test_delegation_over_the_api(council, client):
    council.person("deputy", roles.TEAM_LEAD, "Dee Puty")
    request = submitted(council, "3000.00")
    client.force_login(council.users["ictmanager"])
    url = f"/api/procurement/procurement-requests/{request.pk}/delegate/"
    bad = client.post(url, {"deputy": council.people["auditor"].pk}, content_type="application/json")
    assert bad.status_code == 400 and "does not let them decide" in bad.content.decode()
    done = client.post(url, {"deputy": council.people["deputy"].pk, "note": "Away."},
                       content_type="application/json")
    assert done.status_code == 200, done.content
    record = client.get(f"/api/procurement/procurement-requests/{request.pk}/").json()
    assert record["delegations"][0]["deputy"] == "Dee Puty"
    assert record["delegations"][0]["step"] == "ICT manager"
