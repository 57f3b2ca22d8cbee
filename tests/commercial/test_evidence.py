"""The commercial evidence rules, each met, not met, at its threshold, as at a date before
later changes, and for one council without the other's records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from borough.commercial.models import Contract, ContractCover, SupplierReview
from borough.core import services
from borough.core.registry import registry
from tests.commercial.factories import (
    ContractCoverFactory,
    ContractFactory,
    SupplierFactory,
    SupplierReviewFactory,
    UncontractedSystemFactory,
)
from tests.factories import CIClassFactory, ConfigurationItemFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SYSTEMS = "commercial.systems-under-contract"
NOTICE = "commercial.no-notice-dates-missed"
REVIEWS = "commercial.supplier-reviews-on-schedule"


def moment(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def run(name, organisation, as_of: date, params=None):
    return registry.evidence_rules[name].run(organisation, params, moment(as_of))


def at(day: date):
    return time_machine.travel(moment(day, 9), tick=False)


def application(organisation, name, status="live"):
    klass = CIClassFactory._meta.model.objects.filter(organisation=organisation,
                                                      code="application").first()
    klass = klass or CIClassFactory(organisation=organisation, code="application",
                                    name="Application")
    return ConfigurationItemFactory(organisation=organisation, name=name, ci_class=klass,
                                    status=status)


# --- every live system under contract or with a reason -------------------------------------------


def test_every_live_system_has_a_contract_or_a_reason(org_a):
    with at(date(2026, 1, 1)):
        financials = application(org_a, "Financials")
        mileage = application(org_a, "Mileage")
        application(org_a, "Old ledger", status="retired")
        contract = ContractFactory(organisation=org_a, start_date=date(2025, 4, 1),
                                   end_date=date(2027, 3, 31))
        ContractCoverFactory(organisation=org_a, contract=contract, configuration_item=financials)
        UncontractedSystemFactory(organisation=org_a, configuration_item=mileage)
    result = run(SYSTEMS, org_a, date(2026, 6, 1))
    assert result.met, result.summary
    assert result.figures | {"without": []} == {
        "live_systems": 2, "under_contract": 1, "with_reason": 1, "without": [],
        "min_systems": 1}
    # At the threshold: two systems are enough for two, not for three.
    assert run(SYSTEMS, org_a, date(2026, 6, 1), {"min_systems": 2}).met
    assert not run(SYSTEMS, org_a, date(2026, 6, 1), {"min_systems": 3}).met


def test_an_ended_contract_or_a_reason_past_its_review_does_not_count(org_a):
    with at(date(2026, 1, 1)):
        financials = application(org_a, "Financials")
        old = ContractFactory(organisation=org_a, start_date=date(2020, 4, 1),
                              end_date=date(2026, 3, 31))
        ContractCoverFactory(organisation=org_a, contract=old, configuration_item=financials)
        mileage = application(org_a, "Mileage")
        UncontractedSystemFactory(organisation=org_a, configuration_item=mileage,
                                  reason="procuring", review_by=date(2026, 3, 31))
    assert run(SYSTEMS, org_a, date(2026, 3, 31)).met  # the last day of both
    result = run(SYSTEMS, org_a, date(2026, 4, 1))
    assert not result.met
    assert result.figures["without"] == [financials.reference, mileage.reference]
    assert "2 of 2 live systems have neither" in result.summary


def test_a_cover_added_after_the_date_checked_does_not_count(org_a, admin_a):
    with at(date(2026, 1, 1)):
        financials = application(org_a, "Financials")
        contract = ContractFactory(organisation=org_a, start_date=date(2025, 4, 1),
                                   end_date=date(2027, 3, 31))
    with at(date(2026, 2, 1)):
        services.create_record(ContractCover(organisation=org_a, contract=contract,
                                             configuration_item=financials), actor=admin_a)
    assert not run(SYSTEMS, org_a, date(2026, 1, 15)).met
    assert run(SYSTEMS, org_a, date(2026, 2, 2)).met


def test_systems_are_judged_per_council(org_a, org_b):
    with at(date(2026, 1, 1)):
        application(org_a, "Financials")
        theirs = application(org_b, "Payroll")
        contract = ContractFactory(organisation=org_b, start_date=date(2025, 4, 1),
                                   end_date=date(2027, 3, 31))
        ContractCoverFactory(organisation=org_b, contract=contract, configuration_item=theirs)
    assert not run(SYSTEMS, org_a, date(2026, 6, 1)).met
    assert run(SYSTEMS, org_b, date(2026, 6, 1)).met
    assert run(SYSTEMS, org_b, date(2026, 6, 1)).figures["live_systems"] == 1


# --- no notice date missed ------------------------------------------------------------------------


def fixed(organisation, **fields):
    """Ends 31 March 2026, three months' notice: notice by 31 December 2025."""
    defaults = {"start_date": date(2023, 4, 1), "end_date": date(2026, 3, 31),
                "notice_period": 3, "title": "Financials support"}
    with at(date(2023, 4, 1)):
        return ContractFactory(organisation=organisation, **(defaults | fields))


def test_a_notice_date_passed_with_nothing_done_is_missed(org_a):
    contract = fixed(org_a)
    result = run(NOTICE, org_a, date(2026, 2, 1))
    assert not result.met
    assert result.figures["missed_contracts"] == [{"reference": contract.reference,
                                                   "notice_by": "2025-12-31"}]
    assert "Financials support (by 31 December 2025)" in result.summary
    # Before it passed, and on the day itself (notice can still be given), nothing missed.
    assert run(NOTICE, org_a, date(2025, 12, 31)).met


def test_notice_given_on_the_last_day_is_in_time_and_the_day_after_is_not(org_a, org_b):
    fixed(org_a, notice_given_on=date(2025, 12, 31))
    fixed(org_b, notice_given_on=date(2026, 1, 1))
    assert run(NOTICE, org_a, date(2026, 2, 1)).met
    assert not run(NOTICE, org_b, date(2026, 2, 1)).met  # and judged per council


def test_a_decision_to_renew_by_the_notice_date_is_not_missed(org_a):
    fixed(org_a, renewal_terms="auto", renewal_months=12, renewal_agreed_on=date(2025, 11, 1))
    result = run(NOTICE, org_a, date(2026, 2, 1))
    assert result.met, result.summary
    assert result.figures["notice_dates"] == 1


def test_a_missed_date_falls_out_after_the_period(org_a):
    fixed(org_a)
    assert not run(NOTICE, org_a, date(2026, 12, 31)).met  # 365 days after
    result = run(NOTICE, org_a, date(2027, 1, 1))
    assert result.met and "No contract had a notice date" in result.summary
    assert not run(NOTICE, org_a, date(2027, 1, 1), {"within_days": 400}).met


def test_no_contracts_is_not_met(org_a):
    assert not run(NOTICE, org_a, date(2026, 2, 1)).met


def test_extending_a_contract_after_its_notice_date_passed_is_still_a_missed_date(org_a,
                                                                                   admin_a):
    """Judged on the terms that stood on the notice date: extending the end date later
    moves the next notice date, not the one that passed."""
    with at(date(2025, 6, 1)):
        contract = services.create_record(Contract(
            organisation=org_a, supplier=SupplierFactory(organisation=org_a),
            title="Financials support", start_date=date(2023, 4, 1),
            end_date=date(2026, 3, 31), notice_period=3, annual_value=Decimal("1000")),
            actor=admin_a)
    with at(date(2026, 2, 1)):
        services.update_record(contract, actor=admin_a, data={"end_date": date(2027, 3, 31)},
                               expected_version=contract.version)
    assert not run(NOTICE, org_a, date(2026, 3, 1)).met
    assert run(NOTICE, org_a, date(2025, 12, 15)).met  # not yet passed then


def test_notice_recorded_a_few_days_late_but_given_in_time_counts(org_a, admin_a):
    with at(date(2025, 6, 1)):
        contract = services.create_record(Contract(
            organisation=org_a, supplier=SupplierFactory(organisation=org_a),
            title="Financials support", start_date=date(2023, 4, 1),
            end_date=date(2026, 3, 31), notice_period=3), actor=admin_a)
    with at(date(2026, 1, 5)):
        services.update_record(contract, actor=admin_a,
                               data={"notice_given_on": date(2025, 12, 30)},
                               expected_version=contract.version)
    assert not run(NOTICE, org_a, date(2026, 1, 2)).met  # not recorded yet then
    assert run(NOTICE, org_a, date(2026, 1, 6)).met


def test_each_renewal_wants_its_own_decision(org_a, admin_a):
    with at(date(2024, 6, 1)):
        contract = services.create_record(Contract(
            organisation=org_a, supplier=SupplierFactory(organisation=org_a),
            title="Travel", start_date=date(2024, 4, 1), end_date=date(2025, 3, 31),
            renewal_terms="auto", renewal_months=12, notice_period=3), actor=admin_a)
    with at(date(2024, 11, 1)):  # decided for the notice date of 31 December 2024
        contract = services.update_record(contract, actor=admin_a,
                                          data={"renewal_agreed_on": date(2024, 11, 1)},
                                          expected_version=contract.version)
    with at(date(2025, 11, 1)):  # and again for 31 December 2025
        services.update_record(contract, actor=admin_a,
                               data={"renewal_agreed_on": date(2025, 11, 1)},
                               expected_version=contract.version)
    result = run(NOTICE, org_a, date(2026, 1, 10), {"within_days": 500})
    assert result.met, result.summary
    assert result.figures["notice_dates"] == 2
    # The 31 December 2026 date, with no decision of its own, is missed once passed.
    assert not run(NOTICE, org_a, date(2027, 1, 2)).met


# --- supplier reviews on schedule -----------------------------------------------------------------


def supplier(organisation, created: date, **fields):
    with at(created):
        return SupplierFactory(organisation=organisation,
                               **({"review_every_months": 12, "criticality": "critical"}
                                  | fields))


def test_key_suppliers_reviewed_within_their_period_are_met(org_a):
    unit4 = supplier(org_a, date(2024, 1, 1), name="Unit4")
    with at(date(2025, 6, 1)):
        SupplierReviewFactory(organisation=org_a, supplier=unit4, held_on=date(2025, 6, 1))
    supplier(org_a, date(2024, 1, 1), criticality="low", name="Stationers")  # not key
    result = run(REVIEWS, org_a, date(2026, 6, 1))
    assert result.met, result.summary
    assert result.figures["suppliers"] == 1
    # Due 1 June 2026; 30 days' grace: overdue from 2 July.
    assert run(REVIEWS, org_a, date(2026, 7, 1)).met
    late = run(REVIEWS, org_a, date(2026, 7, 2))
    assert not late.met and late.figures["overdue"] == [{"reference": unit4.reference,
                                                         "due": "2026-06-01"}]
    assert not run(REVIEWS, org_a, date(2026, 6, 2), {"grace_days": 0}).met
    assert not run(REVIEWS, org_a, date(2026, 6, 1),
                   {"criticalities": ["critical", "low"]}).met  # never-reviewed stationer


def test_a_review_held_after_the_date_checked_does_not_count(org_a):
    unit4 = supplier(org_a, date(2024, 1, 1))
    with at(date(2025, 6, 1)):
        SupplierReviewFactory(organisation=org_a, supplier=unit4, held_on=date(2025, 6, 1))
    assert not run(REVIEWS, org_a, date(2025, 3, 1)).met  # due 1 Jan 2025 + 30 days
    assert run(REVIEWS, org_a, date(2025, 6, 2)).met
    assert SupplierReview.objects.count() == 1


def test_no_key_suppliers_is_not_met_and_councils_apart(org_a, org_b):
    assert not run(REVIEWS, org_a, date(2026, 1, 1)).met
    theirs = supplier(org_b, date(2025, 1, 1))
    with at(date(2025, 12, 1)):
        SupplierReviewFactory(organisation=org_b, supplier=theirs, held_on=date(2025, 12, 1))
    assert run(REVIEWS, org_b, date(2026, 1, 1)).met
    assert "nothing to show" in run(REVIEWS, org_a, date(2026, 1, 1)).summary


def test_the_rules_are_registered_and_named_in_the_framework():
    from pathlib import Path

    import borough.standards.framework as framework

    text = (Path(framework.__file__).parent / "data" / "nesds-ict.yaml").read_text()
    for name in (SYSTEMS, NOTICE, REVIEWS):
        assert name in registry.evidence_rules
        assert f"rule: {name}" in text
