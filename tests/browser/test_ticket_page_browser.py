"""The agent's ticket page in a browser, on a desktop and on a phone: a reply with two
files in one go, an action refused without losing the draft in the composer, a file too
big refused before upload, axe-core on every state and no sideways scroll on the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from borough.core.models import Attachment
from borough.servicedesk import services
from borough.servicedesk.models import DeskSettings, EntryKind, Status, TicketType, TimelineEntry
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)

LONG_WORD = "https://intranet.example.gov.uk/" + "x" * 120


@pytest.fixture
def ticket(desk, settings, tmp_path):  # noqa: F811
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    settings.ATTACHMENT_MAX_BYTES = 2048
    DeskSettings.objects.create(organisation=desk.org, require_resolution_code=True)
    return services.raise_ticket(
        desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
        requester=desk.requester_person, title=f"Cannot open {LONG_WORD}",
        description=f"The link {LONG_WORD} says access denied.")


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_reply_with_files_keep_the_draft_and_refuse_a_big_file(
        browser, live_server, axe, request, ticket, width, height, tmp_path):
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    folder = tmp_path / "shots"

    def shot(name):
        import os
        out = os.path.join(os.getcwd(), "var", "screenshots")
        os.makedirs(out, exist_ok=True)
        page.screenshot(path=os.path.join(out, f"{request.node.name}-{name}.png"),
                        full_page=True)

    sign_in(page, "agent")
    page.goto(f"/service-desk/tickets/{ticket.pk}/")
    page.evaluate("window.stillHere = true")
    axe(page, "ticket page")
    if width <= 390:
        no_sideways_scroll(page, width)
    shot("opened")

    # Two files in one go, with the reply.
    folder.mkdir()
    (folder / "error-log.txt").write_text("line 1\n")
    (folder / "steps.csv").write_text("step,result\n1,denied\n")
    page.get_by_label("Message").fill("Two files attached: the log and the steps.")
    page.get_by_label("Attach files").set_input_files([folder / "error-log.txt",
                                                       folder / "steps.csv"])
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent.").wait_for()
    assert page.evaluate("window.stillHere")  # through htmx, multipart, no reload
    reply = TimelineEntry.objects.get(ticket=ticket, kind=EntryKind.REPLY)
    assert sorted(name for _pk, name in reply.data["files"]) == ["error-log.txt", "steps.csv"]
    assert Attachment.objects.count() == 2
    expect(page.locator("#attachments + ul").get_by_text("steps.csv")).to_be_visible()
    axe(page, "after the reply with two files")
    shot("replied")

    # A file too big is refused in the browser, the message typed kept.
    (folder / "huge.txt").write_text("x" * 5000)
    page.get_by_label("Message").fill("Draft about the next step")
    page.get_by_label("Attach files").set_input_files([folder / "huge.txt"])
    error = page.locator("#composer-attachments-browser-error")
    error.wait_for()
    assert "“huge.txt” is 4 KB; files must be at most 2 KB." in error.inner_text()
    assert page.evaluate("document.getElementById('composer-attachments').files.length") == 0
    assert page.get_by_label("Message").input_value() == "Draft about the next step"
    axe(page, "a file refused in the browser")
    shot("file-refused")

    # Resolving without the code the desk requires fails; the draft stays in the composer.
    page.get_by_label("How was it resolved?").fill("Granted access.")
    page.get_by_role("button", name="Resolve").click()
    page.locator("#resolve-code-error").wait_for()
    assert "Choose how the ticket was resolved" in page.locator("#resolve-code-error").inner_text()
    assert page.get_by_label("Message").input_value() == "Draft about the next step"
    assert page.get_by_label("How was it resolved?").input_value() == "Granted access."
    axe(page, "resolve refused")
    if width <= 390:
        no_sideways_scroll(page, width)
    shot("resolve-refused")

    # Someone else changes the ticket; the update form's conflict keeps the draft too.
    services.change_priority(ticket, actor=ticket.assignee or ticket.created_by, impact=1,
                             urgency=1)
    page.get_by_label("Urgency").select_option(label="Medium")
    page.get_by_role("button", name="Update ticket").click()
    page.get_by_text("Someone else changed this ticket").wait_for()
    assert page.get_by_label("Message").input_value() == "Draft about the next step"
    axe(page, "version conflict")
    shot("conflict")

    # Only the failing form and the composer's draft are kept: the resolve note, typed
    # in a form that did not fail, is typed again.
    page.get_by_label("How was it resolved?").fill("Granted access.")
    page.get_by_label("Workaround given").check()
    page.get_by_role("button", name="Resolve").click()
    page.get_by_text("Ticket resolved.").wait_for()
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution_code == "workaround"
    expect(page.get_by_text("Workaround given").first).to_be_visible()
    axe(page, "resolved")
    if width <= 390:
        no_sideways_scroll(page, width)
    shot("resolved")
    context.close()
