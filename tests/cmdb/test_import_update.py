# ruff: noqa: F811 - the fixtures imported from test_import are named as arguments
"""Imports that update: a systems return sent in again (the same systems with new user
counts, owners and suppliers) changes the applications it names, previewed field by
field; items matched by reference or by name within the class, never another council's;
an ambiguous name, a record changed since the preview and add-only mode are problems."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from borough.cmdb import models as m
from borough.core import roles, services
from borough.core.models import AuditAction, AuditEvent, ImportStatus, ImportUpload
from tests.cmdb.test_import import (  # noqa: F401 - fixtures too
    ITEMS_IMPORT,
    RETURN,
    RETURN_IMPORT,
    client_a,
    confirm,
    csv_bytes,
    estate,
    officer,
    people,
    preview,
    row_errors,
    shipped,
    text,
)
from tests.conftest import make_member
from tests.factories import ConfigurationItemFactory, PersonFactory

pytestmark = pytest.mark.django_db

# The return as first sent (without the system not in the CMDB).
FIRST = [RETURN[0], RETURN[1][:-1] + ["Benefits"], RETURN[2]]


def changes(response) -> list[tuple[str, str, str, str]]:
    """(row, column, now, after) from the preview's table of changes."""
    table = re.search(r'id="import-changes"[^>]*>(.*?)</table>', text(response), re.S)
    assert table, text(response)
    cells = re.findall(r'<td class="govuk-table__cell"[^>]*>(.*?)</td>', table.group(1), re.S)
    return [tuple(c.strip() for c in cells[i:i + 4]) for i in range(0, len(cells), 4)]


def summary(response) -> str:
    found = re.search(r'id="import-summary">(.*?)</p>', text(response), re.S)
    assert found, text(response)
    return found.group(1)


@pytest.fixture
def first_return(client_a, estate, people):
    """The return as sent last year, imported."""
    assert confirm(client_a, preview(client_a, RETURN_IMPORT, csv_bytes(FIRST))).status_code == 302
    assert m.ConfigurationItem.objects.count() == 2
    return {i.name: i for i in m.ConfigurationItem.objects.all()}


def this_year(**cells) -> list[list[str]]:
    """This year's return: Council Tax with `cells` changed (by heading), Benefits as it
    was, and a new system, Parking."""
    heads = FIRST[0]
    tax = list(FIRST[1])
    for heading, value in cells.items():
        tax[heads.index(heading.replace("_", " "))] = value
    parking = ["Parking", "Revenues and Benefits", "Ann Ash", "12", "Taranto", "Public cloud",
               "Infrastructure", "", "Permits", "OFFICIAL", ""]
    return [heads, tax, FIRST[2], parking]


def test_a_return_sent_again_previews_then_makes_its_changes(client_a, officer, estate,
                                                               first_return):
    tax, benefits = first_return["Council Tax"], first_return["Benefits"]
    tax_version, benefits_version = tax.version, benefits.version
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(this_year(
        Number_of_users="60", Supplier="Civica")), )
    assert summary(checked) == ("Importing this file will add 1 configuration item, change 1 "
                                "and leave 1 unchanged. Nothing has been saved yet.")
    assert changes(checked) == [("2", "Number of users", "45", "60"),
                                ("2", "Supplier", "Capita", "Civica")]
    assert "Row 4" in text(checked)  # the new system's row in the preview of new rows
    tax.refresh_from_db()
    assert tax.attributes["number_of_users"] == 45 and tax.version == tax_version

    done = confirm(client_a, checked)
    assert done.status_code == 302
    outcome = text(client_a.get(done["Location"]))
    assert ("Imported estate.csv: added 1 configuration item, changed 1 configuration item and "
            "left 1 unchanged.") in outcome
    tax.refresh_from_db()
    benefits.refresh_from_db()
    assert tax.attributes["number_of_users"] == 60 and tax.attributes["supplier"] == "Civica"
    assert tax.attributes["hosting"] == "On premises"  # untouched
    assert tax.version == tax_version + 1 and benefits.version == benefits_version
    assert m.ConfigurationItem.objects.count() == 3
    # One audit event for the changed item, naming the file and the import.
    row = ImportUpload.objects.latest("pk")
    event = AuditEvent.objects.for_object(tax).filter(action=AuditAction.UPDATE).get()
    assert event.note == f"Updated from estate.csv (import {row.pk})."
    assert event.actor == officer and "attributes" in event.changes
    assert not AuditEvent.objects.for_object(benefits).filter(action=AuditAction.UPDATE).exists()
    # The links between the two were there already: none added twice.
    assert m.Relationship.objects.count() == 2


def test_blank_cells_keep_a_value_and_none_clears_it(client_a, estate, first_return):
    tax = first_return["Council Tax"]
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(this_year(
        Supplier="", Business_owner="(none)", Supplier_support="(None)")[:2]))
    assert changes(checked) == [("2", "Business owner", "Ann Ash", "(blank)"),
                                ("2", "Supplier support", "Mon-Fri 9-5, 4 hour fix", "(blank)")]
    confirm(client_a, checked)
    tax.refresh_from_db()
    assert tax.owner is None
    assert tax.attributes["supplier"] == "Capita"
    assert "supplier_support" not in tax.attributes


def test_a_required_field_cannot_be_cleared(client_a, estate, first_return):
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(this_year(Name="(none)")[:2]))
    assert row_errors(checked)[0][:2] == ("2", "Name")
    assert "/confirm/" not in text(checked)


def test_a_name_two_items_share_is_a_problem_until_a_reference_says_which(
        client_a, estate, people):
    app = shipped(estate, "application")
    one = ConfigurationItemFactory(organisation=estate, name="Payroll", ci_class=app,
                                   attributes={"number_of_users": 10})
    two = ConfigurationItemFactory(organisation=estate, name="payroll", ci_class=app,
                                   attributes={"number_of_users": 20})
    rows = [["Name", "Number of users"], ["Payroll", "99"]]
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(rows))
    assert row_errors(checked) == [("2", "Name", (
        f"This row matches more than one configuration item: {one.reference}, "
        f"{two.reference}. Add a Reference column and give the reference of the one this "
        "row updates."))]
    rows = [["Reference", "Name", "Number of users"], [two.reference, "Payroll", "99"]]
    confirm(client_a, preview(client_a, RETURN_IMPORT, csv_bytes(rows)))
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.attributes["number_of_users"] == 10
    assert two.attributes["number_of_users"] == 99 and two.name == "Payroll"  # renamed too


def test_an_unknown_reference_or_another_class_is_a_problem(client_a, estate):
    server = ConfigurationItemFactory(organisation=estate, name="PAYSRV01",
                                      ci_class=shipped(estate, "physical-server"),
                                      attributes={"hostname": "paysrv01"})
    checked = preview(client_a, RETURN_IMPORT, csv_bytes([
        ["Reference", "Name"], ["CI-999999", "Ghost"], [server.reference, "Payroll"]]))
    assert row_errors(checked) == [
        ("2", "Reference", "There is no configuration item with the reference CI-999999 in "
                           "this organisation. Leave Reference blank to add a new one."),
        ("3", "Reference", f"{server.reference} is a physical server, not a application: an "
                           "item's class cannot change. Correct the reference or the class."),
    ]


def test_another_councils_item_with_the_same_name_is_never_matched(client_a, estate, org_b,
                                                                  people):
    from borough.cmdb import services as cmdb_services

    cmdb_services.install_default_classes(org_b.pk)
    theirs = ConfigurationItemFactory(organisation=org_b, name="Council Tax",
                                      ci_class=shipped(org_b, "application"),
                                      attributes={"number_of_users": 7})
    checked = preview(client_a, RETURN_IMPORT, csv_bytes([FIRST[0], FIRST[1][:-1] + [""]]))
    assert summary(checked).startswith("Importing this file will add 1 configuration item.")
    # Their reference is as unknown as none at all (SECURITY.md rule 3).
    by_reference = preview(client_a, RETURN_IMPORT, csv_bytes([
        ["Reference", "Name"], [theirs.reference, "Council Tax"]]))
    assert row_errors(by_reference)[0][2].startswith(
        f"There is no configuration item with the reference {theirs.reference}")
    confirm(client_a, checked)
    theirs.refresh_from_db()
    assert theirs.attributes == {"number_of_users": 7} and theirs.version == 1
    assert m.ConfigurationItem.objects.filter(organisation=estate, name="Council Tax").count() == 1


def test_adding_only_a_row_that_names_an_item_is_a_problem(client_a, estate, first_return):
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(this_year(Number_of_users="60")),
                      mode="add")
    tax = first_return["Council Tax"]
    errors = row_errors(checked)
    assert [e[:2] for e in errors] == [("2", "Name"), ("3", "Name")]
    assert errors[0][2].startswith(f"The configuration item “{tax}” already exists. To "
                                   "change it, import the file with “add new rows and update")
    # The items page adds only unless asked: the same item is a problem there too.
    app = shipped(estate, "application")
    items = preview(client_a, ITEMS_IMPORT, csv_bytes([["Name"], ["Council Tax"]]),
                    ci_class=app.pk)
    assert "already exists" in row_errors(items)[0][2]


def test_two_rows_for_one_item_are_a_problem(client_a, estate, first_return):
    rows = this_year()
    checked = preview(client_a, RETURN_IMPORT, csv_bytes([*rows[:3], rows[1]]))
    assert row_errors(checked)[-1][:2] == ("4", "Name")
    assert "Row 2 updates the same configuration item" in row_errors(checked)[-1][2]


def test_a_record_changed_after_the_preview_stops_the_import(client_a, estate, first_return,
                                                            signed_in):
    tax = first_return["Council Tax"]
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(this_year(Number_of_users="60")))
    assert changes(checked)
    manager = make_member(estate, roles.ICT_MANAGER, "cbc-manager")
    manager.active_organisation_id = estate.pk
    services.update_record(tax, actor=manager, expected_version=tax.version,
                           data={"description": "Moving to the cloud"})
    done = confirm(client_a, checked)
    page = text(client_a.get(done["Location"]))
    assert "Nothing was imported" in page
    assert f"changed the configuration item “{tax}” (description) after the preview" in page
    row = ImportUpload.objects.latest("pk")
    assert row.status == ImportStatus.FAILED
    tax.refresh_from_db()
    assert tax.attributes["number_of_users"] == 45
    assert not m.ConfigurationItem.objects.filter(name="Parking").exists()


def test_a_return_updated_over_the_api(signed_in, officer, estate, first_return):
    api = signed_in(officer, api=True)
    body = api.post("/api/core/imports/", {
        "importer": "cmdb.systems-return", "mode": "update",
        "file": SimpleUploadedFile("r.csv", csv_bytes(this_year(Number_of_users="60")))},
        format="multipart").json()
    assert body["mode"] == "update" and body["can_confirm"]
    assert body["counts"] == {"cmdb.configurationitem": 1}
    assert body["changed"] == {"cmdb.configurationitem": 1}
    assert body["unchanged"] == {"cmdb.configurationitem": 1}
    assert body["summary"] == "add 1 configuration item, change 1 and leave 1 unchanged"
    assert body["changes"] == [{"row": 2, "column": "Number of users", "before": "45",
                                "after": "60"}]
    assert body["change_count"] == 1
    done = api.post(f"/api/core/imports/{body['id']}/confirm/", {"sha256": body["sha256"]},
                    format="json")
    assert done.status_code == 200 and done.json()["status"] == "imported"
    first_return["Council Tax"].refresh_from_db()
    assert first_return["Council Tax"].attributes["number_of_users"] == 60
    refused = api.post("/api/core/imports/", {
        "importer": "cmdb.systems-return", "mode": "sideways",
        "file": SimpleUploadedFile("r.csv", csv_bytes(FIRST))}, format="multipart")
    assert refused.status_code == 400 and "mode" in refused.json()


def test_the_schema_describes_the_changes(client, officer):
    client.force_login(officer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    upload = schema["components"]["schemas"]["ImportUpload"]["properties"]
    for name in ("mode", "changed", "unchanged", "summary", "changes", "change_count"):
        assert name in upload, name
    change = schema["components"]["schemas"]["Change"]["properties"]
    assert set(change) == {"row", "column", "before", "after"}


def test_the_return_page_offers_add_and_update_first(client_a, estate):
    page = text(client_a.get(RETURN_IMPORT))
    checked = re.search(r'<input[^>]*name="mode"[^>]*value="update"[^>]*>', page)
    assert checked and "checked" in checked.group(0)
    assert "(none)" in page and "A row with a Reference" in page
    items = text(client_a.get(ITEMS_IMPORT))
    chosen = re.search(r'<input[^>]*name="mode"[^>]*value="add"[^>]*>', items)
    assert chosen and "checked" in chosen.group(0)
    assert client_a.get(RETURN_IMPORT, {"mode": "sideways"}).status_code == 400
    assert client_a.get(reverse("cmdb:relationship_import")).status_code == 200
    assert 'name="mode"' not in text(client_a.get(reverse("cmdb:relationship_import")))


def test_people_in_the_file_are_matched_once_per_import(client_a, estate, first_return,
                                                        django_assert_max_num_queries):
    """Related records are looked up once per import, not once a row."""
    for n in range(5):
        PersonFactory(organisation=estate, full_name=f"Owner {n}")
    rows = [FIRST[0]] + [[f"System {n}", "Revenues and Benefits", f"Owner {n % 5}", str(n),
                          "", "", "Infrastructure", "", "", "OFFICIAL", ""] for n in range(30)]
    # About 30 to start (the session, the upload, the look-ups), then one insert a row.
    with django_assert_max_num_queries(75):
        checked = preview(client_a, RETURN_IMPORT, csv_bytes(rows))
    assert "add 30 configuration items" in summary(checked)


def test_references_taken_in_a_block_and_not_used_are_given_back(client_a, officer, estate,
                                                                 first_return):
    rows = this_year()
    confirm(client_a, preview(client_a, RETURN_IMPORT, csv_bytes([rows[0], rows[3], *rows[1:3]])))
    parking = m.ConfigurationItem.objects.get(name="Parking")
    assert parking.reference == "CI-000003"
    officer.active_organisation_id = estate.pk
    after = services.create_record(m.ConfigurationItem(
        organisation=estate, name="Next", ci_class=shipped(estate, "application")), actor=officer)
    assert after.reference == "CI-000004"  # no gap left by the import's block
