"""Numbers posted from pages are read with core.ids (a "²" passes str.isdigit() and then
breaks int()): the bulk form, the organisation switcher. A bad one is refused or ignored,
never a 500."""

from __future__ import annotations

import pytest

from borough.servicedesk import services
from borough.servicedesk.models import Status, TicketType

pytestmark = pytest.mark.django_db


def test_bulk_actions_ignore_ids_no_record_could_have(desk, signed_in):
    ticket = services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type=TicketType.INCIDENT,
                                   requester=desk.requester_person, title="Printer jammed",
                                   description="Every page.")
    client = signed_in(desk.agent)
    response = client.post("/service-desk/tickets/bulk/", {
        "ticket": ["²", "9" * 40, str(ticket.pk)], "action": "assign", "team": "²",
        "queue": "all"}, follow=True)
    assert response.status_code == 200
    assert "1 ticket assigned to no team." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_switching_to_an_organisation_written_oddly_is_refused(desk, signed_in):
    client = signed_in(desk.agent)
    for wanted in ("²", "9" * 40, "-1", ""):
        response = client.post("/accounts/switch/", {"organisation": wanted}, follow=True)
        assert response.status_code == 200
        assert "You are not a member of that organisation." in response.content.decode()
