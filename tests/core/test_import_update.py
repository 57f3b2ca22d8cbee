"""The generic importer's updates: a model whose registry entry declares a natural key
(service units by name) matches rows to its records in the active organisation only;
"add and update" changes them through update_record, previewed field by field; adding
only, a row that names a record is a problem (SECURITY.md rules 3 and 24)."""

from __future__ import annotations

import re

import pytest

from borough.core.models import AuditAction, AuditEvent, ImportUpload
from borough.organisation.models import ServiceUnit
from tests.core.test_import import UNITS_IMPORT, confirm, csv_bytes, page, preview, row_errors
from tests.factories import ServiceUnitFactory


@pytest.fixture
def browser(signed_in, admin_a):
    return signed_in(admin_a)


def changes(response) -> list[tuple[str, ...]]:
    table = re.search(r'id="import-changes"[^>]*>(.*?)</table>', page(response), re.S)
    assert table, page(response)
    cells = re.findall(r'<td class="govuk-table__cell"[^>]*>(.*?)</td>', table.group(1), re.S)
    return [tuple(c.strip() for c in cells[i:i + 4]) for i in range(0, len(cells), 4)]


def test_add_and_update_changes_matched_records_and_adds_the_rest(browser, admin_a, org_a):
    housing = ServiceUnitFactory(organisation=org_a, name="Housing", code="HSG")
    finance = ServiceUnitFactory(organisation=org_a, name="Finance", code="FIN")
    content = csv_bytes([["Name", "Code"], ["housing", "HSX"], ["Finance", "FIN"],
                         ["Planning", "PLN"]])
    checked = preview(browser, UNITS_IMPORT, content, mode="update")
    body = page(checked)
    assert ("Importing this file will add 1 service unit, change 1 and leave 1 unchanged."
            in body)
    assert changes(checked) == [("2", "Code", "HSG", "HSX")]
    assert "Row 4" in body and "Row 2</th>" not in body  # new rows only in their preview
    response = confirm(browser, checked)
    assert response.status_code == 302
    housing.refresh_from_db()
    finance.refresh_from_db()
    assert housing.code == "HSX" and housing.name == "Housing"  # matched in any case
    assert finance.version == 1
    assert ServiceUnit.objects.filter(organisation=org_a).count() == 3
    row = ImportUpload.objects.get()
    event = AuditEvent.objects.for_object(housing).get(action=AuditAction.UPDATE)
    assert event.note == f"Updated from register.csv (import {row.pk})."
    assert event.changes["code"] == ["HSG", "HSX"] and "name" not in event.changes
    assert event.actor == admin_a
    assert not AuditEvent.objects.for_object(finance).exists()
    outcome = page(browser.get(response["Location"]))
    assert ("Imported register.csv: added 1 service unit, changed 1 service unit and left 1 "
            "unchanged.") in outcome


def test_blank_keeps_and_none_clears(browser, org_a):
    housing = ServiceUnitFactory(organisation=org_a, name="Housing", code="HSG")
    finance = ServiceUnitFactory(organisation=org_a, name="Finance", code="FIN",
                                 is_active=False)
    content = csv_bytes([["Name", "Code", "Is active"], ["Housing", "(none)", ""],
                         ["Finance", "", ""]])
    checked = preview(browser, UNITS_IMPORT, content, mode="update")
    assert changes(checked) == [("2", "Code", "HSG", "(blank)")]
    confirm(browser, checked)
    housing.refresh_from_db()
    finance.refresh_from_db()
    assert housing.code == "" and housing.is_active
    assert finance.code == "FIN" and finance.is_active is False  # blank: left as it is


def test_another_councils_record_of_the_same_name_is_never_matched(browser, org_a, org_b):
    theirs = ServiceUnitFactory(organisation=org_b, name="Housing", code="EDC")
    checked = preview(browser, UNITS_IMPORT, csv_bytes([["Name", "Code"], ["Housing", "HSG"]]),
                      mode="update")
    assert "Importing this file will add 1 service unit." in page(checked)
    confirm(browser, checked)
    theirs.refresh_from_db()
    assert theirs.code == "EDC" and theirs.version == 1
    assert ServiceUnit.objects.get(organisation=org_a).code == "HSG"


def test_adding_only_a_row_that_names_a_record_is_a_problem(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing", code="HSG")
    checked = preview(browser, UNITS_IMPORT, csv_bytes([["Name", "Code"], ["Housing", "HSX"]]))
    assert row_errors(checked) == [("2", "Name", (
        "The service unit “Housing” already exists. To change it, import the file with “add "
        "new rows and update the records that match”; to add another, give it a different "
        "name."))]


def test_two_rows_for_one_record_are_a_problem(browser, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    checked = preview(browser, UNITS_IMPORT, csv_bytes([["Name", "Code"], ["Housing", "A"],
                                                        ["HOUSING", "B"]]), mode="update")
    assert row_errors(checked) == [("3", "Name", "Row 2 updates the same service unit "
                                                 "“Housing”: keep one of the two rows.")]


def test_an_unknown_mode_is_refused_with_a_message(browser, org_a):
    response = browser.get(UNITS_IMPORT, {"mode": "replace"})
    assert response.status_code == 400
    assert "Choose whether to add new rows only" in page(response)
    assert 'name="mode"' in page(browser.get(UNITS_IMPORT))


def test_a_model_without_a_key_only_adds(browser):
    from django.urls import reverse

    body = page(browser.get(reverse("organisation:person_import")))
    assert 'name="mode"' not in body
