"""The licence's page, the compliance page (filters, order, export, bad input), the
panels on a system's and a CI's page, the API of positions and compliance, and who may
see them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from borough.core import roles
from borough.licences import models as m
from tests.commercial.factories import SupplierFactory
from tests.conftest import make_member
from tests.licences.factories import (
    ApplicationFactory,
    ConsumptionCountFactory,
    EntitlementFactory,
    LicenceFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def licence_with(org, name, users, quantity, cost, **fields):
    app = ApplicationFactory(organisation=org, name=f"{name} system",
                             attributes={"number_of_users": users})
    licence = LicenceFactory(organisation=org, software=app, name=name, **fields)
    EntitlementFactory(organisation=org, licence=licence, quantity=quantity,
                       cost=Decimal(cost), term_start=TODAY - datetime.timedelta(days=30),
                       term_end=TODAY + datetime.timedelta(days=300))
    return licence


@pytest.fixture
def estate(org_a):
    return {"over": licence_with(org_a, "Financials users", 95, 85, "8500.00"),
            "under": licence_with(org_a, "GIS seats", 50, 60, "12000.00"),
            "even": licence_with(org_a, "Payroll users", 12, 12, "1200.00")}


def test_an_ict_manager_reads_compliance_with_the_largest_risk_first(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    response = client.get("/commercial/licence-compliance/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Financials users") < body.index("GIS seats") < body.index("Payroll users")
    assert "£1,000.00" in body  # 10 short × £100
    assert "£2,000.00" in body  # 10 unused × £200
    assert "Show the data" in body  # the chart's table of the same figures


def test_compliance_filters_by_position_supplier_and_software(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))

    def listed(query):
        body = client.get(f"/commercial/licence-compliance/?{query}").content.decode()
        return {key for key, licence in estate.items()
                if f'href="{licence.get_absolute_url()}"' in body}

    assert listed("status=under") == {"under"}
    assert listed(f"supplier={estate['even'].supplier.pk}") == {"even"}
    assert listed(f"software={estate['over'].software.pk}") == {"over"}
    assert listed("") == {"over", "under", "even"}


def test_a_bad_filter_is_a_clear_400_not_a_500(signed_in, org_a, org_b, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    theirs = SupplierFactory(organisation=org_b)
    response = client.get(f"/commercial/licence-compliance/?status=lost&supplier={theirs.pk}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a position from the list." in body
    assert "Choose a supplier from the list." in body


def test_compliance_exports_the_same_rows_as_csv_and_a_spreadsheet(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.AUDITOR))
    response = client.get("/commercial/licence-compliance/export/csv/?status=over")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Reference,Licence,Software")
    assert len(lines) == 2 and "Financials users" in lines[1] and "1000.00" in lines[1]
    response = client.get("/commercial/licence-compliance/export/xlsx/")
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_the_licence_page_shows_the_position_and_the_records_behind_it(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    licence = estate["over"]
    body = client.get(f"/commercial/licences/{licence.pk}/").content.decode()
    assert "Over-used by 10 named users: 95 used of 85" in body
    assert f'href="/configuration/systems/{licence.software.pk}/"' in body
    assert "£1,000.00" in body and "£100.00" in body
    assert f"/commercial/licence-entitlements/add/?licence={licence.pk}" in body


def test_a_count_entered_from_the_licence_page_goes_back_to_it(signed_in, org_a):
    user = make_member(org_a, roles.ICT_MANAGER)
    licence = LicenceFactory(organisation=org_a, name="Contact centre seats",
                             licence_model=m.LicenceModel.CONCURRENT,
                             counted_from=m.CountedFrom.ENTERED)
    client = signed_in(user)
    body = client.get(f"/commercial/licences/{licence.pk}/").content.decode()
    assert "No count has been entered yet." in body and "Enter a count" in body
    form = client.get(f"/commercial/licence-counts/add/?licence={licence.pk}")
    assert f'value="{licence.pk}" selected' in form.content.decode()
    person = ConsumptionCountFactory.build(organisation=org_a).counted_by
    person.save()
    response = client.post(f"/commercial/licence-counts/add/?licence={licence.pk}", {
        "licence": licence.pk, "count": 31, "counted_on": TODAY.isoformat(),
        "counted_by": person.pk, "how": "Peak from the supplier's portal"})
    assert response.status_code == 302 and response["Location"] == licence.get_absolute_url()
    body = client.get(licence.get_absolute_url()).content.decode()
    assert f"31 on {TODAY:%-d %B %Y}" in body


def test_the_system_page_and_the_ci_page_show_its_licences(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    app = estate["over"].software
    for url in (f"/configuration/systems/{app.pk}/", app.get_absolute_url()):
        body = client.get(url).content.decode()
        assert "Software licences" in body and "Financials users" in body
        assert "Over-used" in body and "£1,000.00 to true up" in body


def test_roles_without_the_licences_see_no_panel_and_no_compliance(signed_in, org_a, estate):
    agent = make_member(org_a, roles.AGENT)
    client = signed_in(agent)
    app = estate["over"].software
    body = client.get(app.get_absolute_url()).content.decode()
    assert 'id="software-licences"' not in body and ">Financials users</a>" not in body
    assert client.get("/commercial/licence-compliance/").status_code == 403
    api = signed_in(agent, api=True)
    assert api.get("/api/licences/compliance/").status_code == 403


def test_another_councils_licences_never_show_in_compliance(signed_in, org_a, org_b, estate):
    licence_with(org_b, "Eskmouth secret suite", 10, 5, "500.00")
    client = signed_in(make_member(org_a, roles.ADMINISTRATOR))
    assert "Eskmouth" not in client.get("/commercial/licence-compliance/").content.decode()
    api = signed_in(make_member(org_a, roles.ICT_MANAGER), api=True)
    names = [p["name"] for p in api.get("/api/licences/compliance/").json()["positions"]]
    assert "Eskmouth secret suite" not in names and len(names) == 3


def test_the_api_gives_each_position_and_the_compliance_figures(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.AUDITOR), api=True)
    licence = estate["over"]
    data = client.get(f"/api/licences/licences/{licence.pk}/position/").json()
    assert data["status"] == "over" and (data["entitled"], data["used"]) == (85, 95)
    assert (data["shortfall"], data["unit_cost"], data["true_up_cost"]) == (10, "100.00",
                                                                              "1000.00")
    assert data["figures"][0]["adds"] == 95
    data = client.get("/api/licences/compliance/?status=under").json()
    assert [p["name"] for p in data["positions"]] == ["GIS seats"]
    assert data["savings"] == "2000.00" and data["counts"]["under"] == 1
    data = client.get("/api/licences/compliance/").json()
    assert [p["name"] for p in data["positions"]][0] == "Financials users"
    assert data["risk"] == "1000.00"


def test_the_api_refuses_unknown_and_bad_parameters(signed_in, org_a, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER), api=True)
    response = client.get("/api/licences/compliance/?colour=red")
    assert response.status_code == 400 and "Unknown parameter colour" in response.json()["detail"]
    response = client.get("/api/licences/compliance/?status=lost")
    assert response.status_code == 400 and "status" in response.json()


def test_an_entitlement_over_the_api_gives_its_unit_cost_and_refuses_bad_money(signed_in,
                                                                              org_a, estate):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER), api=True)
    licence = estate["under"]
    response = client.post("/api/licences/entitlements/", {
        "licence": licence.pk, "quantity": 3, "term_start": TODAY.isoformat(),
        "cost": "100.00"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["unit_cost"] == "33.33"
    response = client.post("/api/licences/entitlements/", {
        "licence": licence.pk, "quantity": 0, "term_start": TODAY.isoformat(),
        "cost": "-5"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"quantity", "cost"}
