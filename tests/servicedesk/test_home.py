"""The home page of the people the desk serves: a requester is shown how to ask for help
and their open requests; an agent their queues and teams, each count the number of
tickets its link lists; the same number of queries with 1 ticket or 30."""

from __future__ import annotations

import re
from datetime import date, timedelta
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


@pytest.mark.parametrize("who", ["agent", "lead", "requester", "manager"])
def test_the_home_page_costs_the_same_with_one_ticket_or_thirty(desk, signed_in, who):
    from borough.core import roles
    from tests.conftest import make_member

    user = (make_member(desk.org, roles.ICT_MANAGER, "manager") if who == "manager"
            else getattr(desk, who))
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


def test_an_ict_manager_sees_the_month_against_each_prioritys_target(org_a, signed_in):
    import time_machine

    from borough.core import roles
    from borough.servicedesk import statistics
    from borough.servicedesk.models import SLAPolicy
    from tests.conftest import make_member
    from tests.servicedesk.test_statistics import at, make_ticket, rate, working_week

    working_week(org_a)
    SLAPolicy.objects.create(organisation=org_a, name="P2", priority=2, response_minutes=60,
                             resolution_minutes=480, compliance_target=80)
    SLAPolicy.objects.create(organisation=org_a, name="P3", priority=3, response_minutes=60,
                             resolution_minutes=480, compliance_target=95)
    manager = make_member(org_a, roles.ICT_MANAGER, "manager")
    person = PersonFactory(organisation=org_a)
    with time_machine.travel(at(14, 12), tick=False):
        for day, breached in ((3, False), (4, False), (5, False), (6, True)):
            make_ticket(org_a, person, created=at(day, 9), responded=at(day, 9, 30),
                        resolved=at(day, 11), priority=2, breached=breached)
        rated = make_ticket(org_a, person, created=at(7, 9), responded=at(7, 9, 10),
                            resolved=at(7, 10), priority=3)
        rate(rated, 4, at(7, 12))
        make_ticket(org_a, person, created=at(12, 9), priority=3)  # open
        make_ticket(org_a, person, created=at(20, 9, month=2), resolved=at(21, 9, month=2),
                    responded=at(20, 9, 5, month=2), priority=2)  # last month: not counted
        client = signed_in(manager)
        html = unescape(home(client))

        assert "Resolved within their SLA, 1 Mar 2025 to 14 Mar 2025" in html
        p2 = html[html.index("P2 – High"):html.index("P3 – Medium")]
        assert "75.0%" in p2 and "(3 of 4)" in p2 and "80%" in p2 and "Below target" in p2
        p3 = html[html.index("P3 – Medium"):html.index("P4 – Low")]
        assert "100.0%" in p3 and "95%" in p3 and "Met" in p3
        p1 = html[html.index("P1 – Critical"):html.index("P2 – High")]
        assert "None resolved" in p1
        assert 'aria-label="1 open tickets"' in html
        assert "4.00 out of 5</a> from 1 rating" in html
        # The statistics page the figures link to gives the same month.
        stats = statistics.compute(manager, statistics.Period(date(2025, 3, 1), date(2025, 3, 14)))
        headline = dict(stats.headlines)["Resolved within SLA"]
        assert headline.startswith("80.0%") or headline.startswith("80%")


def test_an_agent_gets_no_managers_panel(desk, signed_in):
    assert "Resolved within their SLA" not in home(signed_in(desk.agent))


def test_an_agent_sees_what_requesters_answered_last(desk, signed_in):
    from borough.servicedesk import services
    from borough.servicedesk.models import TicketType

    def raised(title):
        ticket = services.raise_ticket(desk.org.pk, actor=desk.agent,
                                       ticket_type=TicketType.INCIDENT, title=title,
                                       description="It broke.", requester=desk.requester_person,
                                       team=desk.team, assignee=desk.agent)
        services.reply(ticket, actor=desk.agent, body="Which one?")
        return ticket

    theirs = raised("Printer offline")
    services.reply(theirs, actor=desk.requester, body="The one by the lifts.")
    answered_again = raised("Scanner offline")
    services.reply(answered_again, actor=desk.requester, body="Floor 2.")
    services.reply(answered_again, actor=desk.agent, body="On my way.")
    raised("Phone dead")  # no answer yet

    html = home(signed_in(desk.agent))
    section = html[html.index("Answered by the requester"):html.index("Your teams")]
    assert theirs.reference in section
    assert answered_again.reference not in section  # the agent spoke last
    assert "Phone dead" not in section
