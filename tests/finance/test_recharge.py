"""Recharging: pools shared to the penny by each rule (property tests), runs and their
issue, statements as pages, PDF and spreadsheet, and who may read which."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from borough.core import pdf, roles
from borough.finance import models as m
from borough.finance import queries, recharge, services
from borough.finance.years import FinancialYear
from tests.factories import (
    ConfigurationItemFactory,
    PersonFactory,
    ServiceUnitFactory,
    TicketFactory,
)
from tests.finance.factories import (
    CostCentreFactory,
    CostLineFactory,
    CostPoolFactory,
    PoolShareFactory,
)

D = Decimal
YEAR = FinancialYear(2025)


# --- the arithmetic (no database) ------------------------------------------------------------


@given(st.decimals(min_value=-10**8, max_value=10**8, places=2),
       st.dictionaries(st.integers(1, 50), st.integers(0, 10_000), min_size=1, max_size=30))
def test_a_pool_is_shared_to_the_penny(amount, counts):
    weights = {unit: D(n) for unit, n in counts.items()}
    if not any(weights.values()):
        with pytest.raises(recharge.RechargeError):
            recharge.share(amount, weights)
        return
    shares = recharge.share(amount, weights)
    assert sum(shares.values()) == amount
    assert set(shares) == {u for u, w in weights.items() if w > 0}
    # Nobody is more than a penny from their exact share.
    whole = sum(weights.values())
    for unit, value in shares.items():
        assert abs(value - amount * weights[unit] / whole) < D("0.01")


@given(st.lists(st.decimals(min_value=0, max_value=100, places=3), min_size=1, max_size=8),
       st.decimals(min_value=0, max_value=10**7, places=2))
def test_percentages_share_to_the_penny(percents, amount):
    if not any(percents):
        return
    shares = recharge.share(amount, dict(enumerate(percents, start=1)))
    assert sum(shares.values()) == amount


# --- a council with three units --------------------------------------------------------------


@pytest.fixture
def council(org_a):
    units = {name: ServiceUnitFactory(organisation=org_a, name=name)
             for name in ("Housing", "Planning", "Revenues")}
    for name, people in (("Housing", 3), ("Planning", 1), ("Revenues", 2)):
        for _ in range(people):
            PersonFactory(organisation=org_a, service_unit=units[name])
    centre = CostCentreFactory(organisation=org_a, code="ICT100", name="Infrastructure")
    for day, amount in ((datetime.date(2025, 5, 1), "6000.00"),
                        (datetime.date(2025, 11, 1), "4000.01"),
                        (datetime.date(2026, 4, 1), "5000.00")):  # next year: not counted
        CostLineFactory(organisation=org_a, cost_centre=centre, date=day, amount=D(amount))
    pool = CostPoolFactory(organisation=org_a, year=2025, name="Infrastructure",
                           basis=m.Basis.USERS, amount=None)
    pool.cost_centres.set([centre])
    return org_a, units, pool


def test_a_pool_by_users_shares_the_years_cost_lines(council):
    org, units, pool = council
    lines, unallocated, problems = recharge.plan(org.pk, YEAR)
    assert problems == [] and unallocated == 0
    by_unit = {line.service_unit_id: line for line in lines}
    assert sum(line.amount for line in lines) == D("10000.01")
    # 3, 1 and 2 of 6 people: 5000.005, 1666.668 and 3333.337 exactly; the two pennies
    # left go to the largest remainders.
    assert by_unit[units["Housing"].pk].amount == D("5000.00")
    assert by_unit[units["Planning"].pk].amount == D("1666.67")
    assert by_unit[units["Revenues"].pk].amount == D("3333.34")
    assert by_unit[units["Housing"].pk].measure == 3
    assert by_unit[units["Housing"].pk].total_measure == 6


def test_pools_by_devices_tickets_percentage_and_direct(council):
    org, units, pool = council
    pool.delete()
    device = ConfigurationItemFactory(organisation=org, ci_class__code="end-user-device",
                                      service_unit=units["Planning"])
    ConfigurationItemFactory(organisation=org, ci_class=device.ci_class,
                             service_unit=units["Housing"], status="retired")
    CostPoolFactory(organisation=org, name="Desktops", basis=m.Basis.DEVICES,
                    amount=D("900.00"))
    CostPoolFactory(organisation=org, name="Service desk", basis=m.Basis.TICKETS,
                    amount=D("100.00"))
    requester = PersonFactory(organisation=org, service_unit=units["Revenues"])
    TicketFactory(organisation=org, requester=requester)
    fixed = CostPoolFactory(organisation=org, name="Strategy", basis=m.Basis.PERCENTAGE,
                            amount=D("1000.00"))
    PoolShareFactory(organisation=org, pool=fixed, service_unit=units["Housing"],
                     percent=D("33.333"))
    PoolShareFactory(organisation=org, pool=fixed, service_unit=units["Planning"],
                     percent=D("66.667"))
    direct_centre = CostCentreFactory(organisation=org, code="ICT200")
    system = ConfigurationItemFactory(organisation=org, service_unit=units["Housing"])
    CostLineFactory(organisation=org, cost_centre=direct_centre, configuration_item=system,
                    date=datetime.date(2025, 7, 1), amount=D("250.00"))
    CostLineFactory(organisation=org, cost_centre=direct_centre,
                    date=datetime.date(2025, 7, 1), amount=D("40.00"))  # allocated nowhere
    direct = CostPoolFactory(organisation=org, name="Direct", basis=m.Basis.DIRECT,
                             amount=None)
    direct.cost_centres.set([direct_centre])
    import time_machine

    with time_machine.travel(datetime.datetime(2025, 8, 1, 12, tzinfo=datetime.UTC)):
        TicketFactory(organisation=org, requester=requester)
    lines, unallocated, problems = recharge.plan(org.pk, YEAR)
    assert problems == []
    amounts = {(line.pool.name, line.service_unit_id): line.amount for line in lines}
    assert amounts[("Desktops", units["Planning"].pk)] == D("900.00")  # the retired one: no
    assert ("Desktops", units["Housing"].pk) not in amounts
    assert amounts[("Strategy", units["Housing"].pk)] == D("333.33")
    assert amounts[("Strategy", units["Planning"].pk)] == D("666.67")
    assert amounts[("Direct", units["Housing"].pk)] == D("250.00")
    # Only the ticket raised in 2025/26 counts (the one raised today is in another year).
    assert amounts[("Service desk", units["Revenues"].pk)] == D("100.00")
    assert unallocated == D("40.00")
    assert {name for name, _ in amounts} >= {"Desktops", "Strategy", "Direct"}


def test_problems_are_listed_and_nothing_is_saved(council, admin_a):
    org, units, pool = council
    bad = CostPoolFactory(organisation=org, name="Strategy", basis=m.Basis.PERCENTAGE,
                          amount=D("10.00"))
    PoolShareFactory(organisation=org, pool=bad, service_unit=units["Housing"],
                     percent=D("90"))
    twice = CostPoolFactory(organisation=org, name="Again", basis=m.Basis.USERS, amount=None)
    twice.cost_centres.set(pool.cost_centres.all())
    with pytest.raises(ValidationError) as caught:
        services.run_recharges(org.pk, YEAR, actor=admin_a)
    text = " ".join(caught.value.messages)
    assert "percentages add up to 90%, not 100%" in text
    assert "is in two pools, Again and Infrastructure" in text
    assert not m.RechargeRun.objects.exists()


def test_a_run_keeps_its_lines_and_once_issued_is_final(council, admin_a):
    org, units, pool = council
    admin_a.active_organisation_id = org.pk
    run = services.run_recharges(org.pk, YEAR, actor=admin_a)
    assert run.reference.startswith("RCH-") and run.total == D("10000.01")
    assert run.lines.count() == 3
    services.issue_run(run, actor=admin_a)
    with pytest.raises(ValidationError, match="issued already"):
        services.issue_run(run, actor=admin_a)
    with pytest.raises(ValidationError, match="cannot be run again"):
        services.run_recharges(org.pk, YEAR, actor=admin_a)


# --- statements: pages, files and permissions -----------------------------------------------


@pytest.fixture
def issued(council, admin_a):
    org, units, pool = council
    admin_a.active_organisation_id = org.pk
    run = services.issue_run(services.run_recharges(org.pk, YEAR, actor=admin_a),
                             actor=admin_a)
    return org, units, run


def head_of(org, unit, member):
    from tests.conftest import make_member

    user = make_member(org, roles.SERVICE_UNIT_HEAD,
                       username=f"head-{unit.name.lower()}")
    person = PersonFactory(organisation=org, user=user, service_unit=unit)
    unit.head = person
    unit.save()
    return user


def test_a_head_of_service_reads_their_own_statement_only(issued, signed_in, member):
    org, units, run = issued
    head = head_of(org, units["Housing"], member)
    client = signed_in(head)
    own = reverse("finance:statement", args=[run.pk, units["Housing"].pk])
    page = client.get(own)
    assert page.status_code == 200
    assert "Housing is recharged" in page.content.decode() and "£5,000.00" in \
        page.content.decode()
    other = client.get(reverse("finance:statement", args=[run.pk, units["Planning"].pk]))
    assert other.status_code == 404 and "Planning is recharged" not in other.content.decode()
    mine = client.get(reverse("finance:my_statement"))
    assert mine.status_code == 302 and mine["Location"] == own
    # The run's page sends them straight to theirs; the figures of the run are not theirs.
    assert client.get(run.get_absolute_url())["Location"] == own
    for name in ("finance:recharge_runs", "finance:monitoring", "finance:costs",
                 "finance:costline_list", "finance:budget_list"):
        assert client.get(reverse(name)).status_code == 403, name
    api = signed_in(head, api=True)
    url = reverse("api:finance-rechargerun-statement", args=[run.pk])
    assert api.get(url, {"unit": units["Housing"].pk}).json()["total"] == "5000.00"
    assert api.get(url, {"unit": units["Planning"].pk}).status_code == 404
    assert api.get(reverse("api:finance-rechargerun-list")).status_code == 403


def test_a_draft_is_not_shown_to_the_head_of_service(council, admin_a, signed_in, member):
    org, units, pool = council
    admin_a.active_organisation_id = org.pk
    run = services.run_recharges(org.pk, YEAR, actor=admin_a)
    head = head_of(org, units["Housing"], member)
    client = signed_in(head)
    assert client.get(reverse("finance:statement",
                              args=[run.pk, units["Housing"].pk])).status_code == 404
    assert client.get(reverse("finance:my_statement")).status_code == 200


@pytest.mark.parametrize("role", [roles.AGENT, roles.TEAM_LEAD, roles.REQUESTER])
def test_other_roles_see_no_finance_figures(issued, signed_in, member, role):
    org, units, run = issued
    client = signed_in(member(role, org, username=f"x-{role.lower().replace(' ', '-')}"))
    for url in (reverse("finance:statement", args=[run.pk, units["Housing"].pk]),
                reverse("finance:monitoring"), reverse("finance:recharge_runs")):
        assert client.get(url).status_code in (403, 404), url


def test_finance_roles_read_every_statement_and_the_runs(issued, signed_in, member):
    org, units, run = issued
    auditor = signed_in(member(roles.AUDITOR, org))
    page = auditor.get(run.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Housing" in body and "Planning" in body and "Issue the statements" not in body
    assert auditor.post(run.get_absolute_url()).status_code == 403
    assert auditor.get(reverse("finance:statement",
                               args=[run.pk, units["Planning"].pk])).status_code == 200


def test_another_councils_statement_is_not_found(issued, signed_in, admin_b):
    org, units, run = issued
    client = signed_in(admin_b)
    assert client.get(reverse("finance:statement",
                              args=[run.pk, units["Housing"].pk])).status_code == 404
    assert client.get(run.get_absolute_url()).status_code == 404


def test_the_statement_as_a_spreadsheet(issued, signed_in, admin_a):
    from openpyxl import load_workbook

    org, units, run = issued
    response = signed_in(admin_a).get(
        reverse("finance:statement_xlsx", args=[run.pk, units["Housing"].pk]))
    assert response.status_code == 200
    assert "recharge-2025-housing.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "ICT recharge statement 2025/26: Housing"
    assert rows[4][0] == "Infrastructure" and rows[4][6] == 5000
    assert rows[-1][0] == "Total" and rows[-1][6] == 5000


@pytest.mark.skipif(not pdf.available(), reason="WeasyPrint's libraries are not installed")
def test_the_statement_as_a_pdf_says_what_the_page_says(issued, signed_in, admin_a):
    from pypdf import PdfReader

    org, units, run = issued
    response = signed_in(admin_a).get(
        reverse("finance:statement_pdf", args=[run.pk, units["Housing"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "ICT recharge statement 2025/26: Housing" in text
    assert "£5,000.00" in text and "Infrastructure" in text


def test_running_and_issuing_from_the_pages_and_the_api(council, signed_in, admin_a):
    org, units, pool = council
    client = signed_in(admin_a)
    page = client.post(reverse("finance:recharge_runs"), {"year": "2025"})
    run = m.RechargeRun.objects.get()
    assert page.status_code == 302 and page["Location"] == run.get_absolute_url()
    assert client.post(run.get_absolute_url()).status_code == 302
    run.refresh_from_db()
    assert run.issued_at is not None
    again = client.post(reverse("finance:recharge_runs"), {"year": "2025"})
    assert again.status_code == 400 and "cannot be run again" in again.content.decode()
    # The form no longer offers the issued year, and says it is final.
    form = client.get(reverse("finance:recharge_runs")).content.decode()
    assert '<option value="2025"' not in form and "Issued, and so final: 2025/26." in form
    api = signed_in(admin_a, api=True)
    refused = api.post(reverse("api:finance-rechargerun-list"), {"year": "2025/26"},
                       format="json")
    assert refused.status_code == 400 and "cannot be run again" in str(refused.json())
    assert api.post(reverse("api:finance-rechargerun-list"), {"year": "twenty"},
                    format="json").status_code == 400
    listed = api.get(reverse("api:finance-rechargerun-list")).json()
    assert listed["results"][0]["reference"] == run.reference


# --- the history of runs ---------------------------------------------------------------------


def test_the_run_history_shows_who_when_totals_statements_and_superseded_runs(
        council, signed_in, admin_a):
    org, units, pool = council
    admin_a.active_organisation_id = org.pk
    first = services.run_recharges(org.pk, YEAR, actor=admin_a)
    second = services.run_recharges(org.pk, YEAR, actor=admin_a)
    # The earlier draft is superseded by the later one, and cannot be issued.
    assert queries.superseded_by([first, second]) == {first.pk: second}
    with pytest.raises(ValidationError, match=f"superseded: {second.reference} worked out"):
        services.issue_run(first, actor=admin_a)
    services.issue_run(second, actor=admin_a)
    page = signed_in(admin_a).get(reverse("finance:recharge_runs"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Superseded</strong> by <a class=\"govuk-link\" href=\"{second.get_absolute_url()}\"" \
        in text
    assert "Issued</strong>" in text and admin_a.get_full_name() in text
    for unit in units.values():
        assert reverse("finance:statement", args=[second.pk, unit.pk]) in text
    assert "£10,000.01" in text
    one_year = signed_in(admin_a).get(reverse("finance:recharge_runs") + "?year=2024/25")
    assert "No recharge of 2024/25 has been run." in one_year.content.decode()
    bad = signed_in(admin_a).get(reverse("finance:recharge_runs") + "?year=nonsense")
    assert bad.status_code == 200 and "is not a financial year" in bad.content.decode()


def test_the_run_history_over_the_api(council, signed_in, admin_a):
    org, units, pool = council
    admin_a.active_organisation_id = org.pk
    first = services.run_recharges(org.pk, YEAR, actor=admin_a)
    second = services.run_recharges(org.pk, YEAR, actor=admin_a)
    api = signed_in(admin_a, api=True)
    listed = api.get(reverse("api:finance-rechargerun-list") + "?year=2025").json()
    by_ref = {row["reference"]: row for row in listed["results"]}
    assert by_ref[first.reference]["status"] == "superseded"
    assert by_ref[first.reference]["superseded_by"] == second.reference
    assert by_ref[second.reference]["status"] == "draft"
    statements = {s["name"]: s for s in by_ref[second.reference]["statements"]}
    assert set(statements) == {"Housing", "Planning", "Revenues"}
    assert statements["Housing"]["total"] == "5000.00"
    got = api.get(statements["Housing"]["url"]).json()
    assert got["service_unit"] == "Housing" and got["total"] == "5000.00"
    one = api.get(reverse("api:finance-rechargerun-detail", args=[first.pk])).json()
    assert one["status"] == "superseded" and one["superseded_by"] == second.reference
