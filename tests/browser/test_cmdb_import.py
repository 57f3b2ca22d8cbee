"""An ICT officer imports a service unit's systems return: the first upload has a bad row,
the preview names its row and column, the officer fixes the file, uploads it again,
checks the preview and confirms — at 1280 and 390 pixels, with axe-core on every page."""

from __future__ import annotations

import csv
import io

import pytest

from borough.cmdb import models as m
from borough.cmdb import services
from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADINGS = ["Name", "Owning service unit", "Business owner", "Number of users", "Supplier",
            "Hosting", "ICT support", "Supplier support", "Data held", "Classification",
            "Interfaces"]


def return_file(users_of_benefits: str) -> dict:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([
        HEADINGS,
        ["Council Tax", "Revenues and Benefits", "Ann Ash", "45", "Capita", "On premises",
         "Applications", "Mon-Fri 9-5", "Council tax accounts", "OFFICIAL-SENSITIVE",
         "Benefits"],
        ["Benefits", "Revenues and Benefits", "Ann Ash", users_of_benefits, "Northgate",
         "Supplier hosted", "Applications", "", "Claims", "OFFICIAL-SENSITIVE", "Council Tax"],
    ])
    return {"name": "revenues-return.csv", "mimeType": "text/csv",
            "buffer": buffer.getvalue().encode()}


@pytest.mark.parametrize("width", [1280, 390])
def test_an_officer_imports_a_systems_return_and_fixes_a_bad_row(page, axe, org_a, width):
    services.install_default_classes(org_a.pk)
    ServiceUnitFactory(organisation=org_a, name="Revenues and Benefits")
    PersonFactory(organisation=org_a, full_name="Ann Ash")
    TeamFactory(organisation=org_a, name="Applications")
    user = make_member(org_a, roles.TEAM_LEAD)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/configuration/items/systems-return/")
    page.get_by_role("heading", name="Import a systems return").wait_for()
    axe(page, "the systems return page")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_label("Spreadsheet file").set_input_files(return_file("about thirty"))
    page.get_by_role("button", name="Upload and preview").click()
    problem = page.get_by_role("link", name="Row 3, Number of users: enter a whole number, "
                                            "like 8.")
    problem.wait_for()
    axe(page, "the preview with a bad row")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.get_by_role("button", name="Import 2 rows").count() == 0
    assert not m.ConfigurationItem.objects.exists()

    page.get_by_role("link", name="upload it again").click()
    page.get_by_label("Spreadsheet file").set_input_files(return_file("30"))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_text("Importing this file will add 2 configuration items and 2 "
                     "relationships.").wait_for()
    axe(page, "the preview")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Import 2 rows").click()
    page.get_by_role("heading", name="Import complete").wait_for()
    axe(page, "the import's outcome")

    benefits = m.ConfigurationItem.objects.get(name="Benefits")
    assert benefits.attributes["number_of_users"] == 30
    assert benefits.support_team.name == "Applications"
    assert m.Relationship.objects.count() == 2
    page.get_by_role("link", name="See the configuration items").click()
    page.wait_for_url("**/configuration/items/")
    assert page.get_by_text("Benefits", exact=True).count() >= 1


def test_an_officer_reimports_a_return_that_changes_a_systems_users(page, axe, org_a):
    """Next year's return: the same two systems, Benefits now with 42 users. The page offers
    "add and update" first; the preview lists the change field by field; the import
    changes Benefits and leaves Council Tax as it was."""
    services.install_default_classes(org_a.pk)
    ServiceUnitFactory(organisation=org_a, name="Revenues and Benefits")
    PersonFactory(organisation=org_a, full_name="Ann Ash")
    TeamFactory(organisation=org_a, name="Applications")
    user = make_member(org_a, roles.TEAM_LEAD)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, user.username)

    page.goto("/configuration/items/systems-return/")
    page.get_by_label("Spreadsheet file").set_input_files(return_file("30"))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("button", name="Import 2 rows").click()
    page.get_by_role("heading", name="Import complete").wait_for()
    benefits = m.ConfigurationItem.objects.get(name="Benefits")
    tax = m.ConfigurationItem.objects.get(name="Council Tax")

    page.goto("/configuration/items/systems-return/")
    update = page.get_by_label("Add new rows and update the records that match")
    assert update.is_checked()
    axe(page, "the systems return page with its modes")
    page.get_by_label("Spreadsheet file").set_input_files(return_file("42"))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_text("Importing this file will change 1 and leave 1 unchanged.").wait_for()
    changes = page.get_by_role("table", name="Changes to existing records")
    assert changes.get_by_role("cell", name="Number of users").count() == 1
    assert changes.get_by_role("cell", name="30", exact=True).count() == 1
    assert changes.get_by_role("cell", name="42", exact=True).count() == 1
    axe(page, "the preview of the changes")
    page.get_by_role("button", name="Import 2 rows").click()
    page.get_by_role("heading", name="Import complete").wait_for()
    axe(page, "the outcome of the update")
    assert page.get_by_text("Imported revenues-return.csv: changed 1 configuration item and "
                            "left 1 unchanged.").count() >= 1

    benefits.refresh_from_db()
    tax.refresh_from_db()
    assert benefits.attributes["number_of_users"] == 42 and benefits.version == 2
    assert tax.version == 1
    assert m.ConfigurationItem.objects.count() == 2 and m.Relationship.objects.count() == 2
