"""Who sees and does what on the service desk, role by role (SECURITY.md rules 1, 2, 6)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core import roles
from borough.core.models import AuditEvent, Notification
from borough.servicedesk import services
from borough.servicedesk.models import (
    EntryKind,
    Satisfaction,
    Status,
    Ticket,
    TicketType,
    TimelineEntry,
)
from tests.conftest import make_member
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Bob cannot open his grievance letter"
NOTE = "Internal: his manager asked us to keep an eye on this"


@pytest.fixture
def tickets(desk):
    """Rita's ticket, with a reply and an internal note, and Bob's ticket in the same council."""
    bob = make_member(desk.org, roles.REQUESTER, "bob")
    bob.active_organisation_id = desk.org.pk
    PersonFactory(organisation=desk.org, user=bob, full_name="Bob Other")
    ritas = services.raise_ticket(
        desk.org.pk, actor=desk.requester, ticket_type=TicketType.INCIDENT, title="Rita's monitor flickers",
        description="Since Monday.")
    bobs = services.raise_ticket(
        desk.org.pk, actor=bob, ticket_type=TicketType.REQUEST, title=SECRET_TITLE,
        description="The PDF is encrypted.")
    services.reply(ritas, body="We will swap the cable.", actor=desk.agent)
    services.add_note(ritas, body=NOTE, actor=desk.agent)
    services.add_note(bobs, body="Private to staff", actor=desk.agent)
    return type("Tickets", (), {"ritas": ritas, "bobs": bobs, "bob": bob})


def ticket_urls(pk: int) -> list[str]:
    return [f"/service-desk/tickets/{pk}/", f"/service-desk/tickets/{pk}/history/",
            f"/service-desk/portal/tickets/{pk}/"]


def action_urls(pk: int) -> list[str]:
    return ([f"/service-desk/tickets/{pk}/{a}/" for a in
             ("reply", "note", "status", "resolve", "close", "assign", "priority", "link",
              "major")]
            + [f"/service-desk/portal/tickets/{pk}/{a}/" for a in
               ("reply", "confirm", "reopen", "rate")])


def state(ticket) -> tuple:
    ticket.refresh_from_db()
    return (ticket.status, ticket.version, ticket.team_id, ticket.assignee_id,
            TimelineEntry.objects.count(), AuditEvent.objects.count(), Ticket.objects.count(),
            Satisfaction.objects.count())


# --- requesters: their own tickets only (rule 1) ---------------------------------------


def test_a_requester_sees_only_their_own_tickets_in_lists(desk, tickets, client):
    client.force_login(desk.requester)
    queue = client.get("/service-desk/tickets/")
    assert queue.status_code == 302 and queue["Location"] == "/service-desk/portal/"
    home = client.get("/service-desk/portal/").content.decode()
    assert "Rita&#x27;s monitor flickers" in home
    assert SECRET_TITLE not in home
    export = client.get("/service-desk/tickets/export/csv/")
    assert export.status_code == 200
    assert "Rita's monitor flickers" in export.content.decode()
    assert SECRET_TITLE not in export.content.decode()
    found = client.get("/search/", {"q": "grievance"}).content.decode()
    assert f"/service-desk/tickets/{tickets.bobs.pk}/" not in found
    assert f"/service-desk/portal/tickets/{tickets.bobs.pk}/" not in found


def test_another_requesters_ticket_is_not_found_on_any_page(desk, tickets, client):
    client.force_login(desk.requester)
    for url in ticket_urls(tickets.bobs.pk):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_TITLE not in response.content.decode()
    before = state(tickets.bobs)
    for url in action_urls(tickets.bobs.pk):
        response = client.post(url, {"body": "Let me in", "reason": "x", "score": "1"})
        assert response.status_code in (403, 404), url
        assert SECRET_TITLE not in response.content.decode()
    assert state(tickets.bobs) == before


def test_another_requesters_ticket_is_not_found_in_the_api(desk, tickets, api_client):
    api_client.force_login(desk.requester)
    listing = api_client.get("/api/servicedesk/tickets/")
    assert [row["title"] for row in listing.json()["results"]] == ["Rita's monitor flickers"]
    assert api_client.get("/api/servicedesk/tickets/", {"q": "grievance"}).json()["count"] == 0
    for url in (f"/api/servicedesk/tickets/{tickets.bobs.pk}/",
                f"/api/servicedesk/tickets/{tickets.bobs.pk}/timeline/"):
        response = api_client.get(url)
        assert response.status_code == 404, url
        assert SECRET_TITLE not in response.content.decode()
    before = state(tickets.bobs)
    for action, body in (("reply", {"body": "hello"}), ("reopen", {"reason": "x"}),
                         ("rate", {"score": 1}), ("close", {})):
        response = api_client.post(f"/api/servicedesk/tickets/{tickets.bobs.pk}/{action}/",
                                   body, format="json")
        assert response.status_code == 404, action
    assert state(tickets.bobs) == before


def test_requesters_never_see_internal_notes(desk, tickets, client, api_client):
    client.force_login(desk.requester)
    page = client.get(f"/service-desk/portal/tickets/{tickets.ritas.pk}/").content.decode()
    assert "We will swap the cable." in page
    assert "keep an eye on this" not in page
    # The staff page sends a requester to the portal rather than showing the timeline.
    staff_page = client.get(f"/service-desk/tickets/{tickets.ritas.pk}/")
    assert staff_page.status_code == 302
    assert staff_page["Location"] == f"/service-desk/portal/tickets/{tickets.ritas.pk}/"

    api_client.force_login(desk.requester)
    timeline = api_client.get(f"/api/servicedesk/tickets/{tickets.ritas.pk}/timeline/").json()
    assert {entry["kind"] for entry in timeline} == {"status", "reply"}
    assert "keep an eye on this" not in str(timeline)

    # The agent does see it, marked internal.
    client.force_login(desk.agent)
    page = client.get(f"/service-desk/tickets/{tickets.ritas.pk}/").content.decode()
    assert NOTE in page and "Internal" in page


def test_a_requester_cannot_assign_resolve_or_note_their_own_ticket(desk, tickets, client,
                                                                    api_client):
    ticket = tickets.ritas
    before = state(ticket)
    client.force_login(desk.requester)
    for action, data in (("assign", {"assignee": desk.requester.pk}),
                         ("resolve", {"note": "Fixed it myself"}),
                         ("note", {"body": "sneaky"}), ("status", {"status": "cancelled"}),
                         ("priority", {"impact": "1", "urgency": "1"})):
        response = client.post(f"/service-desk/tickets/{ticket.pk}/{action}/", data)
        assert response.status_code == 403, action
        response = client.post(f"/service-desk/tickets/{ticket.pk}/{action}/", data,
                               HTTP_HX_REQUEST="true")
        assert response.status_code == 403, action
    assert client.post("/service-desk/tickets/bulk/", {"ticket": [ticket.pk], "action": "close"}
                       ).status_code == 403
    api_client.force_login(desk.requester)
    for action, data in (("assign", {"assignee": desk.requester.pk}),
                         ("resolve", {"note": "Fixed"}), ("note", {"body": "sneaky"}),
                         ("status", {"status": "cancelled"})):
        response = api_client.post(f"/api/servicedesk/tickets/{ticket.pk}/{action}/", data,
                                   format="json")
        assert response.status_code == 403, action
    response = api_client.patch(f"/api/servicedesk/tickets/{ticket.pk}/",
                                {"title": "Renamed", "version": ticket.version}, format="json")
    assert response.status_code == 403
    assert state(ticket) == before


def test_a_requester_may_reply_confirm_and_rate_their_own_ticket(desk, tickets, client):
    ticket = tickets.ritas
    client.force_login(desk.requester)
    client.post(f"/service-desk/portal/tickets/{ticket.pk}/reply/", {"body": "Thanks!"})
    services.resolve(ticket, actor=desk.agent, note="New cable.")
    client.post(f"/service-desk/portal/tickets/{ticket.pk}/confirm/")
    client.post(f"/service-desk/portal/tickets/{ticket.pk}/rate/", {"score": "4"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.satisfaction.score == 4
    assert TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.REPLY,
                                        body="Thanks!").exists()


def test_only_the_requester_rates(desk, tickets, client):
    services.resolve(tickets.ritas, actor=desk.agent, note="New cable.")
    client.force_login(desk.agent)
    response = client.post(f"/service-desk/portal/tickets/{tickets.ritas.pk}/rate/",
                           {"score": "5"}, follow=True)
    assert "Only the person who raised the ticket can rate it." in response.content.decode()
    assert not Satisfaction.objects.exists()


# --- the auditor reads and changes nothing (rule 6) ---------------------------------------


@pytest.fixture
def auditor(desk):
    user = make_member(desk.org, roles.AUDITOR, "auditor")
    user.active_organisation_id = desk.org.pk
    PersonFactory(organisation=desk.org, user=user, full_name="Audrey Auditor")
    return user


def test_the_auditor_reads_the_queue_and_tickets(desk, tickets, auditor, client):
    client.force_login(auditor)
    queue = client.get("/service-desk/tickets/")
    assert queue.status_code == 200
    assert SECRET_TITLE in queue.content.decode()
    page = client.get(f"/service-desk/tickets/{tickets.ritas.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "We will swap the cable." in body
    assert 'id="ticket-composer"' not in body and "Update ticket" not in body  # no forms to act


def test_every_unsafe_service_desk_route_refuses_the_auditor(desk, tickets, auditor, client,
                                                            api_client, settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    ticket = tickets.ritas
    services.resolve(tickets.bobs, actor=desk.agent, note="Sent a new copy.")
    before = [state(ticket), state(tickets.bobs), Notification.objects.count()]
    client.force_login(auditor)
    data = {"body": "auditor was here", "note": "x", "reason": "x", "status": "in-progress",
            "assignee": "me", "team": desk.team.pk, "impact": "1", "urgency": "1",
            "reference": tickets.bobs.reference, "kind": "related-to", "value": "on",
            "score": "1", "version": ticket.version, "ticket": [ticket.pk, tickets.bobs.pk],
            "action": "close", "title": "Auditor ticket", "description": "x",
            "ticket_type": "incident", "requester": desk.requester_person.pk,
            "channel": "phone", "submission_key": "auditor"}
    urls = [*action_urls(ticket.pk), *action_urls(tickets.bobs.pk),
            "/service-desk/tickets/bulk/", "/service-desk/tickets/add/",
            "/service-desk/portal/new/", f"/service-desk/tickets/{ticket.pk}/edit/",
            f"/service-desk/tickets/{ticket.pk}/delete/"]
    for url in urls:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(url, data, **headers)
            assert response.status_code in (403, 405), (url, response.status_code)
    ct = ContentType.objects.get_for_model(Ticket)
    assert client.post(f"/records/{ct.pk}/{ticket.pk}/attachments/", {
        "file": SimpleUploadedFile("a.txt", b"x", "text/plain")}).status_code in (403, 405)

    api_client.force_login(auditor)
    base = "/api/servicedesk/tickets/"
    calls = [("post", base, {"title": "x", "description": "x"}),
             ("patch", f"{base}{ticket.pk}/", {"title": "x", "version": ticket.version})]
    for action in ("assign", "reply", "note", "status", "resolve", "close", "reopen", "rate"):
        for pk in (ticket.pk, tickets.bobs.pk):
            calls.append(("post", f"{base}{pk}/{action}/",
                          {"body": "x", "note": "x", "reason": "x", "status": "in-progress",
                           "score": 1, "assignee": auditor.pk}))
    for method, url, body in calls:
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code in (403, 405), (url, response.status_code)
    assert [state(ticket), state(tickets.bobs), Notification.objects.count()] == before


# --- other organisations (rule 2) ----------------------------------------------------------


def test_an_agent_of_another_council_cannot_see_or_touch_our_tickets(
    desk, tickets, org_b, client, api_client
):
    agent_b = make_member(org_b, roles.AGENT, "agent-b")
    agent_b.active_organisation_id = org_b.pk
    client.force_login(agent_b)
    for queue in ("all", "unassigned", "mine", "team", "breaching"):
        body = client.get("/service-desk/tickets/", {"queue": queue}).content.decode()
        assert SECRET_TITLE not in body and "Rita&#x27;s monitor" not in body, queue
    assert SECRET_TITLE not in client.get("/service-desk/tickets/export/csv/").content.decode()
    for url in ticket_urls(tickets.bobs.pk):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_TITLE not in response.content.decode()
    before = state(tickets.bobs)
    for url in action_urls(tickets.bobs.pk):
        assert client.post(url, {"body": "x", "note": "x", "assignee": "me"}).status_code == 404
    assert client.post("/service-desk/tickets/bulk/", {
        "ticket": [tickets.bobs.pk], "action": "assign"}, follow=True).status_code == 200
    assert state(tickets.bobs) == before

    api_client.force_login(agent_b)
    assert api_client.get("/api/servicedesk/tickets/").json()["count"] == 0
    for url in (f"/api/servicedesk/tickets/{tickets.bobs.pk}/",
                f"/api/servicedesk/tickets/{tickets.bobs.pk}/timeline/"):
        assert api_client.get(url).status_code == 404
    response = api_client.post(f"/api/servicedesk/tickets/{tickets.bobs.pk}/assign/",
                               {"assignee": agent_b.pk}, format="json")
    assert response.status_code == 404
    assert state(tickets.bobs) == before
