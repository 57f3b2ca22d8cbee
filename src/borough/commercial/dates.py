"""A contract's dates: the end of its current term and the last day to give notice.

Pure functions of a contract's terms and a day, so that alerts, the renewals page, the
iCalendar feed and the evidence rules read one answer. Months are calendar months: a
term ending on 31 March with three months' notice must be given notice by 31 December;
one month before 31 March is 28 February (29 in a leap year), never 3 March.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

FIXED, AUTO, ROLLING = "fixed", "auto", "rolling"
DAYS, MONTHS = "days", "months"


@dataclass(frozen=True)
class Terms:
    start_date: datetime.date | None
    end_date: datetime.date | None
    renewal_terms: str  # fixed, auto (renews for renewal_months unless notice), rolling
    renewal_months: int | None
    notice_period: int  # in notice_unit; 0: none needed
    notice_unit: str  # days or months
    notice_given_on: datetime.date | None = None


def before(day: datetime.date, amount: int, unit: str) -> datetime.date:
    return day - (relativedelta(months=amount) if unit == MONTHS else
                  datetime.timedelta(days=amount))


def after(day: datetime.date, amount: int, unit: str) -> datetime.date:
    return day + (relativedelta(months=amount) if unit == MONTHS else
                  datetime.timedelta(days=amount))


def term_end(terms: Terms, today: datetime.date) -> datetime.date | None:
    """The day the contract's current term ends, as things stand on `today` (None: it
    runs on with no end, a rolling contract with no notice given).

    An auto-renewing contract whose end date has passed without notice has renewed, as
    many times as needed, each for the renewal period counted from the original end date
    (so a 31 January end renews to 28 February, then 31 March: never drifting). Once
    notice is given, the term it was given in is the last."""
    if terms.renewal_terms == ROLLING:
        if terms.notice_given_on is None:
            return None
        return after(terms.notice_given_on, terms.notice_period, terms.notice_unit)
    end = terms.end_date
    if end is None or terms.renewal_terms != AUTO or not terms.renewal_months:
        return end
    moment = terms.notice_given_on or today
    renewals = 0
    current = end
    # The term in force on `moment`: the first whose end is not before it.
    while current < moment:
        renewals += 1
        current = end + relativedelta(months=terms.renewal_months * renewals)
    # Notice given in time ends this term; given too late, the next.
    late = (terms.notice_given_on is not None
            and before(current, terms.notice_period, terms.notice_unit) < terms.notice_given_on)
    if late:
        renewals += 1
        current = end + relativedelta(months=terms.renewal_months * renewals)
    return current


def notice_by(terms: Terms, today: datetime.date) -> datetime.date | None:
    """The last day notice can be given to end (or not renew) the current term, None
    when there is none to give: no end, no notice period, or notice already given."""
    if terms.notice_given_on is not None or not terms.notice_period:
        return None
    end = term_end(terms, today)
    if end is None:
        return None
    return before(end, terms.notice_period, terms.notice_unit)


def stale(terms: Terms, stored_end: datetime.date | None, today: datetime.date) -> bool:
    """Whether dates worked out on an earlier day (`stored_end`: its term_end) are no
    longer `today`'s: only an auto-renewing contract with no notice given moves on with
    the days, once the term they found has ended (it renewed). Every other contract's
    dates are fixed by its terms."""
    return (terms.renewal_terms == AUTO and bool(terms.renewal_months)
            and terms.notice_given_on is None and stored_end is not None
            and stored_end < today)


def notice_dates(terms: Terms, first: datetime.date, last: datetime.date
                 ) -> list[datetime.date]:
    """Every notice date the terms set between `first` and `last` (inclusive), whether or
    not notice was given: a fixed term's one; one for each term of an auto-renewing
    contract (its end date, then each renewal from it); none for a rolling contract
    (whose notice can be given any day) or without a notice period."""
    if not terms.notice_period or terms.end_date is None or terms.renewal_terms == ROLLING:
        return []
    if terms.renewal_terms != AUTO or not terms.renewal_months:
        found = [before(terms.end_date, terms.notice_period, terms.notice_unit)]
    else:
        found, renewals = [], 0
        while True:
            end = terms.end_date + relativedelta(months=terms.renewal_months * renewals)
            day = before(end, terms.notice_period, terms.notice_unit)
            if day > last:
                break
            found.append(day)
            renewals += 1
    return [day for day in found if first <= day <= last]


def decided_for(terms: Terms, decided_on: datetime.date | None,
                notice_date: datetime.date | None) -> bool:
    """Whether a decision to renew (or extend) taken on `decided_on` answers the notice
    date `notice_date`: taken on or before it, and, for an auto-renewing contract, after
    the notice date of the term before (each term wants its own decision)."""
    if decided_on is None or notice_date is None or decided_on > notice_date:
        return False
    if terms.renewal_terms == AUTO and terms.renewal_months:
        return decided_on > notice_date - relativedelta(months=terms.renewal_months)
    return True


__all__ = ["AUTO", "DAYS", "FIXED", "MONTHS", "ROLLING", "Terms", "after", "before",
           "decided_for", "notice_by", "notice_dates", "stale", "term_end"]
