"""A head of service reads their unit's business services — a service's components,
what it depends on and its single points of failure — and the service level agreement
they sign, agrees it, and finds its PDF: at 1280 and 390 pixels, with axe-core on every
page."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import (
    BusinessServiceFactory,
    ConfigurationItemFactory,
    PersonFactory,
    RelationshipFactory,
    ServiceComponentFactory,
    ServiceLevelAgreementFactory,
    ServiceUnitFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_head_of_service_reads_their_services_and_agrees_an_sla(page, axe, org_a, width):
    user = make_member(org_a, roles.SERVICE_UNIT_HEAD)
    head = PersonFactory(organisation=org_a, user=user, full_name="Ruth Fell")
    revenues = ServiceUnitFactory(organisation=org_a, name="Revenues and Benefits", head=head)
    tax = BusinessServiceFactory(organisation=org_a, name="Council Tax", service_unit=revenues,
                                 criticality="critical")
    BusinessServiceFactory(organisation=org_a, name="Planning portal")
    app = ConfigurationItemFactory(organisation=org_a, name="CTAX-APP")
    server = ConfigurationItemFactory(organisation=org_a, name="REVSRV01")
    RelationshipFactory(organisation=org_a, source=app, target=server)
    ServiceComponentFactory(organisation=org_a, service=tax, configuration_item=app,
                            role="the Council Tax application")
    today = datetime.date.today()
    sla = ServiceLevelAgreementFactory(organisation=org_a, service=tax,
                                       customer_service_unit=revenues, signatory=head,
                                       start_date=today,
                                       review_date=today + datetime.timedelta(days=365))

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)
    page.goto(f"/catalogue/services/?service_unit={revenues.pk}")
    page.get_by_role("link", name="Council Tax").first.wait_for()
    assert page.get_by_text("Planning portal").count() == 0
    axe(page, "their unit's services")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("link", name="Council Tax").first.click()
    page.get_by_role("heading", name="Single points of failure").wait_for()
    expect(page.get_by_role("link", name=str(server)).first).to_be_visible()
    expect(page.get_by_text("Through: CTAX-APP → REVSRV01")).to_be_visible()
    axe(page, "the service's page")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("link", name=sla.reference).click()
    page.get_by_role("heading", name="Targets").wait_for()
    axe(page, "the agreement")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("link", name="Agree", exact=True).click()
    page.get_by_label("Note (optional)").fill("Agreed at the unit meeting.")
    axe(page, "agreeing")
    page.get_by_role("button", name="Agree", exact=True).click()
    page.get_by_text(f"{sla.reference} is agreed.").wait_for()
    axe(page, "the agreed agreement")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agreement as a PDF").click()
    assert download.value.suggested_filename.startswith("sla-")

    page.goto("/catalogue/services/single-points-of-failure/")
    page.get_by_role("heading", name="Single points of failure").wait_for()
    expect(page.get_by_role("link", name=str(app)).first).to_be_visible()
    axe(page, "single points of failure")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
