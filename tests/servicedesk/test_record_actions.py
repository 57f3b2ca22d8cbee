"""The record-action machinery (core.actions, core.lifecycle) as tickets use it: refusals in
words on pages and API, guards, who may, stale versions, retried requests, one winner
among simultaneous transitions, the OpenAPI entries, approvals with a quorum and actions
scheduled for later."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from borough.core import roles, scheduling
from borough.core.actions import Actions
from borough.core.lifecycle import Approval, Lifecycle, Transition
from borough.core.models import ApprovalVote, AuditEvent, Notification, ScheduledAction
from borough.core.services import StaleVersionError
from borough.servicedesk import services
from borough.servicedesk.lifecycle import STAFF, TICKET
from borough.servicedesk.models import (
    DeskSettings,
    EntryKind,
    Status,
    Ticket,
    TicketType,
    TimelineEntry,
)
from tests.conftest import make_member
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db

TICKETS = "/api/servicedesk/tickets/"


def raise_incident(desk, **extra) -> Ticket:
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                 requester=desk.requester_person, title="Printer jammed",
                                 description="Every page.", **extra)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- the declaration --------------------------------------------------------------------------


def test_a_transition_naming_a_state_the_field_lacks_is_refused_when_declared():
    with pytest.raises(ValueError, match="on-fire"):
        Lifecycle(Ticket, "status", transitions=[
            Transition("burn", "Burn", (Status.NEW,), "on-fire")])


def test_an_action_naming_a_transition_its_lifecycle_lacks_is_refused_when_declared():
    with pytest.raises(ValueError, match="which its lifecycle does not declare"):
        Actions(Ticket, lifecycle=TICKET).add("fly", label="Fly", transition="fly")


def test_the_text_equivalent_names_every_move_who_may_and_its_conditions():
    rows = {row["name"]: row for row in TICKET.rows()}
    assert rows["reopen"]["from"] == ["Resolved"] and rows["reopen"]["to"] == "In progress"
    assert rows["reopen"]["who"] == "service desk staff or the person who raised it"
    assert "reopen days" in rows["reopen"]["conditions"]
    assert set(rows["resolve"]["from"]) == {"New", "Assigned", "In progress",
                                            "Awaiting customer", "Awaiting third party"}


def test_what_each_role_is_offered_follows_the_state(desk):
    ticket = raise_incident(desk)
    staff = {a.name for a in services.TICKET_ACTIONS.available(ticket, desk.agent)}
    requester = {a.name for a in services.TICKET_ACTIONS.available(ticket, desk.requester)}
    assert {"assign", "reply", "note", "status", "resolve", "cancel"} <= staff
    assert not staff & {"close", "reopen", "confirm", "rate"}
    assert requester == {"reply", "cancel"}
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    ticket.refresh_from_db()
    requester = {a.name for a in services.TICKET_ACTIONS.available(ticket, desk.requester)}
    assert requester == {"reply", "confirm", "reopen", "rate", "close"}
    assert "resolve" not in {a.name for a in services.TICKET_ACTIONS.available(ticket, desk.agent)}


# --- refusals in words, on the page and the API ----------------------------------------------


def test_an_illegal_transition_is_refused_with_its_reason_on_the_api(desk):
    ticket = raise_incident(desk)
    response = api_as(desk.agent).post(f"{TICKETS}{ticket.pk}/close/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Only a resolved ticket can be closed; INC-000001 is new."]}
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.version == 1


def test_an_illegal_transition_is_refused_with_its_reason_on_the_page(desk, client):
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/close/",
                           {"version": ticket.version})
    assert response.status_code == 400
    assert "Only a resolved ticket can be closed; INC-000001 is new." in response.content.decode()
    htmx = client.post(f"/service-desk/tickets/{ticket.pk}/close/", {"version": ticket.version},
                       HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422 and 'id="ticket-panel"' in htmx.content.decode()
    assert "Only a resolved ticket can be closed" in htmx.content.decode()


def test_each_action_has_a_page_of_its_own_for_a_get(desk, client):
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    response = client.get(f"/service-desk/tickets/{ticket.pk}/resolve/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Resolve</h1>' in page
    assert ">Resolve</button>" in page and 'name="note"' in page
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # a GET changes nothing


def test_what_was_typed_is_kept_beside_the_message_when_an_action_fails(desk, client):
    ticket = raise_incident(desk)
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/tickets/{ticket.pk}/update/",
                           {"status": Status.CANCELLED, "note": "", "version": ticket.version,
                            "impact": ticket.impact, "urgency": ticket.urgency})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter why it is cancelled." in page and 'id="update-note-error"' in page
    assert "Nothing was changed: the status was refused." in page
    response = client.post(f"/service-desk/tickets/{ticket.pk}/resolve/",
                           {"note": "", "version": ticket.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Enter how it was resolved." in response.content.decode()


def test_a_guard_refuses_with_its_reason(desk):
    DeskSettings.objects.create(organisation=desk.org, reopen_days=1)
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = api_as(desk.requester).post(f"{TICKETS}{ticket.pk}/reopen/",
                                               {"reason": "Again."}, format="json")
    assert response.status_code == 400
    assert "Tickets can be reopened for 1 days" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize(("role", "action", "body"), [
    (roles.REQUESTER, "resolve", {"note": "Did it myself."}),
    (roles.REQUESTER, "assign", {}),
    (roles.AUDITOR, "reply", {"body": "Hello"}),
    (roles.AUDITOR, "note", {"body": "Hello"}),
    (roles.SERVICE_UNIT_HEAD, "resolve", {"note": "x"}),
])
def test_who_may_is_enforced_per_role(desk, role, action, body):
    ticket = raise_incident(desk)
    user = make_member(desk.org, role, f"someone-{role.lower().replace(' ', '-')}")
    response = api_as(user).post(f"{TICKETS}{ticket.pk}/{action}/", body, format="json")
    assert response.status_code in (403, 404)
    ticket.refresh_from_db()
    assert ticket.version == 1 and not TimelineEntry.objects.filter(body="Hello").exists()


def test_a_requester_may_not_act_on_someone_elses_ticket_by_service(desk):
    other = make_member(desk.org, roles.REQUESTER, "other-requester")
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    with pytest.raises(PermissionDenied, match="only do that on your own tickets"):
        services.reopen(ticket, actor=other, reason="Not mine.")


def test_a_stale_version_is_409_on_the_api_and_a_conflict_on_the_page(desk, client):
    ticket = raise_incident(desk)
    services.assign(ticket, actor=desk.agent, team=desk.team, expected_version=1)
    response = api_as(desk.agent).post(f"{TICKETS}{ticket.pk}/resolve/", {"note": "Fixed."},
                                       format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    client.force_login(desk.agent)
    page = client.post(f"/service-desk/tickets/{ticket.pk}/resolve/",
                       {"note": "Fixed the fuser.", "version": 1})
    assert page.status_code == 400 and "after you opened this" in page.content.decode()
    assert "Fixed the fuser." in page.content.decode()  # what was typed is kept
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and ticket.team == desk.team


def test_a_retried_request_with_its_key_is_done_once(desk):
    ticket = raise_incident(desk)
    api = api_as(desk.agent)
    first = api.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "On my way."}, format="json",
                     HTTP_IDEMPOTENCY_KEY="retry-1")
    again = api.post(f"{TICKETS}{ticket.pk}/reply/", {"body": "On my way."}, format="json",
                     HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert TimelineEntry.objects.filter(kind=EntryKind.REPLY).count() == 1
    resolved = api.post(f"{TICKETS}{ticket.pk}/resolve/", {"note": "Done."}, format="json",
                        HTTP_IDEMPOTENCY_KEY="retry-2")
    resolved_again = api.post(f"{TICKETS}{ticket.pk}/resolve/", {"note": "Done."},
                              format="json", HTTP_IDEMPOTENCY_KEY="retry-2")
    assert resolved.status_code == resolved_again.status_code == 200
    assert resolved_again.json()["status"] == Status.RESOLVED
    assert TimelineEntry.objects.filter(kind=EntryKind.STATUS, data__new="resolved").count() == 1


def test_a_field_the_action_does_not_take_is_refused_not_dropped(desk):
    ticket = raise_incident(desk)
    response = api_as(desk.agent).post(f"{TICKETS}{ticket.pk}/note/",
                                       {"body": "Rang back.", "colour": "red"}, format="json")
    assert response.status_code == 400 and "colour" in response.json()
    response = api_as(desk.agent).post(f"{TICKETS}{ticket.pk}/note/",
                                       {"body": {"nested": "object"}}, format="json")
    assert response.status_code == 400 and "body" in response.json()
    assert not TimelineEntry.objects.filter(kind=EntryKind.NOTE).exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_resolutions_have_one_winner(desk):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
            ("file:memorydb", ":memory:")):
        pytest.skip("in-memory SQLite is one connection")
    ticket = raise_incident(desk)

    def resolve(index):
        return services.resolve(Ticket.objects.get(pk=ticket.pk), actor=desk.agent,
                                note=f"Fixed by {index}.")

    results, errors = run_in_threads(resolve, 8)
    assert len(results) == 1
    assert len(errors) == 7 and all(isinstance(e, ValidationError) for e in errors)
    assert {" ".join(e.messages) for e in errors} == {"INC-000001 is already resolved."}
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.version == 2
    assert TimelineEntry.objects.filter(kind=EntryKind.STATUS, data__new="resolved").count() == 1
    assert Notification.objects.filter(event="ticket-resolved").count() == 1
    assert AuditEvent.objects.filter(object_id=ticket.pk, version=2).count() == 1


# --- the API's schema -------------------------------------------------------------------------


def test_every_generated_action_is_in_the_schema_with_its_body_and_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for action in services.TICKET_ACTIONS:
        if not action.api:  # the page's update form: the API has the single actions
            continue
        operation = schema["paths"][f"{TICKETS}{{id}}/{action.name}/"]["post"]
        assert {"400", "403", "404", "409"} <= set(operation["responses"])
        assert operation["summary"] == action.label
        names = {p["name"] for p in operation["parameters"]}
        assert {"Idempotency-Key", "If-Match"} <= names
    resolve = schema["paths"][f"{TICKETS}{{id}}/resolve/"]["post"]
    body = resolve["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert schema["components"]["schemas"][body]["required"] == ["note"]
    for path in ("/api/standards/assessment-cycles/{id}/approve/",
                 "/api/standards/ratings/{id}/sign-off/",
                 "/api/standards/criterion-results/{id}/answer/",
                 "/api/standards/actions/{id}/progress/"):
        assert "post" in schema["paths"][path]


# --- approvals by several people ---------------------------------------------------------------


@pytest.fixture
def two_to_close():
    """A throwaway lifecycle: closing a resolved ticket needs two staff approvals; a
    rejection puts it back in progress."""
    lifecycle = Lifecycle(Ticket, "status", transitions=[
        Transition("close", "Close", (Status.RESOLVED,), Status.CLOSED, who=STAFF,
                   approval=Approval(quorum=2, rejected_by="send-back")),
        Transition("send-back", "Send back", (Status.RESOLVED,), Status.IN_PROGRESS, who=STAFF),
    ])
    actions = Actions(Ticket, lifecycle=lifecycle, lock=services._lock, save=services.save_ticket)
    return actions.add("close", label="Approve closing", transition="close")


def test_a_transition_needing_two_approvals_waits_for_the_second(desk, two_to_close):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    first = two_to_close(ticket, actor=desk.agent)
    assert first.status == Status.RESOLVED
    with pytest.raises(ValidationError, match="already voted"):
        two_to_close(ticket, actor=desk.agent)
    second = two_to_close(ticket, actor=desk.lead)
    assert second.status == Status.CLOSED
    assert ApprovalVote.objects.filter(is_current=True).count() == 0  # the state was left
    assert ApprovalVote.objects.count() == 2


def test_a_rejection_sends_it_back_and_a_new_round_starts(desk, two_to_close):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    two_to_close(ticket, actor=desk.agent)
    back = two_to_close(ticket, actor=desk.lead, decision="reject", note="Still jamming.")
    assert back.status == Status.IN_PROGRESS
    services.resolve(back, actor=desk.agent, note="Fixed again.")
    assert two_to_close(ticket, actor=desk.agent).status == Status.RESOLVED  # votes anew
    with pytest.raises(PermissionDenied):
        two_to_close(ticket, actor=desk.requester)


# --- actions scheduled for later ----------------------------------------------------------------


def test_a_scheduled_action_is_done_when_due_as_its_scheduler(desk):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    due = timezone.now() + timedelta(hours=1)
    scheduled = scheduling.schedule(services.close, ticket, actor=desk.agent, due_at=due)
    assert scheduling.run_due() == {"done": 0, "refused": 0}
    assert scheduling.run_due(now=due + timedelta(minutes=1)) == {"done": 1, "refused": 0}
    ticket.refresh_from_db()
    scheduled.refresh_from_db()
    assert ticket.status == Status.CLOSED and scheduled.status == "done"
    assert scheduling.run_due(now=due + timedelta(minutes=2)) == {"done": 0, "refused": 0}


def test_a_scheduled_action_refused_when_due_records_why(desk):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Fixed.")
    due = timezone.now() + timedelta(hours=1)
    scheduled = scheduling.schedule(services.close, ticket, actor=desk.agent, due_at=due)
    services.reopen(ticket, actor=desk.requester, reason="Broken again.")
    assert scheduling.run_due(now=due) == {"done": 0, "refused": 1}
    scheduled.refresh_from_db()
    assert scheduled.status == "refused"
    assert scheduled.outcome == "Only a resolved ticket can be closed; INC-000001 is in progress."


def test_scheduling_checks_who_may_now(desk):
    ticket = raise_incident(desk)
    with pytest.raises(PermissionDenied):
        scheduling.schedule(services.resolve, ticket, actor=desk.requester,
                            due_at=timezone.now() + timedelta(hours=1), note="x")
    assert not ScheduledAction.objects.exists()


def test_a_stale_version_error_names_the_change(desk):
    ticket = raise_incident(desk)
    services.assign(ticket, actor=desk.agent, team=desk.team)
    with pytest.raises(StaleVersionError):
        services.change_status(ticket, actor=desk.agent, status=Status.IN_PROGRESS,
                               expected_version=1)
