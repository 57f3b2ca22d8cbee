"""The commercial demo: written through the services (so it satisfies their rules), dated
from the day it is loaded, safe to run again; Eskmouth stays empty."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from borough.commercial import models as m
from borough.commercial import queries
from borough.demo import catalogue, cmdb, organisations
from borough.demo import commercial as demo

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London")),
                     tick=False)
def test_copelands_suppliers_contracts_and_reviews():
    organisations.load("demo-password-1")
    cmdb.load()
    catalogue.load()
    counts = demo.load()
    assert counts == {"cbc": len(demo._contracts(TODAY))}
    contracts = m.Contract.objects.filter(organisation__code="cbc")
    financials = contracts.get(title="Financials support and maintenance")
    assert financials.notice_given_on and financials.notice_given_by.username == "cbc-ictmanager"
    assert financials.term_end(TODAY) > TODAY  # being replaced: ending, not yet ended
    assert contracts.filter(title="Financial management system").exists()
    # A last day for notice next month (December 2026): the e-forms platform's.
    found = queries.renewals(contracts, TODAY)
    december = next(month for month in found.months if month.start == date(2026, 12, 1))
    assert [e.contract.title for e in december.events if e.kind == "notice"] == [
        "E-forms platform"]
    assert found.total > 0 and not found.overdue
    # Maintenance agreements underpin services, with their support terms.
    revenues = m.ContractCover.objects.filter(contract__title="Revenues and benefits "
                                              "maintenance", service__name="Council Tax")
    assert revenues.exists() and revenues.get().contract.response_times
    # One review held, one falling due.
    northgate = m.Supplier.objects.get(organisation__code="cbc", name="Northgate Public Services")
    assert northgate.reviews.get().scores.count() == 5
    jadu = m.Supplier.objects.get(organisation__code="cbc", name="Jadu Ltd")
    due = jadu.next_review_due(jadu.reviews.get().held_on)
    assert TODAY < due <= TODAY + relativedelta(months=1)
    assert m.UncontractedSystem.objects.filter(organisation__code="cbc").count() == len(
        demo.REASONS)
    # Every live system has a current contract or a recorded reason (the contracts
    # register criterion, which Copeland's Minimum level in supplier management needs).
    from borough.commercial.evidence import systems_under_contract

    council = m.Supplier.objects.filter(organisation__code="cbc").first().organisation
    met = systems_under_contract(council, {"min_systems": 10}, datetime.now(
        tz=ZoneInfo("Europe/London")))
    assert met.met, met.summary
    assert met.figures["with_reason"] == len(demo.REASONS)
    # Eskmouth stays empty, for its empty states; a second run adds nothing.
    assert not m.Supplier.objects.filter(organisation__code="edc").exists()
    before = (m.Supplier.objects.count(), m.Contract.objects.count(),
              m.ContractCover.objects.count(), m.SupplierReview.objects.count())
    assert demo.load() == {"cbc": 0}
    assert before == (m.Supplier.objects.count(), m.Contract.objects.count(),
                      m.ContractCover.objects.count(), m.SupplierReview.objects.count())
