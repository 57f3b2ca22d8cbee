"""Financial years, budget profiles to the penny and the forecast outturn's arithmetic."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from borough.finance import monitoring
from borough.finance.years import FinancialYear
from tests.finance.factories import (
    BudgetFactory,
    CommitmentFactory,
    CostCentreFactory,
    CostLineFactory,
)

D = Decimal


# --- financial years (no database) --------------------------------------------------------


@pytest.mark.parametrize(("day", "start"), [
    (datetime.date(2026, 3, 31), 2025), (datetime.date(2026, 4, 1), 2026),
    (datetime.date(2025, 12, 31), 2025), (datetime.date(2026, 1, 1), 2025),
    (datetime.date(2024, 2, 29), 2023)])
def test_the_year_of_a_date_runs_april_to_march(day, start):
    assert FinancialYear.of(day).start_year == start


def test_a_years_months_and_bounds():
    year = FinancialYear(2025)
    assert year.label == "2025/26"
    assert year.start == datetime.date(2025, 4, 1)
    assert year.end == datetime.date(2026, 3, 31)
    months = year.months()
    assert len(months) == 12
    assert months[0] == datetime.date(2025, 4, 1)
    assert months[9] == datetime.date(2026, 1, 1)
    assert months[-1] == datetime.date(2026, 3, 1)
    assert year.month_index(datetime.date(2026, 2, 28)) == 10
    with pytest.raises(ValueError, match="not in the financial year 2025/26"):
        year.month_index(datetime.date(2026, 4, 1))


@pytest.mark.parametrize("text", ["2025/26", "2025-26", "2025/2026", " 2025 ", "2025"])
def test_a_year_is_read_as_people_write_it(text):
    assert FinancialYear.parse(text) == FinancialYear(2025)


@pytest.mark.parametrize("text", ["2025/27", "25/26", "last year", "", "2025/2027", "1700"])
def test_a_year_that_is_not_one_is_refused_in_words(text):
    with pytest.raises(ValueError, match="write it like 2025/26"):
        FinancialYear.parse(text)


@given(st.dates(min_value=datetime.date(1991, 1, 1), max_value=datetime.date(2199, 12, 31)))
def test_every_date_is_in_exactly_the_year_it_is_of(day):
    year = FinancialYear.of(day)
    assert day in year
    assert day not in year.next() and day not in year.previous()
    assert year.months()[year.month_index(day)] == day.replace(day=1)


# --- budgets -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_budget_without_a_profile_spreads_evenly_to_the_penny(org_a):
    budget = BudgetFactory(organisation=org_a, amount=D("100000.00"))
    months = budget.months()
    assert sum(months) == D("100000.00")
    assert months[:4] == [D("8333.34")] * 4 and months[4:] == [D("8333.33")] * 8


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_an_even_spread_always_adds_up(amount):
    from borough.finance.models import Budget

    assert sum(Budget(amount=amount).months()) == amount


@pytest.mark.django_db
def test_a_profile_must_have_twelve_months_adding_up_to_the_budget(org_a):
    budget = BudgetFactory.build(organisation=org_a, amount=D("1200.00"),
                                 cost_centre=CostCentreFactory(organisation=org_a),
                                 monthly_profile=["100"] * 11)
    with pytest.raises(ValidationError) as caught:
        budget.full_clean()
    assert "twelve monthly amounts" in caught.value.message_dict["monthly_profile"][0]
    budget.monthly_profile = ["100"] * 11 + ["99.99"]
    with pytest.raises(ValidationError) as caught:
        budget.full_clean()
    assert "add up to £1,199.99, not the budget of £1,200.00" in \
        caught.value.message_dict["monthly_profile"][0]
    budget.monthly_profile = ["50", "150"] + ["100"] * 10
    budget.full_clean()
    assert budget.months()[1] == D("150.00")
    assert budget.monthly_profile[0] == "50.00"


# --- the forecast outturn ------------------------------------------------------------------


def test_the_forecast_is_actual_plus_committed_plus_the_budget_to_come():
    starts = FinancialYear(2025).months()
    months = [monitoring.Month(s, D("1000.00"), D("0.00"), D("0.00"), i < 3)
              for i, s in enumerate(starts)]
    months[0].actual, months[1].actual, months[2].actual = D("900.00"), D("1200.50"), D("-50")
    months[5].committed = D("3000.00")  # a month to come: committed counts, as its budget
    assert monitoring.forecast(months) == D("2050.50") + D("3000.00") + 9 * D("1000.00")
    # Month by month: a started month forecasts what was spent, one to come its budget
    # and what is committed; the year so far at March is the forecast outturn.
    row = monitoring.Row(None, months)
    running = row.running()
    assert [m.forecast for m in running[:3]] == [D("900.00"), D("1200.50"), D("-50")]
    assert running[5].forecast == D("4000.00") and running[6].forecast == D("1000.00")
    assert running[2].forecast_to_month == D("2050.50")
    assert running[2].budget_to_month == D("3000.00")
    assert running[-1].forecast_to_month == row.forecast
    assert running[-1].budget_to_month == row.budget == D("12000.00")


@pytest.mark.django_db
def test_monitoring_a_year_per_cost_centre_and_month(org_a):
    budget = BudgetFactory(organisation=org_a, year=2025, amount=D("12000.00"))
    centre = budget.cost_centre
    CostLineFactory(organisation=org_a, cost_centre=centre, date=datetime.date(2025, 4, 3),
                    amount=D("700.10"))
    CostLineFactory(organisation=org_a, cost_centre=centre, date=datetime.date(2025, 4, 30),
                    amount=D("-100.10"))  # a credit
    CostLineFactory(organisation=org_a, cost_centre=centre, date=datetime.date(2025, 6, 1),
                    amount=D("2500.00"))
    CostLineFactory(organisation=org_a, cost_centre=centre, date=datetime.date(2026, 4, 1),
                    amount=D("999.00"))  # next year
    CommitmentFactory(organisation=org_a, cost_centre=centre, year=2025,
                      date=datetime.date(2025, 9, 1), amount=D("4000.00"))
    CommitmentFactory(organisation=org_a, cost_centre=centre, year=2025, status="cancelled",
                      date=datetime.date(2025, 9, 1), amount=D("8000.00"))
    found = monitoring.monitor(org_a.pk, FinancialYear(2025), datetime.date(2025, 6, 20))
    [row] = found.rows
    assert row.cost_centre == centre
    assert row.months[0].actual == D("600.00")
    assert row.months[2].actual == D("2500.00")
    assert row.months[5].committed == D("4000.00")
    assert [m.started for m in row.months[:4]] == [True, True, True, False]
    assert row.actual == D("3100.00") and row.committed == D("4000.00")
    # Three months started (April to June); nine to come at £1,000 each.
    assert row.forecast == D("3100.00") + D("4000.00") + D("9000.00")
    assert row.variance == D("12000.00") - row.forecast
    assert found.totals.forecast == row.forecast


@pytest.mark.django_db
def test_monitoring_shows_budget_actual_and_forecast_per_month_with_its_chart(
        org_a, signed_in, admin_a):
    import time_machine

    budget = BudgetFactory(organisation=org_a, year=2025, amount=D("12000.00"))
    CostLineFactory(organisation=org_a, cost_centre=budget.cost_centre,
                    date=datetime.date(2025, 4, 3), amount=D("1500.00"))
    admin_a.active_organisation_id = org_a.pk
    with time_machine.travel(datetime.datetime(2025, 5, 20, 12, tzinfo=datetime.UTC)):
        page = signed_in(admin_a).get("/finance/budget/?year=2025/26")
        api = signed_in(admin_a, api=True).get(
            "/api/finance/budget-monitoring/?year=2025/26").json()
    text = page.content.decode()
    assert page.status_code == 200
    # The chart, with its table of the same numbers: budget 1,000 a month; April spent
    # 1,500, May started with nothing spent; ten months to come at their budget.
    assert "Budget, actual and forecast outturn, 2025/26, year so far by month" in text
    assert '<svg' in text and "Show the data" in text
    assert "Forecast, year so far" in text and "£11,500.00" in text
    april, may, march = (api["totals"]["months"][i] for i in (0, 1, 11))
    assert (april["forecast"], april["forecast_to_month"]) == ("1500.00", "1500.00")
    assert (may["forecast"], may["budget_to_month"]) == ("0.00", "2000.00")
    assert march["forecast_to_month"] == api["totals"]["forecast"] == "11500.00"
    assert api["rows"][0]["months"][11]["forecast_to_month"] == "11500.00"
