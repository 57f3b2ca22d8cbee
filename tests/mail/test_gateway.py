"""The SMTP gateway over a real socket: smtplib delivers into `borough mailgate`'s
controller, running in this process on a free port."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest

from borough.mail import inbound
from borough.mail.models import InboundMessage
from borough.servicedesk.models import Ticket
from tests.smtp import DESK_ADDRESS, email, gateway, send

# The gateway's thread writes through its own connection: the test's data must commit.
pytestmark = pytest.mark.django_db(transaction=True)


def test_mail_delivered_over_smtp_opens_a_ticket(gate):
    refused = send(gate, email(subject="Monitor dead", message_id="<smtp-1@client.example>"))
    assert refused == {}
    record = InboundMessage.objects.get(message_id="<smtp-1@client.example>")
    assert record.via == "smtp" and record.outcome == "ticket"
    assert Ticket.objects.get().title == "Monitor dead"


def test_an_address_that_is_no_mailbox_is_refused_at_rcpt(gate):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(gate, email(), to=["nobody@copeland.example.gov.uk"])
    assert refused.value.recipients["nobody@copeland.example.gov.uk"][0] == 550
    assert not InboundMessage.objects.exists()


def test_one_good_recipient_among_unknown_ones_is_delivered_once(gate):
    refused = send(gate, email(), to=[DESK_ADDRESS, "nobody@copeland.example.gov.uk"])
    assert list(refused) == ["nobody@copeland.example.gov.uk"]
    assert InboundMessage.objects.count() == 1


def test_a_failure_to_record_is_a_temporary_refusal_and_the_retry_lands(gate):
    raw = email(message_id="<retry@client.example>")
    with (mock.patch.object(inbound, "deliver", side_effect=RuntimeError("database gone")),
          pytest.raises(smtplib.SMTPDataError) as refused):
        send(gate, raw)
    assert refused.value.smtp_code == 451
    assert not InboundMessage.objects.exists()
    send(gate, raw)  # the sending server tries again
    assert InboundMessage.objects.get().message_id == "<retry@client.example>"
    send(gate, raw)  # and once more: counted, not processed twice
    assert InboundMessage.objects.get().duplicates == 1 and Ticket.objects.count() == 1


def test_mail_over_the_limit_is_quarantined_and_far_over_it_refused(mailbox, settings):
    settings.MAIL_MAX_BYTES = 4096  # the gateway takes up to twice it
    with gateway() as small:
        send(small, email(body="xxxxxxxxx\n" * 500, message_id="<big@client.example>"))
        record = InboundMessage.objects.get(message_id="<big@client.example>")
        assert record.outcome == "quarantined" and "Larger than the limit" in record.reason
        with pytest.raises(smtplib.SMTPException) as refused:
            send(small, email(body="xxxxxxxxx\n" * 1000, message_id="<huge@client.example>"))
        assert "552" in str(refused.value)  # exceeded storage: the sender is told at once
        assert not InboundMessage.objects.filter(message_id="<huge@client.example>").exists()


def test_a_failure_to_look_up_the_address_is_temporary_and_names_no_internals(gate):
    with (mock.patch.object(inbound, "mailbox_for", side_effect=RuntimeError("no such table")),
          pytest.raises(smtplib.SMTPRecipientsRefused) as refused):
        send(gate, email())
    code, text = refused.value.recipients[DESK_ADDRESS]
    assert code == 451 and b"no such table" not in text
