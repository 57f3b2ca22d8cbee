"""An agent links two incidents to a problem, records its workaround as a known error and
applies it on an incident's page; a requester starts to ask for help, is offered a public
article as they type, reads it and says it answered their question. axe-core on every
page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borough.knowledge.models import Article, Audience, Deflection
from borough.knowledge.models import Status as ArticleStatus
from borough.organisation.models import Person
from borough.problems.models import KnownErrorUse, Problem
from borough.servicedesk import services
from borough.servicedesk.models import EntryKind, TicketType, TimelineEntry
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)


def incident(desk, title):  # noqa: F811
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                 requester=desk.requester_person, title=title,
                                 description="It drops every few minutes in meetings.")


def test_an_agent_links_incidents_to_a_problem_and_applies_its_workaround(page, axe, desk):  # noqa: F811
    first = incident(desk, "Wi-Fi dropping in the council chamber")
    second = incident(desk, "No Wi-Fi during the planning committee")
    sign_in(page, desk.agent.username)

    page.goto(f"/service-desk/tickets/{first.pk}/")
    page.get_by_role("heading", name="Problem").wait_for()
    axe(page, "an incident with no problem")
    page.get_by_role("link", name="Raise a problem from this incident").click()
    assert first.reference in page.get_by_label("Incidents (optional)").input_value()
    page.get_by_label("Title").fill("Council chamber Wi-Fi drops")
    axe(page, "raising a problem from an incident")
    page.get_by_role("button", name="Save").click()
    problem = Problem.objects.get()
    page.get_by_role("heading", name="Linked incidents").wait_for()
    page.get_by_label("Incidents").fill(second.reference)
    axe(page, "the problem")
    page.get_by_role("button", name="Link incidents").click()
    page.get_by_text("Incidents linked.").wait_for()
    expect(page.get_by_role("link", name=second.reference)).to_be_visible()

    page.get_by_role("link", name="Record as a known error").click()
    page.get_by_label("Workaround").fill("Join CBC-Staff-5G instead of CBC-Staff.")
    axe(page, "recording the known error")
    page.get_by_role("button", name="Record as a known error").click()
    page.get_by_text("is a known error").wait_for()
    axe(page, "the known error problem")

    page.goto(f"/service-desk/tickets/{second.pk}/")
    page.get_by_text("Join CBC-Staff-5G instead of CBC-Staff.").first.wait_for()
    expect(page.get_by_role("link", name=problem.reference, exact=False).first).to_be_visible()
    page.locator("#known-error-suggestions").get_by_role("link").first.wait_for()
    axe(page, "an incident showing its problem's workaround")
    page.get_by_label("Send it to the requester as a reply").check()
    page.get_by_role("button", name="Apply the workaround").click()
    page.get_by_text("applied to").wait_for()
    axe(page, "the incident after the workaround was applied")
    assert TimelineEntry.objects.filter(ticket=second, kind=EntryKind.REPLY,
                                        body__contains="CBC-Staff-5G").exists()
    page.get_by_role("button", name="This fixed it").first.click()
    page.get_by_text("Recorded:").wait_for()
    assert KnownErrorUse.objects.get(ticket=second).fixed


def test_a_requester_reads_a_public_article_and_is_answered(page, axe, desk):  # noqa: F811
    owner = Person.objects.get(organisation=desk.org, user=desk.lead)
    article = Article.objects.create(
        organisation=desk.org, reference="KB-000001", title="Connecting to the staff Wi-Fi",
        summary="Join CBC-Staff with your council login.", audience=Audience.PUBLIC,
        status=ArticleStatus.PUBLISHED, owner=owner,
        body="Choose CBC-Staff.\n\nSign in with your council username and password.",
        keywords="wireless wifi", review_on=timezone.localdate() + datetime.timedelta(days=90))
    sign_in(page, desk.requester.username)
    page.goto("/service-desk/portal/new/")
    axe(page, "asking for help")
    page.get_by_label("In a few words, what is it about?").fill("My wifi keeps dropping")
    suggestion = page.locator("#article-suggestions").get_by_role(
        "link", name="Connecting to the staff Wi-Fi")
    suggestion.wait_for()
    axe(page, "asking for help, with an article suggested")
    suggestion.click()
    page.get_by_role("heading", name="Connecting to the staff Wi-Fi").wait_for()
    expect(page.get_by_text("Sign in with your council username")).to_be_visible()
    axe(page, "the public article")
    page.get_by_role("button", name="This answered my question").click()
    page.get_by_text("you do not need to ask for help").wait_for()
    deflection = Deflection.objects.get()
    assert deflection.article == article and "wifi" in deflection.words


def test_the_trend_and_figures_pages_read_well(page, axe, desk):  # noqa: F811
    from borough.problems.models import TrendRule
    from tests.factories import ConfigurationItemFactory

    ci = ConfigurationItemFactory(organisation=desk.org, name="WHV-AP-CHAMBER")
    TrendRule.objects.create(organisation=desk.org, name="Same item", min_incidents=2)
    for _ in range(2):
        services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                              requester=desk.requester_person, title="Wi-Fi drops",
                              description="Again.", ci=ci)
    sign_in(page, desk.lead.username)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto("/service-desk/problems/trends/")
        page.get_by_role("cell", name=str(ci), exact=True).wait_for()
        axe(page, f"incident trends at {width}")
        page.goto("/service-desk/problems/figures/")
        page.get_by_role("heading", name="Problems open").wait_for()
        axe(page, f"problem figures at {width}")
        page.goto("/service-desk/knowledge/help/")
        page.get_by_role("heading", name="Help articles").wait_for()
        axe(page, f"help articles at {width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
