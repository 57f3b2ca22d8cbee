"""An ICT manager takes a baseline of the live estate, changes a server, compares the
baseline with now (and downloads the comparison), and looks at the server as it was —
at 1280 and 390 pixels, with axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.cmdb import models as m
from borough.core import roles
from borough.core import services as core_services
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import CIClassFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_take_a_baseline_change_a_server_and_compare(page, axe, org_a, width):
    servers = CIClassFactory(organisation=org_a, name="Physical server")
    server = core_services.create_record(m.ConfigurationItem(
        organisation=org_a, ci_class=servers, name="PAYSRV01", status=m.Status.LIVE,
        attributes={"hostname": "paysrv01", "cpu_cores": 4}), actor=None)
    user = make_member(org_a, roles.ICT_MANAGER)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/configuration/baselines/")
    axe(page, "the list of baselines")
    page.get_by_role("link", name="Add baseline").click()
    page.get_by_role("heading", name="Take a baseline").wait_for()
    axe(page, "taking a baseline")
    page.get_by_role("button", name="Take the baseline").click()
    page.get_by_role("link", name="Enter a name for the baseline").wait_for()
    axe(page, "the form with an error")
    page.get_by_label("Name", exact=True).fill("Before the upgrade")
    page.get_by_label("All live configuration items").check()
    page.get_by_role("button", name="Take the baseline").click()
    page.get_by_role("heading", name="Configuration items frozen").wait_for()
    expect(page.get_by_role("rowheader", name=str(server))).to_be_visible()
    fits(page, width)
    axe(page, "the baseline's page")

    page.goto(f"/configuration/items/{server.pk}/edit/")
    page.get_by_label("CPU cores (optional)").fill("16")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="What depends on this").wait_for()

    page.goto("/configuration/baselines/")
    page.get_by_role("link", name="Before the upgrade").click()
    page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", name="The baseline compared with now").wait_for()
    expect(page.get_by_text("0 items added, 0 removed, 1 changed, 0 unchanged")).to_be_visible()
    row = page.get_by_role("row", name="CPU cores (attribute)")
    assert "4" in row.inner_text() and "16" in row.inner_text()
    fits(page, width)
    axe(page, "the comparison")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the comparison (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.goto(f"/configuration/items/{server.pk}/")
    page.get_by_role("link", name="As of a date").click()
    axe(page, "the as-of form")
    page.get_by_label("Date").fill(server.created_at.strftime("%Y-%m-%d"))
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Physical server attributes then").wait_for()
    fits(page, width)
    axe(page, "the server as of today")
