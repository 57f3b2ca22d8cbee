"""The agent queue as a workspace: at 1280×800 the first screen holds at least 15
tickets with every column a person needs and the SLA column whole; the filters are
closed until asked for, and what is applied shows as tags that each remove one; the
queue is worked without loading the page again (htmx swaps its content in)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.servicedesk.models import Status
from tests.browser.signing_in import sign_in
from tests.factories import ServiceUnitFactory, TicketFactory
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifteen_tickets_fill_the_first_screen(page, axe, screenshot, desk):  # noqa: F811
    unit = ServiceUnitFactory(organisation=desk.org, name="Revenues and Benefits")
    for n in range(30):
        TicketFactory(organisation=desk.org, team=desk.team, service_unit=unit,
                      assignee=desk.agent if n % 2 else None, status=Status.IN_PROGRESS,
                      title=f"Ticket {n} about a printer that jams on every page it prints")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "agent")
    page.goto("/service-desk/tickets/")
    rows = page.locator(".borough-queue tbody tr")
    visible = page.evaluate("""() => [...document.querySelectorAll('.borough-queue tbody tr')]
        .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length""")
    screenshot("queue-first-screen")
    assert visible >= 15
    for header in ("Reference", "Summary", "Requester", "Priority", "Status", "Assigned to",
                   "SLA due"):
        cell = page.get_by_role("columnheader", name=header)
        box = cell.bounding_box()
        assert box and box["x"] + box["width"] <= 1280 - 40, header  # inside the page margin
    assert rows.count() == 25
    axe(page, "queue")
    screenshot("queue")


def test_filters_open_on_request_and_come_off_one_at_a_time(page, axe, desk):  # noqa: F811
    TicketFactory(organisation=desk.org, status=Status.NEW, title="Printer on fire",
                  priority=1)
    TicketFactory(organisation=desk.org, status=Status.IN_PROGRESS, title="Slow laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "agent")
    page.goto("/service-desk/tickets/")
    apply = page.get_by_role("button", name="Apply filters")
    assert not apply.is_visible()  # closed until asked for
    page.get_by_text("Filter tickets").click()
    page.get_by_role("group", name="Status").get_by_label("New").check()
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    apply.click()
    tag = page.get_by_role("link", name="Remove this filter: Status: New")
    expect(tag).to_be_visible()
    assert "Printer on fire" in page.content() and "Slow laptop" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe(page, "queue with a filter applied, on a phone")
    tag.click()  # the queue swaps its content in place (htmx): wait for what it shows
    expect(page.get_by_text("Slow laptop")).to_be_visible()
    assert page.evaluate("window.sameDocument === true"), "the queue reloaded the page"
    assert "status=new" not in page.url  # the address follows, as with a link
    assert page.get_by_role("link", name="Remove this filter: Status: New").count() == 0


def test_an_agent_keeps_a_queue_as_a_saved_view_with_its_columns(
    page, axe, screenshot, desk,  # noqa: F811
):
    """Filter, choose columns, save as a view: the view's tab brings back the same
    tickets and columns after the agent has been elsewhere; the lead shares one with
    the team, and the agent sees it as a tab too."""
    TicketFactory(organisation=desk.org, team=desk.team, status=Status.NEW, priority=1,
                  title="Printer on fire")
    TicketFactory(organisation=desk.org, team=desk.team, status=Status.IN_PROGRESS,
                  priority=4, title="Slow laptop")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, "agent")
    page.goto("/service-desk/tickets/")
    page.get_by_text("Filter tickets").click()
    page.get_by_role("group", name="Priority").get_by_label("P1").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**priority=1**")
    page.get_by_text("Columns", exact=True).click()
    page.get_by_label("Requester").uncheck()
    page.get_by_label("Team", exact=True).check()
    page.get_by_role("button", name="Show these columns").click()
    expect(page.get_by_role("columnheader", name="Team")).to_have_count(1)
    assert page.get_by_role("columnheader", name="Requester").count() == 0
    axe(page, "queue with the columns chosen")

    page.get_by_text("Save as a view").click()
    page.get_by_label("Name of the view").fill("Urgent")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("View “Urgent” saved.")).to_be_visible()
    page.wait_for_url("**view=**")
    tab = page.get_by_role("navigation", name="Queues and saved views").get_by_role(
        "link", name="Urgent")
    assert tab.get_attribute("aria-current") == "page"
    screenshot("saved-view")
    axe(page, "queue in a saved view")

    page.get_by_role("link", name="All open tickets").click()  # elsewhere, then back
    expect(page.get_by_text("Slow laptop")).to_be_visible()
    page.get_by_role("navigation", name="Queues and saved views").get_by_role(
        "link", name="Urgent").click()
    expect(page.get_by_text("Slow laptop")).to_have_count(0)
    assert "Printer on fire" in page.content()
    assert page.get_by_role("columnheader", name="Team").count() == 1

    # Sorting by a heading and saving the view keeps the sort with it.
    page.get_by_role("link", name="Summary").click()
    page.wait_for_url("**sort=title**")
    page.get_by_text("View “Urgent”").click()
    page.get_by_role("button", name="Save the filters and sort shown").click()
    expect(page.get_by_text("View “Urgent” updated.")).to_be_visible()
    from borough.core.models import SavedView

    view = SavedView.objects.get(name="Urgent")
    assert "sort=title" in view.query and "priority=1" in view.query
    assert view.columns and "team" in view.columns and "requester" not in view.columns

    # The lead shares a view with the team: the agent, a member, has it as a tab.
    lead = page.context.browser.new_context(base_url=page.url.split("/service-desk")[0],
                                            viewport={"width": 390, "height": 844})
    other = lead.new_page()
    sign_in(other, "lead")
    other.goto("/service-desk/tickets/?queue=all&status=new")
    other.get_by_text("Save as a view").click()
    other.get_by_label("Name of the view").fill("New for the team")
    other.get_by_label("Who sees it").select_option(label="Everyone in Service Desk")
    other.get_by_role("button", name="Save view").click()
    expect(other.get_by_text("View “New for the team” saved")).to_be_visible()
    assert other.evaluate("document.documentElement.scrollWidth") <= 390
    axe(other, "a shared view, on a phone")
    lead.close()
    page.goto("/service-desk/tickets/")
    assert page.get_by_role("link", name="New for the team (Service Desk)").count() == 1


def test_an_agent_filters_by_assignee_typing_part_of_a_name(page, axe, desk):  # noqa: F811
    desk.agent.first_name, desk.agent.last_name = "Priya", "Shah"
    desk.agent.save()
    TicketFactory(organisation=desk.org, assignee=desk.agent, status=Status.IN_PROGRESS,
                  title="Priya's ticket")
    TicketFactory(organisation=desk.org, assignee=desk.lead, status=Status.IN_PROGRESS,
                  title="The lead's ticket")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "agent")
    page.goto("/service-desk/tickets/")
    page.get_by_text("Filter tickets").click()
    box = page.get_by_role("combobox", name="Assigned to")
    box.fill("shah")
    option = page.get_by_role("option", name="Priya Shah")
    option.wait_for()
    axe(page, "the assignee's suggestions, on a phone")
    option.click()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Remove this filter: Assigned to: Priya Shah")
           ).to_have_count(1)
    assert "Priya's ticket" in page.content() and "The lead's ticket" not in page.content()
