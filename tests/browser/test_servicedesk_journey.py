"""A requester raises an incident, an agent picks it up, replies and resolves it, and the
requester confirms and rates it — in headless Chromium, with axe-core on every page."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from borough.servicedesk.models import Satisfaction, Status, Ticket
from tests.browser.choosing import choose_person
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.csp_errors = errors
    return page


def shoot(page, request, name: str) -> None:
    folder = os.path.join(os.getcwd(), "var", "screenshots")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"{request.node.name}-{name}.png"), full_page=True)




def no_csp_errors(page) -> None:
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


def test_raise_pick_up_reply_resolve_confirm_and_rate(
    page, browser, live_server, axe, screenshot, request, desk,  # noqa: F811 - imported fixture
):
    desk.agent.first_name, desk.agent.last_name = "Alex", "Agent"
    desk.agent.save()
    desk.requester.first_name, desk.requester.last_name = "Rita", "Requester"
    desk.requester.save()

    # --- the requester raises an incident through the portal, by labels and keyboard ---
    sign_in(page, "requester", axe=axe)
    page.goto("/service-desk/portal/")
    axe(page, "portal home (empty)")
    page.get_by_role("link", name="Ask for help").click()
    page.wait_for_url("**/service-desk/portal/new/")
    axe(page, "portal form")
    page.get_by_label("Something is broken or not working").focus()
    page.keyboard.press("Space")
    page.get_by_label("In a few words, what is it about?").fill("Cannot print payslips")
    page.get_by_label("Tell us more").fill("The Finance printer says it is offline.\n"
                                          "Three of us need it today.")
    page.get_by_label("I can work, but slowly").check()
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/service-desk/portal/tickets/\d+/$"))
    expect(page.get_by_text("Thank you. Your reference is INC-000001.")).to_be_visible()
    expect(page.get_by_text("We have received it")).to_be_visible()
    axe(page, "portal ticket (new)")
    screenshot("portal-ticket-raised")
    no_csp_errors(page)

    # --- an agent finds it in the Unassigned queue and works it without reloading ---
    agent = new_page(browser, live_server)
    sign_in(agent, "agent", axe=axe)
    agent.goto("/service-desk/tickets/")
    axe(agent, "queue (default)")
    agent.get_by_role("link", name="Unassigned").click()
    agent.wait_for_url("**/service-desk/tickets/?queue=unassigned")
    axe(agent, "unassigned queue")
    expect(agent.get_by_role("heading", name="Unassigned: 1 ticket")).to_be_visible()
    shoot(agent, request, "queue-unassigned")
    agent.get_by_role("link", name="INC-000001").click()
    agent.wait_for_url(re.compile(r".*/service-desk/tickets/\d+/$"))
    ticket_url = agent.url
    expect(agent.get_by_role("heading", name="Cannot print payslips")).to_be_visible()
    axe(agent, "ticket page")
    agent.evaluate("window.boroughJourneyMarker = 'still here'")

    choose_person(agent, "Assignee", "Alex Agent")
    agent.get_by_role("button", name="Update ticket").click()
    agent.get_by_text("Ticket updated: assignment.").wait_for()
    assert agent.url == ticket_url
    expect(agent.get_by_text("Assigned to Alex Agent")).to_be_visible()
    axe(agent, "ticket page after assigning")

    assert agent.get_by_label("Reply to Rita Requester").is_checked()  # the default
    agent.get_by_label("Message").fill("I am on my way with a new cable.")
    agent.get_by_role("button", name="Send", exact=True).click()
    agent.get_by_text("Reply sent.").wait_for()
    assert agent.url == ticket_url
    assert agent.evaluate("window.boroughJourneyMarker") == "still here"  # no full reload
    expect(agent.locator("#timeline + ol").get_by_text(
        "I am on my way with a new cable.")).to_be_visible()
    axe(agent, "ticket page after replying")

    agent.get_by_label("How was it resolved?").fill("Replaced the network cable.")
    agent.get_by_role("button", name="Resolve").click()
    agent.get_by_text("Ticket resolved.").wait_for()
    assert agent.url == ticket_url
    assert agent.evaluate("window.boroughJourneyMarker") == "still here"
    expect(agent.get_by_role("button", name="Close")).to_be_visible()
    axe(agent, "ticket page after resolving")
    shoot(agent, request, "ticket-resolved")
    no_csp_errors(agent)
    agent.context.close()

    ticket = Ticket.objects.get()
    assert ticket.status == Status.RESOLVED and ticket.assignee == desk.agent
    assert ticket.responded_at is not None

    # --- the requester signs in again, confirms the fix and rates it ---
    again = new_page(browser, live_server)
    sign_in(again, "requester", axe=axe)
    again.goto("/service-desk/portal/")
    axe(again, "portal home (resolved)")
    again.get_by_role("link", name="INC-000001").click()
    again.wait_for_url(f"**/service-desk/portal/tickets/{ticket.pk}/")
    expect(again.get_by_text("We think it is fixed – please confirm")).to_be_visible()
    expect(again.get_by_text("I am on my way with a new cable.")).to_be_visible()
    axe(again, "portal ticket (resolved)")
    again.get_by_role("button", name="Yes, it is fixed").click()
    again.get_by_text("Thank you for confirming. The ticket is closed.").wait_for()
    axe(again, "portal ticket (closed)")
    again.get_by_label("5 – Very satisfied").check()
    again.get_by_label("Anything you would like to tell us?").fill("Quick and friendly.")
    again.get_by_role("button", name="Send feedback").click()
    again.get_by_text("Thank you: you rated this 5 out of 5.").wait_for()
    axe(again, "portal ticket (rated)")
    shoot(again, request, "portal-ticket-rated")
    no_csp_errors(again)
    again.context.close()

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    rating = Satisfaction.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (5, "Quick and friendly.")
