"""A requester on a phone-sized screen (390×844) raises a ticket with a file from the
portal: a refused file first, then the right one; axe finds nothing and the page never
scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.core.models import Attachment
from borough.servicedesk.models import Ticket
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_a_requester_raises_a_ticket_with_a_file_on_a_phone(
    page, axe, screenshot, desk, settings, tmp_path,  # noqa: F811 - imported fixture
):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    page.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(page, "requester")
    page.goto("/service-desk/portal/new/")
    expect(page.get_by_text("Each file must be 10 MB or smaller")).to_be_visible()
    page.get_by_label("Something is broken or not working").check()
    title = page.get_by_label("In a few words, what is it about?")
    title.fill("Cannot print payslips")
    # GOV.UK's character count, live as the title is typed (it checks while focused).
    expect(page.locator(".govuk-character-count__status")).to_have_text(
        "You have 179 characters remaining")
    page.get_by_label("Tell us more").fill("The Finance printer says it is offline.")
    page.get_by_label("I can work, but slowly").check()
    files = page.get_by_label("Attach files")
    files.set_input_files([{"name": "printer.exe", "mimeType": "application/octet-stream",
                            "buffer": EXE}])
    axe(page, "portal form, filled in")
    no_sideways_scroll(page)
    screenshot("form")

    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    expect(page.get_by_role("link", name=re.compile("“printer.exe” is not a type of file")
                            )).to_be_visible()
    assert title.input_value() == "Cannot print payslips"  # what was typed is kept
    assert page.get_by_label("Tell us more").input_value().startswith("The Finance printer")
    assert not Ticket.objects.exists()
    axe(page, "portal form, file refused")
    no_sideways_scroll(page)
    screenshot("refused")

    files.set_input_files([{"name": "error.txt", "mimeType": "text/plain",
                            "buffer": b"Printer offline: error 0x61011bed\n"}])
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r".*/service-desk/portal/tickets/\d+/$"))
    expect(page.get_by_text("Thank you. Your reference is INC-000001.")).to_be_visible()
    expect(page.get_by_role("link", name="error.txt")).to_be_visible()
    ticket = Ticket.objects.get()
    assert Attachment.objects.get().object_id == ticket.pk
    axe(page, "portal ticket with its file")
    no_sideways_scroll(page)
    screenshot("raised")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
