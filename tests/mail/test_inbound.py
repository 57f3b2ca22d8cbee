"""Mail received: what each kind of message becomes (inbound.deliver, the one door)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from borough.core import attachments as stored_files
from borough.core.models import Attachment, AuditEvent
from borough.mail import inbound, outbound
from borough.mail.models import InboundMessage, Mailbox, OutboundEmail
from borough.organisation.models import Person
from borough.servicedesk import services
from borough.servicedesk.models import DeskSettings, EntryKind, Status, Ticket
from tests.factories import OrganisationFactory
from tests.smtp import DESK_ADDRESS, email

pytestmark = pytest.mark.django_db
RITA = "rita@copeland.example.gov.uk"


@pytest.fixture
def rita(desk):
    desk.requester_person.email = RITA
    desk.requester_person.save()
    return desk.requester_person


def deliver(raw: bytes, mailbox) -> InboundMessage:
    return inbound.deliver(raw, mailbox=mailbox, via="smtp")


def test_a_new_email_opens_a_ticket_for_the_known_requester_and_acknowledges_it(
        mailbox, rita, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = deliver(email(subject="Printer on floor 2 jams", body="Paper jam again.",
                               message_id="<first@client.example>"), mailbox)
    assert record.outcome == "ticket" and record.person == rita and not record.new_contact
    ticket = record.ticket
    assert (ticket.title, ticket.description, ticket.channel, ticket.requester) == (
        "Printer on floor 2 jams", "Paper jam again.", "email", rita)
    ack = OutboundEmail.objects.get(ticket=ticket, event="ticket-created")
    assert ack.recipient == RITA
    assert ack.status == "sent"  # the task ran inline: no broker in these tests
    assert f"[{ticket.reference}]" in ack.subject
    assert ack.in_reply_to == "<first@client.example>" == ack.references


def test_an_unknown_sender_becomes_a_contact_and_the_ticket_says_so(mailbox):
    record = deliver(email(sender="Sam Stranger <sam@elsewhere.example>"), mailbox)
    person = Person.objects.get(email="sam@elsewhere.example")
    assert record.new_contact and record.person == person and person.full_name == "Sam Stranger"
    note = record.ticket.timeline.get(kind=EntryKind.NOTE)
    assert "unknown sender" in note.body


def test_a_reply_to_our_email_becomes_a_public_reply(mailbox, rita):
    ticket = deliver(email(), mailbox).ticket
    ack = OutboundEmail.objects.get(ticket=ticket, event="ticket-created")
    record = deliver(email(subject="Re: your ticket", body="Also the scanner.",
                           headers={"In-Reply-To": ack.message_id}), mailbox)
    assert record.outcome == "reply" and record.ticket == ticket
    entry = ticket.timeline.filter(kind=EntryKind.REPLY).get()
    assert (entry.body, entry.author_name, entry.data) == (
        "Also the scanner.", rita.full_name, {"channel": "email"})


def test_a_reply_is_matched_by_the_reference_in_its_subject(mailbox, rita):
    ticket = deliver(email(), mailbox).ticket
    record = deliver(email(subject=f"Re: [{ticket.reference}] Printer jams", body="More."),
                     mailbox)
    assert record.ticket == ticket and record.outcome == "reply"


def test_another_councils_reference_does_not_match(mailbox, rita):
    other = OrganisationFactory(code="other")
    theirs = Ticket.objects.create(organisation=other, reference="INC-000001", title="Theirs",
                                   description="x", requester=Person.objects.create(
                                       organisation=other, full_name="X", email=RITA))
    record = deliver(email(subject="Re: [INC-000001] Theirs"), mailbox)
    assert record.outcome == "ticket" and record.ticket != theirs
    assert record.ticket.organisation_id == mailbox.organisation_id


def test_a_reply_reopens_a_ticket_resolved_within_the_window(mailbox, rita, desk):
    ticket = deliver(email(), mailbox).ticket
    services.resolve(ticket, actor=desk.agent, note="Cleared the jam.")
    record = deliver(email(subject=f"Re: [{ticket.reference}]", body="Still jams."), mailbox)
    ticket.refresh_from_db()
    assert record.outcome == "reply" and ticket.status == Status.IN_PROGRESS
    assert ticket.reopen_count == 1


def test_a_reply_after_the_window_or_to_a_closed_ticket_opens_a_new_one(mailbox, rita, desk):
    old = deliver(email(), mailbox).ticket
    services.resolve(old, actor=desk.agent, note="Done.")
    DeskSettings.objects.filter(pk=services.desk_settings(desk.org.pk).pk).update(reopen_days=0)
    record = deliver(email(subject=f"Re: [{old.reference}]", body="Again."), mailbox)
    assert record.outcome == "ticket" and record.ticket != old
    assert f"Follows {old.reference}" in record.reason
    assert record.ticket.timeline.filter(kind=EntryKind.NOTE,
                                         body__contains=old.reference).exists()


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
    assert deliver(raw, mailbox).ticket.organisation_id == mailbox.organisation_id
    assert deliver(raw, theirs).ticket.organisation_id == other.pk


@pytest.mark.parametrize("headers, reason", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress header"),
    ({"Return-Path": "<>"}, "Bounce (empty Return-Path)"),
    ({"List-Id": "<news.example>"}, "List-Id header"),
])
def test_automatic_and_bulk_mail_is_recorded_but_never_answered(mailbox, rita, headers, reason):
    record = deliver(email(subject="Out of office", headers=headers), mailbox)
    assert (record.outcome, record.reason, record.ticket) == ("auto", reason, None)
    assert not Ticket.objects.exists() and not OutboundEmail.objects.exists()


def test_an_automatic_reply_to_a_ticket_is_linked_but_adds_nothing(mailbox, rita):
    ticket = deliver(email(), mailbox).ticket
    record = deliver(email(subject=f"Automatic reply: [{ticket.reference}]",
                           headers={"Auto-Submitted": "auto-replied"}), mailbox)
    assert record.outcome == "auto" and record.ticket == ticket
    assert not ticket.timeline.filter(kind=EntryKind.REPLY).exists()


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
    assert released.outcome == "ticket" and released.ticket.description == "Caf\ufffd broken"
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


def test_a_reply_from_someone_not_on_the_ticket_waits_in_the_quarantine(mailbox, rita):
    ticket = deliver(email(), mailbox).ticket
    record = deliver(email(sender="nosy@elsewhere.example", subject=f"Re: [{ticket.reference}]",
                           body="Me too"), mailbox)
    assert record.outcome == "quarantined" and "not its requester" in record.reason
    assert not ticket.timeline.filter(kind=EntryKind.REPLY).exists()
    released = inbound.release(record, actor=None)
    assert released.outcome == "reply"
    assert ticket.timeline.get(kind=EntryKind.REPLY).body == "Me too"


def test_html_is_sanitised_and_a_clean_text_kept(mailbox, rita):
    raw = email(body="", html="<p>Screen <b>flickers</b></p><script>alert(1)</script>"
                              "<img src=x onerror=alert(2)>")
    # An HTML-only message: drop the empty plain part the helper wrote.
    raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/x-empty", 1)
    record = deliver(raw, mailbox)
    assert "<script" not in record.html and "onerror" not in record.html
    assert "<b>flickers</b>" in record.html
    assert record.ticket.description == "Screen flickers"


def test_attachments_are_kept_within_the_limits(mailbox, rita, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    record = deliver(email(attachments=[
        ("log.txt", b"line\n" * 10, "text", "plain"),
        ("big.txt", b"y" * 5000, "text", "plain"),
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "application", "octet-stream"),
    ]), mailbox)
    kept = Attachment.objects.filter(object_id=record.ticket.pk)
    assert [a.original_name for a in kept] == ["log.txt"]
    assert "Attachments not kept" in record.reason
    assert "big.txt" in record.reason and "run.exe" in record.reason


def test_staff_answer_and_resolve_by_email(mailbox, rita, desk,
                                          django_capture_on_commit_callbacks):
    desk.agent.email = "agent@copeland.example.gov.uk"
    desk.agent.save()
    ticket = deliver(email(), mailbox).ticket
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(sender=desk.agent.email, subject=f"Re: [{ticket.reference}]",
                      body="Try turning it off and on."), mailbox)
    reply = ticket.timeline.get(kind=EntryKind.REPLY)
    assert reply.author == desk.agent and reply.data == {"channel": "email"}
    to_rita = OutboundEmail.objects.get(ticket=ticket, event="ticket-reply")
    assert to_rita.recipient == RITA and "Try turning it off" in to_rita.text
    deliver(email(sender=desk.agent.email, subject=f"Re: [{ticket.reference}]",
                  body="#note\nChecked the logs."), mailbox)
    assert ticket.timeline.get(kind=EntryKind.NOTE, author=desk.agent).body == "Checked the logs."
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(sender=desk.agent.email, subject=f"Re: [{ticket.reference}]",
                      body="#resolve\nNew fuser fitted."), mailbox)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution_note == "New fuser fitted."
    resolved = OutboundEmail.objects.get(ticket=ticket, event="ticket-resolved")
    assert "/mail/t/" in resolved.text and "#confirm" in resolved.text


def test_a_sender_the_directory_refuses_is_quarantined_not_retried_forever(mailbox):
    record = deliver(email(sender="someone@intranet"), mailbox)  # no dot: not a valid address
    assert record.outcome == "quarantined" and record.reason.startswith("Could not process it")
    assert not Ticket.objects.exists() and not Person.objects.filter(email="someone@intranet")
