"""An ICT manager adds a server in two steps (its class, then its attributes), fixes a
bad attribute, and sees what stops if a server is lost — at 1280 and 390 pixels, with
axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.cmdb import services
from borough.cmdb.models import CIClass
from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import ConfigurationItemFactory, RelationshipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_add_a_server_and_see_what_depends_on_it(page, axe, org_a, width):
    services.install_default_classes(org_a.pk)
    user = make_member(org_a, roles.ICT_MANAGER)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/configuration/items/add/")
    axe(page, "choose a class")
    page.get_by_label("Physical server").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Host name").wait_for()
    axe(page, "the physical server form")
    page.get_by_label("Name", exact=True).fill("PAYSRV01")
    page.get_by_label("Host name").fill("paysrv01")
    page.get_by_label("CPU cores (optional)").fill("eight")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="CPU cores: enter a whole number, like 8.").wait_for()
    axe(page, "the form with an error")
    page.get_by_label("CPU cores (optional)").fill("8")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="What depends on this").wait_for()

    server = CIClass.objects.get(organisation=org_a, code="physical-server").items.get()
    app = ConfigurationItemFactory(organisation=org_a, name="Payroll")
    RelationshipFactory(organisation=org_a, source=app, target=server)
    page.reload()
    expect(page.get_by_role("link", name=str(app)).first).to_be_visible()
    expect(page.get_by_text("Through: Payroll → PAYSRV01")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe(page, "the server's page")
