"""A head of service reads their unit's recharge statement (the demo's issued run), from
the menu and from the systems catalogue's showback, at 1280 and 390 pixels, with axe-core
on every page; another unit's statement is not theirs. The ICT manager reads budget
monitoring and the total costs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from borough.cmdb import services
from borough.core import pdf, roles
from borough.core.money import format_pounds
from borough.demo import cmdb as demo_estate
from borough.demo import finance as demo_finance
from borough.demo.cmdb import HEADS
from borough.finance.models import RechargeLine, RechargeRun
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory, SiteFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def council(org_a):
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
    assert demo_finance.load_organisation(org_a, keeper) > 0
    return head, keeper


def fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_head_of_service_reads_their_recharge_statement(page, axe, council, width):
    head, _ = council
    run = RechargeRun.objects.get()
    assert run.issued_at is not None
    own = RechargeLine.objects.filter(run=run, service_unit__head__user=head).first()
    assert own is not None
    unit = own.service_unit
    other = RechargeLine.objects.filter(run=run).exclude(service_unit=unit).first()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, head.username)
    page.goto("/finance/recharges/statement/")
    page.get_by_role("heading", name=f"ICT recharge statement {run.financial_year}: "
                                     f"{unit.name}").wait_for()
    table = page.get_by_role("table", name="Recharge lines")
    expect(table.get_by_role("rowheader", name="Infrastructure and network")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Total")).to_be_visible()
    expect(page.get_by_role("link", name="Download it as a spreadsheet")).to_be_visible()
    assert fits(page, width)
    axe(page, "the unit's recharge statement")
    if width == 1280 and pdf.available():
        # The PDF they download says what the page says.
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the statement as a PDF").click()
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(
            download.value.path()).pages).split())  # a cell's words may wrap
        assert f"ICT recharge statement {run.financial_year}: {unit.name}" in text
        assert "Infrastructure and network" in text
        total = sum(line.amount for line in RechargeLine.objects.filter(run=run,
                                                                          service_unit=unit))
        assert format_pounds(total) in text

    page.goto("/configuration/systems/")
    page.get_by_text(f"{unit.name} is recharged").wait_for()
    axe(page, "the systems catalogue with its showback")
    page.get_by_role("link", name=f"Read the recharge statement of {unit.name}").click()
    page.get_by_role("heading", name=f"ICT recharge statement {run.financial_year}: "
                                     f"{unit.name}").wait_for()

    response = page.goto(f"/finance/recharges/{run.pk}/units/{other.service_unit_id}/")
    assert response.status == 404
    assert page.get_by_text(f"{other.service_unit.name} is recharged").count() == 0
    response = page.goto("/finance/budget/")
    assert response.status == 403


def test_the_ict_manager_reads_budget_monitoring_and_costs(page, axe, council):
    _, keeper = council
    sign_in(page, keeper.username)
    page.goto("/finance/budget/")
    page.get_by_role("table", name="Each cost centre's year").wait_for()
    expect(page.get_by_role("rowheader", name="ICT200 ICT applications")).to_be_visible()
    axe(page, "budget monitoring")
    page.get_by_label("Note (optional)").fill("Looked at the applications overspend.")
    page.get_by_role("button", name="Record that I reviewed these figures").click()
    page.get_by_text("Looked at the applications overspend.").wait_for()
    page.goto("/finance/costs/")
    page.get_by_role("heading", name="Systems", exact=True).wait_for()
    expect(page.get_by_role("link", name="Council Tax and business rates").first).to_be_visible()
    axe(page, "total costs")
    # Budget against actual and forecast per month: the chart's numbers in a table.
    page.goto("/finance/budget/")
    page.get_by_text("Show the data for Budget, actual and forecast outturn").click()
    data = page.get_by_role("table", name="Budget, actual and forecast outturn")
    expect(data.get_by_role("columnheader", name="Forecast (£)")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Forecast, year so far").first).to_be_visible()
    page.goto("/finance/recharges/")
    run = RechargeRun.objects.get()
    runs = page.get_by_role("table", name="Recharge runs, latest first")
    expect(runs.get_by_text("Issued")).to_be_visible()
    units = RechargeLine.objects.filter(run=run).values("service_unit").distinct().count()
    runs.get_by_text(f"{units} statements").click()
    first = RechargeLine.objects.filter(run=run).order_by("service_unit__name").first()
    statement = runs.get_by_role("link", name=first.service_unit.name).first
    expect(statement).to_be_visible()
    axe(page, "the recharge run history")
    statement.click()
    page.get_by_role("heading", name=f"ICT recharge statement {run.financial_year}: "
                                     f"{first.service_unit.name}").wait_for()
    page.goto("/finance/recharges/")
    page.get_by_role("link", name=run.reference).click()
    page.get_by_role("table", name="Each service unit's recharge").wait_for()
    axe(page, "a recharge run")
