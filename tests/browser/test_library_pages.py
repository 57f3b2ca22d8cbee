"""An ICT manager adds a runbook to the configuration library, uploads its first
version, links it to a server, sees it on the server's page and records a review — at 1280
and 390 pixels, with axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.core import roles
from borough.library.models import Document
from tests.browser.choosing import choose_person
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.factories import ConfigurationItemFactory, PersonFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_upload_link_see_on_the_ci_page_and_review(page, axe, org_a, width, tmp_path):
    user = make_member(org_a, roles.ICT_MANAGER)
    PersonFactory(organisation=org_a, full_name="Alex Moresby", user=user)
    server = ConfigurationItemFactory(organisation=org_a, name="PAYSRV01")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, user.username)

    page.goto("/configuration/library/documents/add/")
    axe(page, "add a document")
    page.get_by_label("Title").fill("PAYSRV01 restore runbook")
    page.get_by_label("Kind").select_option(label="Runbook")
    choose_person(page, "Owner", "Alex Moresby")
    page.get_by_label("Review period (months)").fill("6")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Versions").wait_for()
    document = Document.objects.get(organisation=org_a)
    assert document.status == "draft"
    axe(page, "the new document")
    fits(page, width)

    page.get_by_role("link", name="Upload a new version").click()
    axe(page, "upload a version")
    page.get_by_role("button", name="Upload").click()  # no file: the message says so
    page.locator(".govuk-error-summary").wait_for()
    axe(page, "upload with an error")
    runbook = tmp_path / "restore.txt"
    runbook.write_text("1. Stop the payroll service.\n2. Restore from Moresby.\n")
    page.get_by_label("File").set_input_files(str(runbook))
    page.get_by_label("What changed").fill("First issue")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Version 1 published.").wait_for()
    expect(page.get_by_text("The current version is version 1.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("restore.txt")).click()
    assert download.value.suggested_filename == "restore.txt"

    page.get_by_role("link", name="Link to a configuration item or class").click()
    axe(page, "link a document")
    # Typed, with suggestions, chosen with the keyboard alone.
    item_box = page.get_by_role("combobox", name="Configuration item")
    item_box.press_sequentially("PAYSRV", delay=50)
    page.locator("li[role=option]", has_text="PAYSRV01").wait_for()
    axe(page, "link a document, with suggestions open")
    item_box.press("ArrowDown")
    page.keyboard.press("Enter")
    assert item_box.input_value() == f"{server.reference} PAYSRV01"
    page.get_by_role("button", name="Save").click()
    page.get_by_text("saved").first.wait_for()

    page.goto(f"/configuration/items/{server.pk}/")
    page.get_by_role("heading", name="Documents").wait_for()
    page.get_by_role("link", name=str(document)).click()
    page.get_by_role("heading", name="Versions").wait_for()
    fits(page, width)

    page.get_by_role("link", name="Record a review").click()
    axe(page, "record a review")
    page.get_by_label("Review note").fill("Checked against the Moresby restore test.")
    page.get_by_role("button", name="Record a review").click()
    page.get_by_text("Review recorded.").wait_for()
    document.refresh_from_db()
    assert document.last_reviewed_by == user
    expect(page.get_by_text("Checked against the Moresby restore test.")).to_be_visible()
    axe(page, "the reviewed document")
    fits(page, width)

    page.goto("/configuration/library/documents/?review_due=due")
    axe(page, "reviews due")
    fits(page, width)
