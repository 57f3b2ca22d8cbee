"""Notifications by email: written from templates, threaded, sent by a task once, held
or skipped by staff members' choices, retried when the mail server fails."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from borough.mail import outbound
from borough.mail.models import NotificationPreference, NotificationTemplate, OutboundEmail
from borough.servicedesk import links, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the change, then the tasks it queued (inline: no broker in these tests)."""
    django_mail.outbox.clear()

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            result = change()
        return result
    return run


def raise_for_rita(desk, **extra):
    fields = {"title": "Laptop will not boot", "description": "Black screen.", **extra}
    return services.raise_ticket(desk.org.pk, actor=desk.agent, ticket_type="incident",
                                 requester=desk.requester_person, **fields)


def test_an_acknowledgement_is_threaded_and_names_the_ticket(desk, mailbox, sent):
    ticket = sent(lambda: raise_for_rita(desk))
    [message] = django_mail.outbox
    assert message.to == [desk.requester_person.email]
    assert message.subject == f"[{ticket.reference}] We have received: Laptop will not boot"
    assert message.from_email == f"IT help <{mailbox.address}>"
    headers = message.extra_headers
    root = f"<ticket-{ticket.pk}.{desk.org.pk}@localhost>"
    assert headers["In-Reply-To"] == root == headers["References"]
    assert headers["Message-ID"].endswith(f".{ticket.reference}@localhost>")
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["X-Auto-Response-Suppress"] == "All"
    assert headers["X-Borough-Loop"] == outbound.loop_token()
    assert message.alternatives[0][1] == "text/html"
    record = OutboundEmail.objects.about(ticket).get()
    assert (record.status, record.attempts, record.message_id) == (
        "sent", 1, headers["Message-ID"])


def test_every_event_reaches_the_right_people(desk, mailbox, sent):
    desk.agent.email, desk.lead.email = "agent@x.example", "lead@x.example"
    desk.agent.save()
    desk.lead.save()
    ticket = sent(lambda: raise_for_rita(desk, team=desk.team))
    sent(lambda: services.assign(ticket, actor=desk.lead, assignee=desk.agent))
    sent(lambda: services.reply(ticket, body="Which model?", actor=desk.agent))
    sent(lambda: services.resolve(ticket, actor=desk.agent, note="Reinstalled."))
    events = list(OutboundEmail.objects.order_by("id").values_list("event", "recipient"))
    rita = desk.requester_person.email
    assert events == [("ticket-created", rita), ("ticket-assigned", "agent@x.example"),
                      ("ticket-reply", rita), ("ticket-resolved", rita)]
    resolved = django_mail.outbox[-1]
    link = reverse("servicedesk:requester_link",
                   args=[links.token_for(ticket, desk.requester_person)])
    for anchor in ("#confirm", "#reopen", "#rate"):
        assert f"{link}{anchor}" in resolved.body


def test_the_organisations_template_is_used_and_the_reference_kept(desk, mailbox, sent):
    NotificationTemplate.objects.create(
        organisation=desk.org, event="ticket-created", subject="Thanks, {{ recipient_name }}",
        text_body="Logged as {{ reference }} for {{ organisation }}.",
        html_body="<p>{{ title }}</p>")
    desk.requester_person.full_name = "<Rita>"
    desk.requester_person.save()
    ticket = sent(lambda: raise_for_rita(desk, title="<b>bold</b>"))
    [message] = django_mail.outbox
    assert message.subject == f"[{ticket.reference}] Thanks, <Rita>"
    assert message.body == f"Logged as {ticket.reference} for {desk.org.name}."
    assert message.alternatives[0][0] == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"  # escaped in HTML


def test_a_broken_template_falls_back_to_borough_s_wording(desk, mailbox, sent):
    NotificationTemplate.objects.create(organisation=desk.org, event="ticket-created",
                                        subject="{% if %}", text_body="{% for %}")
    ticket = sent(lambda: raise_for_rita(desk))
    [message] = django_mail.outbox
    assert ticket.reference in message.subject and "We have logged your request" in message.body


def test_a_template_reaches_only_the_values_it_is_given():
    with pytest.raises(Exception):  # noqa: B017,PT011 - TemplateSyntaxError: no {% load %}
        outbound.check_template("{% load static %}{% static 'x' %}")
    with pytest.raises(Exception):  # noqa: B017,PT011 - no {% include %}: the engine has no loader
        outbound.check_template("{% include '/etc/passwd' %}")
    outbound.check_template("{{ reference }} {{ body|linebreaksbr }}", html=True)


def test_staff_choose_digest_or_no_email_per_event(desk, mailbox, sent):
    desk.agent.email = "agent@x.example"
    desk.agent.save()
    NotificationPreference.objects.create(organisation=desk.org, user=desk.agent,
                                          event="ticket-assigned", delivery="digest")
    NotificationPreference.objects.create(organisation=desk.org, user=desk.agent,
                                          event="ticket-reply", delivery="off")
    ticket = sent(lambda: raise_for_rita(desk, team=desk.team, assignee=desk.agent))
    rita = desk.requester_person.user
    sent(lambda: services.reply(ticket, body="It beeps too.", actor=rita))
    statuses = dict(OutboundEmail.objects.filter(recipient="agent@x.example")
                    .values_list("event", "status"))
    assert statuses == {"ticket-assigned": "digest", "ticket-reply": "off"}
    assert [m.to for m in django_mail.outbox] == [[desk.requester_person.email]]
    django_mail.outbox.clear()
    sent(outbound.send_digests)
    [digest] = django_mail.outbox
    assert digest.to == ["agent@x.example"] and "1 notification" in digest.subject
    assert f"[{ticket.reference}] Assigned to you" in digest.body
    assert OutboundEmail.objects.get(event="ticket-assigned").status == "digested"
    sent(outbound.send_digests)
    assert len(django_mail.outbox) == 1  # nothing held twice


def test_a_failing_mail_server_is_retried_later_then_given_up(desk, mailbox, sent):
    with mock.patch("django.core.mail.EmailMultiAlternatives.send",
                    side_effect=smtplib.SMTPServerDisconnected("gone")):
        sent(lambda: raise_for_rita(desk))  # the request itself never fails
        email = OutboundEmail.objects.get()
        assert (email.status, email.attempts) == ("queued", 1)
        assert "SMTPServerDisconnected" in email.error and email.next_attempt_at is not None
        assert outbound.send_queued() == "0 sent, 0 to retry, 0 failed"  # not due yet
        for attempt in range(2, outbound.MAX_ATTEMPTS + 1):
            OutboundEmail.objects.update(next_attempt_at=None)
            before = timezone.now()
            outbound.send_queued()
            email.refresh_from_db()
            if attempt < outbound.MAX_ATTEMPTS:  # the wait doubles with each attempt
                wait = (email.next_attempt_at - before).total_seconds() / 60
                assert 2 ** attempt - 0.1 <= wait <= 2 ** attempt + 0.1
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("failed", outbound.MAX_ATTEMPTS)
    OutboundEmail.objects.update(status="queued", next_attempt_at=None)
    assert outbound.send_queued() == "1 sent, 0 to retry, 0 failed"


def test_an_email_is_sent_once_however_often_its_task_runs(desk, mailbox, sent):
    sent(lambda: raise_for_rita(desk))
    email = OutboundEmail.objects.get()
    assert outbound.send(email.pk) == "not queued"
    assert outbound.send_queued() == "0 sent, 0 to retry, 0 failed"
    assert len(django_mail.outbox) == 1


def test_a_worker_that_died_mid_send_is_picked_up(desk, mailbox, sent):
    from datetime import timedelta

    raise_for_rita(desk)  # queued, its task never ran
    OutboundEmail.objects.update(status="sending",
                                 next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert outbound.send_queued() == "1 sent, 0 to retry, 0 failed"


def test_borough_never_writes_to_its_own_mailboxes(desk, mailbox, sent):
    desk.requester_person.email = mailbox.address
    desk.requester_person.save()
    sent(lambda: raise_for_rita(desk))
    assert not django_mail.outbox
    assert "own mailboxes" in OutboundEmail.objects.get().error


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_emails_are_sent_by_a_real_worker_through_redis(desk, mailbox):
    import time

    from tests.core.test_jobs import redis_worker

    django_mail.outbox.clear()
    with redis_worker():
        ticket = raise_for_rita(desk)  # commits: its email's task goes to Redis
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not OutboundEmail.objects.about(ticket).filter(
                status="sent").exists():
            time.sleep(0.1)
    email = OutboundEmail.objects.about(ticket).get()
    assert (email.status, email.attempts) == ("sent", 1)
    assert [m.subject for m in django_mail.outbox] == [email.subject]


def test_the_periodic_send_uses_one_smtp_connection_for_its_batch(desk, mailbox, settings):
    """Over a real SMTP server: three emails, one connection (one TCP, one TLS handshake
    with a real relay)."""
    from tests import smtp

    with smtp.sink(settings) as server:
        for _ in range(3):
            raise_for_rita(desk)  # queued; their tasks never ran (no commit in this test)
        assert outbound.send_queued() == "3 sent, 0 to retry, 0 failed"
    assert len(server.peers) == 3 and len(set(server.peers)) == 1
    assert sorted(to for _sender, [to], _raw in server.messages) == [
        desk.requester_person.email] * 3
