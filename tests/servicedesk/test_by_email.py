"""A whole ticket run by email from both sides, over the real SMTP gateway: the requester
writes, the agent answers from their mail client, the requester replies to that email,
the agent resolves by email, and the requester confirms through the email's link."""

from __future__ import annotations

import re

import pytest
from django.core import mail as django_mail

from borough.mail.models import InboundMessage
from borough.servicedesk import services
from borough.servicedesk.models import EntryKind, Status, Ticket
from tests.smtp import RITA, email, send

pytestmark = pytest.mark.django_db(transaction=True)
AGENT = "agent@copeland.example.gov.uk"


def answer(received, *, sender: str, body: str) -> bytes:
    """A reply as a mail client writes one: Re: subject, threading headers kept."""
    headers = received.extra_headers
    return email(sender=sender, subject=f"Re: {received.subject}", body=body,
                 headers={"In-Reply-To": headers["Message-ID"],
                          "References": f"{headers['References']} {headers['Message-ID']}"})


def test_a_ticket_run_by_email_from_both_sides(gate, desk, client):
    desk.requester_person.email = RITA
    desk.requester_person.save()
    desk.agent.email = AGENT
    desk.agent.save()
    django_mail.outbox.clear()

    send(gate, email(sender=f"Rita <{RITA}>", subject="Cannot log in to Revenues",
                     body="It says my account is locked.",
                     message_id="<rita-1@client.example>"), sender=RITA)
    ticket = Ticket.objects.get()
    [ack] = django_mail.outbox
    assert ack.to == [RITA] and ack.extra_headers["In-Reply-To"] == "<rita-1@client.example>"

    services.assign(ticket, actor=desk.lead, assignee=desk.agent)
    assigned = django_mail.outbox[-1]
    assert assigned.to == [AGENT] and ticket.reference in assigned.subject

    send(gate, answer(assigned, sender=AGENT, body="Unlocked it. Try again?"), sender=AGENT)
    to_rita = django_mail.outbox[-1]
    assert to_rita.to == [RITA] and "Unlocked it. Try again?" in to_rita.body
    assert to_rita.extra_headers["In-Reply-To"] == "<rita-1@client.example>"

    send(gate, answer(to_rita, sender=RITA, body="Still locked, sorry."), sender=RITA)
    to_agent = django_mail.outbox[-1]
    assert to_agent.to == [AGENT] and "Still locked" in to_agent.body

    send(gate, answer(to_agent, sender=AGENT, body="#resolve\nReset in Active Directory."),
         sender=AGENT)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    resolved = django_mail.outbox[-1]
    assert resolved.to == [RITA] and "Reset in Active Directory." in resolved.body

    confirm = re.search(r"http://\S+/service-desk/link/\S+/#confirm", resolved.body).group(0)
    page = confirm.split("://", 1)[1].split("/", 1)[1].split("#")[0]
    client.post(f"/{page}", {"action": "confirm"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED

    replies = list(ticket.timeline.filter(kind=EntryKind.REPLY)
                   .values_list("author_name", "body"))
    assert replies == [(desk.agent.get_full_name(), "Unlocked it. Try again?"),
                       (desk.requester_person.full_name, "Still locked, sorry.")]
    assert list(InboundMessage.objects.order_by("id").values_list("outcome", flat=True)) == [
        "ticket", "reply", "reply", "reply"]
    threads = {m.extra_headers["References"].split()[0] for m in django_mail.outbox}
    assert threads == {"<rita-1@client.example>"}  # every email in one thread
