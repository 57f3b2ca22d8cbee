"""Cost lines imported from the finance system (bad rows named), commitments made by
another app, the total cost of systems and services through the CMDB's dependencies,
the cost panels and the showback, and the finance evidence rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borough.core import roles
from borough.core.registry import registry
from borough.finance import costs, services
from borough.finance import models as m
from borough.finance.years import FinancialYear
from tests.core.test_import import csv_bytes, imported, page, preview, row_errors
from tests.factories import (
    BusinessServiceFactory,
    CIClassFactory,
    ConfigurationItemFactory,
    ContractCoverFactory,
    ContractFactory,
    PersonFactory,
    RelationshipFactory,
    ServiceComponentFactory,
    ServiceUnitFactory,
    SupplierFactory,
)
from tests.finance.factories import (
    BudgetFactory,
    CostCentreFactory,
    CostLineFactory,
    CostPoolFactory,
)

D = Decimal
YEAR = FinancialYear(2025)
IMPORT = "/finance/cost-lines/import/"


# --- the import ------------------------------------------------------------------------------


def test_a_finance_export_imports_with_its_own_headings(signed_in, admin_a, org_a):
    CostCentreFactory(organisation=org_a, code="ICT100", name="Infrastructure")
    SupplierFactory(organisation=org_a, name="Northgate Ltd")
    contract = ContractFactory(organisation=org_a, title="Revenues support")
    system = ConfigurationItemFactory(organisation=org_a, name="Council Tax system")
    rows = [["Posting date", "Value", "Narrative", "Cost centre code", "Vendor", "Journal",
             "System", "Contract"],
            ["01/05/2025", "£1,234.50", "Annual support", "ict100", "Northgate Ltd", "J1",
             "", contract.reference],
            ["2025-06-30", "(200.00)", "Credit note", "ICT100", "", "J2", "", ""],
            ["2025-07-01", "99.99", "Hosting", "Infrastructure", "", "J3",
             "council tax system", ""]]
    client = signed_in(admin_a)
    checked = preview(client, IMPORT, csv_bytes(rows))
    body = page(checked)
    assert "Importing this file will add 3 cost lines" in body, body
    imported(client, IMPORT, csv_bytes(rows))
    lines = {line.transaction_reference: line for line in m.CostLine.objects.all()}
    assert lines["J1"].amount == D("1234.50") and lines["J1"].year == 2025
    assert lines["J1"].contract == contract
    assert lines["J2"].amount == D("-200.00")
    assert lines["J3"].configuration_item == system
    assert lines["J1"].supplier.name == "Northgate Ltd"


def test_bad_rows_are_named_and_nothing_is_imported(signed_in, admin_a, org_a, org_b):
    CostCentreFactory(organisation=org_a, code="ICT100")
    CostCentreFactory(organisation=org_b, code="EDC1")  # another council's
    system = ConfigurationItemFactory(organisation=org_a, name="Payroll")
    service = BusinessServiceFactory(organisation=org_a, name="Payroll service")
    CostLineFactory(organisation=org_a, transaction_reference="J9",
                    cost_centre=CostCentreFactory(organisation=org_a))
    rows = [["Date", "Amount", "Description", "Cost centre", "Transaction reference",
             "System", "Business service"],
            ["2025-05-01", "12,3x", "Bad amount", "ICT100", "", "", ""],
            ["31/02/2025", "10.00", "Bad date", "ICT100", "", "", ""],
            ["2025-05-01", "10.00", "Not ours", "EDC1", "", "", ""],
            ["2025-05-01", "10.00", "Two things", "ICT100", "", "Payroll", service.name],
            ["2025-05-01", "10.00", "Already in", "ICT100", "J9", "", ""],
            ["2025-05-01", "0", "Nothing", "ICT100", "", "", ""],
            ["2025-05-01", "10.00", "Fine", "ICT100", "", system.reference, ""]]
    checked = preview(signed_in(admin_a), IMPORT, csv_bytes(rows))
    errors = row_errors(checked)
    by_row = {row: (column, message) for row, column, message in errors}
    assert "is not an amount" in by_row["2"][1] and by_row["2"][0] == "Amount"
    assert by_row["3"][0] == "Date"
    assert "There is no cost centre “EDC1”" in by_row["4"][1]
    assert "one thing" in by_row["5"][1]
    assert "already exists" in by_row["6"][1]
    assert "other than £0" in by_row["7"][1]
    assert "8" not in by_row
    assert m.CostLine.objects.count() == 1


def test_a_cost_line_is_added_and_changed_by_hand(signed_in, admin_a, org_a):
    centre = CostCentreFactory(organisation=org_a)
    client = signed_in(admin_a)
    response = client.post(reverse("finance:costline_add"), {
        "date": "2026-01-15", "amount": "-45.10", "description": "Refund",
        "cost_centre": centre.pk})
    assert response.status_code == 302, page(response)
    line = m.CostLine.objects.get()
    assert line.year == 2025 and line.amount == D("-45.10")
    response = client.post(reverse("finance:costline_edit", args=[line.pk]), {
        "date": "2026-04-02", "amount": "-45.10", "description": "Refund",
        "cost_centre": centre.pk, "version": line.version})
    assert response.status_code == 302, page(response)
    line.refresh_from_db()
    assert line.year == 2026  # moved into the next year with its date


# --- commitments -----------------------------------------------------------------------------


def test_commit_records_a_commitment_once_per_source(org_a, admin_a):
    centre = CostCentreFactory(organisation=org_a)
    source = SupplierFactory(organisation=org_a)  # any record of the council will do
    with time_machine.travel(datetime.datetime(2025, 10, 3, 12, tzinfo=datetime.UTC)):
        first = services.commit(org_a.pk, actor=admin_a, amount="24999.995",
                                financial_year=2025, cost_centre=centre.pk, source=source,
                                description="New payroll system", source_reference="PR-7")
        again = services.commit(org_a.pk, actor=admin_a, amount="1", financial_year=2025,
                                source=source, description="Retried")
    assert again.pk == first.pk and m.Commitment.objects.count() == 1
    assert first.amount == D("25000.00")  # rounded once, half up
    assert first.date == datetime.date(2025, 10, 3) and first.source == source
    assert first.reference.startswith("CMT-")
    later = services.commit(org_a.pk, actor=admin_a, amount=D("10"),
                            financial_year=FinancialYear(2027), description="Later")
    assert later.date == datetime.date(2027, 4, 1)


def test_commit_refuses_another_councils_cost_centre_and_who_may_not(org_a, org_b, member):
    theirs = CostCentreFactory(organisation=org_b)
    with pytest.raises(ValidationError, match="no such cost centre"):
        services.commit(org_a.pk, actor=None, amount=1, financial_year=2025,
                        cost_centre=theirs.pk, description="x")
    agent = member(roles.AGENT)
    agent.active_organisation_id = org_a.pk
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.commit(org_a.pk, actor=agent, amount=1, financial_year=2025,
                        description="x")


def test_commitments_are_listed_on_the_budget_page(signed_in, admin_a, org_a):
    budget = BudgetFactory(organisation=org_a, year=2025, amount=D("1200.00"))
    services.commit(org_a.pk, actor=admin_a, amount="300", financial_year=2025,
                    cost_centre=budget.cost_centre, description="Firewall renewal",
                    date=datetime.date(2025, 8, 1))
    body = page(signed_in(admin_a).get(reverse("finance:monitoring") + "?year=2025/26"))
    assert "Firewall renewal" in body and "£300.00" in body
    assert "Budget monitoring 2025/26" in body
    bad = signed_in(admin_a).get(reverse("finance:monitoring") + "?year=soon")
    assert bad.status_code == 400 and "write it like 2025/26" in page(bad)


# --- total cost ------------------------------------------------------------------------------


@pytest.fixture
def estate(org_a):
    """Two systems on one server; one system also uses a database server; a service
    delivered by one of them."""
    application = CIClassFactory(organisation=org_a, code="application", name="Application")
    server_class = CIClassFactory(organisation=org_a, code="virtual-server", name="Server")
    unit = ServiceUnitFactory(organisation=org_a, name="Revenues")
    ctax = ConfigurationItemFactory(organisation=org_a, name="Council Tax", ci_class=application,
                                    service_unit=unit)
    hb = ConfigurationItemFactory(organisation=org_a, name="Benefits", ci_class=application,
                                  service_unit=unit)
    server = ConfigurationItemFactory(organisation=org_a, name="VM1", ci_class=server_class)
    database = ConfigurationItemFactory(organisation=org_a, name="DB1", ci_class=server_class)
    RelationshipFactory(organisation=org_a, source=ctax, target=server,
                        relationship_type="runs_on")
    RelationshipFactory(organisation=org_a, source=hb, target=server,
                        relationship_type="runs_on")
    RelationshipFactory(organisation=org_a, source=server, target=database,
                        relationship_type="depends_on")
    centre = CostCentreFactory(organisation=org_a)
    for item, amount in ((server, "1000.01"), (database, "300.00"), (ctax, "50.00")):
        CostLineFactory(organisation=org_a, cost_centre=centre, configuration_item=item,
                        date=datetime.date(2025, 9, 1), amount=D(amount))
    contract = ContractFactory(organisation=org_a, annual_value=D("999.99"),
                               start_date=datetime.date(2024, 4, 1),
                               end_date=datetime.date(2027, 3, 31))
    ContractCoverFactory(organisation=org_a, contract=contract, configuration_item=ctax)
    ContractCoverFactory(organisation=org_a, contract=contract, configuration_item=hb)
    ContractCoverFactory(organisation=org_a, contract=contract, configuration_item=None,
                         service=BusinessServiceFactory(organisation=org_a, name="Other"))
    service = BusinessServiceFactory(organisation=org_a, name="Council Tax service",
                                     status="live")
    ServiceComponentFactory(organisation=org_a, service=service, configuration_item=ctax)
    return {"ctax": ctax, "hb": hb, "server": server, "database": database,
            "service": service, "contract": contract}


def test_a_systems_total_cost_adds_its_contracts_lines_and_infrastructure(estate):
    ctax = costs.system_cost(estate["ctax"], YEAR)
    hb = costs.system_cost(estate["hb"], YEAR)
    assert ctax.by_kind(costs.CONTRACT) == D("333.33")  # 999.99 over three covers
    assert ctax.by_kind(costs.LINES) == D("50.00")
    # The server (1,000.01) and the database it depends on (300.00), each shared by the
    # two systems that depend on them, to the penny.
    assert ctax.by_kind(costs.INFRASTRUCTURE) + hb.by_kind(costs.INFRASTRUCTURE) == \
        D("1300.01")
    assert ctax.total == D("333.33") + D("50.00") + ctax.by_kind(costs.INFRASTRUCTURE)
    whole = costs.organisation_costs(estate["ctax"].organisation_id, YEAR)
    assert whole.systems[estate["ctax"].pk].total == ctax.total
    assert whole.systems[estate["hb"].pk].total == hb.total
    # The service takes the whole of its one system.
    assert whole.services[estate["service"].pk].total == ctax.total
    assert costs.organisation_costs(estate["ctax"].organisation_id,
                                    FinancialYear(2030)).systems == {}


def test_contract_lines_replace_its_annual_value(estate):
    CostLineFactory(organisation=estate["ctax"].organisation, contract=estate["contract"],
                    date=datetime.date(2025, 5, 1), amount=D("30.00"))
    assert costs.system_cost(estate["ctax"], YEAR).by_kind(costs.CONTRACT) == D("10.00")


def test_the_cost_panels_and_the_costs_page_show_finance_roles_only(estate, signed_in, member,
                                                                     org_a):
    manager = signed_in(member(roles.ICT_MANAGER))
    agent = signed_in(member(roles.AGENT))
    with time_machine.travel(datetime.datetime(2025, 10, 1, 12, tzinfo=datetime.UTC)):
        system_page = reverse("cmdb:system_detail", args=[estate["ctax"].pk])
        body = page(manager.get(system_page))
        assert "Cost in 2025/26" in body and "VM1" in body
        assert "Cost in 2025/26" not in page(agent.get(system_page))
        service_page = estate["service"].get_absolute_url()
        assert "Cost in 2025/26" in page(manager.get(service_page))
        assert "Cost in 2025/26" not in page(agent.get(service_page))
        costs_page = manager.get(reverse("finance:costs"))
        assert costs_page.status_code == 200 and "Council Tax" in page(costs_page)
        assert agent.get(reverse("finance:costs")).status_code == 403
        api = signed_in(member(roles.AUDITOR), api=True)
        rows = api.get(reverse("api:finance-totalcost-list"), {"year": "2025/26"}).json()
        assert {r["name"] for r in rows} >= {"Council Tax", "Benefits", "Council Tax service"}
        assert api.get(reverse("api:finance-totalcost-list"), {"colour": "red"}
                       ).status_code == 400


def test_the_systems_catalogue_shows_the_units_recharge(estate, signed_in, org_a, admin_a):
    unit = estate["ctax"].service_unit
    PersonFactory(organisation=org_a, service_unit=unit)
    pool = CostPoolFactory(organisation=org_a, year=2025, basis=m.Basis.USERS,
                           amount=D("750.00"))
    admin_a.active_organisation_id = org_a.pk
    run = services.run_recharges(org_a.pk, YEAR, actor=admin_a)
    client = signed_in(admin_a)
    catalogue = reverse("cmdb:systems_catalogue") + f"?unit={unit.pk}"
    assert "is recharged" not in page(client.get(catalogue))  # a draft is not showback
    services.issue_run(run, actor=admin_a)
    body = page(client.get(catalogue))
    share = run.lines.get(service_unit=unit).amount
    assert "Revenues is recharged" in body and f"£{share:,.2f}</strong> for ICT in 2025/26" \
        in body
    assert pool.name in page(client.get(reverse("finance:statement", args=[run.pk, unit.pk])))


# --- evidence --------------------------------------------------------------------------------


def run_rule(name, organisation, when, **params):
    return registry.evidence_rules[name].run(organisation, params, when)


def test_budget_monitored_monthly(org_a, org_b, admin_a):
    checked = datetime.datetime(2025, 12, 10, 12, tzinfo=datetime.UTC)
    with time_machine.travel(datetime.datetime(2025, 9, 1, 12, tzinfo=datetime.UTC)):
        result = run_rule("finance.budget-monitored-monthly", org_a, timezone.now())
        assert not result.met and "No ICT budget is recorded for 2025/26" in result.summary
        BudgetFactory(organisation=org_a, year=2025)
    for month in (9, 10):
        with time_machine.travel(datetime.datetime(2025, month, 20, 12, tzinfo=datetime.UTC)):
            services.record_review(org_a.pk, YEAR, actor=admin_a)
    result = run_rule("finance.budget-monitored-monthly", org_a, checked)
    assert not result.met and "not in November 2025" in result.summary
    with time_machine.travel(datetime.datetime(2025, 11, 2, 12, tzinfo=datetime.UTC)):
        services.record_review(org_a.pk, YEAR, actor=admin_a)
    result = run_rule("finance.budget-monitored-monthly", org_a, checked)
    assert result.met, result.summary
    # Threshold: over six months it is not met.
    assert not run_rule("finance.budget-monitored-monthly", org_a, checked, months=6).met
    # After the date (a month without a review since) and for another council: not met.
    assert not run_rule("finance.budget-monitored-monthly", org_a,
                        datetime.datetime(2026, 2, 10, tzinfo=datetime.UTC)).met
    assert not run_rule("finance.budget-monitored-monthly", org_b, checked).met


def test_costs_known_per_service(estate, org_a, org_b):
    rule = "finance.costs-known-per-service"
    now = timezone.now()
    # Both live services take a share of the contract, current this year too.
    assert run_rule(rule, org_a, now).met
    BusinessServiceFactory(organisation=org_a, name="No cost", status="live")
    result = run_rule(rule, org_a, timezone.now())
    assert not result.met and "Not known: No cost" in result.summary
    assert result.figures["with_cost"] == 2 and result.figures["live_services"] == 3
    assert run_rule(rule, org_a, timezone.now(), target_percent=60).met  # threshold
    # In a year after the contract, nothing is known; before the services were recorded,
    # there were none; another council has none.
    assert not run_rule(rule, org_a, datetime.datetime(2028, 6, 1, tzinfo=datetime.UTC)).met
    assert not run_rule(rule, org_a, now - datetime.timedelta(days=400)).met
    assert not run_rule(rule, org_b, now).met


def test_recharges_issued(org_a, org_b, admin_a):
    unit = ServiceUnitFactory(organisation=org_a)
    PersonFactory(organisation=org_a, service_unit=unit)
    CostPoolFactory(organisation=org_a, year=2025, basis=m.Basis.USERS, amount=D("10"))
    admin_a.active_organisation_id = org_a.pk
    run = services.run_recharges(org_a.pk, YEAR, actor=admin_a)
    checked = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    assert not run_rule("finance.recharges-issued", org_a, checked).met  # a draft
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)):
        services.issue_run(run, actor=admin_a)
    assert run_rule("finance.recharges-issued", org_a, checked).met
    # Before it was issued; the next year; the previous year of the next; another council.
    assert not run_rule("finance.recharges-issued", org_a,
                        datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)).met
    next_year = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    assert not run_rule("finance.recharges-issued", org_a, next_year).met
    assert run_rule("finance.recharges-issued", org_a, next_year, year="previous").met
    assert not run_rule("finance.recharges-issued", org_b, checked).met
