"""A change's links to the problem whose permanent fix it makes (Change.problems, raised
from the problem's page) and to the incidents it caused (linked, or raised, from the
change's page): both pages, the API, and record ids from another organisation or forged
in the address refused in words, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.changes import models as m
from borough.changes import queries, services
from borough.problems.models import Status as ProblemStatus
from borough.servicedesk.models import Ticket, TicketType
from tests.changes.factories import ChangeFactory
from tests.problems.factories import ProblemFactory
from tests.servicedesk.factories import TicketFactory

pytestmark = pytest.mark.django_db


def errors(response) -> list[str]:
    """The error messages a form page shows, for a failed assertion to say."""
    import re

    found = re.findall(r'error-message[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return [re.sub(r"<[^>]+>", "", f).strip() for f in found]


@pytest.fixture
def problem(council):
    problem = ProblemFactory(organisation=council.org, title="Revenues slows every Monday",
                             root_cause="The index job overlaps the billing run.",
                             service=council.items["service"])
    problem.cis.set([council.items["server"]])
    return problem


# --- the permanent fix as a change ---------------------------------------------------------

def test_raising_the_permanent_fix_from_a_problem_links_it_on_both_pages(council, problem,
                                                                         signed_in):
    client = signed_in(council.users["manager"])
    page = client.get(problem.get_absolute_url()).content.decode()
    add = f"{reverse('changes:change_add')}?problem={problem.pk}"
    assert "Raise the permanent fix as a change" in page and add.replace("&", "&amp;") in page

    form = client.get(add)
    text = form.content.decode()
    assert form.status_code == 200
    assert f"Permanent fix for {problem.reference}: Revenues slows every Monday" in text
    assert "The index job overlaps the billing run." in text
    assert council.items["server"].reference in text
    assert f'value="{problem.pk}" selected' in text

    posted = client.post(reverse("changes:change_add"), {
        "title": f"Permanent fix for {problem.reference}", "change_type": "normal",
        "description": "Move the index job.", "configuration_items": "REVSRV01",
        "services": [council.items["service"].pk], "problems": [problem.pk],
        "submission_key": "fix-1"})
    assert posted.status_code == 302, errors(posted)
    change = m.Change.objects.get(title=f"Permanent fix for {problem.reference}")
    assert list(change.problems.all()) == [problem]

    change_page = client.get(change.get_absolute_url()).content.decode()
    assert "Problems it fixes" in change_page and problem.reference in change_page
    problem_page = client.get(problem.get_absolute_url()).content.decode()
    assert change.reference in problem_page and "Draft" in problem_page


def test_a_problem_from_another_council_or_forged_is_refused_in_words(council, problem,
                                                                      signed_in, org_b):
    theirs = ProblemFactory(organisation=org_b)
    client = signed_in(council.users["manager"])
    for asked in (theirs.pk, "x1", "", 10 ** 12):
        page = client.get(reverse("changes:change_add"), {"problem": asked})
        assert page.status_code == 400, asked
        assert "No problem you can read has the id" in page.content.decode()
        assert theirs.title not in page.content.decode()
    # Sent in the form anyway: refused as any unknown choice, nothing saved.
    posted = client.post(reverse("changes:change_add"), {
        "title": "Sneaky", "change_type": "normal", "problems": [theirs.pk],
        "submission_key": "fix-2"})
    assert posted.status_code == 400 and not m.Change.objects.filter(title="Sneaky").exists()


def test_the_api_links_problems_in_the_organisation_and_filters_by_them(council, problem,
                                                                        signed_in, org_b):
    api = signed_in(council.users["manager"], api=True)
    theirs = ProblemFactory(organisation=org_b)
    refused = api.post("/api/changes/changes/", {"title": "Fix", "problems": [theirs.pk]},
                       format="json")
    assert refused.status_code == 400 and "problems" in refused.json()
    made = api.post("/api/changes/changes/", {"title": "Fix", "problems": [problem.pk]},
                    format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["problems"] == [problem.pk]
    ChangeFactory(organisation=council.org, title="Unrelated")
    found = api.get("/api/changes/changes/", {"problem": problem.pk}).json()
    assert [c["title"] for c in found["results"]] == ["Fix"]
    # The problem's API record keeps what was typed before, read-only.
    record = api.get(f"/api/problems/problems/{problem.pk}/").json()
    assert record["change_note"] == "" and "change_reference" not in record


def test_the_problem_page_shows_the_note_kept_from_before(council, problem, signed_in):
    problem.change_note = "RFC 2231 (the old system)"
    problem.save(update_fields=["change_note"])
    page = signed_in(council.users["agent"]).get(problem.get_absolute_url()).content.decode()
    assert "RFC 2231 (the old system)" in page
    assert problem.status == ProblemStatus.LOGGED


# --- incidents caused by a change -----------------------------------------------------------

def test_linking_an_incident_it_caused_from_the_change_page(council, signed_in):
    change = council.change()
    incident = TicketFactory(organisation=council.org, title="Revenues will not open")
    client = signed_in(council.users["manager"])
    page = client.get(change.get_absolute_url()).content.decode()
    add = f"{reverse('changes:causedincident_add')}?change={change.pk}"
    assert add in page
    form = client.get(add)
    assert form.status_code == 200
    assert f'value="{change.pk}" selected' in form.content.decode()

    posted = client.post(reverse("changes:causedincident_add"), {
        "change": change.pk, "ticket": incident.pk, "note": "The restart broke it.",
        "submission_key": "link-1"})
    assert posted.status_code == 302, errors(posted)
    link = m.CausedIncident.objects.get()
    assert (link.change, link.ticket) == (change, incident)
    assert incident.reference in client.get(change.get_absolute_url()).content.decode()


def test_raising_a_new_incident_caused_by_the_change(council, signed_in):
    change = council.change()
    client = signed_in(council.users["agent"])
    data = {"change": change.pk, "new_title": "Council Tax screens are blank",
            "new_description": "Since the patch last night.", "submission_key": "new-1"}
    posted = client.post(reverse("changes:causedincident_add"), data)
    assert posted.status_code == 302, errors(posted)
    again = client.post(reverse("changes:causedincident_add"), data)  # sent twice
    assert again.status_code == 302
    link = m.CausedIncident.objects.get()
    ticket = link.ticket
    assert ticket.ticket_type == TicketType.INCIDENT and ticket.title == data["new_title"]
    assert ticket.service == council.items["service"]
    assert link.note == f"Raised from {change.reference}."
    assert Ticket.objects.filter(title=data["new_title"]).count() == 1


def test_a_change_manager_links_incidents_but_raises_none(council, signed_in):
    """The change manager role raises no tickets anywhere in Borough: the form offers them
    incidents already raised, and a forged new one is refused in words."""
    change = council.change()
    client = signed_in(council.users["manager"])
    form = client.get(reverse("changes:causedincident_add"), {"change": change.pk})
    assert form.status_code == 200 and "Or raise a new incident" not in form.content.decode()
    page = client.post(reverse("changes:causedincident_add"), {
        "change": change.pk, "new_title": "Blank screens", "new_description": "Since then."})
    assert page.status_code == 400
    assert errors(page) == ["Error: Choose the incident it caused."]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({}, "Choose the incident it caused"),
    ({"new_title": "Blank screens"}, "Say what happened"),
])
def test_an_incident_is_chosen_or_raised(council, signed_in, data, field):
    change = council.change()
    page = signed_in(council.users["agent"]).post(
        reverse("changes:causedincident_add"), {"change": change.pk, **data})
    assert page.status_code == 400 and field in page.content.decode()
    assert not m.CausedIncident.objects.exists()


def test_a_change_or_incident_of_another_council_is_refused(council, signed_in, org_b):
    theirs = ChangeFactory(organisation=org_b, title="Their secret change")
    their_incident = TicketFactory(organisation=org_b, title="Their secret incident")
    client = signed_in(council.users["manager"])
    for asked in (theirs.pk, "abc", "-1", ""):
        page = client.get(reverse("changes:causedincident_add"), {"change": asked})
        text = page.content.decode()
        assert page.status_code == 400, asked
        assert "No change you can read has the id" in text
        assert "Their secret change" not in text
    mine = council.change()
    for data in ({"change": theirs.pk, "ticket": TicketFactory(organisation=council.org).pk},
                 {"change": mine.pk, "ticket": their_incident.pk},
                 {"change": mine.pk, "ticket": their_incident.reference}):
        page = client.post(reverse("changes:causedincident_add"),
                           {**data, "submission_key": str(data)})
        assert page.status_code == 400, data
    assert not m.CausedIncident.objects.exists()
    # Through the API, the same.
    api = signed_in(council.users["manager"], api=True)
    assert api.post("/api/changes/incidents-caused-by-changes/", {
        "change": theirs.pk, "ticket": TicketFactory(organisation=council.org).pk},
        format="json").status_code == 400


def test_a_requester_may_not_link_incidents_to_changes(council, signed_in):
    change = council.change()
    page = signed_in(council.users["requester"]).get(
        reverse("changes:causedincident_add"), {"change": change.pk})
    assert page.status_code == 403


def test_the_figures_count_the_changes_causing_incidents(council, signed_in):
    change = council.with_board(council.change())
    for key in ("cab1", "cab2"):
        services.vote(change, actor=council.users[key], decision="approve")
    change.refresh_from_db()
    for step, fields in ((services.authorise, {}), (services.start, {}),
                         (services.complete, {"outcome": "successful", "note": "Done."})):
        step(change, actor=council.users["chair"], **fields)
        change.refresh_from_db()
    for title in ("Blank screens", "Slow searches"):
        services.link_caused_incident(change, actor=council.users["agent"], title=title,
                                      description="Since the change.")
    now = timezone.now()
    figures = queries.figures(m.Change.objects.visible_to(council.users["lead"]),
                              now - datetime.timedelta(days=365), now)
    assert (figures.finished, figures.causing_incidents, figures.incidents_caused) == (1, 1, 2)
    page = signed_in(council.users["lead"]).get(reverse("changes:figures")).content.decode()
    assert "1 of 1 finished caused 2 incidents" in page
