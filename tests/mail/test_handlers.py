"""The inbound handlers' contract (core.inbound, registry.inbound_handlers): mail asks
each module's handler in order; one claims the message or passes; what it did is recorded
with the message, in the same transaction; nobody claiming a person's mail quarantines
it. A second module (approving changes by email, here a stand-in) registers its own."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError

from borough.core.comments import add_comment
from borough.core.inbound import Handled, InboundHandler
from borough.core.models import Comment
from borough.core.registry import Registry, registry
from borough.mail import inbound
from borough.mail.models import InboundMessage, OutboundEmail
from borough.organisation.models import Site
from borough.servicedesk.models import Ticket
from tests.factories import SiteFactory
from tests.mail.conftest import email

pytestmark = pytest.mark.django_db
APPROVER = "cab.chair@copeland.example.gov.uk"


@pytest.fixture
def handlers(monkeypatch):
    """The registry, with handlers the test adds on top of the apps' for this test only."""
    # Without the changes module's own handler, which the stand-in below takes the place of.
    monkeypatch.setattr(registry, "inbound_handlers", [
        h for h in registry.inbound_handlers if h.name != "Change approvals"])
    return registry


@pytest.fixture
def change(desk):
    """A stand-in for a change awaiting approval (no change module yet)."""
    return SiteFactory(organisation=desk.org, name="CHG-000007 Replace the core switch")


def approvals(change, seen: list):
    """A handler such as a change module would register: it claims "APPROVE CHG-…"."""

    def approve(message):
        seen.append(message)
        if not message.subject.startswith("APPROVE CHG-"):
            return None
        add_comment(change, f"Approved by {message.sender}: {message.text}", actor=None)
        return Handled.added(change, reason=f"Approval of {message.subject[8:]} recorded.")

    return approve


def deliver(raw: bytes, mailbox):
    return inbound.deliver(raw, mailbox=mailbox, via="smtp")


def test_a_handler_registered_before_the_desk_claims_its_mail_and_the_rest_reach_the_desk(
        handlers, mailbox, change):
    seen = []
    handlers.add_inbound_handler(InboundHandler("Change approvals", approvals(change, seen),
                                                order=50))
    assert [h.name for h in handlers.inbound_handlers] == ["Change approvals", "Service desk"]

    record = deliver(email(sender=f"CAB chair <{APPROVER}>", subject="APPROVE CHG-000007",
                           body="Go ahead on Saturday.", message_id="<approve@client.example>"),
                     mailbox)
    assert (record.outcome, record.handled_by, record.thread) == ("reply", "Change approvals",
                                                                  change)
    assert record.reason == "Approval of CHG-000007 recorded."
    assert Comment.objects.get().body == f"Approved by {APPROVER}: Go ahead on Saturday."
    assert not Ticket.objects.exists()  # the desk was not asked
    [message] = seen
    assert (message.organisation_id, message.mailbox, message.sender, message.sender_name,
            message.subject, message.text, message.message_id, message.automatic,
            message.released, message.message_pk) == (
        mailbox.organisation_id, mailbox.address, APPROVER, "CAB chair", "APPROVE CHG-000007",
        "Go ahead on Saturday.", "<approve@client.example>", "", False, record.pk)

    other = deliver(email(subject="Printer jams"), mailbox)
    assert (other.outcome, other.handled_by) == ("ticket", "Service desk")
    assert len(seen) == 2  # asked first, passed


def test_a_handler_registered_after_the_desk_is_never_asked_about_a_persons_mail(
        handlers, mailbox, change):
    seen = []
    handlers.add_inbound_handler(InboundHandler("Change approvals", approvals(change, seen),
                                                order=200))
    record = deliver(email(sender=APPROVER, subject="APPROVE CHG-000007"), mailbox)
    assert (record.outcome, record.handled_by) == ("ticket", "Service desk")
    assert seen == [] and not Comment.objects.exists()


def test_the_handler_sees_what_the_message_answers(handlers, mailbox, desk,
                                                   django_capture_on_commit_callbacks):
    seen = []
    handlers.add_inbound_handler(InboundHandler("Watcher", lambda m: seen.append(m), order=1))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = deliver(email(message_id="<opened@client.example>"), mailbox).thread
    ack = OutboundEmail.objects.about(ticket).get()
    deliver(email(subject="Re: Printer jams", headers={
        "In-Reply-To": ack.message_id, "References": f"<opened@client.example> {ack.message_id}",
        "Auto-Submitted": "auto-replied"}), mailbox)
    answered = seen[-1]
    assert answered.replies_to == (ack.message_id, ack.message_id, "<opened@client.example>")
    assert answered.answers == (("servicedesk.ticket", ticket.pk),)
    assert answered.automatic == "Auto-Submitted: auto-replied"


def test_when_no_handler_claims_a_persons_mail_it_is_quarantined_with_the_reason(
        handlers, mailbox):
    handlers.inbound_handlers[:] = [InboundHandler("Nobody", lambda m: None)]
    record = deliver(email(subject="Anyone there?"), mailbox)
    assert record.outcome == "quarantined" and record.handled_by == ""
    assert record.reason == ("Nothing in Borough took this message: no module claimed it "
                             "(asked: Nobody).")
    assert inbound.raw_of(record)  # kept whole, for a person to decide
    with pytest.raises(ValidationError, match="Nothing in Borough took this message"):
        inbound.release(record, actor=None)
    record.refresh_from_db()
    assert record.outcome == "quarantined" and record.raw_name
    # Automatic mail nobody claims is recorded, not quarantined.
    auto = deliver(email(subject="Out of office", headers={"Precedence": "bulk"}), mailbox)
    assert (auto.outcome, auto.reason) == ("auto", "Precedence: bulk")


def test_what_a_handler_writes_before_passing_or_refusing_is_undone(handlers, mailbox, desk):
    def passes(message):
        SiteFactory(organisation=desk.org, name="Written, then passed")

    def refuses(message):
        SiteFactory(organisation=desk.org, name="Written, then refused")
        return Handled.refused("Approvals come from the CAB chair only.")

    handlers.add_inbound_handler(InboundHandler("Passes", passes, order=1))
    handlers.add_inbound_handler(InboundHandler("Refuses", refuses, order=2))
    record = deliver(email(subject="APPROVE CHG-000001"), mailbox)
    assert (record.outcome, record.reason, record.handled_by) == (
        "quarantined", "Approvals come from the CAB chair only.", "Refuses")
    assert not Site.objects.filter(name__startswith="Written").exists()
    assert not Ticket.objects.exists()  # a refusal is a claim: nobody else is asked


def test_a_refusal_the_services_raise_quarantines_it(handlers, mailbox, desk):
    def raises(message):
        SiteFactory(organisation=desk.org, name="Half done")
        raise ValidationError({"email": "Enter a valid email address."})

    handlers.add_inbound_handler(InboundHandler("Strict", raises, order=1))
    record = deliver(email(), mailbox)
    assert (record.outcome, record.handled_by) == ("quarantined", "Strict")
    assert record.reason == "Could not process it: Enter a valid email address."
    assert not Site.objects.filter(name="Half done").exists()


def test_a_handler_that_answers_automatic_mail_is_undone(handlers, mailbox, desk, change):
    def eager(message):
        SiteFactory(organisation=desk.org, name="Answered a machine")
        return Handled.opened(change)

    handlers.add_inbound_handler(InboundHandler("Eager", eager, order=1))
    record = deliver(email(headers={"Auto-Submitted": "auto-generated"}), mailbox)
    assert (record.outcome, record.handled_by, record.thread) == ("auto", "Eager", None)
    assert record.reason.startswith("Auto-Submitted: auto-generated Eager tried to act")
    assert not Site.objects.filter(name="Answered a machine").exists()


def test_the_record_and_what_the_handler_made_commit_together(handlers, mailbox, change):
    handlers.add_inbound_handler(InboundHandler("Change approvals", approvals(change, []),
                                                order=50))
    raw = email(sender=APPROVER, subject="APPROVE CHG-000007", message_id="<once@client.example>")
    with mock.patch.object(inbound, "_record", side_effect=OperationalError("disk full")), \
            pytest.raises(OperationalError):
        deliver(raw, mailbox)  # the gateway answers 451: the sender retries
    assert not InboundMessage.objects.exists() and not Comment.objects.exists()
    record = deliver(raw, mailbox)  # the retry
    assert record.outcome == "reply" and Comment.objects.count() == 1
    assert deliver(raw, mailbox).pk == record.pk and Comment.objects.count() == 1


def test_handlers_are_asked_in_order_and_named_once():
    fresh = Registry()
    for name, order in (("desk", 100), ("approvals", 50), ("late", 100), ("first", 10)):
        fresh.add_inbound_handler(InboundHandler(name, lambda m: None, order=order))
    assert [h.name for h in fresh.inbound_handlers] == ["first", "approvals", "desk", "late"]
    with pytest.raises(ValueError, match="registered twice"):
        fresh.add_inbound_handler(InboundHandler("desk", lambda m: None))
