"""Issue 16 item 7.2: HTMX actions on the ticket page cause no Content-Security-Policy
violation (htmx's indicator <style> is switched off; borough.css carries its rules)."""

from __future__ import annotations

import pytest

from borough.servicedesk import services
from borough.servicedesk.models import TicketType
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - the service desk fixture

pytestmark = pytest.mark.django_db(transaction=True)

# Collected from the page itself: the browser fires this event for every refused inline
# style or script, whatever it prints to the console.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.cspViolations.push(`${e.violatedDirective} ${e.sourceFile}:${e.lineNumber}`));
"""


def test_htmx_actions_on_the_ticket_page_break_no_csp_rule(page, desk):  # noqa: F811
    ticket = services.raise_ticket(desk.org.pk, actor=desk.agent,
                                   ticket_type=TicketType.INCIDENT,
                                   requester=desk.requester_person, title="Printer jammed",
                                   description="Jams on every page.")
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, "agent")
    page.goto(f"/service-desk/tickets/{ticket.pk}/")
    page.evaluate("window.stillHere = true")

    page.get_by_label("Message").fill("Swapping the toner.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Reply sent.").wait_for()
    page.get_by_label("Internal note").check()
    page.get_by_label("Message").fill("Toner ordered.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Note added.").wait_for()

    assert page.evaluate("window.stillHere")  # the actions went through htmx, no reload
    assert page.evaluate("window.cspViolations") == []
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
    # htmx added no <style> of its own; the indicator rules come from borough.css.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
