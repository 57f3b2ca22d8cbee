"""A change manager makes a secret calendar address of one service's changes, reads it
as a calendar program would, and stops it — at 1280 and 390 pixels, with axe-core on
every page (core.feeds, the page changes/feeds.html)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.catalogue.factories import BusinessServiceFactory
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_make_read_and_stop_a_schedule_address(page, axe, org_a, width, tmp_path):
    user = make_member(org_a, roles.CHANGE_MANAGER)
    BusinessServiceFactory(organisation=org_a, name="Council tax billing")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/changes/schedule/calendar/")
    page.get_by_role("heading", name="Change schedule calendar addresses").wait_for()
    expect(page.get_by_text("You have no calendar address that works.")).to_be_visible()
    axe(page, "no calendar addresses")
    choice = page.locator("option", has_text="Council tax billing").get_attribute("value")
    page.get_by_label("Which changes").select_option(choice)
    page.get_by_role("button", name="Make a new calendar address").click()
    address = page.get_by_label("Calendar address").input_value()
    axe(page, "a new calendar address")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"feeds-{width}.png"), full_page=True)
    row = page.get_by_role("row").filter(has_text="Council tax billing")
    assert row.count() == 1

    feed = page.request.get(address)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "Changes: Council tax billing" in feed.text()

    row.get_by_role("button", name="Stop").click()
    page.get_by_text("no longer works").wait_for()
    axe(page, "after stopping it")
    assert page.request.get(address).status == 404
