"""The action plan in headless Chromium: keyboard-reachable forms, no CSP errors, and
axe-core on the plan (each grouping), an action page, the add form and the review form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.standards.models import Action, ActionUpdate
from tests.browser.signing_in import sign_in
from tests.standards.actions.conftest import _today, new_action, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)





def test_manager_and_owner_journey(world, new_action, page, axe):  # noqa: F811
    late = new_action(title="Agree SLAs with every service unit")
    Action.objects.filter(pk=late.pk).update(due_on="2026-10-31")
    new_action(title="Survey customers", owner=world.other_person)
    sign_in(page, "manager")
    for group in ("theme", "owner", "due"):
        page.goto(f"/standards/actions/?group={group}")
        expect(page.get_by_text("Overdue", exact=True).first).to_be_visible()
        axe(page, f"action plan by {group}")
    page.goto("/standards/actions/add/")
    axe(page, "add an action")
    page.get_by_label("Title").fill("Run a skills audit")
    page.get_by_label("Due date").fill("2027-02-01")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/standards/actions/\d+/$"))
    expect(page.get_by_role("heading", name="Run a skills audit")).to_be_visible()
    axe(page, "action page (manager)")
    page.goto("/standards/reviews/add/?report=servicedesk-statistics")
    axe(page, "record a review")

    owner = page.context.browser.new_context(base_url=page.url.split("/standards")[0]).new_page()
    owner_errors: list[str] = []
    owner.on("console", lambda m: owner_errors.append(m.text) if m.type == "error" else None)
    sign_in(owner, "owner")
    owner.goto(f"/standards/actions/{late.pk}/")
    axe(owner, "action page (owner)")
    owner.get_by_label("Progress note").fill("Met Finance; draft agreed.")
    owner.get_by_label("Amber").check()
    owner.get_by_label("Status").select_option("in-progress")
    owner.get_by_role("button", name="Add progress note").press("Enter")
    owner.wait_for_url(re.compile(rf".*/standards/actions/{late.pk}/$"))
    expect(owner.get_by_text("Met Finance; draft agreed.")).to_be_visible()
    axe(owner, "action page after a note")
    assert ActionUpdate.objects.filter(action=late, rag="amber").exists()
    assert not [e for e in page.csp_errors + owner_errors if "Content Security Policy" in e]
    owner.context.close()


def test_the_plan_reads_on_a_phone(world, new_action, page, axe):  # noqa: F811
    new_action(title="Agree SLAs with every service unit, one by one, in writing")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "manager")
    for group in ("theme", "owner", "due"):
        page.goto(f"/standards/actions/?group={group}")
        # Wide tables scroll inside their own box; the page itself never sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, group
        axe(page, f"action plan by {group} on a phone")
