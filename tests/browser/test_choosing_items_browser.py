"""Choosing configuration items on the relationship form by typing, with the keyboard
only: suggestions from the server, a name that matches nothing explained beside its box,
and the delete page that lists the relationships going with an item — at 1280 and 390
pixels, axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.cmdb.models import Relationship, RelationshipType
from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import ConfigurationItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_relationship_made_with_the_keyboard(page, axe, org_a, width):
    user = make_member(org_a, roles.ICT_MANAGER)
    app = ConfigurationItemFactory(organisation=org_a, name="Payroll application")
    server = ConfigurationItemFactory(organisation=org_a, name="PAYSRV01")
    others = ConfigurationItemFactory.create_batch(30, organisation=org_a)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/configuration/relationships/add/")
    assert not any(page.get_by_text(item.name, exact=True).count() for item in others)
    source = page.get_by_role("combobox", name="Source")
    source.press_sequentially("payroll", delay=40)
    page.get_by_role("option", name=re.compile("Payroll application")).wait_for()
    axe(page, "the relationship form, with suggestions open")
    source.press("ArrowDown")
    page.keyboard.press("Enter")
    assert source.input_value() == f"{app.reference} Payroll application"
    page.get_by_label("Type", exact=True).select_option(label="runs on")
    # Typed without choosing a suggestion, a name nothing has is explained on submit.
    target = page.get_by_role("combobox", name="Target")
    target.fill("PAYSRV99")
    page.get_by_role("button", name="Save").click()
    page.locator(".govuk-error-summary").wait_for()
    expect(page.get_by_text("No configuration item called “PAYSRV99”: type its reference, "
                            "like CI-000123").first).to_be_visible()
    axe(page, "the relationship form with an error")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    target = page.get_by_role("combobox", name="Target")
    target.fill("")
    target.press_sequentially(server.reference, delay=40)
    page.get_by_role("option", name=re.compile("PAYSRV01")).wait_for()
    target.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/configuration/relationships/\d+/$"))
    made = Relationship.objects.get()
    assert (made.source, made.target, made.relationship_type) == (
        app, server, RelationshipType.RUNS_ON)

    # Deleting the server says the relationship goes with it.
    page.goto(f"/configuration/items/{server.pk}/delete/")
    expect(page.locator("#removed-with").get_by_text("Payroll application runs on PAYSRV01"
                                                     )).to_be_visible()
    axe(page, "deleting an item with a relationship")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
