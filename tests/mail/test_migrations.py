"""Migrations 0003 to 0005: the ticket a message or an email concerned becomes its
generic `thread`, and back again."""

from __future__ import annotations

import pytest

from borough.mail.models import InboundMessage, OutboundEmail
from borough.servicedesk import daily
from tests.factories import InboundMessageFactory, OutboundEmailFactory, TicketFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = ("mail", "0002_verbose_names")


@pytest.fixture
def back_to_latest():
    yield
    migrate_to_latest()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_tickets_become_threads_and_back():
    ticket, gone = TicketFactory(), TicketFactory()
    org = ticket.organisation
    kept = InboundMessageFactory(organisation=org, outcome="ticket", thread=ticket)
    sent = OutboundEmailFactory(organisation=org, thread=ticket)
    orphan = OutboundEmailFactory(organisation=org, thread=gone)
    gone.delete()  # a ticket deleted since leaves its id on the thread
    daily.rebuild()  # deleted by hand, round the services: recount the desk's totals

    old = migrate(BEFORE)
    old_in, old_out = old.get_model("mail", "InboundMessage"), old.get_model("mail", "OutboundEmail")
    assert old_in.objects.get(pk=kept.pk).ticket_id == ticket.pk
    assert old_out.objects.get(pk=sent.pk).ticket_id == ticket.pk
    assert old_out.objects.get(pk=orphan.pk).ticket_id is None
    before = old_in.objects.create(organisation_id=org.pk, message_key="k" * 64, via="smtp",
                                   outcome="reply", ticket_id=ticket.pk)
    none = old_out.objects.create(organisation_id=org.pk, recipient="a@b.example",
                                  event="digest", subject="Digest", message_id="<d@x>")

    migrate(("mail", "0005_drop_ticket_keys"))
    assert InboundMessage.objects.get(pk=before.pk).thread == ticket
    assert InboundMessage.objects.get(pk=before.pk).handled_by == "Service desk"
    assert InboundMessage.objects.get(pk=kept.pk).thread == ticket
    assert OutboundEmail.objects.get(pk=sent.pk).thread == ticket
    assert OutboundEmail.objects.get(pk=none.pk).thread_id is None
