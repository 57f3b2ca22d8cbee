"""Procurement's evidence rules, each met and not met, at its threshold, as at a date
before the records, and across councils."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from borough.core.registry import registry
from borough.procurement import models as m
from borough.procurement import services
from tests.factories import ContractFactory, DocumentFactory, DocumentVersionFactory
from tests.procurement.factories import ProcurementExceptionFactory
from tests.procurement.world import copeland

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 9, 1, 12))


def run(name, organisation, as_of=NOW, **params):
    return registry.evidence_rules[name].run(organisation, params, as_of)


@pytest.fixture
def council(org_a):
    return copeland(org_a)


def approved_contract(council, value):
    request = council.request(value)
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    for key in ("ictmanager", "finance", "exec1", "exec2"):
        if request.status == m.Status.APPROVED:
            break
        services.approve(request, actor=council.users[key])
        request.refresh_from_db()
    return services.create_contract(request, actor=council.users["ictmanager"],
                                    start_date=datetime.date(2026, 6, 1),
                                    end_date=datetime.date(2029, 5, 31))


# --- business cases ---------------------------------------------------------------------

def test_contracts_over_the_value_came_from_approved_business_cases(council):
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        approved_contract(council, "30000.00")
        ContractFactory(organisation=council.org, whole_life_value=Decimal("20000.00"),
                        annual_value=Decimal("5000.00"), start_date=datetime.date(2026, 7, 1))
    result = run("procurement.business-cases", council.org)
    assert result.met, result.summary
    assert result.figures["contracts_over_value"] == 1
    assert result.figures["from_approved_requests"] == 1


def test_a_contract_over_the_value_without_a_business_case_is_not_met_until_excepted(council):
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        bought = ContractFactory(organisation=council.org, whole_life_value=Decimal("40000.00"),
                                 annual_value=Decimal("10000.00"),
                                 start_date=datetime.date(2026, 7, 1))
    result = run("procurement.business-cases", council.org)
    assert not result.met and result.figures["without"] == [bought.reference]
    assert bought.reference in result.summary
    with time_machine.travel(NOW - datetime.timedelta(days=10), tick=False):
        ProcurementExceptionFactory(organisation=council.org, contract=bought,
                                    agreed_on=datetime.date(2026, 8, 20))
    result = run("procurement.business-cases", council.org)
    assert result.met and result.figures["by_exception"] == 1
    # As at a day before the exception was recorded: not met.
    earlier = run("procurement.business-cases", council.org,
                  as_of=NOW - datetime.timedelta(days=30))
    assert not earlier.met


@pytest.mark.parametrize(("value", "counted"), [("25000.00", 0), ("25000.01", 1)])
def test_only_contracts_above_the_value_count(council, value, counted):
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        ContractFactory(organisation=council.org, whole_life_value=Decimal(value),
                        annual_value=Decimal("1000.00"), start_date=datetime.date(2026, 7, 1))
    result = run("procurement.business-cases", council.org, min_value=25000)
    assert result.figures["contracts_over_value"] == counted
    assert not result.met  # none over: nothing to show; one without a case: not met


def test_contracts_made_after_the_date_checked_or_elsewhere_do_not_count(council, org_b):
    with time_machine.travel(NOW - datetime.timedelta(days=60), tick=False):
        approved_contract(council, "30000.00")
    with time_machine.travel(NOW + datetime.timedelta(days=5), tick=False):
        ContractFactory(organisation=council.org, whole_life_value=Decimal("50000.00"),
                        annual_value=Decimal("10000.00"), start_date=datetime.date(2026, 8, 1))
    ContractFactory(organisation=org_b, whole_life_value=Decimal("50000.00"),
                    annual_value=Decimal("10000.00"), start_date=datetime.date(2026, 8, 1))
    result = run("procurement.business-cases", council.org)
    assert result.met and result.figures["contracts_over_value"] == 1
    assert not run("procurement.business-cases", org_b).met


# --- the procedure -----------------------------------------------------------------------

def procedure(organisation, **fields):
    document = DocumentFactory(organisation=organisation, kind="process",
                               topic="ict_procurement", status="published", **fields)
    DocumentVersionFactory(organisation=organisation, document=document,
                           published_at=NOW - datetime.timedelta(days=30))
    return document


def test_the_procedure_is_published(council, org_b):
    assert not run("procurement.procedure-published", council.org).met
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        document = procedure(council.org, next_review_on=datetime.date(2027, 3, 1))
    result = run("procurement.procedure-published", council.org)
    assert result.met and document.reference in result.summary
    assert not run("procurement.procedure-published", org_b).met
    # Before its version was published:
    assert not run("procurement.procedure-published", council.org,
                   as_of=NOW - datetime.timedelta(days=35)).met


def test_a_procedure_overdue_for_review_meets_only_any(council):
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):
        procedure(council.org, next_review_on=datetime.date(2026, 8, 1))
    assert not run("procurement.procedure-published", council.org).met
    assert run("procurement.procedure-published", council.org, review="any").met


# --- options appraised ----------------------------------------------------------------------

def test_requests_over_the_value_compared_internal_and_external(council, org_b):
    with time_machine.travel(NOW - datetime.timedelta(days=20), tick=False):
        compared = council.request("30000.00")
        services.submit(compared, actor=council.users["requester"])
    result = run("procurement.options-appraised", council.org)
    assert result.met, result.summary
    with time_machine.travel(NOW - datetime.timedelta(days=10), tick=False):
        single = council.request("40000.00", internal=False)
        services.submit(single, actor=council.users["requester"])
    result = run("procurement.options-appraised", council.org)
    assert not result.met and result.figures["not_compared"] == [single.reference]
    # As at before the second was submitted: met.
    assert run("procurement.options-appraised", council.org,
               as_of=NOW - datetime.timedelta(days=15)).met
    assert not run("procurement.options-appraised", org_b).met


@pytest.mark.parametrize(("value", "counted"), [("25000.00", 0), ("25000.01", 1)])
def test_options_appraised_counts_requests_above_the_value(council, value, counted):
    with time_machine.travel(NOW - datetime.timedelta(days=20), tick=False):
        request = council.request(value, internal=False)
        services.submit(request, actor=council.users["requester"])
    result = run("procurement.options-appraised", council.org, min_value=25000)
    assert result.figures["requests_over_value"] == counted
    assert not result.met


def test_a_bad_parameter_is_said_not_raised(council):
    result = run("procurement.business-cases", council.org, min_value="lots")
    assert not result.met and "cannot run" in result.summary
