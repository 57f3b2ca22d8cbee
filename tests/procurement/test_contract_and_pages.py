"""An approved request becomes its contract, what it covers and (when finance lands) its
commitment, without retyping; the pages and the API of procurement."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from borough.cmdb.models import ConfigurationItem
from borough.commercial.models import Contract, ContractCover
from borough.core import services as core_services
from borough.procurement import models as m
from borough.procurement import services
from tests.factories import CIClassFactory, ConfigurationItemFactory
from tests.procurement.world import copeland

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(org_a):
    return copeland(org_a)


def approved(council, value="4000.00"):
    request = council.request(value, owner=council.people["ictmanager"],
                              needed_by=datetime.date(2030, 4, 1))
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    assert request.status == m.Status.APPROVED
    return request


def test_an_approved_request_becomes_its_contract_filled_from_the_business_case(council):
    request = approved(council)
    option = request.options.get(is_recommended=True)
    CIClassFactory(organisation=council.org, code="application", name="Application",
                   attribute_schema=[])
    contract = services.create_contract(request, actor=council.users["ictmanager"],
                                        new_application="Concessionary travel system")
    assert isinstance(contract, Contract)
    assert (contract.title, contract.supplier, contract.owner) == (
        request.title, option.supplier, council.people["ictmanager"])
    assert contract.whole_life_value == option.whole_life_cost == Decimal("4000.00")
    assert contract.annual_value == option.annual_cost
    assert contract.start_date == datetime.date(2030, 4, 1)
    assert contract.end_date == datetime.date(2033, 3, 31)  # the option's 36 months
    assert contract.procurement_reference == request.reference
    request.refresh_from_db()
    assert request.contract == contract
    item = ConfigurationItem.objects.get(name="Concessionary travel system")
    assert item.status == "planned" and item.ci_class.code == "application"
    assert ContractCover.objects.filter(contract=contract, configuration_item=item).exists()
    with pytest.raises(ValidationError, match=f"already contract {contract.reference}"):
        services.create_contract(request, actor=council.users["ictmanager"])


def test_what_is_given_replaces_the_request_values_and_a_ci_can_be_chosen(council):
    request = approved(council)
    item = ConfigurationItemFactory(organisation=council.org, name="Website",
                                    ci_class=CIClassFactory(organisation=council.org,
                                                            attribute_schema=[]))
    contract = services.create_contract(
        request, actor=council.users["ictmanager"], title="Website hosting 2030-33",
        whole_life_value=Decimal("11999.99"), configuration_item=item)
    assert contract.title == "Website hosting 2030-33"
    assert contract.whole_life_value == Decimal("11999.99")
    assert contract.covers.get().configuration_item == item


def test_only_an_approved_request_by_those_who_keep_contracts(council):
    request = council.request("3000.00")
    with pytest.raises(ValidationError):
        services.create_contract(request, actor=council.users["ictmanager"])
    request = approved(council)
    with pytest.raises(PermissionDenied):
        services.create_contract(request, actor=council.users["requester"])


def test_the_request_page_shows_the_route_and_offers_the_approver_their_decision(
        council, signed_in):
    request = council.request("12000.00")
    services.submit(request, actor=council.users["requester"])
    page = signed_in(council.users["ictmanager"]).get(
        reverse("procurement:procurementrequest_detail", args=[request.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    for words in ("Approval route", "Head of finance", "Deciding now", "Build it in house",
                  "Recommended", "£12,000.00", "Return for changes"):
        assert words in body, words
    # The head of finance sees the request on their route, without the approve button yet.
    page = signed_in(council.users["finance"]).get(
        reverse("procurement:procurementrequest_detail", args=[request.pk]))
    assert page.status_code == 200 and "procurementrequest_approve" not in body
    assert f"/procurement/requests/{request.pk}/approve/" not in page.content.decode()
    # The agent is part of nothing: 404.
    assert signed_in(council.users["agent"]).get(
        reverse("procurement:procurementrequest_detail", args=[request.pk])).status_code == 404


def test_approving_and_creating_the_contract_through_the_pages(council, signed_in):
    request = council.request("4000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    client = signed_in(council.users["ictmanager"])
    url = reverse("procurement:procurementrequest_approve", args=[request.pk])
    response = client.post(url, {"version": request.version, "note": "Good value."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == m.Status.APPROVED
    # The pre-filled form: nothing to retype.
    url = reverse("procurement:procurementrequest_create_contract", args=[request.pk])
    form = client.get(url).content.decode()
    assert request.title in form and "4000.00" in form
    response = client.post(url, {"version": request.version, "title": request.title,
                                 "whole_life_value": "4000.00"})
    assert response.status_code == 302, response.content
    contract = Contract.objects.get(procurement_reference=request.reference)
    assert response["Location"] == contract.get_absolute_url()
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Bought through" in page and request.reference in page


def test_a_stale_vote_on_the_page_shows_what_changed(council, signed_in):
    request = council.request("4000.00")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    read = request.version
    client = signed_in(council.users["ictmanager"])
    services.services.update_record(request, actor=council.users["requester"],
                                    data={"justification": "Changed."}, expected_version=read)
    response = client.post(reverse("procurement:procurementrequest_approve",
                                   args=[request.pk]), {"version": read})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "after you opened this procurement request" in body
    assert "justification" in response.context["action_error"]


def test_the_api_takes_the_decisions_and_says_why_not(council, signed_in):
    request = council.request("12000.00")
    api = signed_in(council.users["requester"], api=True)
    base = f"/api/procurement/procurement-requests/{request.pk}"
    response = api.post(f"{base}/submit/", {"version": request.version}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert [s["name"] for s in response.json()["route"]] == ["ICT manager", "Head of finance"]
    version = response.json()["version"]

    finance = signed_in(council.users["finance"], api=True)
    refused = finance.post(f"{base}/approve/", {"version": version}, format="json")
    assert refused.status_code == 403
    manager = signed_in(council.users["ictmanager"], api=True)
    stale = manager.post(f"{base}/approve/", {"version": version - 1}, format="json")
    assert stale.status_code == 409
    done = manager.post(f"{base}/approve/", {"version": version, "note": "Yes"},
                        format="json")
    assert done.status_code == 200 and done.json()["status"] == "in_approval"
    assert done.json()["decisions"][0]["outcome"] == "approve"
    no_reason = finance.post(f"{base}/refuse/", {}, format="json")
    assert no_reason.status_code == 400 and "note" in no_reason.json()
    assert finance.post(f"{base}/approve/", {}, format="json").status_code == 200

    made = manager.post(f"{base}/create-contract/", {}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["procurement_reference"] == request.reference
    listed = manager.get("/api/procurement/procurement-requests/?status=approved")
    assert [r["reference"] for r in listed.json()["results"]] == [request.reference]
    assert manager.get("/api/procurement/procurement-requests/?bogus=1").status_code == 400


def test_options_through_the_api_keep_the_value(council, signed_in):
    request = council.request("3000.00")
    api = signed_in(council.users["requester"], api=True)
    made = api.post("/api/procurement/procurement-options/", {
        "request": request.pk, "description": "Software as a service",
        "provider": "external", "whole_life_cost": "2500.00", "is_recommended": True},
        format="json")
    assert made.status_code == 201, made.content
    request.refresh_from_db()
    assert request.value == Decimal("2500.00")
    services.submit(request, actor=council.users["requester"])
    # Changed while it waits for approval: back to draft, at its new value.
    changed = api.patch(f"/api/procurement/procurement-options/{made.json()['id']}/",
                        {"whole_life_cost": "1.00", "version": made.json()["version"]},
                        format="json")
    assert changed.status_code == 200, changed.content
    request.refresh_from_db()
    assert request.status == m.Status.DRAFT and request.value == Decimal("1.00")
    # Once decided, its options no longer change.
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    late = api.patch(f"/api/procurement/procurement-options/{made.json()['id']}/",
                     {"whole_life_cost": "2.00", "version": changed.json()["version"]},
                     format="json")
    assert late.status_code == 400 and "options can change only" in late.content.decode()


def test_approval_steps_need_a_role_or_named_people(council, signed_in):
    api = signed_in(council.users["ictmanager"], api=True)
    response = api.post("/api/procurement/approval-steps/", {
        "name": "Chief executive", "up_to": "1000000.00"}, format="json")
    assert response.status_code == 400 and "approver_role" in response.json()
    response = api.post("/api/procurement/approval-steps/", {
        "name": "Chief executive", "up_to": None, "approver_role": "ICT Manager"},
        format="json")
    assert response.status_code == 400 and "Another step has no limit" in str(response.json())


def test_the_schema_lists_the_request_actions(signed_in, council):
    schema = signed_in(council.users["ictmanager"], api=True).get("/api/schema/")
    text = schema.content.decode()
    for action in ("submit", "approve", "refuse", "return", "withdraw", "create-contract"):
        assert f"/api/procurement/procurement-requests/{{id}}/{action}/" in text, action


def test_the_contract_commits_the_budget_once_in_the_finance_module(council):
    from borough.finance.models import Commitment
    from tests.factories import CostCentreFactory

    request = approved(council)
    centre = CostCentreFactory(organisation=council.org, code="ICT01")
    m.ProcurementRequest.objects.filter(pk=request.pk).update(financial_year="2030/31",
                                                              cost_centre="ict01")
    request.refresh_from_db()
    option = request.options.get(is_recommended=True)
    contract = services.create_contract(request, actor=council.users["ictmanager"])
    request.refresh_from_db()
    commitment = Commitment.objects.get(organisation=council.org)
    assert request.budget_commitment == commitment.reference
    # The year's share: the option's annual cost, in 2030/31, against that cost centre.
    assert commitment.amount == option.annual_cost
    assert (commitment.year, commitment.cost_centre) == (2030, centre)
    assert contract.reference in commitment.description
    # Asked again (a retried action), the commitment made first is the answer.
    assert services.commit_budget(request, contract, actor=None) == commitment.reference
    assert Commitment.objects.filter(organisation=council.org).count() == 1


def test_a_request_sent_for_approval_is_withdrawn_not_deleted(council, signed_in):
    request = council.request("900.00", owner=council.people["ictmanager"],
                              needed_by=datetime.date(2030, 4, 1))
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    assert request.status in m.WAITING
    manager = council.users["ictmanager"]
    with pytest.raises(ValidationError, match="Withdraw it instead"):
        core_services.delete_record(request, actor=manager, expected_version=None)
    client = signed_in(manager)
    delete = reverse("procurement:procurementrequest_delete", args=[request.pk])
    page = client.get(delete)
    assert page.status_code == 200 and "stays on record" in page.content.decode()
    assert client.post(delete, {"version": request.version}).status_code == 400
    assert m.ProcurementRequest.objects.filter(pk=request.pk).exists()
    # A draft, never sent, goes.
    draft = council.request("50.00", owner=council.people["ictmanager"],
                            needed_by=datetime.date(2030, 4, 1))
    response = client.post(reverse("procurement:procurementrequest_delete", args=[draft.pk]),
                           {"version": draft.version})
    assert response.status_code == 302
    assert not m.ProcurementRequest.objects.filter(pk=draft.pk).exists()
