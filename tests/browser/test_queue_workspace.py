"""The agent queue as a workspace: at 1280×800 the first screen holds at least 15
tickets with every column a person needs and the SLA column whole; the filters are
closed until asked for, and what is applied shows as tags that each remove one."""

from __future__ import annotations

import pytest

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
    apply.click()
    page.wait_for_url("**status=new**")
    tag = page.get_by_role("link", name="Remove this filter: Status: New")
    assert "Printer on fire" in page.content() and "Slow laptop" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe(page, "queue with a filter applied, on a phone")
    tag.click()
    page.wait_for_load_state()
    assert "Slow laptop" in page.content()
    assert page.get_by_role("link", name="Remove this filter: Status: New").count() == 0
