"""An agent raises a ticket choosing its configuration item by typing part of its name
(suggestions from the server), opens the ticket and sees what else the CI supports, then
opens the CI and sees the ticket — at 1280 and 390 pixels, axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.cmdb.models import RelationshipType
from borough.servicedesk.models import Ticket
from tests.browser.signing_in import sign_in
from tests.catalogue.factories import BusinessServiceFactory, ServiceComponentFactory
from tests.cmdb.factories import CIClassFactory, ConfigurationItemFactory, RelationshipFactory
from tests.factories import PersonFactory
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_names_the_ci_and_follows_it(page, axe, desk, width):  # noqa: F811
    servers = CIClassFactory(organisation=desk.org, code="physical-server",
                             name="Physical server", attribute_schema=[])
    apps = CIClassFactory(organisation=desk.org, code="application", name="Application",
                          attribute_schema=[])
    server = ConfigurationItemFactory(organisation=desk.org, name="PAYSRV01 payroll server",
                                      ci_class=servers, attributes={})
    app = ConfigurationItemFactory(organisation=desk.org, name="iTrent payroll",
                                   ci_class=apps, attributes={})
    RelationshipFactory(organisation=desk.org, source=app, target=server,
                        relationship_type=RelationshipType.RUNS_ON)
    payroll = BusinessServiceFactory(organisation=desk.org, name="Payroll")
    ServiceComponentFactory(organisation=desk.org, service=payroll, configuration_item=app)
    caller = PersonFactory(organisation=desk.org, full_name="Carol Caller")

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "agent")
    page.goto("/service-desk/tickets/add/")
    page.get_by_label("Requester").fill(f"Carol Caller (#{caller.pk})")
    page.get_by_label("Title").fill("Payroll server will not boot")
    page.get_by_label("Description").fill("The payroll team cannot run this month's pay.")
    # Type part of the CI's name; the suggestions come from the server as you type.
    box = page.get_by_role("combobox", name="Configuration item")
    box.press_sequentially("paysrv", delay=50)
    option = page.get_by_role("option", name=re.compile(r"PAYSRV01 payroll server"))
    option.wait_for()
    axe(page, "raise a ticket, with CI suggestions open")
    option.click()
    assert box.input_value() == f"{server.reference} PAYSRV01 payroll server"
    no_sideways_scroll(page, width)
    page.get_by_role("button", name="Raise ticket").click()
    page.wait_for_url(re.compile(r".*/service-desk/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.ci == server

    # The ticket page: the CI as a link, and what else it supports.
    supports = page.locator("#ci-supports")
    supports.wait_for()
    expect(page.get_by_role("link", name=f"{server.reference} PAYSRV01 payroll server"
                            ).first).to_be_visible()
    expect(page.get_by_role("link", name=str(payroll))).to_be_visible()
    expect(page.get_by_role("link", name=str(app))).to_be_visible()
    axe(page, "the ticket page with its CI")
    no_sideways_scroll(page, width)

    # The CI's page lists the ticket.
    page.get_by_role("link", name=f"{server.reference} PAYSRV01 payroll server").first.click()
    page.get_by_role("heading", name="Tickets").wait_for()
    expect(page.get_by_role("link", name=ticket.reference)).to_be_visible()
    expect(page.get_by_text("1 open ticket of 1 about this configuration item")).to_be_visible()
    axe(page, "the CI's page with its tickets")
    no_sideways_scroll(page, width)
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
