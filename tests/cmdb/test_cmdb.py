"""The CMDB's rules: attribute schemas and values (service, page and API alike),
relationships, status moves, the classes a new council starts with, and its pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from borough.cmdb import attributes, services
from borough.cmdb import models as m
from borough.core import roles
from borough.core import services as core_services
from borough.organisation.services import create_organisation
from tests.factories import (
    CIClassFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db


def shipped(org, code):
    return m.CIClass.objects.get(organisation=org, code=code)


@pytest.fixture
def estate(org_a):
    services.install_default_classes(org_a.pk)
    return org_a


# --- attributes ------------------------------------------------------------------------


def test_each_type_is_checked_and_stored_in_its_json_form():
    schema = [{"name": n, "label": n.title(), "type": t, **extra} for n, t, extra in [
        ("t", "text", {}), ("i", "integer", {}), ("d", "decimal", {}), ("b", "boolean", {}),
        ("dt", "date", {}), ("c", "choice", {"choices": ["A", "B"]}),
        ("ip", "ip_address", {})]]
    assert attributes.schema_problems(schema) == []
    cleaned, errors = attributes.clean_attributes(schema, {
        "t": " x ", "i": "8", "d": "0.1", "b": "yes", "dt": "2025-03-31", "c": "B",
        "ip": "10.0.0.1"})
    assert errors == {}
    assert cleaned == {"t": "x", "i": 8, "d": "0.1", "b": True, "dt": "2025-03-31",
                       "c": "B", "ip": "10.0.0.1"}
    cleaned, errors = attributes.clean_attributes(schema, {
        "i": "eight", "d": "lots", "b": "maybe", "dt": "31/03/2025", "c": "Z", "ip": "10.0.0",
        "extra": 1})
    assert errors == {
        "i": "I: enter a whole number, like 8.",
        "d": "D: enter a number, like 16 or 0.5.",
        "b": "B: answer yes or no.",
        "dt": "Dt: enter a date as year-month-day, like 2025-03-31.",
        "c": "C: choose one of A, B.",
        "ip": "Ip: enter an IP address, like 10.1.2.3 or 2001:db8::1.",
        "extra": "extra is not an attribute of this class: remove it, or ask an "
                 "administrator to add it to the class.",
    }


def test_a_class_schema_with_mistakes_is_refused_with_each_one_named(org_a):
    ci_class = CIClassFactory.build(organisation=org_a, attribute_schema=[
        {"name": "Host Name", "label": "Host", "type": "text"},
        {"name": "size", "label": "", "type": "float"},
        {"name": "tier", "label": "Tier", "type": "choice"},
        {"name": "tier", "label": "Tier again", "type": "text", "colour": "red"}])
    with pytest.raises(ValidationError) as caught:
        ci_class.full_clean()
    assert caught.value.message_dict["attribute_schema"] == [
        "Attribute 1 (Host Name): give it a name of lower-case letters, digits and "
        "underscores, starting with a letter (for example cpu_cores).",
        "Attribute 2 (size): give it a label, the words people see.",
        "Attribute 2 (size): its type must be one of text, integer, decimal, boolean, date, "
        "choice, ip_address.",
        "Attribute 3 (tier): a choice attribute needs its list of choices.",
        "Attribute 4 (tier): another attribute already has this name; give each a "
        "different one.",
        "Attribute 4 (tier): remove colour; an attribute takes only choices, help, label, "
        "name, required, type."]


def test_the_service_refuses_bad_attributes_naming_each(estate, admin_a):
    item = m.ConfigurationItem(organisation=estate, name="PAYSRV01",
                               ci_class=shipped(estate, "physical-server"),
                               attributes={"cpu_cores": "many", "ip_address": "300.1.1.1"})
    with pytest.raises(ValidationError) as caught:
        core_services.create_record(item, actor=admin_a)
    assert caught.value.message_dict["attributes"] == [
        "Enter the Host name: Physical server needs it.",
        "CPU cores: enter a whole number, like 8.",
        "IP address: enter an IP address, like 10.1.2.3 or 2001:db8::1."]
    assert not m.ConfigurationItem.objects.exists()


def test_an_administrator_extends_a_class_without_a_migration(estate, admin_a):
    server = shipped(estate, "physical-server")
    item = core_services.create_record(m.ConfigurationItem(
        organisation=estate, name="PAYSRV01", ci_class=server,
        attributes={"hostname": "paysrv01"}), actor=admin_a)
    schema = [*server.attribute_schema, {"name": "ups", "label": "UPS protected",
                                         "type": "boolean", "required": True}]
    core_services.update_record(server, actor=admin_a, data={"attribute_schema": schema},
                                expected_version=server.version)
    with pytest.raises(ValidationError, match="Enter the UPS protected"):
        core_services.update_record(item, actor=admin_a, data={"description": "x"},
                                    expected_version=item.version)
    item = core_services.update_record(
        item, actor=admin_a, data={"attributes": {"hostname": "paysrv01", "ups": "no"}},
        expected_version=item.version)
    assert item.attributes == {"hostname": "paysrv01", "ups": False}


def test_the_api_refuses_bad_attributes_with_the_same_messages(estate, admin_a, signed_in):
    client = signed_in(admin_a, api=True)
    url = reverse("api:cmdb-configurationitem-list")
    data = {"name": "PAYSRV01", "ci_class": shipped(estate, "physical-server").pk,
            "attributes": {"hostname": "paysrv01", "cpu_cores": 2.5}}
    response = client.post(url, data, format="json")
    assert response.status_code == 400
    assert response.json() == {"attributes": ["CPU cores: enter a whole number, like 8."]}
    data["attributes"]["cpu_cores"] = 16
    response = client.post(url, data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["attributes"] == {"hostname": "paysrv01", "cpu_cores": 16}
    assert response.json()["reference"] == "CI-000001"


def test_adding_an_item_takes_two_steps_and_shows_errors_beside_each_attribute(
        estate, admin_a, signed_in):
    client = signed_in(admin_a)
    url = reverse("cmdb:configurationitem_add")
    page = client.get(url)
    assert page.status_code == 200
    assert "Which class is it?" in page.content.decode()
    link = shipped(estate, "network-link")
    page = client.get(url, {"ci_class": link.pk})
    assert "Bandwidth (Mbps)" in page.content.decode()
    assert "Host name" not in page.content.decode()
    form = page.context["form"]
    data = {"name": "Whitehaven to Moresby", "ci_class": link.pk, "status": "live",
            "criticality": "high", "data_classification": "official",
            "attr_bandwidth_mbps": "a gigabit", "attr_contract_ends": "2027-02-30",
            "submission_key": form["submission_key"].value()}
    page = client.post(url, data)
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert errors["attr_bandwidth_mbps"] == ["Bandwidth (Mbps): enter a whole number, like 8."]
    assert errors["attr_contract_ends"] == [
        "Contract ends: enter a date as year-month-day, like 2025-03-31."]
    assert "__all__" not in errors
    data |= {"attr_bandwidth_mbps": "1000", "attr_contract_ends": "2027-02-28"}
    response = client.post(url, data)
    assert response.status_code == 302
    item = m.ConfigurationItem.objects.get()
    assert item.attributes == {"bandwidth_mbps": 1000, "contract_ends": "2027-02-28"}
    page = client.get(item.get_absolute_url())
    text = page.content.decode()
    assert "Bandwidth (Mbps)" in text and "1000" in text and "28 February 2027" in text


def test_an_edit_changes_attributes_and_keeps_the_class(estate, admin_a, signed_in):
    item = ConfigurationItemFactory(organisation=estate)
    client = signed_in(admin_a)
    url = reverse("cmdb:configurationitem_edit", args=[item.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"attr_cpu_cores": "32", "ci_class": CIClassFactory(organisation=estate).pk}
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.attributes["cpu_cores"] == 32
    assert item.version == 2


# --- status ----------------------------------------------------------------------------


def test_status_moves_are_checked_on_every_write(estate, admin_a, signed_in):
    item = ConfigurationItemFactory(organisation=estate, status=m.Status.LIVE)
    with pytest.raises(ValidationError) as caught:
        core_services.update_record(item, actor=admin_a, data={"status": m.Status.IN_BUILD},
                                    expected_version=item.version)
    assert caught.value.message_dict["status"] == [
        "A live configuration item cannot become in build; it can become retiring, retired."]
    item = core_services.update_record(item, actor=admin_a, data={"status": m.Status.RETIRED},
                                       expected_version=item.version)
    response = signed_in(admin_a, api=True).patch(
        reverse("api:cmdb-configurationitem-detail", args=[item.pk]),
        {"status": "live", "version": item.version}, format="json")
    assert response.status_code == 400
    assert "a retired item stays retired" in response.json()["status"][0]


# --- relationships ---------------------------------------------------------------------


def test_relationship_rules(estate, org_b, admin_a):
    app = ConfigurationItemFactory(organisation=estate, ci_class=shipped(estate, "application"),
                                   attributes={})
    server = ConfigurationItemFactory(organisation=estate,
                                      ci_class=shipped(estate, "virtual-server"),
                                      attributes={"hostname": "app01"})
    other = ConfigurationItemFactory(organisation=org_b)

    def relate(source, kind, target):
        return core_services.create_record(m.Relationship(
            organisation=estate, source=source, target=target, relationship_type=kind),
            actor=admin_a)

    relate(app, "runs_on", server)
    with pytest.raises(ValidationError, match="already exists"):
        relate(app, "runs_on", server)
    with pytest.raises(ValidationError) as caught:
        relate(server, "runs_on", app)
    assert caught.value.message_dict["relationship_type"] == [
        "Nothing can “runs on” a application: choose another type, or swap the two items "
        "if the relationship runs the other way."]
    with pytest.raises(ValidationError, match="cannot be the source of “interfaces with”"):
        relate(server, "interfaces_with", app)
    with pytest.raises(ValidationError, match="cannot be related to itself"):
        relate(app, "depends_on", app)
    with pytest.raises(ValidationError, match="Choose one from this organisation"):
        relate(app, "depends_on", other)
    # A class an administrator added is not constrained: Borough cannot know what it is.
    ups = ConfigurationItemFactory(organisation=estate, ci_class=CIClassFactory(
        organisation=estate, code="ups"))
    relate(server, "runs_on", ups)


def test_another_councils_item_is_refused_by_the_api_as_if_missing(estate, org_b, admin_a,
                                                                     signed_in):
    mine = ConfigurationItemFactory(organisation=estate)
    theirs = ConfigurationItemFactory(organisation=org_b)
    response = signed_in(admin_a, api=True).post(
        reverse("api:cmdb-relationship-list"),
        {"source": mine.pk, "target": theirs.pk, "relationship_type": "depends_on"},
        format="json")
    assert response.status_code == 400
    assert "target" in response.json()
    assert not m.Relationship.objects.exists()


# --- defaults and impact on the page and API -------------------------------------------


def test_a_new_council_gets_the_shipped_classes_once(db):
    council = create_organisation(actor=None, name="Allerdale", code="adc",
                                  nation="england-and-wales")
    codes = set(m.CIClass.objects.filter(organisation=council).values_list("code", flat=True))
    assert {"physical-server", "application", "network-link", "standard-build"} <= codes
    assert len(codes) == 11
    assert services.install_default_classes(council.pk) == []


def test_the_item_page_and_the_api_say_what_depends_on_it(estate, member, signed_in):
    server = ConfigurationItemFactory(organisation=estate, name="VMHOST1")
    links = [ConfigurationItemFactory(organisation=estate, name=f"Link {n}") for n in "AB"]
    app = ConfigurationItemFactory(organisation=estate, name="Payroll")
    RelationshipFactory(organisation=estate, source=app, target=server)
    for link in links:
        RelationshipFactory(organisation=estate, source=server, target=link,
                            redundancy_group="links")
    auditor = member(roles.AUDITOR)
    text = signed_in(auditor).get(server.get_absolute_url()).content.decode()
    assert "What depends on this" in text and "Payroll" in text
    assert "Through: Payroll → VMHOST1" in text
    assert "Link A" in text  # a relationship of the server
    response = signed_in(auditor, api=True).get(
        reverse("api:cmdb-configurationitem-impact", args=[app.pk]))
    assert response.status_code == 200
    assert response.json() == {"affected": [], "single_points_of_failure": [
        {"id": server.pk, "reference": server.reference, "name": "VMHOST1"}]}
    response = signed_in(auditor, api=True).get(
        reverse("api:cmdb-configurationitem-impact", args=[links[0].pk]))
    assert response.json()["affected"] == []


def test_impact_of_another_councils_item_is_not_found(estate, org_b, admin_a, signed_in):
    theirs = ConfigurationItemFactory(organisation=org_b)
    response = signed_in(admin_a, api=True).get(
        reverse("api:cmdb-configurationitem-impact", args=[theirs.pk]))
    assert response.status_code == 404


# --- deleting an item with relationships -------------------------------------------------


def test_deleting_an_item_records_each_relationship_it_removes(org_a, admin_a, signed_in):
    from borough.core.models import AuditAction, AuditEvent
    from borough.core.queries import history_for

    server = ConfigurationItemFactory(organisation=org_a, name="PAYSRV01")
    app = ConfigurationItemFactory(organisation=org_a, name="Payroll")
    backup = ConfigurationItemFactory(organisation=org_a, name="Backup store")
    runs_on = RelationshipFactory(organisation=org_a, source=app, target=server,
                                  relationship_type=m.RelationshipType.RUNS_ON)
    backed = RelationshipFactory(organisation=org_a, source=server, target=backup,
                                 relationship_type=m.RelationshipType.BACKED_UP_TO)
    client = signed_in(admin_a)
    delete = reverse("cmdb:configurationitem_delete", args=[server.pk])
    # The confirmation says what goes with it.
    page = client.get(delete).content.decode()
    listed = page[page.index('id="removed-with"'):]
    assert "Payroll runs on PAYSRV01" in listed and "PAYSRV01 is backed up to Backup store" in listed

    assert client.post(delete, {"version": server.version}).status_code == 302
    assert not m.Relationship.objects.exists()
    # Each relationship's own history has its deletion, with its values and why.
    for relationship in (runs_on, backed):
        event = AuditEvent.objects.for_object(relationship).get()
        assert event.action == AuditAction.DELETE and event.actor == admin_a
        assert event.note == f"Deleted with the configuration item “{server}”."
        assert event.changes["source"][1] is None and event.changes["source"][0]
    # Both ends' histories say what was removed: the item that stays, and the deleted one.
    notes = [e.note for e in history_for(app, admin_a)]
    assert notes[0] == ("Relationship removed: “Payroll runs on PAYSRV01”, deleted with the "
                        f"configuration item “{server}”.")
    assert "Relationship removed: “PAYSRV01 is backed up to Backup store”" in \
        history_for(backup, admin_a)[0].note
    gone = AuditEvent.objects.for_object(server)
    assert gone.filter(action=AuditAction.DELETE).count() == 1
    assert sorted(e.note for e in gone.filter(action=AuditAction.EVENT)) == [
        f"Relationship removed: “PAYSRV01 is backed up to Backup store”, deleted with this "
        f"configuration item “{server}”.",
        f"Relationship removed: “Payroll runs on PAYSRV01”, deleted with this configuration "
        f"item “{server}”."]
    # The relationships' versions were closed with the delete (as-of reads stay right).
    assert not m.RelationshipVersion.objects.filter(valid_to__isnull=True).exists()
    # The same through the API.
    other = RelationshipFactory(organisation=org_a, source=app, target=backup)
    api = signed_in(admin_a, api=True)
    response = api.delete(reverse("api:cmdb-configurationitem-detail", args=[backup.pk]),
                          HTTP_IF_MATCH=f'"{backup.version}"')
    assert response.status_code == 204
    assert AuditEvent.objects.for_object(other).get().action == AuditAction.DELETE
