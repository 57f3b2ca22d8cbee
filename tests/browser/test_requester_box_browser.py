"""The staff form's requester box in headless Chromium: suggestions appear as the agent
types, picking one raises the ticket for that person, and axe finds nothing wrong."""

from __future__ import annotations

import re

import pytest

from borough.servicedesk.models import Ticket
from tests.browser.signing_in import sign_in
from tests.factories import PersonFactory
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)



def test_the_agent_finds_the_caller_by_typing(page, axe, desk, org_b):  # noqa: F811
    caller = PersonFactory(organisation=desk.org, full_name="Carol Caller",
                           email="carol.caller@example.org")
    PersonFactory(organisation=org_b, full_name="Carol Elsewhere")
    sign_in(page, "agent")

    page.goto("/service-desk/tickets/add/")
    axe(page, "raise a ticket (staff form)")
    box = page.get_by_label("Requester")
    box.press_sequentially("carol", delay=50)
    suggestion = page.locator("#requester-suggestions option")
    suggestion.first.wait_for(state="attached")
    assert suggestion.count() == 1
    assert suggestion.first.get_attribute("value") == f"Carol Caller (#{caller.pk})"
    axe(page, "raise a ticket with suggestions")

    box.fill(f"Carol Caller (#{caller.pk})")  # what choosing the suggestion puts in the box
    page.get_by_label("Title").fill("Scanner offline")
    page.get_by_label("Description").fill("Rang in about the scanner.")
    page.get_by_role("button", name="Raise ticket").click()
    page.wait_for_url(re.compile(r".*/service-desk/tickets/\d+/$"))
    assert Ticket.objects.get().requester == caller
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
