"""Contract alerts: the owner and the organisation's ICT managers are told 180, 90 and 30
days (or the council's own days) before a contract's notice date and before its end, in
Borough and by email, each once (core.reminders), across month ends and leap years; no
notice alerts once notice is given or a decision to renew answers the date. Supplier
managers are told once when a review falls due."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import TestCase

from borough.commercial import services
from borough.commercial.models import CommercialSettings
from borough.core import roles
from borough.core.models import Notification, ReminderSent
from borough.core.registry import registry
from tests.commercial.factories import ContractFactory, SupplierFactory, SupplierReviewFactory
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 6, 30, tzinfo=LONDON),
                               tick=False)


def run_daily(first: date, last: date, job=services.remind_contract_dates,
              around=()) -> dict[date, int]:
    """Run the job as the daily job would from `first` to `last`; the days something was
    sent. To keep the test quick, it runs every third day, and on the day before, of and
    after each day in `around` (each expected alert: not early, on time, not again)."""
    days = {first + timedelta(days=n) for n in range(0, (last - first).days + 1, 3)}
    days |= {d + timedelta(days=k) for d in around for k in (-1, 0, 1)}
    sent = {}
    for day in sorted(d for d in days if first <= d <= last):
        with at(day), TestCase.captureOnCommitCallbacks(execute=True):
            count = job()
            assert job() == 0  # a second run the same day tells nobody twice
        if count:
            sent[day] = count
    return sent


def subjects(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id")
                .values_list("subject", flat=True))


@pytest.fixture
def people(org_a, member):
    owner = PersonFactory(organisation=org_a, full_name="Olive Owner",
                          user=member(roles.TEAM_LEAD))
    manager = member(roles.ICT_MANAGER)
    return owner, manager


def test_told_at_180_90_and_30_days_before_the_notice_date_and_the_end_each_once(
        org_a, people, org_b, member):
    owner, manager = people
    elsewhere = member(roles.ICT_MANAGER, organisation=org_b)
    contract = ContractFactory(organisation=org_a, owner=owner, title="Financials support",
                               end_date=date(2027, 3, 31), notice_period=3)
    expected = {date(2026, 7, 4): 1, date(2026, 10, 2): 2, date(2026, 12, 1): 1,
                date(2026, 12, 31): 1, date(2027, 3, 1): 1}
    sent = run_daily(date(2026, 6, 1), date(2027, 4, 5), around=expected)
    # Notice by 31 December 2026: 4 July, 2 October, 1 December; the end, 31 March 2027:
    # 2 October, 31 December, 1 March.
    assert sent == expected
    told = subjects(owner.user)
    assert told == subjects(manager) and len(told) == 6
    assert told[0] == (f"Notice on {contract.reference} Financials support must be given by "
                       "31 December 2026 (in 180 days)")
    assert told[-1] == f"{contract.reference} Financials support ends on 31 March 2027 (in 30 days)"
    assert subjects(elsewhere) == []  # another council's ICT manager
    assert ReminderSent.objects.filter(object_id=contract.pk).count() == 6


def test_across_a_leap_day_the_dates_are_calendar_dates(org_a, people):
    owner, manager = people
    # A year's term ending on 29 February 2028 with a month's notice: 29 January 2028.
    ContractFactory(organisation=org_a, owner=owner, start_date=date(2027, 3, 1),
                    end_date=date(2028, 2, 29), notice_period=1)
    CommercialSettings.objects.create(organisation=org_a, alert_days="30")
    expected = {date(2027, 12, 30): 1, date(2028, 1, 30): 1}
    assert run_daily(date(2027, 12, 1), date(2028, 3, 1), around=expected) == expected
    assert subjects(manager)[0].endswith("must be given by 29 January 2028 (in 30 days)")
    assert subjects(manager)[1].endswith("ends on 29 February 2028 (in 30 days)")


def test_a_contract_added_late_is_told_at_the_nearest_stage_then_the_next(org_a, people):
    owner, manager = people
    ContractFactory(organisation=org_a, owner=owner, end_date=date(2027, 3, 31),
                    notice_period=3)  # notice by 31 December 2026
    expected = {date(2026, 11, 21): 2, date(2026, 12, 1): 1, date(2026, 12, 31): 1}
    # 40 days before the notice date: its 90-day alert at once (not the 180 too), with the
    # end's 180-day one (130 days before it); then notice at 30 days and the end at 90.
    assert run_daily(date(2026, 11, 21), date(2026, 12, 31), around=expected) == expected
    assert "in 40 days" in subjects(manager)[0]


def test_an_automatic_renewal_is_told_for_each_term(org_a, people):
    owner, manager = people
    CommercialSettings.objects.create(organisation=org_a, alert_days="30")
    contract = ContractFactory(organisation=org_a, owner=owner, renewal_terms="auto",
                               renewal_months=1, start_date=date(2026, 1, 1),
                               end_date=date(2026, 1, 31), notice_period=7,
                               notice_unit="days")
    sent = run_daily(date(2026, 1, 1), date(2026, 3, 10),
                     around=[date(2026, 1, 1) + timedelta(days=n) for n in range(0, 70, 3)])
    # Terms end 31 Jan, 28 Feb, 31 Mar: each told once as it comes within 30 days; each
    # notice date (7 days before) too.
    told = subjects(manager)
    assert any("renews automatically on 28 February 2026" in s for s in told)
    assert any("must be given by 21 February 2026" in s for s in told)
    assert any("must be given by 24 March 2026" in s for s in told)
    assert sum(sent.values()) == len(told)
    assert ReminderSent.objects.filter(object_id=contract.pk).count() == len(told)


def test_no_notice_alert_once_notice_is_given_or_renewal_decided(org_a, people):
    owner, manager = people
    CommercialSettings.objects.create(organisation=org_a, alert_days="90, 30")
    given = ContractFactory(organisation=org_a, owner=owner, end_date=date(2027, 3, 31),
                            notice_period=3, notice_given_on=date(2026, 9, 1))
    decided = ContractFactory(organisation=org_a, owner=owner, end_date=date(2027, 3, 31),
                              notice_period=3, renewal_terms="auto", renewal_months=12,
                              renewal_agreed_on=date(2026, 9, 1))
    run_daily(date(2026, 9, 1), date(2027, 1, 5), around=[date(2026, 10, 2), date(2026, 12, 1),
                                                          date(2026, 12, 31)])
    told = subjects(manager)
    assert not any(given.reference in s and "must be given" in s for s in told)
    assert not any(decided.reference in s and "must be given" in s for s in told)
    assert any(given.reference in s and "ends on 31 March 2027" in s for s in told)
    assert any(decided.reference in s and "renews automatically on 31 March 2027" in s
               for s in told)


def test_an_owner_without_a_login_is_emailed(org_a, member):
    from borough.mail.models import OutboundEmail

    owner = PersonFactory(organisation=org_a, email="owner@copeland.gov.uk")
    ContractFactory(organisation=org_a, owner=owner, end_date=date(2027, 3, 31),
                    notice_period=3)
    with at(date(2026, 12, 1)), TestCase.captureOnCommitCallbacks(execute=True):
        assert services.remind_contract_dates() == 2  # notice in 30 days, the end in 120
    assert OutboundEmail.objects.filter(recipient="owner@copeland.gov.uk").exists()


def test_the_councils_own_days_are_validated():
    from django.core.exceptions import ValidationError

    from borough.commercial.models import parse_days

    assert parse_days("30, 180,90") == (180, 90, 30)
    assert parse_days("60 14") == (60, 14)
    for bad in ("", "ninety", "0", "800", "1,2,3,4,5,6,7"):
        with pytest.raises(ValueError):
            parse_days(bad)
    settings = CommercialSettings(alert_days="abc")
    with pytest.raises(ValidationError, match="not a number of days"):
        settings.clean()


def test_a_supplier_manager_is_told_once_when_a_review_falls_due(org_a, member):
    manager = PersonFactory(organisation=org_a, user=member(roles.ICT_MANAGER))
    supplier = SupplierFactory(organisation=org_a, manager=manager, name="Unit4",
                               review_every_months=12)
    SupplierReviewFactory(organisation=org_a, supplier=supplier, held_on=date(2026, 1, 15))
    SupplierFactory(organisation=org_a, manager=manager, review_every_months=None)
    sent = run_daily(date(2026, 12, 1), date(2027, 2, 1), job=services.remind_supplier_reviews,
                     around=[date(2026, 12, 16)])
    assert sent == {date(2026, 12, 16): 1}  # 30 days before 15 January 2027
    assert subjects(manager.user) == ["A review of Unit4 is due on 15 January 2027"]
    # A review recorded moves the date on: the next is told afresh.
    SupplierReviewFactory(organisation=org_a, supplier=supplier, held_on=date(2027, 1, 20))
    with at(date(2027, 12, 21)):
        assert services.remind_supplier_reviews() == 1


def test_the_daily_jobs_are_registered():
    assert registry.periodic_jobs["commercial-contract-alerts"] == (
        services.remind_contract_dates, 24 * 3600)
    assert registry.periodic_jobs["commercial-supplier-reviews"] == (
        services.remind_supplier_reviews, 24 * 3600)
