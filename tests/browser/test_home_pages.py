"""Each role's home page at 1280 and 390 pixels wide: axe-core finds nothing, nothing
scrolls sideways, and its links lead where they say."""

from __future__ import annotations

import pytest

from borough.servicedesk.models import Status
from tests.browser.signing_in import sign_in
from tests.factories import TicketFactory
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_requester_asks_for_help_from_home(page, axe, screenshot, desk, width):  # noqa: F811
    TicketFactory(organisation=desk.org, requester=desk.requester_person,
                  title="Printer jams on every page", status=Status.IN_PROGRESS)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "requester", axe=axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"requester-{width}")
    page.get_by_role("button", name="Ask for help").click()
    page.wait_for_url("**/service-desk/portal/new/")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_opens_a_queue_from_home(page, axe, screenshot, desk, width):  # noqa: F811
    TicketFactory(organisation=desk.org, team=desk.team, assignee=desk.agent,
                  status=Status.ASSIGNED, title="VPN drops every hour")
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "agent", axe=axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"agent-{width}")
    page.get_by_role("link", name="1 tickets: My tickets").click()
    page.wait_for_url("**queue=mine")
    assert "VPN drops every hour" in page.content()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_team_lead_sees_the_team_from_home(page, axe, screenshot, desk, width):  # noqa: F811
    TicketFactory(organisation=desk.org, team=desk.team, assignee=desk.agent,
                  status=Status.ASSIGNED)
    TicketFactory(organisation=desk.org, team=desk.team)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "lead", axe=axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"lead-{width}")
    page.get_by_role("link", name="1 unassigned tickets of Service Desk").first.click()
    page.wait_for_url("**queue=unassigned**")


@pytest.mark.parametrize("width", [1280, 390])
def test_an_ict_manager_reads_the_desk_from_home(page, axe, screenshot, desk, width):  # noqa: F811
    from borough.core import roles
    from borough.servicedesk.models import SLAPolicy
    from tests.conftest import make_member

    SLAPolicy.objects.filter(organisation=desk.org, priority=3).update(compliance_target=95)
    make_member(desk.org, roles.ICT_MANAGER, "manager")
    TicketFactory(organisation=desk.org, team=desk.team)
    page.set_viewport_size({"width": width, "height": 844})
    sign_in(page, "manager", axe=axe)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(f"manager-{width}")
    page.get_by_role("link", name="1 open tickets").click()
    page.wait_for_url("**queue=all")
