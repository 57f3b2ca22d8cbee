"""Importing the estate from spreadsheets: items of a class with its attributes as columns,
several classes with a Class column, a service unit's systems return with its interfaces,
relationships; preview then confirm; big files as background tasks with progress;
permissions and organisations (SECURITY.md rules 2, 3, 19 and 29)."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from borough.cmdb import models as m
from borough.cmdb import services
from borough.cmdb.forms import ConfigurationItemForm
from borough.core import background, importing, roles
from borough.core.models import (
    AuditAction,
    AuditEvent,
    BackgroundTask,
    ImportStatus,
    ImportUpload,
    TaskStatus,
)
from tests.conftest import make_member
from tests.factories import (
    ConfigurationItemFactory,
    PersonFactory,
    ServiceUnitFactory,
    SiteFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

ITEMS_IMPORT = reverse("cmdb:configurationitem_import")
RETURN_IMPORT = reverse("cmdb:systems_return_import")
LINKS_IMPORT = reverse("cmdb:relationship_import")


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def text(response) -> str:
    return html.unescape(response.content.decode())


def shipped(org, code):
    return m.CIClass.objects.get(organisation=org, code=code)


@pytest.fixture
def estate(org_a):
    services.install_default_classes(org_a.pk)
    return org_a


@pytest.fixture
def officer(estate):
    return make_member(estate, roles.TEAM_LEAD, "cbc-officer")


@pytest.fixture
def client_a(signed_in, officer):
    return signed_in(officer)


def upload(client, url, content, name="estate.csv", **data):
    return client.post(url, {"file": SimpleUploadedFile(name, content), **data})


def preview(client, url, content, **data):
    response = upload(client, url, content, **data)
    assert response.status_code == 302, text(response)
    return client.get(response["Location"])


def confirm(client, response):
    body = text(response)
    action = re.search(r'action="(/imports/\d+/confirm/)"', body)
    assert action, body
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', body).group(1)
    return client.post(action.group(1), {"sha256": sha})


def row_errors(response) -> list[tuple[str, str, str]]:
    table = re.search(r'id="import-errors"[^>]*>(.*?)</table>', text(response), re.S)
    assert table, text(response)
    cells = re.findall(r'<td class="govuk-table__cell"[^>]*>(.*?)</td>', table.group(1), re.S)
    return [tuple(c.strip() for c in cells[i:i + 3]) for i in range(0, len(cells), 3)]


SERVERS = [
    ["Name", "Status", "Owner", "Support team", "Site", "Criticality", "Host name",
     "CPU cores", "Memory (GB)", "IP address", "Warranty ends"],
    ["PAYSRV01", "Live", "Ann Ash", "Infrastructure", "Whitehaven", "High", "paysrv01", "8",
     "32", "10.1.2.3", "31/03/2027"],
    ["FINSRV02", "in build", "", "", "", "", "finsrv02", "16", "0.5", "", "2026-12-01"],
]


@pytest.fixture
def people(estate):
    PersonFactory(organisation=estate, full_name="Ann Ash")
    TeamFactory(organisation=estate, name="Infrastructure")
    SiteFactory(organisation=estate, name="Whitehaven")
    ServiceUnitFactory(organisation=estate, name="Revenues and Benefits")


# --- Items of one class ---------------------------------------------------------------------


def test_items_of_a_class_preview_then_import_each_audited(client_a, officer, estate, people):
    server = shipped(estate, "physical-server")
    checked = preview(client_a, ITEMS_IMPORT, csv_bytes(SERVERS), ci_class=server.pk)
    body = text(checked)
    assert "Importing this file will add 2 configuration items" in body
    assert not m.ConfigurationItem.objects.exists()  # nothing until confirmed
    # The first rows as they will be saved: values as the item's page shows them.
    first = re.search(r"<th[^>]*>Row 2</th>(.*?)</tr>", body, re.S).group(1)
    for shown in ("PAYSRV01", "Live", "Ann Ash", "Infrastructure", "Whitehaven", "High",
                  "paysrv01", "8", "32", "10.1.2.3", "31 March 2027"):
        assert f">{shown}</td>" in first, (shown, first)

    done = confirm(client_a, checked)
    assert done.status_code == 302
    items = {i.name: i for i in m.ConfigurationItem.objects.all()}
    assert set(items) == {"PAYSRV01", "FINSRV02"}
    pay = items["PAYSRV01"]
    assert pay.ci_class == server and pay.status == m.Status.LIVE
    assert pay.owner.full_name == "Ann Ash" and pay.site.name == "Whitehaven"
    assert pay.attributes == {"hostname": "paysrv01", "cpu_cores": 8, "memory_gb": "32",
                              "ip_address": "10.1.2.3", "warranty_ends": "2027-03-31"}
    assert items["FINSRV02"].status == m.Status.IN_BUILD
    assert items["FINSRV02"].attributes["memory_gb"] == "0.5"
    assert pay.reference.startswith("CI-")
    for item in items.values():
        event = AuditEvent.objects.for_object(item).get()
        assert event.action == AuditAction.CREATE and event.actor == officer
        assert "Imported from estate.csv" in event.note
    # The import itself is recorded, with the file's name and hash.
    row = ImportUpload.objects.get()
    assert row.status == ImportStatus.IMPORTED and row.added == [["cmdb.configurationitem", 2]]
    event = AuditEvent.objects.for_object(row).get()
    assert event.action == AuditAction.EVENT and row.sha256 in event.note
    assert "Imported 2 configuration items from estate.csv" in text(client_a.get(done["Location"]))


def test_a_bad_attribute_saves_nothing_and_names_row_and_column(client_a, estate, people):
    server = shipped(estate, "physical-server")
    rows = [*SERVERS, ["HRSRV03", "Live", "", "", "", "", "", "eight", "lots", "10.0.0",
                       "tomorrow"]]
    checked = preview(client_a, ITEMS_IMPORT, csv_bytes(rows), ci_class=server.pk)
    assert row_errors(checked) == [
        ("4", "Host name", "Enter the Host name: Physical server needs it."),
        ("4", "CPU cores", "CPU cores: enter a whole number, like 8."),
        ("4", "Memory (GB)", "Memory (GB): enter a number, like 16 or 0.5."),
        ("4", "IP address", "IP address: enter an IP address, like 10.1.2.3 or 2001:db8::1."),
        ("4", "Warranty ends", "Warranty ends: enter a date as year-month-day, like "
                               "2025-03-31."),
    ]
    body = text(checked)
    assert "Row 4, CPU cores: enter a whole number, like 8." in body
    assert "/confirm/" not in body and "Nothing has been saved" in body
    assert not m.ConfigurationItem.objects.exists()
    # Confirming anyway (a forged POST) is refused.
    row = ImportUpload.objects.get()
    response = client_a.post(reverse("core:import_confirm", args=[row.pk]),
                             {"sha256": row.sha256})
    assert response.status_code == 302
    assert "has problems" in text(client_a.get(response["Location"]))
    assert not m.ConfigurationItem.objects.exists()


def test_attribute_messages_are_the_pages_and_the_apis(client_a, signed_in, officer, estate):
    server = shipped(estate, "physical-server")
    checked = preview(client_a, ITEMS_IMPORT, csv_bytes([
        ["Name", "Host name", "CPU cores"], ["PAYSRV01", "paysrv01", "eight"]]),
        ci_class=server.pk)
    imported = row_errors(checked)[0][2]
    form = ConfigurationItemForm(data={"name": "PAYSRV01", "ci_class": server.pk,
                                       "status": "live", "criticality": "medium",
                                       "data_classification": "official",
                                       "attr_hostname": "paysrv01", "attr_cpu_cores": "eight"},
                                 user=officer, instance=m.ConfigurationItem(
                                     organisation_id=estate.pk))
    assert not form.is_valid()
    assert form.errors["attr_cpu_cores"] == [imported]
    api = signed_in(officer, api=True)
    response = api.post("/api/cmdb/configuration-items/", {
        "name": "PAYSRV01", "ci_class": server.pk,
        "attributes": {"hostname": "paysrv01", "cpu_cores": "eight"}}, format="json")
    assert response.status_code == 400
    assert response.json()["attributes"] == [imported]


def test_unknown_columns_are_reported_not_dropped(client_a, estate):
    server = shipped(estate, "physical-server")
    response = upload(client_a, ITEMS_IMPORT, csv_bytes([
        ["Name", "Host name", "Rack colour"], ["PAYSRV01", "paysrv01", "blue"]]),
        ci_class=server.pk)
    assert response.status_code == 400
    assert "“Rack colour” is not a column Borough accepts here" in text(response)
    assert not ImportUpload.objects.exists()


def test_the_template_has_the_class_attributes_as_headings(client_a, estate):
    app = shipped(estate, "application")
    response = client_a.get(ITEMS_IMPORT, {"template": "csv", "ci_class": app.pk})
    assert response.status_code == 200
    headings = next(csv.reader(io.StringIO(response.content.decode())))
    assert headings[:2] == ["Name", "Status"]
    for label in ("Owner", "Owning service unit", "Support team", "Site", "Criticality",
                  "Data classification", "Description", "Version", "Vendor",
                  "Number of users", "Hosting", "Web address", "Supplier", "Supplier support",
                  "Data held", "Interfaces"):
        assert label in headings
    assert "Class" not in headings and "Host name" not in headings
    workbook = load_workbook(io.BytesIO(client_a.get(
        ITEMS_IMPORT, {"template": "xlsx", "ci_class": app.pk}).content))
    assert [c for c in next(workbook.active.iter_rows(values_only=True))] == headings
    # Without a class, a Class column and every class's attributes.
    every = next(csv.reader(io.StringIO(client_a.get(
        ITEMS_IMPORT, {"template": "csv"}).content.decode())))
    assert "Class" in every and "Host name" in every and "Bandwidth (Mbps)" in every
    page = text(client_a.get(ITEMS_IMPORT, {"ci_class": app.pk}))
    assert "Number of users" in page and "Which class are the items?" in page


def test_a_class_column_names_each_rows_class(client_a, estate):
    rows = [["Class", "Name", "Host name", "Bandwidth (Mbps)", "Provider"],
            ["Physical server", "PAYSRV01", "paysrv01", "", ""],
            ["network-link", "Whitehaven to Moresby", "", "1000", "BT"],
            ["Network link", "Backup link", "nope", "100", ""],
            ["Spaceship", "Enterprise", "", "", ""]]
    checked = preview(client_a, ITEMS_IMPORT, csv_bytes(rows))
    assert row_errors(checked) == [
        ("4", "Host name", "Network link has no attribute “hostname”: leave this cell blank "
                           "for a network link, or ask an administrator to add it to the "
                           "class."),
        ("5", "Class", "There is no CI class “Spaceship” you can choose. Use the name "
                       "Borough shows for the CI class, or its id."),
    ]
    rows = rows[:3]
    confirm(client_a, preview(client_a, ITEMS_IMPORT, csv_bytes(rows)))
    link = m.ConfigurationItem.objects.get(name="Whitehaven to Moresby")
    assert link.ci_class.code == "network-link"
    assert link.attributes == {"bandwidth_mbps": 1000, "provider": "BT"}


def test_another_organisations_team_is_an_error_like_none(client_a, estate, org_b):
    services.install_default_classes(org_b.pk)
    TeamFactory(organisation=org_b, name="Eskmouth Infrastructure")
    TeamFactory(organisation=estate, name="Infrastructure")
    server = shipped(estate, "physical-server")
    checked = preview(client_a, ITEMS_IMPORT, csv_bytes([
        ["Name", "Host name", "Support team"],
        ["PAYSRV01", "paysrv01", "Eskmouth Infrastructure"],
        ["FINSRV01", "finsrv01", "Nobody at all"],
    ]), ci_class=server.pk)
    errors = row_errors(checked)
    assert [e[:2] for e in errors] == [("2", "Support team"), ("3", "Support team")]
    assert errors[0][2].replace("Eskmouth Infrastructure", "X") == \
        errors[1][2].replace("Nobody at all", "X")
    assert not m.ConfigurationItem.objects.exists()


# --- The systems return ----------------------------------------------------------------------


RETURN = [
    ["Name", "Owning service unit", "Business owner", "Number of users", "Supplier", "Hosting",
     "ICT support", "Supplier support", "Data held", "Classification", "Interfaces"],
    ["Council Tax", "Revenues and Benefits", "Ann Ash", "45", "Capita", "On premises",
     "Infrastructure", "Mon-Fri 9-5, 4 hour fix", "Council tax accounts",
     "OFFICIAL-SENSITIVE", "Benefits; Document Management"],
    ["Benefits", "Revenues and Benefits", "Ann Ash", "30", "Northgate", "Supplier hosted",
     "Infrastructure", "", "Claims", "OFFICIAL-SENSITIVE", "Council Tax"],
]


def test_a_systems_return_adds_applications_and_their_interfaces(client_a, estate, people):
    dms = ConfigurationItemFactory(organisation=estate, name="Document Management",
                                   ci_class=shipped(estate, "application"), attributes={})
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(RETURN))
    body = text(checked)
    assert "Importing this file will add 2 configuration items and 3 relationships" in body
    assert "Benefits; Document Management" in body  # the preview shows the interfaces
    confirm(client_a, checked)
    tax = m.ConfigurationItem.objects.get(name="Council Tax")
    assert tax.ci_class.code == "application"
    assert tax.owner.full_name == "Ann Ash"
    assert tax.service_unit.name == "Revenues and Benefits"
    assert tax.support_team.name == "Infrastructure"
    assert tax.data_classification == m.DataClassification.OFFICIAL_SENSITIVE
    assert tax.attributes == {"number_of_users": 45, "supplier": "Capita",
                              "hosting": "On premises",
                              "supplier_support": "Mon-Fri 9-5, 4 hour fix",
                              "data_held": "Council tax accounts"}
    links = {(r.source.name, r.target.name) for r in m.Relationship.objects.filter(
        relationship_type=m.RelationshipType.INTERFACES_WITH)}
    assert links == {("Council Tax", "Benefits"), ("Council Tax", dms.name),
                     ("Benefits", "Council Tax")}
    for link in m.Relationship.objects.all():
        assert AuditEvent.objects.for_object(link).get().action == AuditAction.CREATE


def test_an_interface_to_an_unknown_system_is_a_row_error(client_a, estate, people):
    rows = [RETURN[0], RETURN[1][:-1] + ["Benefits; Payroll"], RETURN[2]]
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(rows))
    assert row_errors(checked) == [
        ("2", "Interfaces", "There is no system “Payroll” in this file or in the CMDB. Check "
                            "the spelling, or add a row for it.")]
    assert not m.ConfigurationItem.objects.exists() and not m.Relationship.objects.exists()


def test_the_return_template_uses_the_returns_words(client_a, estate):
    headings = next(csv.reader(io.StringIO(client_a.get(
        RETURN_IMPORT, {"template": "csv"}).content.decode())))
    assert headings[:11] == RETURN[0]


# --- Relationships ---------------------------------------------------------------------------


def test_relationships_by_reference_or_name_and_type_in_words(client_a, estate):
    server = ConfigurationItemFactory(organisation=estate, name="PAYSRV01",
                                      ci_class=shipped(estate, "physical-server"),
                                      attributes={"hostname": "paysrv01"})
    app = ConfigurationItemFactory(organisation=estate, name="Payroll",
                                   ci_class=shipped(estate, "application"), attributes={})
    storage = ConfigurationItemFactory(organisation=estate, name="SAN",
                                       ci_class=shipped(estate, "storage"), attributes={})
    rows = [["Source", "Type", "Target", "Redundancy group"],
            ["Payroll", "runs on", server.reference, ""],
            [server.reference, "backed up to", "san", ""],
            ["Payroll", "flies to", "SAN", ""],
            ["PAYSRV01", "runs on", "Payroll", ""]]
    checked = preview(client_a, LINKS_IMPORT, csv_bytes(rows))
    errors = row_errors(checked)
    assert [e[:2] for e in errors] == [("4", "Type"), ("5", "Type")]
    assert "“flies to” is not a relationship type" in errors[0][2]
    assert "runs on" in errors[1][2]  # the class rule's own words
    confirm(client_a, preview(client_a, LINKS_IMPORT, csv_bytes(rows[:3])))
    assert {(r.source, r.relationship_type, r.target) for r in m.Relationship.objects.all()} == {
        (app, "runs_on", server), (server, "backed_up_to", storage)}


# --- Background imports ----------------------------------------------------------------------


@pytest.fixture
def in_background(settings):
    settings.IMPORT_BACKGROUND_ROWS = 5
    settings.BACKGROUND_TASK_RUNNER = "worker"  # the test runs the task itself


def many_servers(n: int) -> bytes:
    return csv_bytes([["Name", "Host name", "CPU cores"]]
                     + [[f"SRV{i:03}", f"srv{i:03}", str(i % 16 + 1)] for i in range(n)])


def test_a_big_file_is_checked_and_imported_in_the_background_with_progress(
        client_a, estate, in_background, monkeypatch, django_capture_on_commit_callbacks):
    server = shipped(estate, "physical-server")
    seen = []
    monkeypatch.setattr(background, "PROGRESS_EVERY", 0)
    original = background.Progress._write
    monkeypatch.setattr(background.Progress, "_write",
                        lambda self: (seen.append(self.done), original(self)))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_a, ITEMS_IMPORT, many_servers(12), ci_class=server.pk)
    row = ImportUpload.objects.get()
    assert row.status == ImportStatus.CHECKING and row.task.status == TaskStatus.QUEUED
    page = text(client_a.get(response["Location"]))
    assert "Waiting to start" in page and 'hx-trigger="every 2s"' in page
    assert "Refresh the page" in page  # without JavaScript
    fragment = client_a.get(response["Location"], HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in text(fragment)

    assert background.run_waiting(via="worker") == 1
    row.refresh_from_db()
    assert row.status == ImportStatus.CHECKED and row.error_count == 0
    assert row.task.status == TaskStatus.SUCCEEDED and row.task.done == 12
    assert seen == sorted(seen) and seen[-1] == 12 and len(seen) >= 12
    done = client_a.get(response["Location"], HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"

    seen.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client_a, client_a.get(response["Location"]))
    row.refresh_from_db()
    assert row.status == ImportStatus.IMPORTING and not m.ConfigurationItem.objects.exists()
    assert "Imported 0 of 12 rows" in text(client_a.get(response["Location"])) or \
        "Waiting to start" in text(client_a.get(response["Location"]))
    background.run_waiting(via="worker")
    row.refresh_from_db()
    assert row.status == ImportStatus.IMPORTED
    assert m.ConfigurationItem.objects.count() == 12
    task = BackgroundTask.objects.get(pk=row.task_id)
    assert task.status == TaskStatus.SUCCEEDED and (task.done, task.total) == (12, 12)
    assert task.outcome == "Imported 12 configuration items from estate.csv."
    assert seen[-1] == 12
    assert "Import complete" in text(client_a.get(response["Location"]))


def test_a_background_import_that_fails_records_its_errors_and_saves_nothing(
        client_a, estate, in_background, django_capture_on_commit_callbacks):
    server = shipped(estate, "physical-server")
    team = TeamFactory(organisation=estate, name="Infrastructure")
    content = csv_bytes([["Name", "Host name", "Support team"]]
                        + [[f"SRV{i}", f"srv{i}", "Infrastructure"] for i in range(8)])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_a, ITEMS_IMPORT, content, ci_class=server.pk)
    background.run_waiting()
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client_a, client_a.get(response["Location"]))
    team.delete()  # gone between the preview and the import
    background.run_waiting()
    row = ImportUpload.objects.get()
    assert row.status == ImportStatus.FAILED and row.error_count == 8
    task = BackgroundTask.objects.get(pk=row.task_id)
    assert task.status == TaskStatus.FAILED
    assert task.errors[0].startswith("Row 2, Support team: There is no team")
    assert not m.ConfigurationItem.objects.exists()
    assert "Nothing was imported" in text(client_a.get(response["Location"]))


def test_a_task_is_claimed_once(estate, officer, in_background):
    runs = []
    from borough.core.registry import registry

    registry.background_tasks["test-count"] = lambda task, progress: runs.append(1) or "ok"
    try:
        task = background.queue("test-count", owner=officer, organisation_id=estate.pk,
                                title="Count", arguments={})
        assert background.run_task(task.pk, via="worker").status == TaskStatus.SUCCEEDED
        assert background.run_task(task.pk, via="worker") is None
        assert runs == [1]
    finally:
        del registry.background_tasks["test-count"]


# --- Who may import, and whose uploads ------------------------------------------------------


@pytest.mark.parametrize("role", [roles.REQUESTER, roles.AUDITOR, roles.AGENT])
def test_roles_that_may_not_add_items_may_not_import_them(signed_in, estate, role):
    client = signed_in(make_member(estate, role, "no-import"))
    assert client.get(ITEMS_IMPORT).status_code == 403
    assert client.get(RETURN_IMPORT).status_code == 403
    assert upload(client, RETURN_IMPORT, csv_bytes(RETURN)).status_code == 403
    api = signed_in(make_member(estate, role, "no-import-api"), api=True)
    response = api.post("/api/core/imports/", {
        "importer": "cmdb.systems-return",
        "file": SimpleUploadedFile("r.csv", csv_bytes(RETURN))}, format="multipart")
    assert response.status_code == 403
    assert "cannot import" in response.json()["detail"]
    assert not ImportUpload.objects.exists()


def test_only_the_uploader_sees_and_confirms_an_upload(client_a, signed_in, estate, people):
    checked = preview(client_a, RETURN_IMPORT, csv_bytes(RETURN[:2] + [
        RETURN[2][:-1] + [""]]).replace(b"Benefits; Document Management", b"Benefits"))
    row = ImportUpload.objects.get()
    other = signed_in(make_member(estate, roles.ICT_MANAGER, "cbc-manager"))
    assert other.get(reverse("core:import_detail", args=[row.pk])).status_code == 404
    assert other.post(reverse("core:import_confirm", args=[row.pk]),
                      {"sha256": row.sha256}).status_code == 404
    # A different hash (another file) is refused.
    response = client_a.post(reverse("core:import_confirm", args=[row.pk]), {"sha256": "0" * 64})
    assert "not the file that was checked" in text(client_a.get(response["Location"]))
    assert not m.ConfigurationItem.objects.exists()
    assert confirm(client_a, checked).status_code == 302
    assert m.ConfigurationItem.objects.count() == 2


# --- The API ---------------------------------------------------------------------------------


def test_upload_preview_confirm_and_progress_over_the_api(signed_in, officer, estate, people,
                                                           settings):
    api = signed_in(officer, api=True)
    response = api.post("/api/core/imports/", {
        "importer": "cmdb.systems-return",
        "file": SimpleUploadedFile("return.csv", csv_bytes(RETURN))}, format="multipart")
    assert response.status_code == 201, response.content
    # Document Management is not in the CMDB: the preview names the row and column.
    body = response.json()
    assert body["status"] == "checked" and body["can_confirm"] is False
    assert body["errors"] == [{"row": 2, "column": "Interfaces", "message": (
        "There is no system “Document Management” in this file or in the CMDB. Check the "
        "spelling, or add a row for it.")}]
    refused = api.post(f"/api/core/imports/{body['id']}/confirm/", {"sha256": body["sha256"]},
                       format="json")
    assert refused.status_code == 400 and "has problems" in str(refused.json())

    fixed = csv_bytes(RETURN).replace(b"; Document Management", b"")
    body = api.post("/api/core/imports/", {
        "importer": "cmdb.systems-return",
        "file": SimpleUploadedFile("return.csv", fixed)}, format="multipart").json()
    assert body["to_add"] == "2 configuration items and 2 relationships"
    assert body["headings"][:3] == ["Name", "Owning service unit", "Business owner"]
    assert body["preview"][0][:3] == ["2", "Council Tax", "Revenues and Benefits"]
    done = api.post(f"/api/core/imports/{body['id']}/confirm/", {"sha256": body["sha256"]},
                    format="json")
    assert done.status_code == 200 and done.json()["status"] == "imported"
    assert done.json()["added"] == {"cmdb.configurationitem": 2, "cmdb.relationship": 2}
    assert api.get(f"/api/core/imports/{body['id']}/").json()["status"] == "imported"


def test_a_big_upload_over_the_api_answers_202_and_shows_progress(
        signed_in, officer, estate, in_background, django_capture_on_commit_callbacks):
    api = signed_in(officer, api=True)
    server = shipped(estate, "physical-server")
    with django_capture_on_commit_callbacks(execute=True):
        body = api.post("/api/core/imports/", {
            "importer": "cmdb.configurationitem", "options": json.dumps({"ci_class": server.pk}),
            "file": SimpleUploadedFile("s.csv", many_servers(9))}, format="multipart").json()
    assert body["status"] == "checking"
    assert body["progress"] == {"status": "queued", "done": 0, "total": 9}
    background.run_waiting()
    body = api.get(f"/api/core/imports/{body['id']}/").json()
    assert body["can_confirm"] and body["progress"]["done"] == 9
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/core/imports/{body['id']}/confirm/",
                            {"sha256": body["sha256"]}, format="json")
    assert response.status_code == 202
    background.run_waiting()
    assert api.get(f"/api/core/imports/{body['id']}/").json()["status"] == "imported"
    tasks = api.get("/api/core/tasks/").json()["results"]
    assert [t["status"] for t in tasks] == ["succeeded", "succeeded"]
    assert m.ConfigurationItem.objects.count() == 9


def test_api_refuses_an_unknown_importer_and_bad_options(signed_in, officer, estate):
    api = signed_in(officer, api=True)
    for data, field in [({"importer": "servicedesk.ticket"}, "importer"),
                        ({"importer": "nothing"}, "importer"),
                        ({"importer": "cmdb.configurationitem",
                          "options": '{"ci_class": 999999}'}, "options")]:
        response = api.post("/api/core/imports/", {
            **data, "file": SimpleUploadedFile("r.csv", csv_bytes(RETURN))}, format="multipart")
        assert response.status_code == 400, response.content
        assert field in response.json()


def test_another_organisations_uploads_are_not_found(signed_in, estate, org_b, officer,
                                                     people):
    preview(signed_in(officer), RETURN_IMPORT, csv_bytes(RETURN[:2]).replace(
        b"Benefits; Document Management", b""))
    row = ImportUpload.objects.get()
    theirs = signed_in(make_member(org_b, roles.ADMINISTRATOR, "edc-admin"), api=True)
    assert theirs.get(f"/api/core/imports/{row.pk}/").status_code == 404
    assert theirs.post(f"/api/core/imports/{row.pk}/confirm/", {"sha256": row.sha256},
                       format="json").status_code == 404
    assert theirs.get("/api/core/imports/").json()["count"] == 0


def test_old_uploads_expire(client_a, estate, settings):
    import datetime

    from django.utils import timezone

    server = shipped(estate, "physical-server")
    preview(client_a, ITEMS_IMPORT, many_servers(2), ci_class=server.pk)
    ImportUpload.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert importing.expire_uploads() == "1 old import uploads removed"
    assert not ImportUpload.objects.exists()
