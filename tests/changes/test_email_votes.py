"""Votes by email reply (changes.approval_mail): a member answers the notification with
APPROVE, REJECT or ABSTAIN; the reply goes through mail's one door (mail.inbound.deliver)
to the changes module's handler, which votes through the same service as the page. A
forged reply, one from someone with no seat or no login, and one after the decision are
refused: the message is kept in the quarantine with the reason, and nothing is counted."""

from __future__ import annotations

import pytest

from borough.changes import models as m
from borough.changes import services
from borough.changes.approval_mail import code_for
from borough.mail import inbound
from borough.mail.models import Mailbox, OutboundEmail
from borough.servicedesk.models import Ticket
from tests.smtp import email

pytestmark = pytest.mark.django_db
ADDRESS = "ithelp@copeland.example.gov.uk"


@pytest.fixture
def mailbox(council):
    return Mailbox.objects.create(organisation=council.org, name="IT help", address=ADDRESS,
                                  is_default=True)


@pytest.fixture
def change(council):
    return council.with_board(council.change())


def asked(change, key) -> OutboundEmail:
    """The email that asked `key` for their vote."""
    return OutboundEmail.objects.filter(
        thread_id=change.pk, event="change-authorisation-due",
        recipient=f"{key}@copeland.example.gov.uk").latest("pk")


def reply(mailbox, change, key, body, *, sender=None, answering=None):
    sent = asked(change, answering or key)
    raw = email(sender=sender or f"{key}@copeland.example.gov.uk", to=ADDRESS,
                subject=f"Re: [{change.reference}] waits for your vote", body=body,
                headers={"In-Reply-To": sent.message_id, "References": sent.message_id})
    return inbound.deliver(raw, mailbox=mailbox, via="smtp")


def test_the_email_asking_for_a_vote_carries_the_members_own_code(council, change):
    sent = asked(change, "cab1")
    assert code_for(change, council.users["cab1"]) in sent.context["body"]
    assert code_for(change, council.users["cab2"]) not in sent.context["body"]


def test_a_member_approves_by_answering_the_email(council, mailbox, change):
    code = code_for(change, council.users["cab1"])
    record = reply(mailbox, change, "cab1",
                   f"Approve - fine by infrastructure.\n\nApproval code: {code}\n\n> quoted")
    assert (record.outcome, record.handled_by, record.thread) == ("reply", "Change approvals",
                                                                  change)
    vote = m.CabVote.objects.get(change=change)
    assert (vote.voter, vote.decision, vote.channel, vote.note) == (
        council.users["cab1"], "approve", "email", "fine by infrastructure.")
    assert not Ticket.objects.exists()  # the service desk did not make a ticket of it


def test_a_deputy_rejects_by_email_for_the_seat(council, mailbox, change):
    code = code_for(change, council.users["dep2"])
    reply(mailbox, change, "dep2", f"REJECT\nNot during the billing run.\nApproval code: {code}")
    vote = m.CabVote.objects.get(change=change)
    assert (vote.seat, vote.as_deputy, vote.decision) == (council.seats[1], True, "reject")


def test_a_forged_reply_is_refused_and_kept(council, mailbox, change):
    # From cab1's address, but with cab2's code (which reached only cab2's mailbox).
    code = code_for(change, council.users["cab2"])
    record = reply(mailbox, change, "cab1", f"APPROVE\nApproval code: {code}")
    assert record.outcome == "quarantined"
    assert "possibly forged" in record.reason
    # With no code at all.
    record = reply(mailbox, change, "cab3", "APPROVE", answering="cab3")
    assert record.outcome == "quarantined" and "missing" in record.reason
    assert not m.CabVote.objects.exists()


def test_a_reply_from_someone_not_on_the_board_is_refused(council, mailbox, change):
    # A login with the CAB role and a real code of theirs, but no seat on this board.
    code = code_for(change, council.users["ecab"])
    record = reply(mailbox, change, "ecab", f"APPROVE\nApproval code: {code}",
                   answering="cab1")
    assert record.outcome == "quarantined"
    assert "Only the members of the board" in record.reason
    # An address with no login at all.
    record = reply(mailbox, change, "x", "APPROVE", sender="someone@elsewhere.example",
                   answering="cab1")
    assert record.outcome == "quarantined" and "no login" in record.reason
    assert not m.CabVote.objects.exists()


def test_a_reply_after_the_decision_is_refused(council, mailbox, change):
    for key in ("cab1", "cab2"):
        services.vote(change, actor=council.users[key], decision="approve")
    change.refresh_from_db()
    services.authorise(change, actor=council.users["chair"])
    code = code_for(change, council.users["cab3"])
    record = reply(mailbox, change, "cab3", f"REJECT\nApproval code: {code}")
    assert record.outcome == "quarantined" and "after the decision" in record.reason
    assert m.CabVote.objects.filter(change=change).count() == 2


def test_a_reply_without_a_decision_or_twice_is_refused(council, mailbox, change):
    code = code_for(change, council.users["cab1"])
    record = reply(mailbox, change, "cab1", f"Can we talk about this?\nApproval code: {code}")
    assert record.outcome == "quarantined" and "without APPROVE" in record.reason
    reply(mailbox, change, "cab1", f"approve\nApproval code: {code}")
    again = reply(mailbox, change, "cab1", f"reject\nApproval code: {code}")
    assert again.outcome == "quarantined" and "already voted" in again.reason
    assert m.CabVote.objects.get(change=change).decision == "approve"


def test_an_old_rounds_code_is_refused(council, mailbox, change):
    old = code_for(change, council.users["cab1"])
    services.send_back(change, actor=council.users["chair"], note="Recheck.")
    change.refresh_from_db()
    services.request_authorisation(change, actor=council.users["manager"])
    change.refresh_from_db()
    record = reply(mailbox, change, "cab1", f"APPROVE\nApproval code: {old}")
    assert record.outcome == "quarantined" and "earlier round" in record.reason
