"""The tickets API: create, actions, timeline, filters, versions and scoped relations."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from borough.core import roles
from borough.core.models import SubmissionKey
from borough.organisation.models import ServiceUnit
from borough.servicedesk import services
from borough.servicedesk.models import Channel, EntryKind, Satisfaction, Status, Ticket, TicketType
from tests.conftest import make_member
from tests.factories import (
    CategoryFactory,
    PersonFactory,
    ServiceUnitFactory,
    SiteFactory,
    TeamFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

TICKETS = "/api/servicedesk/tickets/"


@pytest.fixture
def as_agent(desk, signed_in):
    return signed_in(desk.agent, api=True)


@pytest.fixture
def as_requester(desk, signed_in):
    return signed_in(desk.requester, api=True)


def raise_incident(desk, **extra) -> Ticket:
    fields = {"title": "Printer jammed", "description": "Jams on every page."} | extra
    return services.raise_ticket(desk.org.pk, actor=desk.agent,
                                 ticket_type=fields.pop("ticket_type", TicketType.INCIDENT),
                                 requester=fields.pop("requester", desk.requester_person), **fields)


def url(ticket, action=""):
    return f"{TICKETS}{ticket.pk}/{action + '/' if action else ''}"


def invalid_pk_message(response, field, pk) -> str:
    return response.json()[field][0].replace(str(pk), "<id>")


# --- creating --------------------------------------------------------------------------


def test_a_requester_raises_a_ticket_for_themself(desk, as_requester, org_b):
    response = as_requester.post(TICKETS, {
        "title": "Cannot log in to Revenues", "description": "Password rejected.",
        "urgency": 2, "organisation": org_b.pk, "status": "resolved", "priority": 1,
        "team": desk.team.pk, "assignee": desk.agent.pk, "channel": "phone",
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["reference"] == ticket.reference == "INC-000001"
    assert body["plain_status"] == "We have received it"
    # Read-only and role-restricted fields were ignored (SECURITY.md rule 4).
    assert ticket.organisation_id == desk.org.pk
    assert ticket.requester == desk.requester_person
    assert (ticket.status, ticket.priority) == (Status.NEW, 4)
    assert ticket.team_id is None and ticket.assignee_id is None
    assert ticket.channel == Channel.API
    assert ticket.sla_policy.name == "P4" and ticket.resolution_due_at is not None


def test_a_requester_cannot_raise_a_ticket_as_someone_else(desk, as_requester):
    colleague = PersonFactory(organisation=desk.org, full_name="Carl Colleague")
    response = as_requester.post(TICKETS, {"title": "Not mine", "description": "x",
                                           "requester": colleague.pk}, format="json")
    # Requesters cannot look people up, so the id does not resolve: the same 400 as any
    # unknown id, and nothing is raised in the colleague's name.
    assert response.status_code == 400
    assert list(response.json()) == ["requester"]
    assert not Ticket.objects.exists()
    # The service refuses too, whichever door is used.
    with pytest.raises(PermissionDenied, match="You can only raise tickets for yourself."):
        services.raise_ticket(desk.org.pk, actor=desk.requester, ticket_type=TicketType.INCIDENT,
                              title="Not mine", description="x", requester=colleague)
    assert not Ticket.objects.exists()


def test_the_desk_records_of_a_new_ticket_are_checked_and_kept(desk, as_agent):
    """Service unit, site and category are checked against the desk's cached
    configuration: one added a moment ago is accepted, a word is a 400."""
    unit = ServiceUnitFactory(organisation=desk.org, name="Harbour Office")
    site = SiteFactory(organisation=desk.org, name="Maryport")
    category = CategoryFactory(organisation=desk.org, name="Radios")
    response = as_agent.post(TICKETS, {
        "title": "Radio dead", "description": "No signal.", "requester": desk.requester_person.pk,
        "service_unit": unit.pk, "site": site.pk, "category": category.pk}, format="json")
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.service_unit, ticket.site, ticket.category) == (unit, site, category)
    assert response.json()["service_unit"] == unit.pk
    word = as_agent.post(TICKETS, {"title": "x", "description": "x", "site": "Maryport",
                                   "requester": desk.requester_person.pk}, format="json")
    assert word.status_code == 400 and "site" in word.json()


def test_an_agent_raises_a_ticket_for_a_caller(desk, as_agent):
    response = as_agent.post(TICKETS, {"ticket_type": "request", "title": "New starter laptop",
                                       "description": "Starts Monday.",
                                       "requester": desk.requester_person.pk}, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.reference == "REQ-000001" and ticket.requester == desk.requester_person


def test_bad_input_gets_a_clear_400_and_saves_nothing(desk, as_agent):
    response = as_agent.post(TICKETS, {"title": "", "description": "x",
                                       "requester": desk.requester_person.pk}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    response = as_agent.post(TICKETS, {"title": "x", "description": "   ",
                                       "requester": desk.requester_person.pk}, format="json")
    assert response.status_code == 400
    response = as_agent.post(TICKETS, {"title": "x", "description": "x", "urgency": 7,
                                       "requester": desk.requester_person.pk}, format="json")
    assert response.status_code == 400 and "urgency" in response.json()
    assert not Ticket.objects.exists()


def test_an_idempotency_key_makes_one_ticket(desk, as_requester):
    body = {"title": "Double click", "description": "Sent twice."}
    first = as_requester.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    again = as_requester.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Ticket.objects.count() == 1


def test_a_key_first_used_for_another_model_never_returns_someone_elses_ticket(
    desk, as_requester, org_b
):
    """Regression: raise_ticket passed the raw key to create_record, which looks keys up by
    user and key only, so a key recorded for another model returned a Ticket with that
    model's id — from any organisation."""
    theirs = TicketFactory(organisation=org_b, title="Eskmouth payroll secrets")
    SubmissionKey.objects.create(user=desk.requester, key="organisation.serviceunit:k1",
                                 object_id=theirs.pk,
                                 content_type=ContentType.objects.get_for_model(ServiceUnit))
    response = as_requester.post(TICKETS, {"title": "Mine", "description": "x"}, format="json",
                                 HTTP_IDEMPOTENCY_KEY="organisation.serviceunit:k1")
    assert response.status_code == 201
    assert response.json()["id"] != theirs.pk
    assert "Eskmouth" not in response.content.decode()


# --- related ids from elsewhere (SECURITY.md rule 3) --------------------------------------


def test_another_councils_ids_get_the_same_400_as_missing_ones(desk, as_agent, org_b):
    their_category = CategoryFactory(organisation=org_b)
    their_person = PersonFactory(organisation=org_b)
    their_unit = ServiceUnitFactory(organisation=org_b)
    their_site = SiteFactory(organisation=org_b)
    for field, theirs in (("category", their_category.pk), ("requester", their_person.pk),
                          ("service_unit", their_unit.pk), ("site", their_site.pk)):
        foreign = as_agent.post(TICKETS, {"title": "x", "description": "x",
                                          "requester": desk.requester_person.pk,
                                          field: theirs}, format="json")
        missing = as_agent.post(TICKETS, {"title": "x", "description": "x",
                                          "requester": desk.requester_person.pk,
                                          field: 999_999}, format="json")
        assert foreign.status_code == missing.status_code == 400, field
        assert (invalid_pk_message(foreign, field, theirs)
                == invalid_pk_message(missing, field, 999_999)), field
    assert not Ticket.objects.exists()


def test_assigning_to_another_councils_team_or_person_is_the_same_400(desk, as_agent, org_b):
    ticket = raise_incident(desk)
    their_team = TeamFactory(organisation=org_b)
    their_agent = make_member(org_b, roles.AGENT, "agent-b")
    for field, theirs in (("team", their_team.pk), ("assignee", their_agent.pk)):
        foreign = as_agent.post(url(ticket, "assign"), {field: theirs}, format="json")
        missing = as_agent.post(url(ticket, "assign"), {field: 999_999}, format="json")
        assert foreign.status_code == missing.status_code == 400, field
        assert (invalid_pk_message(foreign, field, theirs)
                == invalid_pk_message(missing, field, 999_999)), field
    ticket.refresh_from_db()
    assert ticket.team_id is None and ticket.assignee_id is None


# --- actions -----------------------------------------------------------------------------


def test_the_actions_take_a_ticket_from_new_to_closed(desk, as_agent):
    ticket = raise_incident(desk)
    response = as_agent.post(url(ticket, "assign"), {"team": desk.team.pk,
                                                     "assignee": desk.agent.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned"
    assert response.json()["assignee"] == desk.agent.pk

    reply = as_agent.post(url(ticket, "reply"), {"body": "Looking now."}, format="json")
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    note = as_agent.post(url(ticket, "note"), {"body": "Fuser worn."}, format="json")
    assert note.status_code == 201 and note.json()["kind"] == "note"

    paused = as_agent.post(url(ticket, "status"), {"status": "awaiting-customer",
                                                   "note": "Which floor?"}, format="json")
    assert paused.status_code == 200 and paused.json()["plain_status"] == (
        "We are waiting for a reply from you")
    refused = as_agent.post(url(ticket, "status"), {"status": "closed"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"non_field_errors": [
        "Only a resolved ticket can be closed; INC-000001 is awaiting customer."]}

    missing_note = as_agent.post(url(ticket, "resolve"), {}, format="json")
    assert missing_note.status_code == 400 and "note" in missing_note.json()
    resolved = as_agent.post(url(ticket, "resolve"), {"note": "New fuser."}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_at"] is not None

    closed = as_agent.post(url(ticket, "close"), format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = as_agent.post(url(ticket, "close"), format="json")
    assert again.status_code == 400


def test_the_requester_reopens_then_confirms_and_rates(desk, as_requester):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Cleared the jam.")
    no_reason = as_requester.post(url(ticket, "reopen"), {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    reopened = as_requester.post(url(ticket, "reopen"), {"reason": "Jammed again."},
                                 format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in-progress"
    assert reopened.json()["reopen_count"] == 1
    early = as_requester.post(url(ticket, "rate"), {"score": 5}, format="json")
    assert early.status_code == 400
    assert early.json() == {"non_field_errors": ["You can rate a ticket once it is resolved."]}

    services.resolve(ticket, actor=desk.agent, note="New roller.")
    assert as_requester.post(url(ticket, "close"), format="json").json()["status"] == "closed"
    assert as_requester.post(url(ticket, "rate"), {"score": 9}, format="json").status_code == 400
    rated = as_requester.post(url(ticket, "rate"), {"score": 5, "comment": "Quick"},
                              format="json")
    assert rated.status_code == 200
    assert Satisfaction.objects.get(ticket=ticket).score == 5


def test_staff_cannot_rate_for_the_requester(desk, as_agent):
    ticket = raise_incident(desk)
    services.resolve(ticket, actor=desk.agent, note="Done.")
    response = as_agent.post(url(ticket, "rate"), {"score": 5}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the person who raised the ticket can rate it."


def test_the_timeline_lists_entries_in_order_and_hides_notes_from_requesters(
    desk, as_agent, api_client
):
    ticket = raise_incident(desk)
    services.reply(ticket, body="Public words", actor=desk.agent)
    services.add_note(ticket, body="Staff words", actor=desk.agent)
    services.change_status(ticket, status=Status.IN_PROGRESS, actor=desk.agent)
    staff_view = as_agent.get(url(ticket, "timeline")).json()
    assert [(e["kind"], e["body"]) for e in staff_view] == [
        ("status", ""), ("reply", "Public words"), ("note", "Staff words"), ("status", "")]
    api_client.force_login(desk.requester)
    requester_view = api_client.get(url(ticket, "timeline")).json()
    assert [e["kind"] for e in requester_view] == ["status", "reply", "status"]
    assert EntryKind.NOTE not in {e["kind"] for e in requester_view}


# --- filters -------------------------------------------------------------------------------


def test_filters_by_status_priority_and_words(desk, as_agent):
    printer = raise_incident(desk, title="Printer on fire", impact=1, urgency=1)
    laptop = raise_incident(desk, title="Laptop slow", ticket_type=TicketType.REQUEST)
    mouse = raise_incident(desk, title="Mouse missing", impact=2, urgency=2)
    services.change_status(mouse, status=Status.IN_PROGRESS, actor=desk.agent)

    def titles(**params):
        response = as_agent.get(TICKETS, params)
        assert response.status_code == 200, response.content
        return sorted(row["title"] for row in response.json()["results"])

    assert titles() == ["Laptop slow", "Mouse missing", "Printer on fire"]
    assert titles(status="new") == ["Laptop slow", "Printer on fire"]
    assert titles(status=["new", "in-progress"]) == titles()
    assert titles(priority="1") == ["Printer on fire"]
    assert titles(priority="5") == ["Laptop slow"]
    assert titles(q="printer") == ["Printer on fire"]
    assert titles(q=laptop.reference) == ["Laptop slow"]
    assert titles(ticket_type="request") == ["Laptop slow"]
    assert printer.priority == 1 and mouse.priority == 3
    unknown = as_agent.get(TICKETS, {"colour": "red"})
    assert unknown.status_code == 400 and "Unknown parameter colour" in unknown.json()["detail"]
    bad = as_agent.get(TICKETS, {"status": "on-fire"})
    assert bad.status_code == 400


# --- versions (SECURITY.md rule 24) ---------------------------------------------------------


def test_a_patch_needs_the_current_version(desk, as_agent):
    ticket = raise_incident(desk)
    detail = as_agent.get(url(ticket))
    assert detail["ETag"] == '"1"'
    missing = as_agent.patch(url(ticket), {"title": "Printer jammed again"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()
    ok = as_agent.patch(url(ticket), {"title": "Printer jammed again", "version": 1},
                        format="json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = as_agent.patch(url(ticket), {"title": "Overwrite", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert [c["field"] for c in stale.json()["changes"]] == ["title"]
    ticket.refresh_from_db()
    assert ticket.title == "Printer jammed again"


def test_a_patch_cannot_move_the_ticket_to_another_requester(desk, as_agent):
    ticket = raise_incident(desk)
    other = PersonFactory(organisation=desk.org)
    response = as_agent.patch(url(ticket), {"requester": other.pk, "status": "closed",
                                            "version": 1}, format="json")
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.requester == desk.requester_person and ticket.status == Status.NEW


def test_a_patch_of_impact_reprioritises_through_the_service(desk, as_agent):
    ticket = raise_incident(desk)
    response = as_agent.patch(url(ticket), {"impact": 1, "urgency": 1}, format="json",
                              HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response.json()["priority"] == 1
    ticket.refresh_from_db()
    assert ticket.sla_policy.name == "P1"


@pytest.mark.parametrize(("action", "body"), [
    ("assign", {"assignee": "agent"}),
    ("resolve", {"note": "Done."}),
    ("status", {"status": "in-progress"}),
])
def test_actions_with_a_stale_if_match_get_409(desk, as_agent, action, body):
    ticket = raise_incident(desk)
    services.change_priority(ticket, actor=desk.lead, impact=2, urgency=2)  # now version 2
    if body.get("assignee") == "agent":
        body = {"assignee": desk.agent.pk}
    stale = as_agent.post(url(ticket, action), body, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409, stale.content
    assert stale.json()["current_version"] == 2
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, ticket.version) == (Status.NEW, None, 2)
    fresh = as_agent.post(url(ticket, action), body, format="json", HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200, fresh.content
    assert fresh.json()["version"] == 3


def test_a_malformed_if_match_is_a_400(desk, as_agent):
    ticket = raise_incident(desk)
    response = as_agent.post(url(ticket, "resolve"), {"note": "x"}, format="json",
                             HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400 and "If-Match" in response.json()


def test_the_configuration_endpoints_list_this_councils_rows(desk, as_agent, org_b):
    CategoryFactory(organisation=desk.org, name="Printing")
    CategoryFactory(organisation=org_b, name="Harbour radios")
    names = [r["name"] for r in as_agent.get("/api/servicedesk/categories/").json()["results"]]
    assert names == ["Printing"]
    # The route comes from the verbose name ("SLA policies"), capitals and all.
    policies = as_agent.get("/api/servicedesk/sla-policies/").json()["results"]
    assert [p["name"] for p in policies] == ["P1", "P2", "P3", "P4", "P5"]
    assert as_agent.get("/api/servicedesk/priority-rules/").status_code == 200
