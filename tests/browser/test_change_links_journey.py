"""An ICT manager raises a problem's permanent fix as a change from the problem's page
(the form filled in from the problem), sees the link on both pages, then links an
incident the change caused by raising it from the change's page. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.changes import models as m
from tests.browser.signing_in import sign_in
from tests.changes.world import copeland
from tests.problems.factories import ProblemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_problems_fix_is_raised_as_a_change_which_then_causes_an_incident(page, axe, org_a):
    council = copeland(org_a)
    problem = ProblemFactory(organisation=org_a, title="Revenues slows every Monday",
                             root_cause="The index job overlaps the billing run.",
                             service=council.items["service"])

    sign_in(page, council.users["chair"].username)
    page.goto(problem.get_absolute_url())
    page.get_by_role("heading", name="The permanent fix as a change").wait_for()
    axe(page, "the problem with its changes panel")
    page.get_by_role("link", name="Raise the permanent fix as a change").click()
    title = page.get_by_label("Title")
    title.wait_for()
    assert title.input_value() == (f"Permanent fix for {problem.reference}: Revenues "
                                   "slows every Monday")
    axe(page, "the change form filled in from the problem")
    page.get_by_label("What will be done").fill("Move the index job to Sunday night.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Problems it fixes").wait_for()
    change = m.Change.objects.get(problems=problem)
    assert problem.reference in page.locator("#problem-list").inner_text()
    expect(page.get_by_role("heading", name="Service status")).to_be_visible()
    axe(page, "the change with the problem it fixes")

    page.goto(problem.get_absolute_url())
    assert change.reference in page.locator("#fix-change-list").inner_text()
    assert "Draft" in page.locator("#fix-change-list").inner_text()

    page.goto(change.get_absolute_url())
    page.get_by_role("link", name="Link an incident it caused").click()
    page.get_by_label("Or raise a new incident: what is wrong").fill(
        "Council Tax search is slow")
    page.get_by_label("What happened").fill("Since the index job moved.")
    axe(page, "linking an incident the change caused")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("saved").first.wait_for()
    link = m.CausedIncident.objects.get(change=change)
    page.goto(change.get_absolute_url())
    assert link.ticket.reference in page.locator("#incidents + ul").inner_text()
