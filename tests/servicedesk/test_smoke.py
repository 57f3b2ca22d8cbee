"""A ticket's whole life through the services and the pages."""

from __future__ import annotations

import pytest

from borough.servicedesk import services
from borough.servicedesk.models import Satisfaction, Status, TicketType

pytestmark = pytest.mark.django_db


def test_requester_raises_agent_resolves_requester_confirms_and_rates(desk, client):
    ticket = services.raise_ticket(
        desk.org.pk, actor=desk.requester, ticket_type=TicketType.INCIDENT, title="Printer jammed",
        description="The Finance printer jams on every page.", urgency=2)
    assert ticket.reference == "INC-000001"
    assert ticket.priority == 4 and ticket.sla_policy.name == "P4"
    assert ticket.resolution_due_at is not None

    client.force_login(desk.agent)
    assert client.get("/service-desk/tickets/?queue=unassigned").status_code == 200
    page = client.get(f"/service-desk/tickets/{ticket.pk}/")
    assert page.status_code == 200 and "Printer jammed" in page.content.decode()
    services.assign(ticket, actor=desk.agent, team=desk.team, assignee=desk.agent)
    services.reply(ticket, body="On my way.", actor=desk.agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.responded_at is not None
    services.resolve(ticket, actor=desk.agent, note="Cleared the paper path.")

    client.force_login(desk.requester)
    portal = client.get(f"/service-desk/portal/tickets/{ticket.pk}/")
    assert "We think it is fixed" in portal.content.decode()
    client.post(f"/service-desk/portal/tickets/{ticket.pk}/confirm/")
    client.post(f"/service-desk/portal/tickets/{ticket.pk}/rate/", {"score": "5", "comment": "Quick"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert Satisfaction.objects.get(ticket=ticket).score == 5
