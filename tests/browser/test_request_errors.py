"""An HTMX action the server refuses shows the server's own explanation as a GOV.UK
error summary, focused, instead of failing silently."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from borough.servicedesk import services
from borough.servicedesk.models import TicketType
from tests.browser.signing_in import sign_in
from tests.servicedesk.conftest import desk  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_refused_reply_explains_itself(page, axe, desk, monkeypatch):  # noqa: F811
    ticket = services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                   requester=desk.requester_person, title="Printer jammed",
                                   description="Every page.")

    def refused(*args, **kwargs):
        raise IntegrityError("FOREIGN KEY constraint failed")

    monkeypatch.setattr(services.reply, "body", refused)
    sign_in(page, "agent", axe=axe)
    page.goto(f"/service-desk/tickets/{ticket.pk}/")
    page.evaluate("window.boroughMarker = 'still here'")
    page.get_by_label("Message").fill("On my way.")
    page.get_by_role("button", name="Send", exact=True).click()
    summary = page.locator("#borough-request-error")
    summary.wait_for()
    assert "changed or deleted by someone else" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "borough-request-error"
    assert page.evaluate("window.boroughMarker") == "still here"  # no navigation
    axe(page, "ticket page with a refused reply")
    assert not ticket.timeline.filter(body="On my way.").exists()
