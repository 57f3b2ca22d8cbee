"""Money: rounding in one place, shares that add up to the penny."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borough.core.money import allocate, equal_share, format_pounds, pence

amounts = st.decimals(min_value=Decimal("-1000000000"), max_value=Decimal("1000000000"),
                      places=2, allow_nan=False, allow_infinity=False)
weights = st.lists(st.integers(min_value=0, max_value=1_000_000), min_size=1, max_size=40
                   ).filter(lambda ws: sum(ws) > 0)


@given(amounts, weights)
def test_shares_add_up_to_the_total_to_the_penny(total, ws):
    shares = allocate(total, ws)
    assert sum(shares) == total
    assert all(s == s.quantize(Decimal("0.01")) for s in shares)
    assert all(s == 0 for s, w in zip(shares, ws, strict=True) if w == 0)


@given(amounts.filter(lambda a: a >= 0), weights)
def test_each_share_is_within_a_penny_of_its_exact_proportion(total, ws):
    whole = sum(ws)
    for share, w in zip(allocate(total, ws), ws, strict=True):
        assert abs(share - total * w / whole) < Decimal("0.01")


@given(amounts, st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100"),
                            places=3, allow_nan=False, allow_infinity=False))
def test_percentages_with_fractions_share_exactly_too(total, first):
    shares = allocate(total, [first, Decimal("100") - first if first < 100 else 0])
    assert sum(shares) == total


def test_pennies_left_over_go_to_the_largest_remainders_then_the_earlier():
    assert allocate(Decimal("100.00"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"),
                                                       Decimal("33.33")]
    assert allocate(Decimal("0.05"), [1, 2]) == [Decimal("0.02"), Decimal("0.03")]
    assert allocate(Decimal("-10"), [1, 2]) == [Decimal("-3.33"), Decimal("-6.67")]


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False,
                   allow_infinity=False), st.integers(1, 3_000), st.data())
def test_one_equal_share_is_what_allocate_gives_it(total, count, data):
    index = data.draw(st.integers(0, count - 1))
    assert equal_share(total, count, index) == allocate(total, [1] * count)[index]


def test_bad_weights_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="above zero"):
        allocate(10, [0, 0])
    with pytest.raises(ValueError, match="negative"):
        allocate(10, [1, -1])


def test_rounding_is_half_up_and_floats_are_refused():
    assert pence(Decimal("2.345")) == Decimal("2.35")
    assert pence(Decimal("-2.345")) == Decimal("-2.35")
    assert pence("10") == Decimal("10.00") and pence(3) == Decimal("3.00")
    with pytest.raises(TypeError):
        pence(0.1)
    with pytest.raises(ValueError):
        pence("ten pounds")
    with pytest.raises(ValueError):
        pence(Decimal("NaN"))


def test_amounts_are_shown_in_pounds():
    assert format_pounds(Decimal("1234.5")) == "£1,234.50"
    assert format_pounds(Decimal("-12")) == "−£12.00"
    assert format_pounds(None) == ""
