"""Problem management's pages: the ticket page's panel (linking, the workaround applied,
its cost in queries), the known errors a ticket suggests, the trends that propose
problems, the API's actions by role, and the figures."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from borough.problems import services
from borough.problems.models import KnownError, Problem, Status, TrendRule
from borough.servicedesk import services as desk_services
from borough.servicedesk.models import EntryKind, TimelineEntry
from tests.factories import (
    ConfigurationItemFactory,
    KnownErrorFactory,
    OrganisationFactory,
    TrendRuleFactory,
)
from tests.problems.conftest import raise_incident

pytestmark = pytest.mark.django_db


def ticket_url(ticket) -> str:
    return reverse("servicedesk:ticket_detail", args=[ticket.pk])


def queries_of(client, url) -> tuple[int, str]:
    client.get(url)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    return len(captured), page


def test_the_ticket_page_links_an_incident_and_applies_the_workaround(desk, signed_in):
    client = signed_in(desk.agent)
    incident, other = raise_incident(desk), raise_incident(desk)
    problem = services.raise_problem(Problem(organisation_id=desk.org.pk, title="Chamber Wi-Fi"),
                                     actor=desk.agent, incidents=[other])
    services.record_known_error(problem, actor=desk.agent,
                                workaround="Join CBC-Staff-5G instead.")
    unlinked, page = queries_of(client, ticket_url(incident))
    assert "Link to a problem" in page and "Raise a problem from this incident" in page
    response = client.post(reverse("problems:ticket_link", args=[incident.pk]),
                           {"problem": problem.reference.lower()})
    assert response.url == ticket_url(incident)
    linked, page = queries_of(client, ticket_url(incident))
    assert "Join CBC-Staff-5G instead." in page and "Apply the workaround" in page
    # The panel costs nothing on an incident with no problem, one query with one.
    assert linked == unlinked + 1
    known = KnownError.objects.get(problem=problem)
    response = client.post(reverse("problems:knownerror_apply", args=[known.pk]),
                           {"ticket": incident.pk, "send_to_requester": "on"})
    assert response.url == ticket_url(incident)
    reply = TimelineEntry.objects.filter(ticket=incident, kind=EntryKind.REPLY).last()
    assert reply.body == "Join CBC-Staff-5G instead."
    client.post(reverse("problems:knownerror_fixed_it", args=[known.pk]),
                {"ticket": incident.pk, "fixed": "yes"})
    known.refresh_from_db()
    assert known.fixed_count == 1


def test_a_wrong_problem_reference_is_said_and_links_nothing(desk, signed_in):
    client = signed_in(desk.agent)
    incident = raise_incident(desk)
    response = client.post(reverse("problems:ticket_link", args=[incident.pk]),
                           {"problem": "PRB-999999"}, follow=True)
    assert "No problem has the reference PRB-999999" in response.content.decode()
    assert not Problem.objects.exists()


def test_suggested_known_errors_put_the_tickets_ci_first_and_keep_to_the_council(
        desk, signed_in):
    ci = ConfigurationItemFactory(organisation=desk.org)
    ticket = raise_incident(desk, title="Printer jams on every page", ci=ci)
    by_words = KnownErrorFactory(organisation=desk.org, title="Printer jams with thick paper",
                                 symptoms="Paper jams in tray 2.")
    by_ci = KnownErrorFactory(organisation=desk.org, title="Firmware fault", ci=ci,
                              symptoms="Restarts by itself.")
    KnownErrorFactory(organisation=desk.org, title="Unrelated VPN fault", symptoms="VPN.")
    KnownErrorFactory(organisation=desk.org, title="Printer retired fault", is_active=False)
    KnownErrorFactory(organisation=OrganisationFactory(code="oth", name="Other"),
                      title="Printer jams elsewhere")
    url = f"{reverse('problems:suggested')}?ticket={ticket.pk}"
    body = signed_in(desk.agent).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body
    assert body.index(by_ci.reference) < body.index(by_words.reference)
    assert "Unrelated" not in body and "retired" not in body and "elsewhere" not in body
    assert signed_in(desk.requester).get(url).status_code in (403, 404)


def test_the_trend_page_proposes_a_problem_and_raises_it(desk, signed_in):
    ci = ConfigurationItemFactory(organisation=desk.org, name="WHV-AP-CHAMBER")
    TrendRuleFactory(organisation=desk.org, name="Same item", min_incidents=3)
    incidents = [raise_incident(desk, ci=ci) for _ in range(3)]
    raise_incident(desk, ci=ConfigurationItemFactory(organisation=desk.org))  # only one
    client = signed_in(desk.agent)
    page = client.get(reverse("problems:trends")).content.decode()
    assert "WHV-AP-CHAMBER" in page and "Raise a problem" in page
    rule = TrendRule.objects.get(name="Same item")
    response = client.post(reverse("problems:trend_raise"),
                           {"rule": rule.pk, "key": ci.pk, "submission_key": "t1"})
    problem = Problem.objects.get()
    assert response.url == problem.get_absolute_url()
    assert problem.origin == "trend" and list(problem.cis.all()) == [ci]
    assert set(problem.incidents.values_list("ticket_id", flat=True)) == {
        t.pk for t in incidents}
    assert "All linked" in client.get(reverse("problems:trends")).content.decode()


def test_the_api_moves_a_problem_for_those_who_work_problems_only(desk, auditor, signed_in):
    problem = services.raise_problem(Problem(organisation_id=desk.org.pk, title="Slow VPN"),
                                     actor=desk.agent)
    incident = raise_incident(desk)
    url = f"/api/problems/problems/{problem.pk}/"
    refused = signed_in(auditor, api=True).post(f"{url}investigate/", {}, format="json")
    assert refused.status_code == 403
    agent = signed_in(desk.agent, api=True)
    assert agent.post(f"{url}investigate/", {"note": "Looking"}, format="json").status_code == 200
    linked = agent.post(f"{url}link-incidents/", {"incidents": incident.reference},
                        format="json")
    assert linked.status_code == 200, linked.content
    assert agent.get(url).json()["incidents"] == [incident.reference]
    wrong = agent.post(f"{url}link-incidents/", {"incidents": "INC-999999"}, format="json")
    assert wrong.status_code == 400 and "INC-999999" in str(wrong.json())
    assert Problem.objects.get().status == Status.INVESTIGATING


def test_the_figures_count_incidents_reopened_after_the_fix(desk, signed_in):
    incident = raise_incident(desk)
    problem = services.raise_problem(Problem(
        organisation_id=desk.org.pk, title="Drops", root_cause="Firmware",
        cause_category=None), actor=desk.agent, incidents=[incident])
    from tests.factories import CauseCategoryFactory

    problem.cause_category = CauseCategoryFactory(organisation=desk.org)
    problem.save()
    problem = services.investigate(problem, actor=desk.agent)
    services.resolve(problem, actor=desk.agent, note="Firmware updated.",
                     resolve_incidents=True)
    incident.refresh_from_db()
    desk_services.reopen(incident, actor=desk.agent, reason="Dropped again today.")
    page = signed_in(desk.agent).get(reverse("problems:figures")).content.decode()
    assert "1 of the 1 incidents linked to resolved problems were reopened" in page
    assert problem.reference in page
