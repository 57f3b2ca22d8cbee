"""Mail received, as transport: each message recorded once, loops cut, automatic mail
recorded and never answered, the unreadable and the oversized quarantined whole
(inbound.deliver, the one door). What a message becomes on the service desk is the
desk's handler's: tests/servicedesk/test_inbound_mail.py; the handlers' contract is
tests/mail/test_handlers.py."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from borough.core import attachments as stored_files
from borough.core.models import AuditEvent
from borough.mail import inbound, outbound
from borough.mail.models import Mailbox, OutboundEmail
from borough.servicedesk.models import Ticket
from tests.factories import OrganisationFactory
from tests.smtp import DESK_ADDRESS, deliver, email

pytestmark = pytest.mark.django_db


def test_each_message_id_is_processed_once(mailbox, rita):
    raw = email(message_id="<same@client.example>")
    first = deliver(raw, mailbox)
    again = deliver(raw, mailbox)
    assert again.pk == first.pk
    first.refresh_from_db()
    assert first.duplicates == 1 and Ticket.objects.count() == 1


def test_the_same_message_to_two_councils_is_one_for_each(mailbox, rita):
    other = OrganisationFactory(code="other")
    theirs = Mailbox.objects.create(organisation=other, name="Help", address="help@other.example")
    raw = email(message_id="<both@client.example>")
    assert deliver(raw, mailbox).thread.organisation_id == mailbox.organisation_id
    assert deliver(raw, theirs).thread.organisation_id == other.pk


@pytest.mark.parametrize("headers, reason", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress header"),
    ({"Return-Path": "<>"}, "Bounce (empty Return-Path)"),
    ({"List-Id": "<news.example>"}, "List-Id header"),
])
def test_automatic_and_bulk_mail_is_recorded_but_never_answered(mailbox, rita, headers, reason):
    record = deliver(email(subject="Out of office", headers=headers), mailbox)
    assert (record.outcome, record.reason, record.thread) == ("auto", reason, None)
    assert not Ticket.objects.exists() and not OutboundEmail.objects.exists()


def test_loops_are_cut(mailbox, rita, settings):
    ours = deliver(email(headers={"X-Borough-Loop": outbound.loop_token()}), mailbox)
    assert ours.outcome == "loop" and "X-Borough-Loop" in ours.reason
    self_sent = deliver(email(sender=DESK_ADDRESS), mailbox)
    assert self_sent.outcome == "loop"
    settings.MAIL_LOOP_LIMIT = 3
    outcomes = [deliver(email(sender="robot@vendor.example"), mailbox).outcome
                for _ in range(5)]
    assert outcomes == ["ticket", "ticket", "ticket", "loop", "loop"]


def test_mail_that_cannot_be_read_is_quarantined_whole(mailbox):
    no_sender = b"To: ithelp@copeland.example.gov.uk\r\nSubject: hi\r\n\r\nbody\r\n"
    record = deliver(no_sender, mailbox)
    assert record.outcome == "quarantined" and "no sender" in record.reason
    assert inbound.raw_of(record) == no_sender
    assert not Ticket.objects.exists()


def test_an_unknown_charset_is_quarantined_and_released_readably(
        mailbox, rita, desk, django_capture_on_commit_callbacks):
    raw = (b"From: rita@copeland.example.gov.uk\r\nTo: ithelp@copeland.example.gov.uk\r\n"
           b"Subject: Odd\r\nMessage-ID: <odd@client.example>\r\n"
           b"Content-Type: text/plain; charset=\"x-unheard-of\"\r\n\r\nCaf\xe9 broken\r\n")
    record = deliver(raw, mailbox)
    assert record.outcome == "quarantined" and "x-unheard-of" in record.reason
    admin = desk.lead  # team leads may not release: only ICT managers and administrators
    with pytest.raises(Exception):  # noqa: B017,PT011 - PermissionDenied
        inbound.release(record, actor=admin)
    kept = stored_files.storage_root() / record.raw_name
    assert kept.exists()
    with django_capture_on_commit_callbacks(execute=True):
        released = inbound.release(record, actor=None)
    assert released.outcome == "ticket" and released.thread.description == "Caf\ufffd broken"
    assert released.raw_name == "" and not kept.exists()
    with pytest.raises(ValidationError):
        inbound.release(released, actor=None)


def test_over_the_limit_is_quarantined_then_discarded(mailbox, rita, settings):
    settings.MAIL_MAX_BYTES = 2000
    record = deliver(email(body="x" * 3000), mailbox)
    assert record.outcome == "quarantined" and "Larger than the limit" in record.reason
    discarded = inbound.discard(record, actor=None, reason="Spam")
    assert discarded.outcome == "discarded" and "Spam" in discarded.reason
    event = AuditEvent.objects.for_object(discarded).get()  # in its history, whoever calls
    assert event.note == "Discarded from the quarantine. Spam"
    with pytest.raises(ValidationError):
        inbound.raw_of(discarded)


def test_html_is_sanitised_and_a_clean_text_kept(mailbox, rita):
    raw = email(body="", html="<p>Screen <b>flickers</b></p><script>alert(1)</script>"
                              "<img src=x onerror=alert(2)>")
    # An HTML-only message: drop the empty plain part the helper wrote.
    raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/x-empty", 1)
    record = deliver(raw, mailbox)
    assert "<script" not in record.html and "onerror" not in record.html
    assert "<b>flickers</b>" in record.html
    assert record.thread.description == "Screen flickers"
