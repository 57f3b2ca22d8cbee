"""A supplier's page tells its history (contacts, contracts current and past with their
values, what it supplies, reviews, when the next is due); a review is recorded with a
score per council criterion; the contracts covering a CI or a system, and those
underpinning a service and its SLA, show on their pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from borough.commercial import services
from borough.commercial.models import SupplierReview, SupplierReviewScore
from borough.core import roles
from tests.catalogue.factories import (
    BusinessServiceFactory,
    ServiceComponentFactory,
    ServiceLevelAgreementFactory,
)
from tests.commercial.factories import (
    ContractCoverFactory,
    ContractFactory,
    ReviewCriterionFactory,
    SupplierContactFactory,
    SupplierFactory,
    SupplierReviewFactory,
    SupplierReviewScoreFactory,
    UncontractedSystemFactory,
)
from tests.factories import CIClassFactory, ConfigurationItemFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def today():
    return time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def unit4(org_a):
    supplier = SupplierFactory(organisation=org_a, name="Unit4", review_every_months=12)
    SupplierContactFactory(organisation=org_a, supplier=supplier, name="Sam Seller",
                           is_primary=True)
    current = ContractFactory(organisation=org_a, supplier=supplier, title="Financials support",
                              annual_value=Decimal("85000"), start_date=date(2024, 4, 1),
                              end_date=date(2027, 3, 31))
    past = ContractFactory(organisation=org_a, supplier=supplier, title="Old ledger",
                           start_date=date(2019, 4, 1), end_date=date(2024, 3, 31))
    ContractCoverFactory(organisation=org_a, contract=current,
                         configuration_item__name="Financials")
    ContractCoverFactory(organisation=org_a, contract=past, configuration_item__name="Ledger")
    review = SupplierReviewFactory(organisation=org_a, supplier=supplier,
                                   held_on=date(2025, 10, 1), actions="Send monthly reports")
    SupplierReviewScoreFactory(organisation=org_a, review=review, score=4)
    SupplierReviewScoreFactory(organisation=org_a, review=review, score=2)
    return supplier


def test_the_page_tells_the_suppliers_history(unit4, member, signed_in):
    client = signed_in(member(roles.TEAM_LEAD))
    with today():
        body = client.get(unit4.get_absolute_url()).content.decode()
    assert "Sam Seller" in body and "Main contact" in body
    assert "Financials support" in body and "Current" in body
    # A team lead reads the contracts, not what they cost (docs/commercial.md).
    assert "£85,000.00" not in body
    assert "Past contracts" in body and "Old ledger" in body and "Ended" in body
    with today():
        manager = signed_in(member(roles.ICT_MANAGER)).get(unit4.get_absolute_url())
    assert "£85,000.00" in manager.content.decode()
    assert "Financials</a>" in body and "Ledger</a>" in body and "formerly" in body
    assert "1 October 2025" in body and "3.0 (2 criteria)" in body
    assert "Send monthly reports" in body
    # Last reviewed 1 October 2025, yearly: due 1 October 2026, overdue on 2 November.
    assert "1 October 2026" in body and "Overdue" in body
    assert "Record a review" not in body  # a team lead reads, does not add


def test_recording_a_review_with_scores_moves_the_next_due_date(unit4, org_a, member,
                                                                signed_in):
    quality = ReviewCriterionFactory(organisation=org_a, name="Quality", position=1)
    ReviewCriterionFactory(organisation=org_a, name="Retired", is_active=False)
    client = signed_in(member(roles.ICT_MANAGER))
    url = reverse("commercial:supplier_review", args=[unit4.pk])
    with today():
        form = client.get(url).content.decode()
        assert "Quality" in form and "Retired" not in form and "5 – Excellent" in form
        assert 'value="2026-11-02"' in form  # held today, unless said
        bad = client.post(url, {"held_on": "2026-11-01", f"comment_{quality.pk}": "Slow"})
        assert bad.status_code == 400 and "Give a score for quality" in bad.content.decode()
        future = client.post(url, {"held_on": "2026-12-01"})
        assert future.status_code == 400 and "cannot be in the future" in future.content.decode()
        done = client.post(url, {"held_on": "2026-11-01", f"score_{quality.pk}": "5",
                                 f"comment_{quality.pk}": "Much better",
                                 "actions": "Keep it up", "submission_key": "once"})
        assert done.status_code == 302
        again = client.post(url, {"held_on": "2026-11-01", f"score_{quality.pk}": "5",
                                  "submission_key": "once"})
        assert again.status_code == 302
        review = SupplierReview.objects.get(held_on=date(2026, 11, 1))
        assert SupplierReview.objects.filter(held_on=date(2026, 11, 1)).count() == 1
        score = SupplierReviewScore.objects.get(review=review)
        assert (score.criterion, score.score, score.comment) == (quality, 5, "Much better")
        page = client.get(unit4.get_absolute_url()).content.decode()
        assert "1 November 2027" in page and "Overdue" not in page


def test_a_review_scores_only_the_councils_own_criteria(unit4, org_b, member):
    theirs = ReviewCriterionFactory(organisation=org_b)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="council's own"):
        services.record_review(unit4, actor=member(roles.ICT_MANAGER), held_on=date(2026, 1, 1),
                               scores={theirs.pk: (3, "")})


def test_the_ci_and_system_pages_show_the_contracts_covering_them(org_a, member, signed_in):
    application = CIClassFactory(organisation=org_a, code="application", name="Application")
    system = ConfigurationItemFactory(organisation=org_a, name="Financials",
                                      ci_class=application, status="live")
    contract = ContractFactory(organisation=org_a, title="Financials support",
                               supplier__name="Unit4", annual_value=Decimal("85000"),
                               support_hours="8am to 6pm on working days",
                               start_date=date(2024, 4, 1), end_date=date(2027, 3, 31))
    ContractCoverFactory(organisation=org_a, contract=contract, configuration_item=system)
    bare = ConfigurationItemFactory(organisation=org_a, name="Mileage", ci_class=application)
    UncontractedSystemFactory(organisation=org_a, configuration_item=bare,
                              explanation="Written by the ICT team.")
    client = signed_in(member(roles.AGENT))
    manager = signed_in(member(roles.ICT_MANAGER))
    with today():
        for url in (system.get_absolute_url(),
                    reverse("cmdb:system_detail", args=[system.pk])):
            body = client.get(url).content.decode()
            assert "Financials support" in body and "Unit4" in body, url
            assert "8am to 6pm" in body
            # An agent reads the contract, not what it costs; the ICT manager both.
            assert "£85,000.00" not in body
            assert "£85,000.00" in manager.get(url).content.decode()
        body = client.get(bare.get_absolute_url()).content.decode()
        assert "No current contract covers Mileage" in body
        assert "Written by the ICT team." in body


def test_a_service_and_its_sla_show_their_underpinning_contracts(org_a, member, signed_in,
                                                                   org_b):
    service = BusinessServiceFactory(organisation=org_a, name="Financial management")
    item = ConfigurationItemFactory(organisation=org_a, name="Financials")
    ServiceComponentFactory(organisation=org_a, service=service, configuration_item=item)
    maintenance = ContractFactory(organisation=org_a, title="Financials maintenance",
                                  kind="maintenance", support_hours="24x7",
                                  response_times="P1: 1 hour response, 4 hour fix",
                                  start_date=date(2024, 4, 1), end_date=date(2027, 3, 31))
    ContractCoverFactory(organisation=org_a, contract=maintenance, configuration_item=item)
    direct = ContractFactory(organisation=org_a, title="Hosting", start_date=date(2024, 1, 1),
                             end_date=date(2027, 12, 31))
    ContractCoverFactory(organisation=org_a, contract=direct, configuration_item=None,
                         service=service)
    ended = ContractFactory(organisation=org_a, title="Old maintenance",
                            start_date=date(2020, 1, 1), end_date=date(2023, 12, 31))
    ContractCoverFactory(organisation=org_a, contract=ended, configuration_item=item)
    sla = ServiceLevelAgreementFactory(organisation=org_a, service=service)
    client = signed_in(member(roles.TEAM_LEAD))
    with today():
        for url in (service.get_absolute_url(), sla.get_absolute_url()):
            body = client.get(url).content.decode()
            assert "Underpinning contracts" in body, url
            assert "Financials maintenance" in body and "P1: 1 hour response" in body
            assert "24x7" in body and "Hosting" in body
            assert "Old maintenance" not in body
