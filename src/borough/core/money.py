"""Money: pounds and pence as `Decimal`, rounded in one place.

Every amount Borough stores or shows is a `Decimal` of pounds with two places, never a
float. Arithmetic may make more places (a share of a cost, a monthly profile of a
budget); `pence()` rounds it, half up as council finance systems do, and is the only
rounding there is. A sum shared out (a cost pool recharged to service units, a budget
spread over months) uses `allocate()`, whose shares add up to the sum to the penny.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.validators import MinValueValidator
from django.db import models

PENNY = Decimal("0.01")
# Up to £999,999,999,999.99: a whole-life value of any council contract, and a year's
# cost lines summed.
MAX_DIGITS = 14


def pence(value) -> Decimal:
    """`value` in pounds, rounded to the penny (half up). Ints, strings and Decimals are
    taken exactly; a float is refused, since it cannot hold most amounts exactly."""
    if isinstance(value, float):
        raise TypeError("Give money as a Decimal, an int or a string, not a float.")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as error:
        raise ValueError(f"Not an amount of money: {value!r}.") from error
    if not amount.is_finite():
        raise ValueError(f"Not an amount of money: {value!r}.")
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def allocate(total, weights: Sequence) -> list[Decimal]:
    """Share `total` in proportion to `weights`, in pence, so that the shares add up to
    `total` (rounded to the penny) exactly.

    Each share is rounded down to the penny; the pennies left over go one each to the
    largest remainders (ties: the earlier weight). Weights are numbers of users, devices,
    tickets or percentages: none may be negative and at least one must be above zero. A
    negative total (a credit) is shared as its opposite and negated."""
    total = pence(total)
    weights = [w if isinstance(w, Decimal) else Decimal(w) for w in weights]
    if any(w < 0 for w in weights):
        raise ValueError("A weight cannot be negative.")
    whole = sum(weights, Decimal(0))
    if whole == 0:
        raise ValueError("At least one weight must be above zero to share an amount.")
    if total < 0:
        return [-share for share in allocate(-total, weights)]
    in_pennies = int(total / PENNY)
    exact = [Decimal(in_pennies) * w / whole for w in weights]
    floors = [int(e) for e in exact]  # exact >= 0, so int() rounds down
    left = in_pennies - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return [Decimal(p) * PENNY for p in floors]


def equal_share(total, count: int, index: int) -> Decimal:
    """`allocate(total, [1] * count)[index]` without working out the other shares: the
    pennies shared evenly, the ones left over to the first (a credit's, negated)."""
    if not 0 <= index < count:
        raise ValueError("The share asked for is not one of those shared.")
    total = pence(total)
    if total < 0:
        return -equal_share(-total, count, index)
    whole, left = divmod(int(total / PENNY), count)
    return Decimal(whole + (index < left)) * PENNY


def format_pounds(value) -> str:
    """£1,234.56; a credit as −£12.00; nothing as an empty string."""
    if value is None or value == "":
        return ""
    amount = pence(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def money_field(verbose_name: str | None = None, *, allow_negative: bool = False,
                **kwargs) -> models.DecimalField:
    """A model field for an amount in pounds and pence."""
    validators = list(kwargs.pop("validators", ()))
    if not allow_negative:
        validators.append(MinValueValidator(Decimal("0"), "Enter an amount of £0 or more."))
    field = models.DecimalField(verbose_name, max_digits=MAX_DIGITS, decimal_places=2,
                                validators=validators, **kwargs)
    # Read by pages that show any field (core.queries.detail_rows: "£48,500.00", not
    # "48500.00"); not part of the field's migration state.
    field.is_money = True
    return field


__all__ = ["MAX_DIGITS", "PENNY", "allocate", "format_pounds", "money_field", "pence"]
