"""An ICT manager finds the business case waiting for their decision, reads it, approves
it, and makes its contract from the pre-filled form; the contract's page shows the
request it was bought through. axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.procurement import services
from tests.browser.signing_in import sign_in
from tests.factories import CIClassFactory
from tests.procurement.world import copeland

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_ict_manager_approves_a_business_case_that_becomes_a_contract(page, axe, org_a):
    council = copeland(org_a)
    CIClassFactory(organisation=org_a, code="application", name="Application",
                   attribute_schema=[])
    request = council.request("4500.00", title="Concessionary travel system support",
                              owner=council.people["ictmanager"])
    services.submit(request, actor=council.users["requester"])

    sign_in(page, council.users["ictmanager"].username)
    page.goto("/procurement/requests/?waiting_for_me=true")
    page.get_by_role("link", name=request.reference).wait_for()
    axe(page, "requests waiting for my decision")

    page.get_by_role("link", name=request.reference).click()
    page.get_by_role("heading", name="Approval route").wait_for()
    expect(page.get_by_text("Deciding now")).to_be_visible()
    expect(page.get_by_text("£4,500.00").first).to_be_visible()
    axe(page, "the business case")

    page.get_by_role("link", name="Approve", exact=True).click()
    page.get_by_label("Comments (optional)").fill("Good value against building it in house.")
    axe(page, "approving")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text(f"{request.reference} is approved.").wait_for()
    expect(page.get_by_text("Good value against building it in house.")).to_be_visible()
    axe(page, "the approved business case")

    page.get_by_role("link", name="Create the contract").click()
    title = page.get_by_label("Title")
    assert title.input_value() == "Concessionary travel system support"
    assert page.get_by_label("Whole-life value (£)").input_value() == "4500.00"
    page.get_by_label("Or a new application (optional)").fill("Concessionary travel")
    axe(page, "the contract, filled in from the request")
    page.get_by_role("button", name="Create the contract").click()
    page.get_by_text("created from the request").wait_for()
    page.get_by_role("heading", name="Procurement").wait_for()
    expect(page.get_by_role("link", name=request.reference, exact=False).first).to_be_visible()
    axe(page, "the contract")
