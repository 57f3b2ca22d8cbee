"""The service desk's inbound handler (servicedesk.inbound): what a message received by a
council's mailbox becomes on the desk. Mail is delivered through the one door
(mail.inbound.deliver), as the gateway and the IMAP poller deliver it."""

from __future__ import annotations

import pytest

from borough.core.models import Attachment, AuditAction, AuditEvent
from borough.mail import inbound
from borough.mail.models import Mailbox, OutboundEmail
from borough.organisation.models import Person
from borough.servicedesk import services
from borough.servicedesk.models import DeskSettings, EntryKind, Status, Ticket
from borough.servicedesk.services import save_ticket
from tests.factories import OrganisationFactory
from tests.smtp import RITA, deliver, email

pytestmark = pytest.mark.django_db


def test_a_new_email_opens_a_ticket_for_the_known_requester_and_acknowledges_it(
        mailbox, rita, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = deliver(email(subject="Printer on floor 2 jams", body="Paper jam again.",
                               message_id="<first@client.example>"), mailbox)
    assert record.outcome == "ticket" and record.person == rita and not record.new_contact
    assert record.handled_by == "Service desk"
    ticket = record.thread
    assert (ticket.title, ticket.description, ticket.channel, ticket.requester) == (
        "Printer on floor 2 jams", "Paper jam again.", "email", rita)
    ack = OutboundEmail.objects.about(ticket).get(event="ticket-created")
    assert ack.recipient == RITA
    assert ack.status == "sent"  # the task ran inline: no broker in these tests
    assert f"[{ticket.reference}]" in ack.subject
    assert ack.in_reply_to == "<first@client.example>" == ack.references


def test_an_unknown_sender_becomes_a_contact_through_the_directory_audited(mailbox):
    record = deliver(email(sender="Sam Stranger <sam@elsewhere.example>"), mailbox)
    person = Person.objects.get(email="sam@elsewhere.example")
    assert record.new_contact and record.person == person and person.full_name == "Sam Stranger"
    assert person.organisation_id == mailbox.organisation_id
    note = record.thread.timeline.get(kind=EntryKind.NOTE)
    assert "unknown sender" in note.body
    # organisation.services.add_person_from_email: in the person's history, by the system.
    created = AuditEvent.objects.for_object(person).get()
    assert (created.action, created.actor, created.note) == (
        AuditAction.CREATE, None, "Added from an email by an unknown sender")
    assert created.changes["email"] == [None, "sam@elsewhere.example"]


def test_a_stranger_with_no_name_is_named_by_their_address(mailbox):
    record = deliver(email(sender="helpme@elsewhere.example"), mailbox)
    assert record.person.full_name == "helpme"


def test_a_reply_to_our_email_becomes_a_public_reply(mailbox, rita):
    ticket = deliver(email(), mailbox).thread
    ack = OutboundEmail.objects.about(ticket).get(event="ticket-created")
    record = deliver(email(subject="Re: your ticket", body="Also the scanner.",
                           headers={"In-Reply-To": ack.message_id}), mailbox)
    assert record.outcome == "reply" and record.thread == ticket
    entry = ticket.timeline.filter(kind=EntryKind.REPLY).get()
    assert (entry.body, entry.author_name, entry.data) == (
        "Also the scanner.", rita.full_name, {"channel": "email"})


def test_a_reply_to_the_thread_id_borough_made_up_finds_its_ticket(mailbox, rita, settings):
    ticket = services.raise_ticket(mailbox.organisation_id, actor=None, ticket_type="incident",
                                   title="Phone dead", description="No tone.", requester=rita)
    root = f"<ticket-{ticket.pk}.{ticket.organisation_id}@{settings.MAIL_DOMAIN}>"
    record = deliver(email(subject="Re: Phone dead", body="Still dead.",
                           headers={"References": root}), mailbox)
    assert record.outcome == "reply" and record.thread == ticket
    # Another organisation's made-up id leads nowhere here.
    other = f"<ticket-{ticket.pk}.{ticket.organisation_id + 1}@{settings.MAIL_DOMAIN}>"
    stray = deliver(email(subject="Re: Phone dead", headers={"References": other}), mailbox)
    assert stray.outcome == "ticket" and stray.thread != ticket


def test_a_reply_is_matched_by_the_reference_in_its_subject(mailbox, rita):
    ticket = deliver(email(), mailbox).thread
    record = deliver(email(subject=f"Re: [{ticket.reference}] Printer jams", body="More."),
                     mailbox)
    assert record.thread == ticket and record.outcome == "reply"


def test_another_councils_reference_does_not_match(mailbox, rita):
    other = OrganisationFactory(code="other")
    theirs = Ticket(organisation=other, reference="INC-000001", title="Theirs", description="x",
                    requester=Person.objects.create(organisation=other, full_name="X", email=RITA))
    save_ticket(theirs)
    record = deliver(email(subject="Re: [INC-000001] Theirs"), mailbox)
    assert record.outcome == "ticket" and record.thread != theirs
    assert record.thread.organisation_id == mailbox.organisation_id


def test_another_councils_email_does_not_match_by_its_message_id(mailbox, rita):
    other = OrganisationFactory(code="other")
    theirs_box = Mailbox.objects.create(organisation=other, name="Help",
                                        address="help@other.example")
    theirs = deliver(email(message_id="<theirs@client.example>"), theirs_box).thread
    record = deliver(email(subject="Re: hello", headers={"In-Reply-To":
                                                         "<theirs@client.example>"}), mailbox)
    assert record.outcome == "ticket" and record.thread != theirs


def test_a_reply_reopens_a_ticket_resolved_within_the_window(mailbox, rita, desk):
    ticket = deliver(email(), mailbox).thread
    services.resolve(ticket, actor=desk.agent, note="Cleared the jam.")
    record = deliver(email(subject=f"Re: [{ticket.reference}]", body="Still jams."), mailbox)
    ticket.refresh_from_db()
    assert record.outcome == "reply" and ticket.status == Status.IN_PROGRESS
    assert ticket.reopen_count == 1


def test_a_reply_after_the_window_or_to_a_closed_ticket_opens_a_new_one(mailbox, rita, desk):
    old = deliver(email(), mailbox).thread
    services.resolve(old, actor=desk.agent, note="Done.")
    DeskSettings.objects.filter(pk=services.desk_settings(desk.org.pk).pk).update(reopen_days=0)
    record = deliver(email(subject=f"Re: [{old.reference}]", body="Again."), mailbox)
    assert record.outcome == "ticket" and record.thread != old
    assert f"Follows {old.reference}" in record.reason
    assert record.thread.timeline.filter(kind=EntryKind.NOTE,
                                         body__contains=old.reference).exists()


def test_an_automatic_reply_to_a_ticket_is_linked_but_adds_nothing(mailbox, rita):
    ticket = deliver(email(), mailbox).thread
    record = deliver(email(subject=f"Automatic reply: [{ticket.reference}]",
                           headers={"Auto-Submitted": "auto-replied"}), mailbox)
    assert record.outcome == "auto" and record.thread == ticket
    assert record.reason == "Auto-Submitted: auto-replied"
    assert not ticket.timeline.filter(kind=EntryKind.REPLY).exists()


def test_a_reply_from_someone_not_on_the_ticket_waits_in_the_quarantine(mailbox, rita):
    ticket = deliver(email(), mailbox).thread
    record = deliver(email(sender="nosy@elsewhere.example", subject=f"Re: [{ticket.reference}]",
                           body="Me too"), mailbox)
    assert record.outcome == "quarantined" and "not its requester" in record.reason
    assert record.handled_by == "Service desk" and record.thread is None
    assert not ticket.timeline.filter(kind=EntryKind.REPLY).exists()
    # Refused: nothing of the sender kept in the directory either.
    assert not Person.objects.filter(email="nosy@elsewhere.example").exists()
    released = inbound.release(record, actor=None)
    assert released.outcome == "reply" and released.new_contact
    assert ticket.timeline.get(kind=EntryKind.REPLY).body == "Me too"


def test_attachments_are_kept_within_the_limits(mailbox, rita, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    record = deliver(email(attachments=[
        ("log.txt", b"line\n" * 10, "text", "plain"),
        ("big.txt", b"y" * 5000, "text", "plain"),
        ("run.exe", b"MZ\x90\x00" + b"\x00" * 100, "application", "octet-stream"),
    ]), mailbox)
    kept = Attachment.objects.filter(object_id=record.thread.pk)
    assert [a.original_name for a in kept] == ["log.txt"]
    assert "Attachments not kept" in record.reason
    assert "big.txt" in record.reason and "run.exe" in record.reason


def test_staff_answer_and_resolve_by_email(mailbox, rita, desk,
                                          django_capture_on_commit_callbacks):
    desk.agent.email = "agent@copeland.example.gov.uk"
    desk.agent.save()
    ticket = deliver(email(), mailbox).thread
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(sender=desk.agent.email, subject=f"Re: [{ticket.reference}]",
                      body="Try turning it off and on."), mailbox)
    reply = ticket.timeline.get(kind=EntryKind.REPLY)
    assert reply.author == desk.agent and reply.data == {"channel": "email"}
    to_rita = OutboundEmail.objects.about(ticket).get(event="ticket-reply")
    assert to_rita.recipient == RITA and "Try turning it off" in to_rita.text
    deliver(email(sender=desk.agent.email, subject=f"Re: [{ticket.reference}]",
                  body="#note\nChecked the logs."), mailbox)
    assert ticket.timeline.get(kind=EntryKind.NOTE, author=desk.agent).body == "Checked the logs."
    with django_capture_on_commit_callbacks(execute=True):
        deliver(email(sender=desk.agent.email, subject=f"Re: [{ticket.reference}]",
                      body="#resolve\nNew fuser fitted."), mailbox)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution_note == "New fuser fitted."
    resolved = OutboundEmail.objects.about(ticket).get(event="ticket-resolved")
    assert "/service-desk/link/" in resolved.text and "#confirm" in resolved.text
    # Staff answering by email are not added to the directory as contacts.
    assert not Person.objects.filter(email__iexact=desk.agent.email).exists()


def test_a_sender_the_directory_refuses_is_quarantined_not_retried_forever(mailbox):
    record = deliver(email(sender="someone@intranet"), mailbox)  # no dot: not a valid address
    assert record.outcome == "quarantined" and record.reason.startswith("Could not process it")
    assert record.handled_by == "Service desk"
    assert not Ticket.objects.exists() and not Person.objects.filter(email="someone@intranet")
