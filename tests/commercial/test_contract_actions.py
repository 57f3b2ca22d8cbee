"""Giving notice on a contract and recording a decision to renew: who and when are kept,
each change audited once; refused with a reason when it makes no sense; the same through
the page and the API; the contract's page shows its dates and offers what makes sense."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from borough.commercial import services
from borough.commercial.models import Contract
from borough.core import roles
from borough.core.models import AuditEvent
from tests.commercial.factories import ContractCoverFactory, ContractFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0), tick=False)


@pytest.fixture
def manager(member):
    return member(roles.ICT_MANAGER)


def test_giving_notice_records_the_day_and_who_and_ends_the_term(org_a, manager):
    contract = ContractFactory(organisation=org_a, renewal_terms="auto", renewal_months=12,
                               end_date=D(2027, 3, 31), notice_period=3)
    with on(D(2026, 11, 2)):
        done = services.give_notice(contract, actor=manager, given_on=D(2026, 11, 1))
    contract.refresh_from_db()
    assert (contract.notice_given_on, contract.notice_given_by) == (D(2026, 11, 1), manager)
    assert contract.term_end(D(2030, 1, 1)) == D(2027, 3, 31)  # the term it fell in is the last
    assert done.version == 2
    event = AuditEvent.objects.filter(object_id=contract.pk, note="Notice given").get()
    assert event.actor == manager and "notice_given_on" in str(event.changes)


@pytest.mark.parametrize("given_on, words", [
    (D(2026, 12, 1), "cannot be in the future"),
    (D(2020, 1, 1), "before the contract starts"),
])
def test_notice_dates_that_make_no_sense_are_refused(org_a, manager, given_on, words):
    contract = ContractFactory(organisation=org_a)
    with on(D(2026, 11, 2)), pytest.raises(ValidationError, match=words):
        services.give_notice(contract, actor=manager, given_on=given_on)
    contract.refresh_from_db()
    assert contract.notice_given_on is None


def test_notice_is_given_once_and_not_on_a_fixed_term_already_over(org_a, manager):
    contract = ContractFactory(organisation=org_a, notice_given_on=D(2026, 5, 1))
    with on(D(2026, 11, 2)), pytest.raises(ValidationError, match="already given"):
        services.give_notice(contract, actor=manager)
    ended = ContractFactory(organisation=org_a, start_date=D(2024, 1, 1),
                            end_date=D(2025, 12, 31))
    with on(D(2026, 11, 2)), pytest.raises(ValidationError, match="there is no notice"):
        services.give_notice(ended, actor=manager)


def test_roles_that_only_read_contracts_cannot_give_notice(org_a, member):
    contract = ContractFactory(organisation=org_a)
    with pytest.raises(PermissionDenied):
        services.give_notice(contract, actor=member(roles.TEAM_LEAD))


def test_a_decision_to_renew_answers_this_terms_notice_date(org_a, manager):
    contract = ContractFactory(organisation=org_a, renewal_terms="auto", renewal_months=12,
                               end_date=D(2027, 3, 31), notice_period=3)
    with on(D(2026, 10, 1)):
        assert services.actions_open(contract) == {"give-notice", "agree-renewal"}
        services.agree_renewal(contract, actor=manager)
        contract.refresh_from_db()
        assert contract.renewal_agreed_on == D(2026, 10, 1)
        assert contract.renewal_agreed_by == manager
        assert contract.renewal_agreed_for(D(2026, 12, 31))
        assert services.actions_open(contract) == {"give-notice"}
    # A year on, the next term's notice date wants a decision of its own.
    with on(D(2027, 10, 1)):
        assert not contract.renewal_agreed_for(contract.notice_by(D(2027, 10, 1)))
        assert "agree-renewal" in services.actions_open(contract)


def test_no_decision_to_renew_after_notice_or_without_a_notice_date(org_a, manager):
    given = ContractFactory(organisation=org_a, notice_given_on=D(2026, 5, 1))
    with on(D(2026, 11, 2)), pytest.raises(ValidationError, match="not renewing"):
        services.agree_renewal(given, actor=manager)
    rolling = ContractFactory(organisation=org_a, renewal_terms="rolling", end_date=None,
                              notice_period=1)
    with on(D(2026, 11, 2)), pytest.raises(ValidationError, match="no notice date"):
        services.agree_renewal(rolling, actor=manager)


def test_the_page_shows_the_dates_and_gives_notice(org_a, manager, signed_in):
    contract = ContractFactory(organisation=org_a, title="Financials support",
                               end_date=D(2027, 3, 31), notice_period=3)
    ContractCoverFactory(organisation=org_a, contract=contract,
                         configuration_item__name="Financials")
    client = signed_in(manager)
    with on(D(2026, 11, 2)):
        page = client.get(contract.get_absolute_url())
        body = page.content.decode()
        assert "31 December 2026 (59 days from today)" in body
        assert "Financials</a>" in body and "Give notice" in body
        url = reverse("commercial:contract_give_notice", args=[contract.pk])
        form = client.get(url)
        assert form.status_code == 200 and "Notice given on" in form.content.decode()
        bad = client.post(url, {"given_on": "2026-13-40", "version": contract.version})
        assert bad.status_code == 400 and "valid date" in bad.content.decode()
        done = client.post(url, {"given_on": "2026-11-02", "version": contract.version})
        assert done.status_code == 302
        contract.refresh_from_db()
        assert contract.notice_given_on == D(2026, 11, 2)
        again = client.get(contract.get_absolute_url()).content.decode()
        assert "Notice given on 2 November 2026" in again
        assert reverse("commercial:contract_give_notice", args=[contract.pk]) not in again


def test_the_api_gives_notice_with_the_version_read(org_a, manager, signed_in):
    contract = ContractFactory(organisation=org_a)
    client = signed_in(manager, api=True)
    url = f"/api/commercial/contracts/{contract.pk}/give-notice/"
    with on(D(2026, 11, 2)):
        stale = client.post(url, {"given_on": "2026-11-02", "version": 7}, format="json")
        assert stale.status_code == 409
        done = client.post(url, {"given_on": "2026-11-02", "version": 1}, format="json")
        assert done.status_code == 200, done.content
        assert done.json()["notice_given_on"] == "2026-11-02"
        assert done.json()["notice_given_by"] == manager.pk
        twice = client.post(url, {"version": 2}, format="json")
        assert twice.status_code == 400 and "already given" in str(twice.json())


def test_notice_cannot_be_set_through_the_who_fields(org_a, manager, signed_in, member):
    contract = ContractFactory(organisation=org_a)
    other = member(roles.ADMINISTRATOR)
    client = signed_in(manager, api=True)
    response = client.patch(f"/api/commercial/contracts/{contract.pk}/",
                            {"notice_given_by": other.pk, "renewal_agreed_on": "2026-01-01",
                             "version": 1}, format="json")
    assert response.status_code in (200, 400)
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.notice_given_by is None and contract.renewal_agreed_on is None
