"""The home page of the people the desk serves: a requester is shown how to ask for help
and their open requests; an agent their queues and teams, each count the number of
tickets its link lists; the same number of queries with 1 ticket or 30."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from borough.servicedesk.models import Status
from tests.factories import PersonFactory, TicketFactory

pytestmark = pytest.mark.django_db


def home(client) -> str:
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def queue_rows(html: str) -> dict[str, tuple[int, str]]:
    """Label -> (count, link) of the agent's queue table."""
    rows = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+?)(?: <span[^>]*>'
                      r'[^<]*</span>)?</th>\s*<td[^>]*><a class="govuk-link" href="([^"]+)"'
                      r'[^>]*>(\d+)</a>', html)
    return {unescape(label.strip()): (int(count), unescape(href))
            for label, href, count in rows}


def listed(client, url: str) -> int:
    """The count the queue page gives for `url`."""
    html = client.get(url).content.decode()
    return int(re.search(r": (\d+) tickets?</h2>", html).group(1))


def test_a_requester_is_shown_how_to_ask_for_help_and_their_open_requests(desk, signed_in):
    mine = TicketFactory(organisation=desk.org, requester=desk.requester_person,
                         title="Printer jams on every page")
    TicketFactory(organisation=desk.org, requester=desk.requester_person, title="Old one",
                  status=Status.CLOSED)
    TicketFactory(organisation=desk.org, title="Someone else's")
    html = home(signed_in(desk.requester))

    assert "Get IT help" in html
    assert f'href="{reverse("servicedesk:portal_new")}"' in html
    assert "Your open requests: 1" in html
    assert mine.reference in html and mine.plain_status in html
    assert "Old one" not in html and "Someone else" not in html
    assert "Your work" not in html  # the agent's panel is not for them


def test_an_agents_counts_are_what_their_links_list(desk, signed_in):
    other = PersonFactory(organisation=desk.org)
    now = timezone.now()
    TicketFactory(organisation=desk.org, assignee=desk.agent, team=desk.team,
                  status=Status.ASSIGNED, resolution_due_at=now + timedelta(hours=1))
    TicketFactory(organisation=desk.org, team=desk.team, requester=other)
    TicketFactory(organisation=desk.org, team=desk.team, status=Status.RESOLVED)
    TicketFactory(organisation=desk.org, requester=other)  # no team, unassigned
    client = signed_in(desk.agent)
    html = home(client)

    rows = queue_rows(html)
    assert rows["My tickets"][0] == 1
    assert rows["My teams' queue"][0] == 2
    assert rows["Unassigned"][0] == 2
    assert rows["Breaching soon"][0] == 1
    for count, url in rows.values():
        assert listed(client, url) == count
    team_links = re.findall(r'href="([^"]+team=\d+)"[^>]*>(\d+)</a>', html)
    assert [int(n) for _, n in team_links] == [2, 1]  # Service Desk: open, unassigned
    for url, count in team_links:
        assert listed(client, unescape(url)) == int(count)
    assert "Get IT help" not in html


def test_another_organisations_tickets_are_not_counted(desk, signed_in, org_b):
    TicketFactory(organisation=org_b)
    TicketFactory(organisation=desk.org)
    rows = queue_rows(home(signed_in(desk.agent)))
    assert rows["Unassigned"][0] == 1


@pytest.mark.parametrize("who", ["agent", "lead", "requester"])
def test_the_home_page_costs_the_same_with_one_ticket_or_thirty(desk, signed_in, who):
    user = getattr(desk, who)
    client = signed_in(user)

    def queries() -> int:
        home(client)  # warm the per-process caches (menus, configuration)
        with CaptureQueriesContext(connection) as captured:
            home(client)
        return len(captured)

    TicketFactory(organisation=desk.org, requester=desk.requester_person, team=desk.team)
    one = queries()
    for _ in range(29):
        TicketFactory(organisation=desk.org, requester=desk.requester_person,
                      team=desk.team, assignee=desk.agent)
    assert queries() == one


def test_a_team_lead_sees_each_members_load_and_what_is_past_its_target(desk, signed_in):
    now = timezone.now()
    TicketFactory(organisation=desk.org, team=desk.team, assignee=desk.agent,
                  status=Status.ASSIGNED)
    TicketFactory(organisation=desk.org, team=desk.team, assignee=desk.agent,
                  status=Status.IN_PROGRESS, resolution_due_at=now - timedelta(hours=1))
    TicketFactory(organisation=desk.org, team=desk.team)  # no one yet
    TicketFactory(organisation=desk.org)  # another team's (none)
    client = signed_in(desk.lead)
    html = home(client)

    assert "Service Desk: open tickets per member" in html
    figures = {unescape(label): (int(n), unescape(url)) for url, label, n in re.findall(
        r'href="([^"]+)" aria-label="\d+ ([^"]+)">(\d+)</a>', html)}
    agent_name = desk.agent.username.title()
    assert figures[f"open tickets of {agent_name}"][0] == 2
    assert figures[f"tickets of {agent_name} past their SLA target"][0] == 1
    assert figures["unassigned tickets of Service Desk"][0] == 1
    for count, url in figures.values():
        assert listed(client, url) == count, url
    assert "Your work" in html  # a lead works tickets too: both panels, the lead's first
    assert html.index("open tickets per member") < html.index("Your work")


def test_an_agent_who_leads_no_team_gets_no_team_lead_panel(desk, signed_in):
    assert "open tickets per member" not in home(signed_in(desk.agent))
