"""The agent workspace and the portal as pages: queues, the ticket page and its HTMX
actions, the staff and portal forms, and query counts that do not grow with the data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from borough.servicedesk import services
from borough.servicedesk.models import (
    CannedResponse,
    Channel,
    LinkKind,
    Status,
    Ticket,
    TicketType,
    TimelineEntry,
)
from borough.servicedesk.views.workspace import QUEUES
from tests.factories import CategoryFactory, PersonFactory, ServiceUnitFactory, SiteFactory

pytestmark = pytest.mark.django_db

LIST = "/service-desk/tickets/"


def raise_incident(desk, **extra) -> Ticket:
    fields = {"title": "Printer jammed", "description": "Jams on every page."} | extra
    return services.raise_ticket(desk.org.pk, actor=desk.agent,
                                 ticket_type=fields.pop("ticket_type", TicketType.INCIDENT),
                                 requester=fields.pop("requester", desk.requester_person), **fields)


def detail(ticket) -> str:
    return f"/service-desk/tickets/{ticket.pk}/"


def action(ticket, name) -> str:
    return f"/service-desk/tickets/{ticket.pk}/{name}/"


# --- queues --------------------------------------------------------------------------------


@pytest.fixture
def queue_tickets(desk, time_machine):
    time_machine.move_to(datetime(2026, 6, 2, 9, 0, tzinfo=UTC), tick=False)  # a Tuesday
    mine = raise_incident(desk, title="Assigned to the agent", assignee=desk.agent)
    teams = raise_incident(desk, title="For the team only", team=desk.team)
    loose = raise_incident(desk, title="Nobody has this", impact=1, urgency=1)
    done = raise_incident(desk, title="Already resolved")
    services.resolve(done, actor=desk.agent, note="Fixed.")
    return type("Q", (), {"mine": mine, "teams": teams, "loose": loose, "done": done})


def listed(response) -> set[str]:
    return set(re.findall(r"(?:INC|REQ)-\d{6}", response.content.decode()))


def test_the_default_queue_lists_every_open_ticket_by_sla_due(queue_tickets, agent_client):
    response = agent_client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "All open tickets: 3 tickets" in page
    assert listed(response) == {"INC-000001", "INC-000002", "INC-000003"}
    # The P1 is due first, so it comes first.
    assert page.index("Nobody has this") < page.index("Assigned to the agent")


@pytest.mark.parametrize(("queue", "expected"), [
    ("all", {"INC-000001", "INC-000002", "INC-000003"}),
    ("mine", {"INC-000001"}),
    ("team", {"INC-000002"}),
    ("unassigned", {"INC-000002", "INC-000003"}),
    ("breaching", {"INC-000003"}),  # the P1: resolution due within four hours
])
def test_each_queue_tab_renders_its_tickets(queue_tickets, agent_client, queue, expected):
    response = agent_client.get(LIST, {"queue": queue})
    assert response.status_code == 200
    assert listed(response) == expected
    heading = escape(f"{QUEUES[queue]}: {len(expected)} ticket")
    assert heading in response.content.decode()


def test_filters_narrow_the_queue(queue_tickets, agent_client):
    response = agent_client.get(LIST, {"queue": "all", "priority": "1"})
    assert listed(response) == {"INC-000003"}
    response = agent_client.get(LIST, {"queue": "all", "status": "resolved"})
    assert listed(response) == {"INC-000004"}
    response = agent_client.get(LIST, {"queue": "all", "q": "team"})
    assert listed(response) == {"INC-000002"}
    response = agent_client.get(LIST, {"queue": "all", "team": queue_tickets.teams.team_id})
    assert listed(response) == {"INC-000002"}


def test_an_htmx_filter_returns_only_the_table(queue_tickets, agent_client):
    response = agent_client.get(LIST, {"queue": "all", "priority": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "All open tickets: 1 ticket" in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("params", [{"queue": "everything"}, {"colour": "red"},
                                    {"sort": "password"}, {"per_page": "1000"}])
def test_unknown_queues_and_parameters_are_a_400_that_says_why(desk, agent_client, params):
    response = agent_client.get(LIST, params)
    assert response.status_code == 400
    if "queue" in params:
        assert "Unknown queue everything. Choose from: all, mine, team, unassigned, breaching." \
            in response.content.decode()


def test_the_queues_export_links_work(queue_tickets, agent_client):
    """Regression: the export links carry ?queue=, which the generic export refused."""
    page = agent_client.get(LIST, {"queue": "mine"}).content.decode()
    link = re.search(r'href="(/service-desk/tickets/export/csv/[^"]*)"', page).group(1)
    export = agent_client.get(link.replace("&amp;", "&"))
    assert export.status_code == 200
    rows = export.content.decode()
    assert "Assigned to the agent" in rows and "Nobody has this" not in rows
    assert agent_client.get("/service-desk/tickets/export/xlsx/",
                            {"queue": "unassigned"}).status_code == 200
    assert agent_client.get("/service-desk/tickets/export/csv/",
                            {"queue": "nope"}).status_code == 400


# --- the ticket page and its actions ------------------------------------------------------


def test_the_ticket_page_shows_the_ticket(desk, agent_client):
    ticket = raise_incident(desk, assignee=desk.agent, team=desk.team)
    services.reply(ticket, body="On my way.", actor=desk.agent)
    CannedResponse.objects.create(organisation=desk.org, title="Password reset",
                                  body="Use the self-service reset page.")
    page = agent_client.get(detail(ticket)).content.decode()
    for text in ("INC-000001", "Printer jammed", "Jams on every page.", "On my way.",
                 "Rita Requester", "Within SLA", "Service Desk", "Password reset"):
        assert text in page, text


def test_the_ticket_page_shows_the_working_minutes_taken(desk, agent_client):
    tuesday = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)  # 10:00 BST, office hours 08:30 to 17:00
    with time_machine.travel(tuesday, tick=False):
        ticket = raise_incident(desk)
    with time_machine.travel(tuesday + timedelta(minutes=20), tick=False):
        services.reply(ticket, body="Looking now.", actor=desk.agent)
    with time_machine.travel(datetime(2026, 6, 3, 9, 0, tzinfo=UTC), tick=False):
        services.resolve(ticket, actor=desk.agent, note="Reseated the cable.")
    page = agent_client.get(detail(ticket)).content.decode()
    assert "Responded 2 Jun 10:20 (20 working minutes)" in page
    assert "3 Jun 10:00 (510 working minutes)" in page  # 10:00 to 17:00, then 08:30 to 10:00
    quick = raise_incident(desk)
    services.resolve(quick, actor=desk.agent, note="Fixed on the phone.")
    assert page.count("within a working minute") == 0
    assert agent_client.get(detail(quick)).content.decode().count(
        "within a working minute") == 2  # answered and resolved at once


def test_an_htmx_action_returns_only_the_panel(desk, agent_client):
    ticket = raise_incident(desk)
    response = agent_client.post(action(ticket, "reply"), {"body": "Swapping the toner."},
                                 HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="ticket-panel"')
    assert "Swapping the toner." in body and "Reply sent." in body
    assert response["Content-Security-Policy"]  # fragments carry the CSP too (rule 12)


INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def test_the_ticket_page_and_its_htmx_actions_carry_no_inline_style(desk, agent_client):
    """Issue 16 item 7.2: the CSP (style-src 'self') refuses inline styles, so neither the
    page nor a swapped panel may carry one, and htmx must not inject its indicator <style>:
    the page turns that off and borough.css carries the indicator rules instead."""
    from django.contrib.staticfiles import finders

    ticket = raise_incident(desk)
    page = agent_client.get(detail(ticket))
    assert "style-src 'self'" in page["Content-Security-Policy"]
    html = page.content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert config and '"includeIndicatorStyles": false' in config.group(1)
    assert not INLINE_STYLE.findall(html)
    for name, data in (("reply", {"body": "Swapping the toner."}),
                       ("note", {"body": "Toner ordered."})):
        panel = agent_client.post(action(ticket, name), data, HTTP_HX_REQUEST="true")
        assert panel.status_code == 200, name
        assert not INLINE_STYLE.findall(panel.content.decode()), name
    with open(finders.find("borough/borough.css")) as css:
        rules = css.read()
    assert ".htmx-indicator{visibility:hidden;opacity:0}" in rules
    assert ".htmx-request .htmx-indicator,.htmx-request.htmx-indicator{visibility:visible" in rules


def test_a_failing_htmx_action_returns_422_with_the_message(desk, agent_client):
    ticket = raise_incident(desk)
    response = agent_client.post(action(ticket, "resolve"),
                                 {"note": "", "version": ticket.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    body = response.content.decode()
    assert "<html" not in body and "There is a problem" in body
    assert "Enter how it was resolved." in body
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_stale_form_shows_who_changed_what(desk, agent_client):
    ticket = raise_incident(desk)
    services.change_priority(ticket, actor=desk.lead, impact=1, urgency=1)
    response = agent_client.post(action(ticket, "status"),
                                 {"status": "in-progress", "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    body = response.content.decode()
    assert "changed" in body and "Your changes were not saved" in body
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_without_htmx_an_action_redirects_back_with_a_message(desk, agent_client):
    ticket = raise_incident(desk)
    response = agent_client.post(action(ticket, "note"), {"body": "Check the fuser."})
    assert response.status_code == 302 and response["Location"] == detail(ticket)
    page = agent_client.get(response["Location"]).content.decode()
    assert "Note added." in page and "Check the fuser." in page
    response = agent_client.post(action(ticket, "resolve"), {"note": ""}, follow=True)
    assert "Enter how it was resolved." in response.content.decode()


def test_every_ticket_page_action_works(desk, agent_client):
    ticket = raise_incident(desk)
    other = raise_incident(desk, title="Email down for everyone")
    canned = CannedResponse.objects.create(organisation=desk.org, title="Restart",
                                           body="Please restart your PC.")

    def post(name, data):
        response = agent_client.post(action(ticket, name), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, (name, response.content.decode()[:2000])
        ticket.refresh_from_db()
        return response.content.decode()

    post("assign", {"assignee": "me", "team": desk.team.pk, "version": ticket.version})
    assert (ticket.assignee, ticket.team, ticket.status) == (desk.agent, desk.team,
                                                             Status.ASSIGNED)
    body = post("reply", {"body": "Hello.", "canned": canned.pk})
    assert "Hello.<br><br>Please restart your PC." in body
    post("priority", {"impact": "1", "urgency": "2", "version": ticket.version})
    assert ticket.priority == 2
    post("status", {"status": "awaiting-third-party", "version": ticket.version})
    assert ticket.status == Status.AWAITING_THIRD_PARTY
    agent_client.post(action(other, "major"), {"value": "on"}, HTTP_HX_REQUEST="true")
    post("link", {"reference": other.reference.lower(), "kind": LinkKind.CHILD_OF})
    assert ticket.parent == other
    post("resolve", {"note": "Supplier fixed it.", "version": ticket.version})
    assert ticket.status == Status.RESOLVED
    post("close", {"version": ticket.version})
    assert ticket.status == Status.CLOSED


def test_assigning_someone_from_another_council_reads_as_not_in_the_list(desk, agent_client,
                                                                        org_b):
    from borough.core import roles
    from tests.conftest import make_member

    outsider = make_member(org_b, roles.AGENT, "outsider")
    ticket = raise_incident(desk)
    for assignee in (outsider.pk, 999_999):
        response = agent_client.post(action(ticket, "assign"), {"assignee": assignee},
                                     HTTP_HX_REQUEST="true")
        assert response.status_code == 422
        assert "Choose someone from the list." in response.content.decode()


def test_the_delete_page_offers_cancelling_and_deletes_nothing(desk, agent_client):
    ticket = raise_incident(desk)
    page = agent_client.get(f"{detail(ticket)}delete/")
    assert page.status_code == 200
    assert "Tickets cannot be deleted" in page.content.decode()
    response = agent_client.post(f"{detail(ticket)}delete/", follow=True)
    assert "Cancel it instead" in response.content.decode()
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    agent_client.post(action(ticket, "status"), {"status": "cancelled", "note": "Duplicate",
                                                 "version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED


# --- raising tickets -----------------------------------------------------------------------


def test_staff_raise_a_ticket_for_a_caller(desk, agent_client):
    unit = ServiceUnitFactory(organisation=desk.org, name="Revenues and Benefits")
    site = SiteFactory(organisation=desk.org, name="Whitehaven")
    category = CategoryFactory(organisation=desk.org, name="Printing")
    caller = PersonFactory(organisation=desk.org, full_name="Carol Caller")
    form = agent_client.get("/service-desk/tickets/add/")
    assert form.status_code == 200 and "Raise a ticket" in form.content.decode()
    response = agent_client.post("/service-desk/tickets/add/", {
        "ticket_type": "incident", "requester": caller.pk, "title": "Scanner offline",
        "description": "Rang in.", "channel": "phone", "service_unit": unit.pk,
        "site": site.pk, "category": category.pk, "impact": "2", "urgency": "1",
        "team": desk.team.pk, "assignee": desk.agent.pk, "submission_key": "k1"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(ticket)
    assert (ticket.requester, ticket.channel, ticket.priority, ticket.status) == (
        caller, Channel.PHONE, 2, Status.ASSIGNED)
    assert (ticket.service_unit, ticket.site, ticket.category) == (unit, site, category)
    page = agent_client.get(response["Location"]).content.decode()
    assert "INC-000001 raised." in page
    again = agent_client.post("/service-desk/tickets/add/", {
        "ticket_type": "incident", "requester": caller.pk, "title": "Scanner offline",
        "description": "Rang in.", "channel": "phone", "impact": "2", "urgency": "1",
        "submission_key": "k1"})  # the same form sent twice
    assert again["Location"] == detail(ticket) and Ticket.objects.count() == 1


def test_the_staff_form_shows_errors_and_saves_nothing(desk, agent_client):
    response = agent_client.post("/service-desk/tickets/add/", {
        "ticket_type": "incident", "requester": desk.requester_person.pk, "title": "",
        "description": "", "channel": "phone", "impact": "3", "urgency": "3"})
    assert response.status_code == 400
    assert "Error: Raise a ticket" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_requester_raises_an_incident_on_the_portal(desk, client):
    client.force_login(desk.requester)
    assert client.get("/service-desk/tickets/add/")["Location"] == "/service-desk/portal/new/"
    form = client.get("/service-desk/portal/new/").content.decode()
    for words in ("What do you need?", "Something is broken or not working",
                  "How much is it stopping your work?"):
        assert words in form
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', form).group(1)
    data = {"ticket_type": "incident", "title": "Cannot print payslips",
            "description": "The printer says offline.", "urgency": "1", "submission_key": key}
    response = client.post("/service-desk/portal/new/", data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/service-desk/portal/tickets/{ticket.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you. Your reference is INC-000001." in page
    assert "We have received it" in page
    assert (ticket.requester, ticket.channel, ticket.priority) == (
        desk.requester_person, Channel.PORTAL, 3)
    client.post("/service-desk/portal/new/", data)  # a double click
    assert Ticket.objects.count() == 1


def test_the_portal_form_says_what_is_missing(desk, client):
    client.force_login(desk.requester)
    response = client.post("/service-desk/portal/new/", {"ticket_type": "incident",
                                                         "urgency": "3"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Error: Ask for help" in body and "Describe the problem or what you need." in body
    assert not Ticket.objects.exists()


def test_the_portal_lists_open_and_closed_tickets_in_plain_words(desk, client):
    waiting = raise_incident(desk, title="Need a new mouse")
    services.change_status(waiting, status=Status.AWAITING_CUSTOMER, actor=desk.agent)
    done = raise_incident(desk, title="Old printer")
    services.resolve(done, actor=desk.agent, note="Fixed.")
    services.close(done, actor=desk.agent)
    client.force_login(desk.requester)
    page = client.get("/service-desk/portal/").content.decode()
    assert "We are waiting for a reply from you" in page
    assert "Recently closed" in page and "Old printer" in page


# --- query counts (no N+1) -----------------------------------------------------------------


def count_queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types, calendars, sessions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def make_varied_tickets(desk, count: int) -> None:
    """Tickets touching every related row the queue shows, each with its own."""
    for n in range(count):
        person = PersonFactory(organisation=desk.org,
                               service_unit=ServiceUnitFactory(organisation=desk.org),
                               site=SiteFactory(organisation=desk.org))
        ticket = raise_incident(desk, title=f"Fault {n}", requester=person,
                                category=CategoryFactory(organisation=desk.org),
                                team=desk.team, impact=1 + n % 3)
        if n % 2:
            services.assign(ticket, actor=desk.agent, team=desk.team, assignee=desk.lead)
        if n % 3 == 0:
            services.change_status(ticket, status=Status.AWAITING_CUSTOMER, actor=desk.agent)
        if n % 5 == 0:
            services.set_major_incident(ticket, actor=desk.agent)


@pytest.mark.parametrize("url", [f"{LIST}", f"{LIST}?queue=team",
                                 f"{LIST}?queue=all&priority=1&priority=2"])
def test_the_queue_page_makes_the_same_queries_for_5_and_30_tickets(desk, agent_client, url):
    make_varied_tickets(desk, 5)
    few = count_queries(agent_client, url)
    make_varied_tickets(desk, 25)
    assert Ticket.objects.count() == 30
    many = count_queries(agent_client, url)
    assert many == few, f"{few} queries for 5 tickets, {many} for 30"
    # Issue 16 added four: the saved views, the person's columns, the teams they may
    # share views with and the assignees offered by name.
    assert few <= 15, (f"the queue page now makes {few} queries (19 before issue 3's work, "
                       f"12–13 after, 14–15 with saved views)")


def test_the_ticket_page_makes_the_same_queries_for_5_and_30_timeline_entries(
    desk, agent_client
):
    ticket = raise_incident(desk, team=desk.team, assignee=desk.agent)
    major = raise_incident(desk, title="Major")
    services.set_major_incident(major, actor=desk.agent)
    people = [desk.agent, desk.lead]

    def grow(to: int):
        n = TimelineEntry.objects.filter(ticket=ticket).count()
        while n < to:
            actor = people[n % 2]
            if n % 3:
                services.reply(ticket, body=f"Reply {n}", actor=actor)
            else:
                services.add_note(ticket, body=f"Note {n}", actor=actor)
            n += 1

    def add_child(n):
        child = raise_incident(desk, title=f"Child {n}")
        services.link(child, other=ticket if ticket.is_major_incident else major, kind=LinkKind.RELATED_TO,
                      actor=desk.agent)
        services.link(ticket, other=child, kind=LinkKind.RELATED_TO, actor=desk.agent)

    grow(5)
    add_child(1)
    few = count_queries(agent_client, detail(ticket))
    grow(30)
    for n in range(2, 6):
        add_child(n)
    assert TimelineEntry.objects.filter(ticket=ticket).count() >= 30
    many = count_queries(agent_client, detail(ticket))
    assert many == few, f"{few} queries for 5 entries, {many} for 30"
    assert few <= 15, f"the ticket page now makes {few} queries (15 when this was written)"
    # And the portal page the requester sees.
    agent_client.force_login(desk.requester)
    portal = f"/service-desk/portal/tickets/{ticket.pk}/"
    first = count_queries(agent_client, portal)
    grow(40)
    assert count_queries(agent_client, portal) == first
