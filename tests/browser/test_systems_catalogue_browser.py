"""A head of service reads their unit's systems catalogue and a system's page; an ICT
officer reads the architecture map and sees which items and business services a failing
switch takes down — on the demo estate and catalogue, at 1280 and 390 pixels, with axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.cmdb import services
from borough.cmdb.models import ConfigurationItem
from borough.core import roles
from borough.demo import catalogue as demo_catalogue
from borough.demo import cmdb as demo_estate
from borough.demo.cmdb import HEADS
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory, SiteFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def estate(org_a):
    services.install_default_classes(org_a.pk)
    for name in HEADS:
        ServiceUnitFactory(organisation=org_a, name=name)
    SiteFactory(organisation=org_a, name="The Copeland Centre")
    SiteFactory(organisation=org_a, name="Moresby Parks Office")
    for name in ("Service Desk", "Infrastructure", "Applications"):
        TeamFactory(organisation=org_a, name=name)
    head = make_member(org_a, roles.SERVICE_UNIT_HEAD)
    PersonFactory(organisation=org_a, user=head, full_name="Ian Head")
    demo_estate.load_organisation(org_a, unit_head_user=head)
    keeper = make_member(org_a, roles.ICT_MANAGER)
    PersonFactory(organisation=org_a, user=keeper, full_name="Kim Keeper")
    demo_catalogue.load_organisation(org_a, keeper)
    return head


def fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_head_of_service_reads_their_systems(page, axe, estate, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, estate.username)
    page.goto("/configuration/systems/")
    page.get_by_role("heading", name="Revenues and Benefits").wait_for()
    expect(page.get_by_role("link", name="Housing Benefit")).to_be_visible()
    assert page.get_by_role("link", name="Payroll").count() == 0  # another unit's
    assert fits(page, width)
    axe(page, "the unit's systems catalogue")

    page.get_by_role("link", name="Council Tax and business rates").click()
    page.get_by_role("heading", name="Interfaces").wait_for()
    expect(page.get_by_role("link", name="Financials")).to_be_visible()
    expect(page.get_by_text("Revenues to ledger nightly file")).to_be_visible()
    assert fits(page, width)
    axe(page, "a system's page")

    page.get_by_role("link", name="Systems catalogue").first.click()
    page.get_by_label("Service unit").select_option(label="All service units")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="HR and Payroll").wait_for()
    expect(page.get_by_role("link", name="Payroll", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_ict_officer_reads_the_map_and_what_a_switch_takes_down(page, axe, org_a, estate,
                                                                  width):
    officer = make_member(org_a, roles.TEAM_LEAD)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, officer.username)
    page.goto("/configuration/map/?unit=all")
    page.get_by_role("img", name="Architecture map: all service units").wait_for()
    expect(page.get_by_role("heading", name="Systems with no interfaces recorded")).to_be_visible()
    assert fits(page, width)
    axe(page, "the architecture map")

    switch = ConfigurationItem.objects.get(organisation=org_a, name="WHV-CORE01")
    page.goto(f"/configuration/items/{switch.pk}/")
    page.get_by_role("heading", name="What depends on this").wait_for()
    expect(page.get_by_text("Through: WHVHOST01 → WHV-CORE01")).to_be_visible()
    page.get_by_text("Show the other").click()
    expect(page.get_by_role("link", name="Council Tax and business rates")).to_be_visible()
    # The business services the switch takes down, with the path to each.
    page.get_by_role("heading", name="Business services").wait_for()
    expect(page.get_by_role("link", name=re.compile(r"SVC-\d+ Council Tax$"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"SVC-\d+ Telephony$"))).to_be_visible()
    assert fits(page, width)
    axe(page, "the switch's page")
