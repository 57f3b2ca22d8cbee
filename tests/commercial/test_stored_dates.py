"""A contract's stored dates (next_term_end, next_notice_by): the same as commercial.dates
works out, for every kind of renewal terms and notice period, across a month end and a
leap day; kept by every save, rolled on by the daily alerts job, worked out afresh for
the few rows the job has not yet rolled; not in the audit trail; and the renewals page
and calendar built from them the same as from the dates worked out for every contract."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from borough.commercial import dates, queries, services
from borough.commercial.models import Contract
from borough.core import roles
from borough.core.models import AuditEvent
from tests.commercial.factories import ContractFactory, SupplierFactory
from tests.factories import PersonFactory

LONDON = ZoneInfo("Europe/London")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON),
                               tick=False)


# Ends on a month's last day, on the 29th of a leap February, and the day after it.
ENDS = [date(2027, 1, 31), date(2027, 3, 31), date(2028, 2, 29), date(2028, 3, 1)]
NOTICES = [(0, "months"), (1, "months"), (3, "months"), (30, "days"), (90, "days")]
DAYS = [date(2026, 11, 30), date(2027, 1, 31), date(2027, 2, 1), date(2028, 2, 28),
        date(2028, 2, 29), date(2028, 3, 1), date(2029, 12, 31)]


def terms_cases():
    for end, (period, unit), kind, given in itertools.product(
            ENDS, NOTICES, ("fixed", "auto", "rolling"), (None, date(2026, 12, 31))):
        if kind == "rolling" and not period:
            continue  # refused by clean(): a rolling contract needs a notice period
        yield Contract(start_date=date(2026, 1, 31), end_date=None if kind == "rolling" else end,
                       renewal_terms=kind, renewal_months=1 if kind == "auto" else None,
                       notice_period=period, notice_unit=unit, notice_given_on=given)


def test_stored_dates_are_those_worked_out_for_every_kind_of_terms():
    for contract, stamped in itertools.product(terms_cases(), DAYS):
        contract.stamp_dates(stamped)
        assert (contract.next_term_end, contract.next_notice_by) == (
            dates.term_end(contract.terms, stamped), dates.notice_by(contract.terms, stamped))
        # Read on any later day before the job rolls them: the dates of that day.
        for later in (d for d in DAYS if d >= stamped):
            assert contract.dates_on(later) == (contract.term_end(later),
                                                contract.notice_by(later)), (
                contract.terms, stamped, later)


@pytest.mark.django_db
def test_saves_keep_them_the_job_rolls_them_on_and_the_audit_trail_leaves_them_out(
        org_a, member):
    with at(date(2028, 2, 28)):
        monthly = ContractFactory(organisation=org_a, renewal_terms="auto", renewal_months=1,
                                  start_date=date(2027, 1, 31), end_date=date(2027, 1, 31),
                                  notice_period=1, notice_unit="days")
        assert (monthly.next_term_end, monthly.next_notice_by) == (date(2028, 2, 29),
                                                                   date(2028, 2, 28))
    version = Contract.objects.get(pk=monthly.pk).version
    events = AuditEvent.objects.count()
    # After midnight, before the job: the page works the row out afresh.
    with at(date(2028, 3, 1)):
        found = queries.renewals(Contract.objects.for_organisation(org_a), date(2028, 3, 1))
        assert [(e.day, e.kind) for e in found.events][:2] == [(date(2028, 3, 30), "notice"),
                                                             (date(2028, 3, 31), "end")]
        services.remind_contract_dates()
    rolled = Contract.objects.get(pk=monthly.pk)
    assert (rolled.next_term_end, rolled.next_notice_by) == (date(2028, 3, 31),
                                                             date(2028, 3, 30))
    assert rolled.version == version  # derived: no new version
    assert AuditEvent.objects.count() == events  # and no audit event
    # A write through the door stores the new terms' dates; its audit names only them.
    with at(date(2028, 3, 2)):
        services.give_notice(rolled, actor=member(roles.ICT_MANAGER))
    noticed = Contract.objects.get(pk=monthly.pk)
    assert (noticed.next_term_end, noticed.next_notice_by) == (date(2028, 3, 31), None)
    changed = AuditEvent.objects.order_by("-pk").first().changes
    assert "notice_given_on" in changed and not {"next_term_end", "next_notice_by"} & set(changed)


def old_renewals(contracts, today: date, months: int = 12):
    """What the page showed when it worked out every contract's dates: (day, kind, id)
    of the year's dates, and the overdue contracts' ids."""
    last = today.replace(day=1) + relativedelta(months=months, days=-1)
    events, overdue = [], []
    for contract in contracts.order_by("pk"):
        dated = queries.ContractDates(contract, today)
        if dated.notice_missed:
            overdue.append((dated.notice_by, contract.pk))
        for kind, day in ((queries.NOTICE, dated.notice_by), (queries.END, dated.term_end)):
            if day is not None and today <= day <= last:
                events.append((day, kind, contract.pk))
    return sorted(events), [pk for _, pk in sorted(overdue)]


@pytest.mark.django_db
def test_the_page_and_calendar_list_what_they_listed_for_a_generated_set(org_a):
    rng = random.Random(18)
    stamped = date(2027, 1, 15)
    supplier = SupplierFactory(organisation=org_a)
    owner = PersonFactory(organisation=org_a)
    with at(stamped):
        for n in range(80):
            kind = rng.choice(["fixed", "fixed", "auto", "auto", "rolling"])
            start = stamped - timedelta(days=rng.randint(60, 2000))
            end = max(start, stamped + timedelta(days=rng.randint(-700, 900)))
            in_months = rng.random() < 0.6
            ContractFactory(
                organisation=org_a, supplier=supplier, owner=owner, title=f"Contract {n}",
                annual_value=Decimal(rng.randint(100, 90000)), start_date=start,
                end_date=None if kind == "rolling" else end, renewal_terms=kind,
                renewal_months=rng.choice([1, 12, 24]) if kind == "auto" else None,
                notice_period=rng.randint(1, 6) if in_months else rng.choice([30, 60, 90]),
                notice_unit="months" if in_months else "days",
                notice_given_on=(stamped - timedelta(days=rng.randint(1, 50))
                                 if rng.random() < 0.15 and start < stamped - timedelta(days=60)
                                 else None))
    contracts = Contract.objects.for_organisation(org_a)
    # The day they were stored, and days and months on with the job not run (stale rows).
    for today in (stamped, stamped + timedelta(days=1), date(2027, 3, 1), date(2028, 2, 29)):
        found = queries.renewals(contracts, today)
        expected_events = old_renewals(contracts, today)[0]
        assert sorted((e.day, e.kind, e.contract.pk) for e in found.events) == expected_events
        assert [d.contract.pk for d in found.overdue] == old_renewals(contracts, today)[1]
        # Each month's counts and value, summed by the database, are its dates'.
        values = dict(contracts.values_list("pk", "annual_value"))
        for month in found.months:
            inside = [(kind, pk) for day, kind, pk in expected_events
                      if day.replace(day=1) == month.start]
            assert month.notices == sum(1 for kind, _ in inside if kind == "notice")
            assert month.ending == sum(1 for kind, _ in inside if kind == "end")
            assert month.value == sum((values[pk] for kind, pk in inside if kind == "end"),
                                      Decimal(0))
        # Listing some months reads their dates only, and counts the same.
        some = queries.renewals(contracts, today, listed=lambda months: months[1::3])
        listed = {m.start for m in found.months[1::3]}
        assert sorted((e.day, e.kind, e.contract.pk) for e in some.events) == [
            e for e in expected_events if e[0].replace(day=1) in listed]
        assert [(m.notices, m.ending, m.value) for m in some.months] == [
            (m.notices, m.ending, m.value) for m in found.months]
        assert [d.contract.pk for d in some.overdue] == [d.contract.pk for d in found.overdue]
        shown = {(e.day, e.kind, e.contract.pk)
                 for e in queries.calendar_events(contracts, today)}
        first, last = today - relativedelta(days=92), today + relativedelta(months=24)
        expected = set()
        for c in contracts:
            notice, end = c.notice_by(today), c.term_end(today)
            if c.notice_given_on is None and end is not None and end < today:
                end = None
            expected |= {(day, kind, c.pk) for kind, day in (("notice", notice), ("end", end))
                         if day is not None and first <= day <= last}
        assert shown == expected
