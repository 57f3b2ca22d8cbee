"""History and as-of: every state of configuration items and relationships is kept
(core.temporal), and an item with its relationships can be read as of any past moment,
on its page and over the API."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from borough.cmdb import history
from borough.cmdb import models as m
from borough.core import audit, roles
from borough.core import services as core_services
from borough.core.models import AuditAction
from tests.conftest import make_member
from tests.factories import CIClassFactory, PersonFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def make_item(org, ci_class, name, *, actor=None, **fields):
    fields.setdefault("status", m.Status.LIVE)
    fields.setdefault("attributes", {"hostname": name.lower()})
    return core_services.create_record(
        m.ConfigurationItem(organisation=org, ci_class=ci_class, name=name, **fields),
        actor=actor)


def change(record, actor=None, **data):
    return core_services.update_record(record, actor=actor, data=data, expected_version=None)


def relate(org, source, target, kind=m.RelationshipType.DEPENDS_ON, **fields):
    return core_services.create_record(m.Relationship(
        organisation=org, source=source, target=target, relationship_type=kind, **fields),
        actor=None)


@pytest.fixture
def estate(org_a):
    """At known times: PAYSRV01 added (1 March), its attributes and owner changed (3rd),
    Payroll made to run on it (5th), PAYSRV01 renamed PAYSRV02 (6th), the relationship
    deleted (8th), Payroll deleted (10th)."""
    server_class = CIClassFactory(organisation=org_a, name="Physical server")
    owner = PersonFactory(organisation=org_a, full_name="Dana Scully")
    with time_machine.travel(at(1), tick=False):
        server = make_item(org_a, server_class, "PAYSRV01",
                           attributes={"hostname": "paysrv01", "cpu_cores": 4})
    with time_machine.travel(at(3), tick=False):
        server = change(server, attributes={"hostname": "paysrv01", "cpu_cores": 8},
                        owner=owner, criticality=m.Criticality.HIGH)
    with time_machine.travel(at(4), tick=False):
        payroll = make_item(org_a, server_class, "Payroll")
    with time_machine.travel(at(5), tick=False):
        link = relate(org_a, payroll, server, redundancy_group="hosts")
    with time_machine.travel(at(6), tick=False):
        server = change(server, name="PAYSRV02")
    with time_machine.travel(at(8), tick=False):
        core_services.delete_record(link, actor=None, expected_version=None)
    with time_machine.travel(at(10), tick=False):
        core_services.delete_record(payroll, actor=None, expected_version=None)
    return {"server": server, "payroll_id": payroll.pk, "owner": owner}


# --- the versions kept ------------------------------------------------------------------


def test_each_change_closes_one_version_and_opens_the_next(estate):
    server = estate["server"]
    rows = list(m.ConfigurationItemVersion.objects.filter(record_id=server.pk)
                .order_by("valid_from"))
    assert [(r.valid_from, r.valid_to, r.record_version) for r in rows] == [
        (at(1), at(3), 1), (at(3), at(6), 2), (at(6), None, 3)]
    assert rows[0].values["attributes"] == {"hostname": "paysrv01", "cpu_cores": 4}
    assert rows[1].values["owner_id"] == estate["owner"].pk
    assert rows[1].display["owner"] == "Dana Scully"
    assert rows[1].display["criticality"] == "High"
    assert (rows[2].status, rows[2].ci_class_id) == (m.Status.LIVE, server.ci_class_id)


def test_a_deleted_item_closes_its_own_versions_and_its_relationships(org_a):
    ci_class = CIClassFactory(organisation=org_a)
    with time_machine.travel(at(1), tick=False):
        a, b = make_item(org_a, ci_class, "A"), make_item(org_a, ci_class, "B")
        rel = relate(org_a, a, b)
    with time_machine.travel(at(2), tick=False):
        # The relationship goes by cascade, without an audit event of its own.
        core_services.delete_record(b, actor=None, expected_version=None)
    assert m.ConfigurationItemVersion.objects.get(record_id=b.pk).valid_to == at(2)
    assert m.RelationshipVersion.objects.get(record_id=rel.pk).valid_to == at(2)
    assert history.item_as_of(a, at(1, 18)).relationships[0].other_name == str(b)
    assert history.item_as_of(a, at(2, 18)).relationships == []


def test_bulk_audited_writes_keep_versions_too(org_a):
    ci_class = CIClassFactory(organisation=org_a)
    with time_machine.travel(at(1), tick=False):
        items = [make_item(org_a, ci_class, f"PC{n}") for n in range(3)]
    with time_machine.travel(at(2), tick=False):
        for item in items:
            item.status = m.Status.RETIRED
        m.ConfigurationItem.objects.bulk_update(items, ["status"])
        audit.record_bulk(items, AuditAction.UPDATE, actor=None)
    assert m.ConfigurationItemVersion.objects.filter(
        record_id__in=[i.pk for i in items], valid_to=None, status=m.Status.RETIRED,
        valid_from=at(2)).count() == 3


def test_a_record_of_a_model_without_versions_writes_none(org_a):
    ci_class = CIClassFactory(organisation=org_a)
    change(ci_class, name="Renamed class")
    assert not m.ConfigurationItemVersion.objects.exists()


# --- as of a moment ---------------------------------------------------------------------


def test_an_item_as_of_each_moment(estate):
    server = m.ConfigurationItem.objects.select_related("ci_class").get(pk=estate["server"].pk)
    first = history.item_as_of(server, at(2))
    rows = dict(first.rows)
    assert (rows["Name"], rows["Owner"], rows["Criticality"]) == ("PAYSRV01", None, "Medium")
    assert first.attributes == {"hostname": "paysrv01", "cpu_cores": 4}
    assert ("CPU cores", "4") in first.attribute_rows
    assert first.relationships == []

    later = history.item_as_of(server, at(5, 18))
    assert dict(later.rows)["Owner"] == "Dana Scully"
    assert ("CPU cores", "8") in later.attribute_rows
    [rel] = later.incoming
    assert (rel.other_id, rel.type_label, rel.redundancy_group) == (
        estate["payroll_id"], "depends on", "hosts")
    assert rel.other_name.endswith("Payroll")

    assert dict(history.item_as_of(server, at(7)).rows)["Name"] == "PAYSRV02"
    assert history.item_as_of(server, at(9)).relationships == []


def test_the_other_end_is_named_as_it_was_then(org_a):
    ci_class = CIClassFactory(organisation=org_a)
    with time_machine.travel(at(1), tick=False):
        app, server = make_item(org_a, ci_class, "Payroll"), make_item(org_a, ci_class, "OLD01")
        relate(org_a, app, server)
    with time_machine.travel(at(2), tick=False):
        change(server, name="NEW01")
    assert history.item_as_of(app, at(1, 13)).outgoing[0].other_name == f"{server.reference} OLD01"
    assert history.item_as_of(app, at(2, 13)).outgoing[0].other_name == f"{server.reference} NEW01"


def test_before_the_item_existed_says_so(estate):
    server = estate["server"]
    with pytest.raises(history.NotThen, match="did not exist on 28 February 2025 at 12:00: "
                                              "it was added on 1 March 2025"):
        history.item_as_of(server, datetime.datetime(2025, 2, 28, 12, tzinfo=UTC))


def test_an_item_saved_before_versions_were_kept_says_from_when(org_a):
    ci_class = CIClassFactory(organisation=org_a)
    from tests.factories import ConfigurationItemFactory

    item = ConfigurationItemFactory(organisation=org_a, ci_class=ci_class)  # no services
    with pytest.raises(history.NotThen, match="No earlier states"):
        history.item_as_of(item, item.created_at + datetime.timedelta(seconds=1))


def test_a_date_alone_means_the_end_of_that_day_in_uk_time():
    assert history.parse_moment("2025-07-01") == datetime.datetime(
        2025, 7, 1, 22, 59, 59, 999999, tzinfo=UTC)  # BST
    assert history.parse_moment("2025-07-01T09:30") == datetime.datetime(
        2025, 7, 1, 8, 30, tzinfo=UTC)
    assert history.parse_moment("2025-07-01T09:30Z") == datetime.datetime(
        2025, 7, 1, 9, 30, tzinfo=UTC)
    for bad in ("", "yesterday", "2025-13-01", "2999-01-01"):
        with pytest.raises(ValueError):
            history.parse_moment(bad)


# --- the page ---------------------------------------------------------------------------


def as_of_url(item, **params):
    from urllib.parse import urlencode

    return reverse("cmdb:configurationitem_as_of", args=[item.pk]) + (
        "?" + urlencode(params) if params else "")


def test_the_page_shows_the_item_as_it_was(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.SERVICE_UNIT_HEAD))
    server = estate["server"]
    detail = client.get(reverse("cmdb:configurationitem_detail", args=[server.pk]))
    assert as_of_url(server) in detail.content.decode()  # the tab

    body = client.get(as_of_url(server, date="2025-03-05", time="18:00")).content.decode()
    assert "As of 5 March 2025, 18:00" in body
    assert "PAYSRV01" in body and "Dana Scully" in body
    assert "Payroll (since deleted)" in body and "depends on this" in body

    body = client.get(as_of_url(server, date="2025-02-01")).content.decode()
    assert "did not exist on 1 February 2025" in body


@pytest.mark.parametrize(("params", "message"), [
    ({"date": "31/02/2025"}, "Enter a real date, like 2025-03-31."),
    ({"date": "2025-03-05", "time": "25:00"}, "Enter a time of day, like 14:30."),
    ({"time": "10:00"}, "Enter a date, like 2025-03-31."),
    ({"date": "2999-01-01"}, "That is in the future"),
    ({"date": "2025-03-05", "colour": "red"}, "Unknown parameter colour."),
])
def test_the_page_names_what_to_fix(estate, org_a, signed_in, params, message):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    response = client.get(as_of_url(estate["server"], **params))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_page_needs_the_item_to_be_visible(estate, org_b, signed_in):
    other = signed_in(make_member(org_b, roles.ADMINISTRATOR))
    assert other.get(as_of_url(estate["server"], date="2025-03-05")).status_code == 404
    requester = signed_in(make_member(estate["server"].organisation, roles.REQUESTER))
    assert requester.get(as_of_url(estate["server"], date="2025-03-05")).status_code == 403


# --- the API ----------------------------------------------------------------------------


def api_url(item, **params):
    from urllib.parse import urlencode

    return f"/api/cmdb/configuration-items/{item.pk}/as-of/" + (
        "?" + urlencode(params) if params else "")


def test_the_api_gives_the_item_as_it_was(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.AUDITOR), api=True)
    response = client.get(api_url(estate["server"], at="2025-03-05T18:00"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["display"]["name"] == "PAYSRV01"
    assert data["values"]["owner_id"] == estate["owner"].pk
    assert data["attributes"] == {"hostname": "paysrv01", "cpu_cores": 8}
    assert data["record_version"] == 2 and data["valid_to"] is not None
    [rel] = data["relationships"]
    assert (rel["direction"], rel["relationship_type"], rel["other"]["id"]) == (
        "incoming", "depends_on", estate["payroll_id"])


def test_the_api_answers_404_with_a_message_before_the_item_existed(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.AUDITOR), api=True)
    response = client.get(api_url(estate["server"], at="2025-02-01"))
    assert response.status_code == 404
    assert "did not exist on 1 February 2025" in response.json()["detail"]


@pytest.mark.parametrize(("params", "field"), [
    ({}, "at"), ({"at": "soon"}, "at"), ({"at": "2999-01-01"}, "at"),
    ({"at": "2025-03-05", "when": "x"}, "detail"),
])
def test_the_api_refuses_a_bad_moment(estate, org_a, signed_in, params, field):
    client = signed_in(make_member(org_a, roles.AUDITOR), api=True)
    response = client.get(api_url(estate["server"], **params))
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_hides_other_organisations_items(estate, org_b, signed_in):
    client = signed_in(make_member(org_b, roles.ADMINISTRATOR), api=True)
    assert client.get(api_url(estate["server"], at="2025-03-05")).status_code == 404


def test_the_schema_describes_as_of(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/cmdb/configuration-items/{id}/as-of/"]["get"]
    assert {"200", "400", "404"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["at"]
