"""Who sees what contracts cost (core.restricted): the ICT Manager, Administrator and
Auditor see every contract's values; a contract's owner sees their own; every other role
reads the contracts register without them, on pages, lists, exports, the API (null, with
the schema saying so), sorting, the renewals page and API, the supplier's page, a
system's contract panel and the History tab."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.commercial import queries
from borough.commercial.models import Contract
from borough.core import roles
from borough.core import services as core_services
from tests.factories import (
    ConfigurationItemFactory,
    ContractCoverFactory,
    ContractFactory,
    PersonFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

SEE = [roles.ICT_MANAGER, roles.ADMINISTRATOR, roles.AUDITOR]
DO_NOT = [roles.AGENT, roles.TEAM_LEAD, roles.CHANGE_MANAGER, roles.CAB_MEMBER,
          roles.SECURITY_OFFICER, roles.SERVICE_UNIT_HEAD]
VALUE, WHOLE = "98,765.43", "123,456.78"


def shows(text: str, amount: str) -> bool:
    """The amount on a page, as £1,234.56 or as the stored 1234.56."""
    return amount in text or amount.replace(",", "") in text


@pytest.fixture
def contract(org_a):
    supplier = SupplierFactory(organisation=org_a, name="Civica")
    found = ContractFactory(organisation=org_a, supplier=supplier, title="Revenues support",
                            annual_value=Decimal("98765.43"),
                            whole_life_value=Decimal("123456.78"),
                            start_date=datetime.date(2025, 4, 1),
                            end_date=datetime.date.today() + datetime.timedelta(days=40))
    return found


def pages(contract):
    item = ConfigurationItemFactory(organisation=contract.organisation, name="Revenues")
    ContractCoverFactory(organisation=contract.organisation, contract=contract,
                         configuration_item=item)
    return [contract.get_absolute_url(), reverse("commercial:contract_list"),
            reverse("commercial:renewals"), contract.supplier.get_absolute_url(),
            reverse("cmdb:configurationitem_detail", args=[item.pk])]


def body(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("role", SEE)
def test_finance_roles_see_values_everywhere(role, contract, member, signed_in):
    client = signed_in(member(role))
    urls = pages(contract)
    first = body(client, urls[0])
    assert shows(first, VALUE) and shows(first, WHOLE)
    for url in urls[1:]:
        assert shows(body(client, url), VALUE), url
    api = signed_in(member(role, username=f"api-{role}"), api=True)
    data = api.get(f"/api/commercial/contracts/{contract.pk}/").json()
    assert data["annual_value"] == "98765.43" and data["whole_life_value"] == "123456.78"
    renewals = api.get("/api/commercial/renewals/").json()
    assert renewals["total"] == "98765.43"


@pytest.mark.parametrize("role", DO_NOT)
def test_other_roles_read_contracts_without_values(role, contract, member, signed_in):
    user = member(role)
    client = signed_in(user)
    for url in pages(contract):
        text = body(client, url)
        assert "Revenues support" in text, url
        assert not shows(text, VALUE) and not shows(text, WHOLE), url
    export = client.get(reverse("commercial:contract_export", args=["csv"]))
    assert export.status_code == 200 and b"98765.43" not in export.content
    assert b"Revenues support" in export.content
    assert client.get(reverse("commercial:contract_list") + "?sort=annual_value"
                      ).status_code == 400
    api = signed_in(member(role, username=f"api-{role}"), api=True)
    data = api.get(f"/api/commercial/contracts/{contract.pk}/").json()
    assert data["title"] == "Revenues support"
    assert data["annual_value"] is None and data["whole_life_value"] is None
    listed = api.get("/api/commercial/contracts/").json()
    assert all(r["annual_value"] is None for r in listed["results"])
    assert api.get("/api/commercial/contracts/?ordering=-annual_value").status_code == 400
    renewals = api.get("/api/commercial/renewals/").json()
    assert renewals["total"] is None
    assert all(e["contract"]["annual_value"] is None and e["counted"] is None
               for month in renewals["months"] for e in month["events"])
    calendar = api.get("/api/commercial/renewals/calendar/")
    assert b"98,765.43" not in calendar.content and b"Revenues support" in calendar.content


def test_a_contracts_owner_sees_its_values_and_no_others(contract, org_a, member, signed_in):
    user = member(roles.AGENT)
    contract.owner = PersonFactory(organisation=org_a, user=user)
    contract.save()
    other = ContractFactory(organisation=org_a, title="Other", annual_value=Decimal("55555.55"))
    client = signed_in(user)
    assert shows(body(client, contract.get_absolute_url()), VALUE)
    assert not shows(body(client, other.get_absolute_url()), "55,555.55")
    api = signed_in(user, api=True)
    assert api.get(f"/api/commercial/contracts/{contract.pk}/").json()["annual_value"] == \
        "98765.43"
    assert api.get(f"/api/commercial/contracts/{other.pk}/").json()["annual_value"] is None
    # Lists leave the column out for a role that does not see every contract's values.
    assert not shows(body(client, reverse("commercial:contract_list")), "55,555.55")
    # The renewals' sums, made by the database, count the values they may see only.
    other.end_date, other.start_date = contract.end_date, contract.start_date
    other.save()
    contracts = Contract.objects.for_organisation(org_a)
    today = timezone.localdate()
    assert queries.renewals(contracts, today, user=user).total == Decimal("98765.43")
    assert queries.renewals(contracts, today).total == Decimal("154320.98")


def test_history_leaves_out_changes_of_values(contract, admin_a, member, signed_in):
    admin_a.active_organisation_id = contract.organisation_id
    core_services.update_record(contract, actor=admin_a, data={
        "annual_value": Decimal("11111.11"), "title": "Revenues support and hosting"},
        expected_version=None)
    url = reverse("commercial:contract_history", args=[contract.pk])
    assert shows(body(signed_in(admin_a), url), "11,111.11")
    agent_view = body(signed_in(member(roles.AGENT)), url)
    assert "Revenues support and hosting" in agent_view
    assert not shows(agent_view, "11,111.11") and not shows(agent_view, VALUE)


def test_the_schema_says_who_sees_values():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["Contract"]["properties"]["annual_value"]
    assert field.get("nullable") is True
    assert "Null for a reader who may not see it" in field["description"]
