"""The email pages in headless Chromium, with axe-core on every page: an administrator
adds a mailbox, writes the resolved email's template (a syntax error first), releases a
quarantined message and finds its ticket; an agent chooses their email notifications."""

from __future__ import annotations

import re

import pytest

from borough.core import roles
from borough.mail import inbound
from borough.mail.models import InboundMessage, Mailbox, NotificationPreference, Outcome
from tests.browser.signing_in import sign_in
from tests.conftest import make_member
from tests.mail.test_pages import unreadable
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)


def no_csp_errors(page) -> None:
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def test_an_administrator_sets_up_email_and_releases_a_message(
    page, axe, screenshot, desk, settings, tmp_path,  # noqa: F811 - imported fixture
):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    make_member(desk.org, roles.ADMINISTRATOR, "admin")
    sign_in(page, "admin", axe=axe)

    # --- a mailbox -----------------------------------------------------------------------
    page.get_by_role("link", name="Administration", exact=True).click()
    page.get_by_role("link", name="Mailboxes").click()
    page.wait_for_url("**/mail/mailboxes/")
    axe(page, "mailboxes (none)")
    page.get_by_role("link", name="Add mailbox").click()
    page.wait_for_url("**/mail/mailboxes/add/")
    axe(page, "add a mailbox")
    page.get_by_label("Name", exact=True).fill("IT help")
    page.get_by_label("Address", exact=True).fill("ITHelp@Copeland.example.gov.uk")
    page.get_by_label("Send notifications from this address").check()
    page.get_by_label("Environment variable with the IMAP password").fill("not a name")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the name of an environment variable" in summary.inner_text()
    axe(page, "mailbox form with an error")
    screenshot("mailbox-error")
    page.get_by_label("Environment variable with the IMAP password").fill("")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/mail/mailboxes/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == \
        "IT help <ithelp@copeland.example.gov.uk>"
    axe(page, "mailbox page")
    screenshot("mailbox")
    mailbox = Mailbox.objects.get()
    assert mailbox.address == "ithelp@copeland.example.gov.uk" and mailbox.is_default

    # --- the resolved email's template ---------------------------------------------------------
    page.get_by_role("link", name="Notification templates").click()
    page.wait_for_url("**/mail/templates/")
    axe(page, "every event's wording")
    screenshot("template-events")
    page.get_by_role("link", name="Write your own template for Ticket resolved "
                                   "(to the requester)").click()
    page.wait_for_url("**/mail/templates/add/?event=ticket-resolved")
    body = page.get_by_label("Plain-text body")
    assert "{{ confirm_url }}" in body.input_value()  # Borough's wording to start from
    axe(page, "add a template")
    body.fill("Hello {{ recipient_name }},\n\n{{ reference }} is fixed.\n{% if %}")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "Plain-text body: This does not work as a template" in summary.inner_text()
    assert page.title().startswith("Error: ")
    axe(page, "template form with a syntax error")
    screenshot("template-error")
    summary.get_by_role("link").first.click()  # the summary leads to the field
    assert page.evaluate("document.activeElement.id") == "id_text_body"
    body.fill("Hello {{ recipient_name }},\n\n{{ reference }} is fixed.\n\n"
              "Not fixed? {{ reopen_url }}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/mail/templates/\d+/$"))
    axe(page, "template page")
    screenshot("template")
    page.get_by_role("link", name="Notification templates").first.click()
    page.wait_for_url("**/mail/templates/")
    resolved = page.get_by_role("row").filter(has_text="Ticket resolved")
    assert "Your own" in resolved.inner_text()

    # --- the quarantine ----------------------------------------------------------------------------
    record = inbound.deliver(unreadable(subject="Broken printer, odd characters"),
                             mailbox=mailbox, via="smtp")
    assert record.outcome == Outcome.QUARANTINED
    page.get_by_role("link", name="Received messages").click()
    page.wait_for_url("**/mail/messages/")
    axe(page, "the quarantine")
    screenshot("quarantine")
    page.get_by_role("link", name="Broken printer, odd characters").click()
    page.wait_for_url(f"**/mail/messages/{record.pk}/")
    assert "x-unknown-charset" in page.locator("main").inner_text()
    axe(page, "a quarantined message")
    screenshot("quarantined-message")
    page.get_by_role("button", name="Release").click()
    page.wait_for_url(f"**/mail/messages/{record.pk}/")
    record = InboundMessage.objects.get(pk=record.pk)
    assert record.outcome == Outcome.TICKET
    reference = record.thread.reference
    banner = page.locator(".govuk-notification-banner--success")
    assert f"Released: it opened ticket {reference}." in banner.inner_text()
    axe(page, "a released message")
    screenshot("released-message")
    page.get_by_role("link", name=re.compile(rf"^Ticket {reference} ")).click()
    page.wait_for_url(f"**/service-desk/tickets/{record.thread_id}/")
    assert reference in page.locator("main").inner_text()

    # --- another is discarded, with a reason; the sent-email log -------------------------------
    spam = inbound.deliver(unreadable(subject="Cheap toner!!!"), mailbox=mailbox, via="smtp")
    page.goto(f"/mail/messages/{spam.pk}/")
    page.get_by_role("link", name="Discard").click()
    page.wait_for_url(f"**/mail/messages/{spam.pk}/discard/")
    axe(page, "discard a message")
    screenshot("discard")
    page.get_by_label("Why are you discarding it? (optional)").fill("Toner spam")
    page.get_by_role("button", name="Discard").click()
    page.wait_for_url(f"**/mail/messages/{spam.pk}/")
    assert "Discarded from quarantine" in page.locator("main").inner_text()
    axe(page, "a discarded message")
    assert InboundMessage.objects.get(pk=spam.pk).outcome == Outcome.DISCARDED
    page.get_by_role("link", name="Sent emails").click()
    page.wait_for_url("**/mail/sent/")
    sent = page.locator("main").inner_text()
    assert "rita@copeland.example.gov.uk" in sent and "We have received" in sent  # her receipt
    axe(page, "sent emails")
    screenshot("sent")
    page.get_by_role("link", name=re.compile(r"We have received")).click()
    page.wait_for_url(re.compile(r".*/mail/sent/\d+/$"))
    assert "Ticket received (to the requester)" in page.locator("main").inner_text()
    axe(page, "a sent email")
    screenshot("sent-email")
    no_csp_errors(page)


def test_an_agent_chooses_their_email_notifications(page, axe, screenshot, desk):  # noqa: F811
    sign_in(page, "agent", axe=axe)
    page.get_by_role("link", name="Notifications").first.click()
    page.wait_for_url("**/notifications/")
    axe(page, "notifications")
    page.get_by_role("link", name="Choose which notifications you also get by email").click()
    page.wait_for_url("**/mail/preferences/")
    assert page.get_by_role("heading", level=1).inner_text() == "Email notifications"
    axe(page, "email notifications")
    page.get_by_role("group", name="SLA warning").get_by_label("Daily", exact=True).check()
    page.get_by_role("group", name="Public reply").get_by_label("Off", exact=True).check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/mail/preferences/")
    assert "Your email notifications are saved" in page.locator(
        ".govuk-notification-banner").inner_text()
    assert page.get_by_role("group", name="SLA warning").get_by_label(
        "Daily", exact=True).is_checked()
    axe(page, "email notifications saved")
    screenshot("preferences")
    rows = dict(NotificationPreference.objects.filter(user=desk.agent)
                .values_list("event", "delivery"))
    assert rows == {"sla-warning": "digest", "ticket-reply": "off"}
    no_csp_errors(page)
    sign_out(page)

    # A requester is told why there is nothing to choose.
    sign_in(page, "requester")
    response = page.goto("/mail/preferences/")
    assert response.status == 403
    assert "people who work service desk tickets" in page.locator("main").inner_text()
    axe(page, "preferences refused")
