"""A contract's annual value pro-rated to the days of its term in a financial year (April
to March, 365 or 366 days), to the penny: month ends, leap years, renewals and notice."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from borough.commercial.models import Contract
from borough.finance.costs import contract_days, prorated_value
from borough.finance.years import FinancialYear

D = Decimal
day = datetime.date


def contract(start, end=None, **terms) -> Contract:
    return Contract(start_date=start, end_date=end, annual_value=D("12000.00"), **terms)


def test_a_year_has_365_days_or_366_with_a_29_february():
    assert FinancialYear(2025).days == 365  # April 2025 to March 2026
    assert FinancialYear(2023).days == 366  # holds 29 February 2024
    assert FinancialYear(2027).days == 366  # holds 29 February 2028
    assert FinancialYear(2024).days == 365  # starts after 29 February 2024


def test_a_whole_year_is_the_annual_value_exactly():
    for year in (FinancialYear(2023), FinancialYear(2025)):
        whole = contract(day(2020, 1, 1), day(2030, 12, 31))
        assert contract_days(whole, year) == year.days
        assert prorated_value(D("999.99"), year.days, year) == D("999.99")


def test_part_years_at_month_ends():
    year = FinancialYear(2025)
    # Starts on the last day of September: it and 31 March count, so 183 days.
    late = contract(day(2025, 9, 30), day(2028, 9, 29))
    assert contract_days(late, year) == 183
    assert prorated_value(D("12000.00"), 183, year) == D("6016.44")  # 12000 × 183 / 365
    # Ends on 31 January: April to January is 306 days.
    ends = contract(day(2023, 2, 1), day(2026, 1, 31))
    assert contract_days(ends, year) == 306
    assert prorated_value(D("12000.00"), 306, year) == D("10060.27")
    # One day: the year's last.
    last_day = contract(day(2026, 3, 31), day(2027, 3, 30))
    assert contract_days(last_day, year) == 1
    assert prorated_value(D("365.00"), 1, year) == D("1.00")
    # Outside the year: nothing.
    assert contract_days(contract(day(2026, 4, 1), day(2027, 3, 31)), year) == 0
    assert contract_days(contract(day(2024, 4, 1), day(2025, 3, 31)), year) == 0


def test_leap_years_count_29_february():
    leap = FinancialYear(2023)  # 1 April 2023 to 31 March 2024
    march = contract(day(2024, 2, 29), day(2024, 3, 31))
    assert contract_days(march, leap) == 32  # 29 February and March
    assert prorated_value(D("366.00"), 32, leap) == D("32.00")
    # The same months a year later hold no 29 February.
    assert contract_days(contract(day(2025, 2, 28), day(2025, 3, 31)), FinancialYear(2024)) == 32
    assert prorated_value(D("366.00"), 32, FinancialYear(2024)) == D("32.09")


def test_an_auto_renewing_contract_runs_on_and_notice_ends_it():
    year = FinancialYear(2025)
    renews = contract(day(2022, 7, 1), day(2025, 6, 30), renewal_terms="auto",
                      renewal_months=12, notice_period=3, notice_unit="months")
    assert contract_days(renews, year) == 365
    # Notice given in time: the term ends on 30 June 2025, 91 days into the year.
    renews.notice_given_on = day(2025, 2, 1)
    assert contract_days(renews, year) == 91
    # A rolling contract runs on until notice (one month) ends it.
    rolling = contract(day(2024, 1, 1), None, renewal_terms="rolling", notice_period=1,
                       notice_unit="months")
    assert contract_days(rolling, year) == 365
    rolling.notice_given_on = day(2025, 12, 31)
    assert contract_days(rolling, year) == 306  # to 31 January 2026


def test_no_value_or_no_days_costs_nothing():
    year = FinancialYear(2025)
    assert prorated_value(None, 100, year) == D("0.00")
    assert prorated_value(D("500.00"), 0, year) == D("0.00")


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=365),
       st.sampled_from([2023, 2024, 2025, 2027]))
def test_two_parts_of_a_year_make_the_whole_within_a_penny(pennies, split, start):
    """A contract replaced mid-year by another at the same value costs the annual value,
    give or take the penny each part is rounded to."""
    year = FinancialYear(start)
    value = D(pennies) / 100
    split = min(split, year.days - 1)
    first = prorated_value(value, split, year)
    second = prorated_value(value, year.days - split, year)
    assert abs(first + second - value) <= D("0.01")
    assert first >= 0 and second >= 0
