"""A contract's term end and notice date: month ends, leap years, automatic renewals,
rolling terms and notice given late."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from borough.commercial.dates import AUTO, DAYS, FIXED, MONTHS, ROLLING, Terms, notice_by, term_end

D = datetime.date


END = D(2027, 3, 31)


def terms(end=END, kind=FIXED, renewal=None, notice=3, unit=MONTHS, given=None):
    return Terms(D(2024, 4, 1), end, kind, renewal, notice, unit, given)


def test_three_months_before_a_month_end_is_the_month_end_then():
    assert notice_by(terms(), D(2026, 12, 6)) == D(2026, 12, 31)
    assert notice_by(terms(end=D(2027, 5, 31)), D(2026, 12, 6)) == D(2027, 2, 28)
    assert notice_by(terms(end=D(2028, 5, 31)), D(2026, 12, 6)) == D(2028, 2, 29)  # leap


def test_notice_in_days_counts_days():
    assert notice_by(terms(notice=90, unit=DAYS), D(2026, 12, 6)) == D(2026, 12, 31)
    assert notice_by(terms(end=D(2028, 3, 1), notice=1, unit=DAYS), D(2027, 1, 1)) \
        == D(2028, 2, 29)


def test_a_fixed_contract_ends_on_its_end_date_even_after_it():
    assert term_end(terms(), D(2030, 1, 1)) == D(2027, 3, 31)


def test_an_automatic_renewal_rolls_on_from_the_original_end_without_drifting():
    monthly = terms(end=D(2027, 1, 31), kind=AUTO, renewal=1, notice=7, unit=DAYS)
    assert term_end(monthly, D(2027, 1, 31)) == D(2027, 1, 31)
    assert term_end(monthly, D(2027, 2, 1)) == D(2027, 2, 28)
    assert term_end(monthly, D(2027, 3, 1)) == D(2027, 3, 31)  # not 28 March
    assert notice_by(monthly, D(2027, 3, 1)) == D(2027, 3, 24)
    yearly = terms(kind=AUTO, renewal=12)
    assert term_end(yearly, D(2027, 4, 1)) == D(2028, 3, 31)
    assert notice_by(yearly, D(2027, 4, 1)) == D(2027, 12, 31)


def test_notice_given_in_time_ends_the_term_and_late_notice_the_next():
    in_time = terms(kind=AUTO, renewal=12, given=D(2026, 12, 20))
    assert term_end(in_time, D(2030, 1, 1)) == D(2027, 3, 31)
    assert notice_by(in_time, D(2026, 12, 21)) is None  # nothing left to give
    late = terms(kind=AUTO, renewal=12, given=D(2027, 1, 5))
    assert term_end(late, D(2030, 1, 1)) == D(2028, 3, 31)


def test_a_rolling_contract_has_no_end_until_notice_is_given():
    rolling = terms(end=None, kind=ROLLING, notice=1)
    assert term_end(rolling, D(2030, 1, 1)) is None and notice_by(rolling, D(2030, 1, 1)) is None
    ended = terms(end=None, kind=ROLLING, notice=1, given=D(2027, 1, 31))
    assert term_end(ended, D(2027, 2, 1)) == D(2027, 2, 28)


def test_no_notice_period_means_no_notice_date():
    assert notice_by(terms(notice=0), D(2026, 12, 6)) is None


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
       st.integers(min_value=1, max_value=36), st.integers(min_value=0, max_value=24),
       st.dates(min_value=D(2000, 1, 1), max_value=D(2095, 12, 31)))
def test_an_automatic_term_in_force_ends_on_or_after_today_on_a_renewal_of_the_end(
        end, renewal, notice, today):
    t = terms(end=end, kind=AUTO, renewal=renewal, notice=notice)
    current = term_end(t, today)
    assert current >= min(today, current) and (current >= today or current == end)
    # Every renewal is a whole number of renewal periods from the original end.
    months = (current.year - end.year) * 12 + current.month - end.month
    assert months % renewal == 0 and months >= 0
    if notice:
        assert notice_by(t, today) < current


# --- every notice date in a period, and which decision answers one ----------------------------

from borough.commercial.dates import decided_for, notice_dates  # noqa: E402


def test_notice_dates_of_each_renewal_across_leap_years():
    yearly = Terms(D(2023, 3, 1), D(2024, 2, 29), AUTO, 12, 1, MONTHS)
    # Each term ends on the 29th of February or, in other years, the 28th; notice a month
    # before each: the 29th of January, then the 28th.
    assert notice_dates(yearly, D(2024, 1, 1), D(2027, 12, 31)) == [
        D(2024, 1, 29), D(2025, 1, 28), D(2026, 1, 28), D(2027, 1, 28)]
    assert notice_dates(yearly, D(2025, 6, 1), D(2026, 6, 1)) == [D(2026, 1, 28)]


def test_a_fixed_term_has_one_notice_date_and_a_rolling_contract_none():
    assert notice_dates(terms(), D(2026, 1, 1), D(2028, 1, 1)) == [D(2026, 12, 31)]
    assert notice_dates(terms(), D(2027, 1, 1), D(2028, 1, 1)) == []
    assert notice_dates(terms(end=None, kind=ROLLING, notice=1), D(2020, 1, 1),
                        D(2030, 1, 1)) == []
    assert notice_dates(terms(notice=0), D(2020, 1, 1), D(2030, 1, 1)) == []


def test_a_decision_answers_the_notice_date_of_its_own_term_only():
    yearly = terms(kind=AUTO, renewal=12)  # notice dates 31 Dec 2026, 31 Dec 2027, …
    assert decided_for(yearly, D(2026, 12, 31), D(2026, 12, 31))  # on the day: in time
    assert not decided_for(yearly, D(2027, 1, 1), D(2026, 12, 31))  # the day after: late
    assert decided_for(yearly, D(2027, 6, 1), D(2027, 12, 31))
    assert not decided_for(yearly, D(2026, 6, 1), D(2027, 12, 31))  # last year's decision
    assert decided_for(terms(), D(2025, 1, 1), D(2026, 12, 31))  # a fixed term: any before
    assert not decided_for(terms(), None, D(2026, 12, 31))
