"""The total cost of a system and a service counts licences (each entitlement's share of
the year, never twice with the contract it was bought under) and staff time logged on
tickets, priced at the team's or the council's hourly rate."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borough.core import roles
from borough.finance import costs
from borough.finance.years import FinancialYear
from borough.servicedesk import services as desk
from borough.servicedesk.models import TicketType, WorkLog
from tests.conftest import make_member
from tests.factories import (
    BusinessServiceFactory,
    ContractCoverFactory,
    ContractFactory,
    PersonFactory,
    ServiceComponentFactory,
    TeamFactory,
)
from tests.finance.factories import FinanceSettingsFactory, TeamStaffRateFactory
from tests.licences.factories import ApplicationFactory, EntitlementFactory, LicenceFactory

pytestmark = pytest.mark.django_db
D = Decimal
day = datetime.date
YEAR = FinancialYear(2025)


# --- licences -------------------------------------------------------------------------------


def test_an_entitlement_counts_its_share_of_the_year(org_a):
    system = ApplicationFactory(organisation=org_a, name="Financials")
    licence = LicenceFactory(organisation=org_a, software=system, name="Financials users")
    # A year's term inside the year: all of it.
    EntitlementFactory(organisation=org_a, licence=licence, cost=D("4250.00"),
                       term_start=day(2025, 4, 1), term_end=day(2026, 3, 31))
    # Two years from 1 October 2025 (730 days: no 29 February falls in them), 182 of
    # them in 2025/26: £1,000 × 182 ÷ 730.
    EntitlementFactory(organisation=org_a, licence=licence, cost=D("1000.00"),
                       term_start=day(2025, 10, 1), term_end=day(2027, 9, 30))
    # A perpetual licence bought in the year, and one bought the year before.
    EntitlementFactory(organisation=org_a, licence=licence, cost=D("300.00"),
                       term_start=day(2025, 5, 1), term_end=None)
    EntitlementFactory(organisation=org_a, licence=licence, cost=D("999.00"),
                       term_start=day(2024, 5, 1), term_end=None)
    total = costs.system_cost(system, YEAR)
    assert total.by_kind(costs.LICENCE) == D("4250.00") + D("249.32") + D("300.00")
    parts = [p for p in total.parts if p.kind == costs.LICENCE]
    assert any("182 of its 730 days in the year" in p.label for p in parts), parts
    whole = costs.organisation_costs(org_a.pk, YEAR)
    assert whole.systems[system.pk].by_kind(costs.LICENCE) == total.by_kind(costs.LICENCE)


def test_a_term_over_several_years_adds_up_to_its_cost():
    start, end, cost = day(2024, 2, 29), day(2027, 2, 28), D("1000.00")
    shares = [costs.term_share(cost, start, end, FinancialYear(y)) for y in range(2022, 2028)]
    assert sum(shares) == cost and shares[0] == 0 and shares[-1] == 0


@given(st.integers(min_value=1, max_value=10**8), st.dates(datetime.date(2020, 1, 1),
                                                           datetime.date(2030, 12, 31)),
       st.integers(min_value=0, max_value=2000))
def test_every_term_is_shared_over_its_years_to_the_penny(pennies, start, length):
    cost = D(pennies) / 100
    end = start + datetime.timedelta(days=length)
    years = range(FinancialYear.of(start).start_year, FinancialYear.of(end).start_year + 1)
    shares = [costs.term_share(cost, start, end, FinancialYear(y)) for y in years]
    assert sum(shares) == cost and all(s >= 0 for s in shares)


def test_an_entitlement_bought_under_a_counted_contract_is_counted_once(org_a):
    system = ApplicationFactory(organisation=org_a, name="Revenues")
    contract = ContractFactory(organisation=org_a, annual_value=D("12000.00"),
                               start_date=day(2024, 4, 1), end_date=day(2028, 3, 31))
    ContractCoverFactory(organisation=org_a, contract=contract, configuration_item=system)
    licence = LicenceFactory(organisation=org_a, software=system)
    EntitlementFactory(organisation=org_a, licence=licence, contract=contract,
                       cost=D("5000.00"), term_start=day(2025, 4, 1),
                       term_end=day(2026, 3, 31))
    total = costs.system_cost(system, YEAR)
    assert total.total == D("12000.00")  # the contract, not the contract and the licence
    counted = [p for p in total.parts if p.kind == costs.LICENCE]
    assert len(counted) == 1 and counted[0].amount == 0
    assert f"counted in the cost of {contract.reference}" in counted[0].label
    # The same contract covering another system still counts the licence once.
    other = ApplicationFactory(organisation=org_a, name="Benefits")
    licence.software = other
    licence.save()
    assert costs.system_cost(other, YEAR).total == D("0.00")


def test_a_contract_not_counted_leaves_the_entitlement_counted(org_a):
    system = ApplicationFactory(organisation=org_a)
    covers_nothing = ContractFactory(organisation=org_a, annual_value=D("9000.00"),
                                     start_date=day(2024, 4, 1), end_date=day(2028, 3, 31))
    ended = ContractFactory(organisation=org_a, annual_value=D("9000.00"),
                            start_date=day(2020, 4, 1), end_date=day(2024, 3, 31))
    ContractCoverFactory(organisation=org_a, contract=ended,
                         configuration_item=ApplicationFactory(organisation=org_a))
    licence = LicenceFactory(organisation=org_a, software=system)
    for contract in (covers_nothing, ended):
        EntitlementFactory(organisation=org_a, licence=licence, contract=contract,
                           cost=D("100.00"), term_start=day(2025, 4, 1),
                           term_end=day(2026, 3, 31))
    assert costs.system_cost(system, YEAR).by_kind(costs.LICENCE) == D("200.00")


def test_licences_of_another_council_are_not_counted(org_a, org_b):
    system = ApplicationFactory(organisation=org_a)
    EntitlementFactory(organisation=org_b, licence=LicenceFactory(organisation=org_b),
                       term_start=day(2025, 4, 1), term_end=day(2026, 3, 31))
    assert costs.organisation_costs(org_a.pk, YEAR).systems.get(system.pk) is None


# --- staff time -----------------------------------------------------------------------------


@pytest.fixture
def desk_org(org_a):
    agent = make_member(org_a, roles.AGENT, "timekeeper")
    PersonFactory(organisation=org_a, user=agent)
    agent.active_organisation_id = org_a.pk
    return agent


def log(org, agent, *, minutes, worked_on, ci=None, service=None, team=None):
    ticket = desk.raise_ticket(org.pk, actor=agent, ticket_type=TicketType.INCIDENT,
                               requester=agent.people.first(), title="Broken",
                               description="It is.", ci=ci, service=service, team=team)
    WorkLog.objects.create(organisation=org, ticket=ticket, worked_by=agent,
                           worked_on=worked_on, minutes=minutes, team=team)
    return ticket


def test_staff_time_is_priced_at_the_teams_rate_else_the_councils(org_a, desk_org):
    system = ApplicationFactory(organisation=org_a)
    engineers, first_line = (TeamFactory(organisation=org_a, name=n)
                             for n in ("Engineers", "First line"))
    FinanceSettingsFactory(organisation=org_a, staff_hourly_rate=D("30.00"))
    TeamStaffRateFactory(organisation=org_a, team=engineers, hourly_rate=D("50.00"))
    log(org_a, desk_org, minutes=90, worked_on=day(2025, 6, 1), ci=system, team=engineers)
    log(org_a, desk_org, minutes=20, worked_on=day(2025, 7, 1), ci=system, team=first_line)
    log(org_a, desk_org, minutes=7, worked_on=day(2026, 4, 1), ci=system)  # next year
    staff = [p for p in costs.system_cost(system, YEAR).parts if p.kind == costs.STAFF]
    # 1.5 h × £50 + 20 min × £30 = £75 + £10.
    assert [p.amount for p in staff] == [D("85.00")]
    assert "1 h 50 min logged on its tickets" in staff[0].label
    assert "hourly rates of the teams" in staff[0].label


def test_staff_time_is_priced_at_the_rates_of_the_year_it_was_worked_in(org_a, desk_org):
    system = ApplicationFactory(organisation=org_a)
    engineers, first_line, desk_team = (TeamFactory(organisation=org_a, name=n)
                                        for n in ("Engineers", "First line", "Desk"))
    FinanceSettingsFactory(organisation=org_a, staff_hourly_rate=D("30.00"))
    TeamStaffRateFactory(organisation=org_a, team=engineers, hourly_rate=D("50.00"))
    TeamStaffRateFactory(organisation=org_a, team=engineers, year=2026, hourly_rate=D("54.00"))
    TeamStaffRateFactory(organisation=org_a, team=first_line, year=2025, hourly_rate=D("36.00"))
    TeamStaffRateFactory(organisation=org_a, team=None, year=2026, hourly_rate=D("33.00"))
    for worked_on in (day(2025, 6, 1), day(2026, 6, 1)):
        log(org_a, desk_org, minutes=60, worked_on=worked_on, ci=system, team=engineers)
        log(org_a, desk_org, minutes=60, worked_on=worked_on, ci=system, team=first_line)
        log(org_a, desk_org, minutes=60, worked_on=worked_on, ci=system, team=desk_team)

    def staff_cost(year):
        return [p.amount for p in costs.system_cost(system, year).parts if p.kind == costs.STAFF]

    # 2025/26: engineers' every-year £50, first line's own £36, the desk the council's £30.
    assert staff_cost(FinancialYear(2025)) == [D("116.00")]
    # 2026/27: engineers' £54 for the year, first line and the desk the council's £33.
    assert staff_cost(FinancialYear(2026)) == [D("120.00")]
    rate = costs.staff_rates(org_a.pk, FinancialYear(2027))
    assert (rate(engineers.pk), rate(first_line.pk), rate(None)) == (D("50.00"), D("30.00"),
                                                                     D("30.00"))


def test_a_rate_is_for_a_team_or_a_year_and_not_set_twice(org_a):
    from django.core.exceptions import ValidationError

    from borough.core import services
    from borough.finance.models import TeamStaffRate

    admin = make_member(org_a, roles.ADMINISTRATOR, "rates-admin")
    team = TeamFactory(organisation=org_a)
    with pytest.raises(ValidationError, match="finance settings"):
        services.create_record(TeamStaffRate(organisation=org_a, hourly_rate=D("40")),
                               actor=admin)
    services.create_record(TeamStaffRate(organisation=org_a, team=team, year=2026,
                                         hourly_rate=D("40")), actor=admin)
    with pytest.raises(ValidationError, match="already has a rate for that year"):
        services.create_record(TeamStaffRate(organisation=org_a, team=team, year=2026,
                                             hourly_rate=D("41")), actor=admin)
    services.create_record(TeamStaffRate(organisation=org_a, team=team, hourly_rate=D("39")),
                           actor=admin)
    with pytest.raises(ValidationError, match="already has a rate for every year"):
        services.create_record(TeamStaffRate(organisation=org_a, team=team,
                                             hourly_rate=D("38")), actor=admin)
    services.create_record(TeamStaffRate(organisation=org_a, year=2026, hourly_rate=D("35")),
                           actor=admin)
    with pytest.raises(ValidationError, match="council already has a rate"):
        services.create_record(TeamStaffRate(organisation=org_a, year=2026,
                                             hourly_rate=D("36")), actor=admin)
    assert TeamStaffRate.objects.filter(organisation=org_a).count() == 3


def test_staff_time_on_a_service_and_unpriced_time(org_a, desk_org):
    service = BusinessServiceFactory(organisation=org_a, status="live")
    log(org_a, desk_org, minutes=40, worked_on=day(2025, 6, 1), service=service)
    found = costs.organisation_costs(org_a.pk, YEAR).services[service.pk]
    staff = [p for p in found.parts if p.kind == costs.STAFF]
    assert staff[0].amount == 0 and "40 min not priced" in staff[0].label
    FinanceSettingsFactory(organisation=org_a, staff_hourly_rate=D("35.00"))
    found = costs.organisation_costs(org_a.pk, YEAR).services[service.pk]
    assert found.by_kind(costs.STAFF) == D("23.33")  # 40 × 35 ÷ 60, rounded once
    assert "40 min logged on its tickets at £35.00 an hour" in found.parts[0].label


def test_staff_time_on_a_system_flows_to_its_service(org_a, desk_org):
    system = ApplicationFactory(organisation=org_a)
    service = BusinessServiceFactory(organisation=org_a, status="live")
    ServiceComponentFactory(organisation=org_a, service=service, configuration_item=system)
    FinanceSettingsFactory(organisation=org_a, staff_hourly_rate=D("60.00"))
    # A ticket naming both the system and the service counts once, for the system.
    log(org_a, desk_org, minutes=60, worked_on=day(2025, 9, 1), ci=system, service=service)
    whole = costs.organisation_costs(org_a.pk, YEAR)
    assert whole.systems[system.pk].by_kind(costs.STAFF) == D("60.00")
    assert whole.services[service.pk].total == D("60.00")
    assert whole.services[service.pk].by_kind(costs.STAFF) == 0  # through the system


def test_the_costs_page_and_api_show_licences_and_staff_time(org_a, desk_org, signed_in,
                                                             admin_a):
    from django.urls import reverse

    system = ApplicationFactory(organisation=org_a, name="Financials")
    EntitlementFactory(organisation=org_a, licence=LicenceFactory(organisation=org_a,
                                                                  software=system),
                       cost=D("1234.56"), term_start=day(2025, 4, 1), term_end=day(2026, 3, 31))
    FinanceSettingsFactory(organisation=org_a, staff_hourly_rate=D("30.00"))
    log(org_a, desk_org, minutes=30, worked_on=day(2025, 6, 1), ci=system)
    client = signed_in(admin_a)
    body = client.get(reverse("finance:costs") + "?year=2025/26").content.decode()
    assert "£1,234.56" in body and "£15.00" in body and "£1,249.56" in body
    rows = signed_in(admin_a, api=True).get(reverse("api:finance-totalcost-list"),
                                            {"year": "2025/26"}).json()
    row = next(r for r in rows if r["name"] == "Financials")
    assert row["total"] == "1249.56"
    assert {p["kind"] for p in row["parts"]} == {"licence", "staff"}
