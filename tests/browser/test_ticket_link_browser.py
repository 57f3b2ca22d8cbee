"""The page a requester's resolved email links to, in headless Chromium with axe: no
login, rate the fix, then confirm it; an altered link is a plain 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.organisation.models import Person
from borough.servicedesk import links, services
from borough.servicedesk.models import Satisfaction, Status
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_requester_without_a_login_rates_and_confirms_from_the_email(
    page, axe, screenshot, desk,  # noqa: F811 - imported fixture
):
    sam = Person.objects.create(organisation=desk.org, full_name="Sam Stranger",
                                email="sam@elsewhere.example")
    ticket = services.raise_ticket(desk.org.pk, actor=None, ticket_type="incident", title="Scanner offline",
                                   description="The scanner on floor 3 is offline.", requester=sam,
                                   channel="email")
    services.resolve(ticket, actor=desk.agent, note="Restarted the scan server.")
    url = reverse("servicedesk:requester_link", args=[links.token_for(ticket, sam)])

    page.goto(url + "#rate")
    assert page.get_by_role("heading", level=1).inner_text() == "Scanner offline"
    assert "Restarted the scan server." in page.inner_text("main")
    axe(page, "the requester's ticket, resolved")
    screenshot("resolved")
    page.get_by_label("4 – Satisfied").check()
    page.get_by_label("Anything you would like to tell us?").fill("Quick, thanks")
    page.get_by_role("button", name="Send feedback").click()
    assert "Thank you for your feedback." in page.inner_text("main")
    page.get_by_role("button", name="Yes, it is fixed").click()
    assert "The ticket is closed." in page.inner_text("main")
    axe(page, "the requester's ticket, closed")
    screenshot("closed")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert Satisfaction.objects.get(ticket=ticket).score == 4

    response = page.goto(url[:-3] + "xx/")
    assert response.status == 404
    axe(page, "an altered link")
