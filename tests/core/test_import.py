"""Spreadsheet import on ServiceUnit and Person: CSV and XLSX, all rows or none, row-level
errors, related records scoped to the organisation (SECURITY.md rules 3, 19 and 29)."""

from __future__ import annotations

import csv
import datetime
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from borough.core import imports, roles
from borough.core.models import AuditAction, AuditEvent
from borough.organisation.models import ClosureDay, Person, ServiceUnit
from tests.conftest import make_member
from tests.factories import ServiceUnitFactory, SiteFactory

UNITS = reverse("organisation:serviceunit_list")
UNITS_IMPORT = reverse("organisation:serviceunit_import")
PEOPLE = reverse("organisation:person_list")
PEOPLE_IMPORT = reverse("organisation:person_import")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture
def browser(signed_in, admin_a):
    return signed_in(admin_a)


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, url: str, content: bytes, name: str = "register.csv", **data):
    return client.post(url, {"file": SimpleUploadedFile(name, content), **data})


def preview(client, url: str, content: bytes, name: str = "register.csv", **data):
    """Upload, then the upload's page: its preview, or its problems."""
    response = upload(client, url, content, name, **data)
    assert response.status_code == 302, page(response)
    assert response["Location"].startswith("/imports/")
    return client.get(response["Location"])


def confirm(client, response):
    """Press the preview's import button."""
    body = page(response)
    action = re.search(r'<form method="post" action="(/imports/\d+/confirm/)"', body)
    assert action, body
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', body).group(1)
    return client.post(action.group(1), {"sha256": sha})


def imported(client, url: str, content: bytes, name: str = "register.csv", **data):
    """Upload, preview and confirm; the upload's page after the import."""
    response = confirm(client, preview(client, url, content, name, **data))
    assert response.status_code == 302, page(response)
    return client.get(response["Location"])


def page(response) -> str:
    return html.unescape(response.content.decode())


def row_errors(response) -> list[tuple[str, str, str]]:
    """(row, column, message) from the page's table of problems."""
    body = page(response)
    table = re.search(r'<table class="govuk-table[^"]*" id="import-errors"[^>]*>(.*?)</table>',
                      body, re.S)
    assert table, body
    cells = re.findall(r'<td class="govuk-table__cell"[^>]*>(.*?)</td>', table.group(1), re.S)
    return [tuple(c.strip() for c in cells[i:i + 3]) for i in range(0, len(cells), 3)]


def file_errors(response) -> list[str]:
    body = page(response)
    return [re.sub(r"<[^>]+>", "", m).replace("Error:", "").strip()
            for m in re.findall(r'<p class="govuk-error-message"[^>]*>(.*?)</p>', body, re.S)]


# --- The page --------------------------------------------------------------------------------


def test_page_lists_the_columns_and_the_template_link(browser, org_a, org_b):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    ServiceUnitFactory(organisation=org_b, name="Eskmouth Planning")
    response = browser.get(PEOPLE_IMPORT)
    assert response.status_code == 200
    body = page(response)
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body
    for label in ("Full name", "Email", "Service unit", "Site", "Is active"):
        assert label in body
    assert "Required" in body and "Optional" in body
    assert f"{PEOPLE_IMPORT}?template=csv" in body
    # Related records offered are the ones the user can choose: B's stay hidden (rule 2).
    assert "Housing" in body and "Eskmouth Planning" not in body
    assert "style=" not in body and "<script>" not in body


def test_list_page_offers_import_only_to_roles_that_may_add(client, browser, org_a):
    assert PEOPLE_IMPORT in page(browser.get(PEOPLE))
    client.force_login(make_member(org_a, roles.AUDITOR, "auditor-a"))
    assert PEOPLE_IMPORT not in page(client.get(PEOPLE))


def test_template_download_has_just_the_header_row(browser):
    response = browser.get(UNITS_IMPORT, {"template": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Name", "Code", "Head", "Is active"]]

    workbook = load_workbook(io.BytesIO(browser.get(UNITS_IMPORT, {"template": "xlsx"}).content))
    assert [list(r) for r in workbook.active.iter_rows(values_only=True)] == [
        ["Name", "Code", "Head", "Is active"]
    ]


def test_the_template_imports_once_filled_in(browser, org_a):
    header = next(csv.reader(io.StringIO(browser.get(UNITS_IMPORT, {"template": "csv"})
                                         .content.decode())))
    imported(browser, UNITS_IMPORT, csv_bytes([header, ["Housing", "HSG", "", "yes"]]))
    assert ServiceUnit.objects.get(organisation=org_a).name == "Housing"


@pytest.mark.parametrize("query", [{"template": "pdf"}, {"sort": "name"}])
def test_unknown_parameters_are_refused_with_a_message(browser, query):
    response = browser.get(UNITS_IMPORT, query)
    assert response.status_code == 400
    assert "There is a problem" in page(response)


# --- Permissions (rules 6 and 7) -------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.REQUESTER, roles.AUDITOR])
def test_roles_without_add_permission_get_403(client, org_a, role):
    client.force_login(make_member(org_a, role, "no-add"))
    assert client.get(UNITS_IMPORT).status_code == 403
    assert client.get(UNITS_IMPORT, {"template": "csv"}).status_code == 403
    response = upload(client, UNITS_IMPORT, csv_bytes([["name"], ["Housing"]]))
    assert response.status_code == 403
    assert not ServiceUnit.objects.exists()


def test_models_with_their_own_add_view_get_no_generic_import():
    """An app that overrides "add" (tickets: raise_ticket, portal rules) would be bypassed
    by the generic import, so crud_urls leaves the import out unless the app passes one."""
    from django.views.generic import TemplateView

    from borough.core.registry import registry
    from borough.core.urls_helper import crud_urls
    from borough.core.views.imports import ObjectImportView

    class OwnAddView(TemplateView):
        permission_action = "add"
        entry = None

    def names(patterns):
        return {p.name for p in patterns}

    entry = registry.get(ServiceUnit)
    assert "serviceunit_import" in names(crud_urls(entry, "units"))
    assert "serviceunit_import" not in names(crud_urls(entry, "units", add=OwnAddView))
    assert "serviceunit_import" in names(
        crud_urls(entry, "units", add=OwnAddView, **{"import": ObjectImportView}))


def test_anonymous_callers_are_sent_to_sign_in(client, db):
    response = upload(client, UNITS_IMPORT, csv_bytes([["name"], ["Housing"]]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ServiceUnit.objects.exists()


# --- Importing -------------------------------------------------------------------------------


def test_valid_csv_imports_every_row_with_an_audit_event_each(browser, admin_a, org_a, org_b):
    housing = ServiceUnitFactory(organisation=org_a, name="Housing")
    site = SiteFactory(organisation=org_a, name="The Copeland Centre")
    rows = [
        ["Full name", "Email", "Service unit", "Site", "Is active"],
        ["Ann Ash", "ann@copeland.gov.uk", "Housing", "The Copeland Centre", "yes"],
        ["Bob Birch", "", "housing", str(site.pk), "no"],  # name in any case; site by id
        ["Cat Cole", "cat@copeland.gov.uk", str(housing.pk), "", ""],
    ]
    checked = preview(browser, PEOPLE_IMPORT, csv_bytes(rows), organisation=org_b.pk)
    assert "Importing this file will add 3 people" in page(checked)
    assert not Person.objects.exists()  # nothing until it is confirmed
    response = imported(browser, PEOPLE_IMPORT, csv_bytes(rows))
    people = {p.full_name: p for p in Person.objects.all()}
    assert set(people) == {"Ann Ash", "Bob Birch", "Cat Cole"}
    assert {p.organisation_id for p in people.values()} == {org_a.pk}
    assert people["Ann Ash"].service_unit == housing and people["Ann Ash"].site == site
    assert people["Bob Birch"].service_unit == housing and people["Bob Birch"].site == site
    assert people["Bob Birch"].is_active is False
    assert people["Cat Cole"].is_active is True  # blank takes the default
    assert people["Cat Cole"].created_by == admin_a
    for person in people.values():
        event = AuditEvent.objects.for_object(person).get()
        assert event.action == AuditAction.CREATE and event.actor == admin_a
        assert event.organisation_id == org_a.pk
    assert "Imported 3 people from register.csv." in page(response)


def test_xlsx_imports_and_headers_match_names_or_labels_in_any_case(browser, org_a):
    content = xlsx_bytes([
        ["NAME", "code", "Is Active"],
        ["Housing", "HSG", True],
        ["Finance", 42, "No"],
        [None, None, None],  # blank rows are skipped
        ["Planning", None, 1],
        ["=1+2", "=A2", "yes"],  # formulas stay the text they are; nothing evaluates them
    ])
    # Told apart by content: the name says CSV, the bytes are a workbook.
    imported(browser, UNITS_IMPORT, content, name="units.csv")
    units = {u.name: u for u in ServiceUnit.objects.filter(organisation=org_a)}
    assert set(units) == {"Housing", "Finance", "Planning", "=1+2"}
    assert units["=1+2"].code == "=A2"
    assert units["Finance"].code == "42" and units["Finance"].is_active is False
    assert units["Housing"].is_active and units["Planning"].is_active


def test_utf8_with_bom_and_formula_cells_are_stored_as_text(browser, org_a):
    content = csv_bytes([["name", "code"], ["=HYPERLINK(\"x\")", "+1"], ["Café", "@A1"]],
                        encoding="utf-8-sig")
    imported(browser, UNITS_IMPORT, content)
    assert set(ServiceUnit.objects.values_list("name", "code")) == {
        ('=HYPERLINK("x")', "+1"), ("Café", "@A1")
    }


def test_dates_accept_iso_and_uk_forms(browser, org_a):
    url = reverse("organisation:closureday_import")
    content = csv_bytes([["date", "name"], ["2030-12-27", "Christmas closure"],
                         ["31/12/2030", "New Year's Eve"]])
    imported(browser, url, content)
    assert set(ClosureDay.objects.values_list("date", flat=True)) == {
        datetime.date(2030, 12, 27), datetime.date(2030, 12, 31)
    }
    bad = preview(browser, url, csv_bytes([["date", "name"], ["12-31-2030", "US style"]]))
    assert row_errors(bad)[0][:2] == ("2", "date")
    assert "YYYY-MM-DD or DD/MM/YYYY" in row_errors(bad)[0][2]


# --- All or nothing, with every problem listed -----------------------------------------------


def test_an_error_on_row_3_saves_nothing_and_is_reported(browser, org_a):
    content = csv_bytes([
        ["Name", "Code", "Is active"],
        ["Housing", "HSG", "yes"],
        ["", "FIN", "yes"],
        ["Planning", "PLN", "maybe"],
        ["Waste", "WST", "no"],
    ])
    response = preview(browser, UNITS_IMPORT, content)
    assert not ServiceUnit.objects.exists()
    assert not AuditEvent.objects.exists()
    errors = row_errors(response)
    assert errors == [
        ("3", "Name", "This field is required."),
        ("4", "Is active", "Enter yes or no (or true/false, 1/0), or leave it blank."),
    ]
    body = page(response)
    assert "Row 3, Name: This field is required." in body
    assert "govuk-error-summary" in body and "Nothing has been saved" in body
    assert "<title>Error: " in body
    assert "/confirm/" not in body  # no import is offered until the file is corrected


def test_a_rows_problems_are_listed_left_to_right(browser, org_a):
    content = csv_bytes([["Site", "Full name", "Service unit"], ["Nowhere", "", "Nothing"]])
    response = preview(browser, PEOPLE_IMPORT, content)
    assert [e[:2] for e in row_errors(response)] == [
        ("2", "Site"), ("2", "Full name"), ("2", "Service unit")
    ]


def test_rows_that_clash_with_each_other_save_nothing(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Finance")
    content = csv_bytes([["name"], ["Housing"], ["Planning"], ["Housing"], ["Finance"]])
    response = preview(browser, UNITS_IMPORT, content)
    assert [e[0] for e in row_errors(response)] == ["4", "5"]
    assert "already exists" in row_errors(response)[0][2]
    assert list(ServiceUnit.objects.values_list("name", flat=True)) == ["Finance"]
    assert not AuditEvent.objects.exists()


def test_unknown_columns_are_reported_by_name_and_nothing_saved(browser):
    content = csv_bytes([["Name", "Colour", "Budget"], ["Housing", "blue", "100"]])
    response = upload(browser, UNITS_IMPORT, content)
    assert response.status_code == 400
    messages = file_errors(response)
    assert any("“Colour”" in m for m in messages) and any("“Budget”" in m for m in messages)
    assert not ServiceUnit.objects.exists()


def test_fields_the_form_does_not_offer_cannot_be_set_by_a_column(browser, org_b):
    """SECURITY.md rule 4: organisation, created_by and the like are unknown columns."""
    content = csv_bytes([["name", "organisation", "created_by", "version"],
                         ["Housing", str(org_b.pk), "1", "7"]])
    response = upload(browser, UNITS_IMPORT, content)
    assert response.status_code == 400
    messages = " ".join(file_errors(response))
    for name in ("organisation", "created_by", "version"):
        assert f"“{name}” is not a column Borough accepts" in messages
    assert not ServiceUnit.objects.exists()


@pytest.mark.parametrize("content,shown", [(b"name;code\nHousing;HSG\n", "“;”"),
                                           (b"name\tcode\nHousing\tHSG\n", "tab")])
def test_semicolon_or_tab_separated_files_get_a_hint(browser, content, shown):
    response = upload(browser, UNITS_IMPORT, content)
    assert response.status_code == 400
    assert f"separated by {shown}" in " ".join(file_errors(response))


def test_missing_required_columns_and_unheaded_values_are_reported(browser):
    response = upload(browser, PEOPLE_IMPORT, csv_bytes([["Email"], ["a@example.gov.uk", "x"]]))
    assert response.status_code == 400
    messages = " ".join(file_errors(response))
    assert "no “Full name” column, which is required" in messages
    assert "Column B has values (from row 2) but no heading" in messages
    assert not Person.objects.exists()


def test_a_service_unit_of_another_organisation_fails_like_a_nonexistent_one(
    browser, org_a, org_b
):
    """SECURITY.md rule 3: B's unit, by name or by id, is exactly as unknown as none at all."""
    theirs = ServiceUnitFactory(organisation=org_b, name="Eskmouth Housing")
    ours = ServiceUnitFactory(organisation=org_a, name="Housing")
    missing_id = str(max(theirs.pk, ours.pk) + 1000)
    content = csv_bytes([
        ["full_name", "service_unit"],
        ["Ann Ash", "Eskmouth Housing"],
        ["Bob Birch", "Nowhere Housing"],
        ["Cat Cole", str(theirs.pk)],
        ["Dan Dale", missing_id],
        ["Eve Eden", "Housing"],
    ])
    response = preview(browser, PEOPLE_IMPORT, content)
    errors = row_errors(response)
    assert [e[:2] for e in errors] == [(str(n), "service_unit") for n in (2, 3, 4, 5)]
    shapes = {e[2].replace(value, "VALUE") for e, value in zip(
        errors, ["Eskmouth Housing", "Nowhere Housing", str(theirs.pk), missing_id], strict=True)}
    assert len(shapes) == 1, shapes
    assert not Person.objects.exists()


def test_the_same_preview_confirmed_twice_imports_its_rows_once(browser, org_a):
    checked = preview(browser, PEOPLE_IMPORT, csv_bytes([["full_name"], ["Ann Ash"],
                                                         ["Bob Birch"]]))
    assert confirm(browser, checked).status_code == 302
    again = confirm(browser, checked)
    assert again.status_code == 302
    assert Person.objects.count() == 2
    assert "imported already" in page(browser.get(again["Location"]))


# --- Files refused (rules 19 and 29) ---------------------------------------------------------


@pytest.mark.parametrize("content,name,expected", [
    (PNG, "people.csv", "not a CSV file or an Excel workbook"),
    (b"%PDF-1.4\n1 0 obj\n", "people.csv", "not a CSV file or an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "people.xls", "old Excel format"),
    ("full_name\nZoë\n".encode("utf-16"), "people.csv", "UTF-16"),
    ("full_name\nRené Dubois\n".encode("cp1252"), "people.csv", "not in UTF-8"),
])
def test_files_that_are_not_csv_or_xlsx_are_refused(browser, content, name, expected):
    response = upload(browser, PEOPLE_IMPORT, content, name=name)
    assert response.status_code == 400
    assert expected in " ".join(file_errors(response))
    assert not Person.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(browser):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("people.csv", "full_name\nAnn Ash\n")
    response = upload(browser, PEOPLE_IMPORT, buffer.getvalue(), name="people.xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in " ".join(file_errors(response))


def test_a_workbook_that_unpacks_too_large_is_refused(browser, settings):
    settings.ARCHIVE_MAX_UNPACKED_BYTES = 1000
    response = upload(browser, PEOPLE_IMPORT, xlsx_bytes([["full_name"], ["Ann Ash"]]),
                      name="people.xlsx")
    assert response.status_code == 400
    assert "too large once unpacked" in " ".join(file_errors(response))


def test_a_damaged_workbook_gets_a_message_not_a_500(browser):
    content = xlsx_bytes([["full_name"], ["Ann Ash"]])
    response = upload(browser, PEOPLE_IMPORT, content[: len(content) // 2], name="people.xlsx")
    assert response.status_code == 400
    assert file_errors(response)


@pytest.mark.parametrize("content,expected", [
    (b"", "The file is empty"),
    (b"\xef\xbb\xbf", "The file is empty"),
    (b"\n\n", "The file is empty"),
    (b"full_name,email\n", "no rows of data"),
    (b",\nAnn Ash,\n", "Row 1 is blank"),
])
def test_empty_files_get_a_clear_message(browser, content, expected):
    response = upload(browser, PEOPLE_IMPORT, content)
    assert response.status_code == 400
    assert expected in " ".join(file_errors(response))


def test_no_file_at_all_gets_a_clear_message(browser):
    response = browser.post(PEOPLE_IMPORT, {})
    assert response.status_code == 400
    assert "Choose a CSV or Excel (.xlsx) file to import" in " ".join(file_errors(response))


def test_files_over_the_size_limit_are_refused(browser, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    content = csv_bytes([["full_name"]] + [[f"Person {n}"] for n in range(200)])
    response = upload(browser, PEOPLE_IMPORT, content)
    assert response.status_code == 400
    assert "Upload a file of at most 1.0 KB" in " ".join(file_errors(response))
    assert not Person.objects.exists()


def test_more_than_the_row_limit_is_refused_before_validating(browser, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = csv_bytes([["full_name"], ["A"], ["B"], ["C"], ["D"]])
    response = upload(browser, PEOPLE_IMPORT, content)
    assert response.status_code == 400
    assert "more than 3 rows" in " ".join(file_errors(response))
    assert not Person.objects.exists()


def test_the_row_limit_is_twenty_thousand_by_default():
    from django.conf import settings

    assert settings.IMPORT_MAX_ROWS == 20000
    content = b"name\n" + b"x\n" * 20000
    assert imports.read_bytes(content).row_count == 20000
    with pytest.raises(imports.ImportFileError, match="more than 20,000 rows"):
        imports.read_bytes(content + b"y\n")


# --- Pure conversions (no database) ----------------------------------------------------------


@pytest.mark.parametrize("cell,expected", [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False),
    (1, True), (0.0, False), (True, True),
])
def test_booleans(cell, expected):
    assert imports._boolean(cell) is expected


def test_booleans_refuse_anything_else():
    with pytest.raises(imports.CellError):
        imports._boolean("maybe")


@pytest.mark.parametrize("cell", ["2025-03-31", "31/03/2025", datetime.datetime(2025, 3, 31, 0, 0)])
def test_dates(cell):
    assert imports._date(cell) == datetime.date(2025, 3, 31)


@pytest.mark.parametrize("cell", ["03/31/2025", "31.03.2025", "tomorrow"])
def test_dates_refuse_other_forms(cell):
    with pytest.raises(imports.CellError):
        imports._date(cell)


def test_csv_rows_keep_spreadsheet_numbers_across_quoted_line_breaks_and_blank_rows():
    sheet = imports.read_bytes(b'name,code\n"Two\nlines",A\n\n,\nLast,B\n')
    assert sheet.header == ["name", "code"]
    assert sheet.row_count == 2
    assert list(sheet.rows()) == [(2, ["Two\nlines", "A"]), (5, ["Last", "B"])]
    assert list(sheet.rows()) == [(2, ["Two\nlines", "A"]), (5, ["Last", "B"])]  # again


def test_columns_are_named_as_spreadsheets_name_them():
    from borough.core.imports import column_letter

    assert [column_letter(n) for n in (1, 2, 26, 27, 52, 702, 703, 16384)] == [
        "A", "B", "Z", "AA", "AZ", "ZZ", "AAA", "XFD"]
