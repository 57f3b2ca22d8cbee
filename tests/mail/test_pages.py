"""The email pages: mailboxes, notification templates, a member of staff's email
notifications, the quarantine with its release, discard and original, and the sent-email
log — who may do what, the messages people see, and nothing of another council."""

from __future__ import annotations

from email.utils import formatdate, make_msgid

import pytest
from django.urls import reverse

from borough.core import notifications, roles
from borough.core.models import AuditEvent
from borough.mail import inbound
from borough.mail.models import (
    Delivery,
    InboundMessage,
    Mailbox,
    NotificationPreference,
    NotificationTemplate,
    Outcome,
)
from borough.mail.outbound import wording
from borough.mail.services import preference_keys
from borough.servicedesk import notices
from tests.conftest import make_member
from tests.factories import (
    InboundMessageFactory,
    MailboxFactory,
    NotificationTemplateFactory,
    OutboundEmailFactory,
)
from tests.smtp import DESK_ADDRESS, email

pytestmark = pytest.mark.django_db


def unreadable(*, subject="Strange characters", sender="rita@copeland.example.gov.uk",
               body=b"Caf\xe9 printer broken <script>alert(1)</script>") -> bytes:
    """A message in a character set nobody knows: the quarantine keeps it."""
    head = (f"From: {sender}\r\nTo: {DESK_ADDRESS}\r\nSubject: {subject}\r\n"
            f"Date: {formatdate()}\r\nMessage-ID: {make_msgid(domain='client.example')}\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"x-unknown-charset\"\r\n"
            "\r\n")
    return head.encode() + body + b"\r\n"


def quarantined(mailbox, **kwargs) -> InboundMessage:
    record = inbound.deliver(unreadable(**kwargs), mailbox=mailbox, via="smtp")
    assert record.outcome == Outcome.QUARANTINED and record.raw_name
    return record


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"


@pytest.fixture
def people(desk):
    return make_people(desk)


def make_people(desk):
    """An administrator, an ICT manager, an auditor (reads all), the desk's agent, lead
    and requester, and an administrator of another council."""
    from tests.factories import OrganisationFactory

    other = OrganisationFactory(name="Eskmouth District Council", code="edc")
    return type("People", (), {
        "admin": make_member(desk.org, roles.ADMINISTRATOR, "admin"),
        "manager": make_member(desk.org, roles.ICT_MANAGER, "manager"),
        "auditor": make_member(desk.org, roles.AUDITOR, "auditor"),
        "agent": desk.agent, "lead": desk.lead, "requester": desk.requester,
        "other_admin": make_member(other, roles.ADMINISTRATOR, "other-admin"),
        "other": other,
    })


def page(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


def text_of(response) -> str:
    return response.content.decode()


# --- mailboxes ----------------------------------------------------------------------------

MAILBOX_FORM = {"name": "Revenues help", "address": "Revenues.Help@Copeland.Example.gov.uk",
                "is_active": "on", "imap_port": "993", "imap_ssl": "on",
                "imap_folder": "INBOX", "submission_key": "k1"}


def test_an_administrator_adds_a_mailbox_stored_in_lower_case(client, people):
    client.force_login(people.admin)
    form = page(client, people.admin, "mail:mailbox_add")
    assert form.status_code == 200
    assert "The password itself is never stored" in text_of(form)
    response = client.post(reverse("mail:mailbox_add"), MAILBOX_FORM)
    assert response.status_code == 302, text_of(response)
    box = Mailbox.objects.get()
    assert box.address == "revenues.help@copeland.example.gov.uk"
    assert box.organisation_id == people.admin.memberships.get().organisation_id
    assert AuditEvent.objects.filter(object_id=box.pk, action="create").exists()


def test_an_address_in_use_anywhere_is_refused_with_a_clear_message(client, people):
    MailboxFactory(organisation=people.other, address="revenues.help@copeland.example.gov.uk")
    client.force_login(people.manager)
    response = client.post(reverse("mail:mailbox_add"), MAILBOX_FORM)
    assert response.status_code == 400
    assert "Another mailbox already uses this address" in text_of(response)
    assert "govuk-error-summary" in text_of(response)
    assert Mailbox.objects.count() == 1


@pytest.mark.parametrize("name", ["mail-password", "1PASSWORD", "secret pass", "hunter2"])
def test_the_password_variable_must_look_like_an_environment_variable(client, people, name):
    client.force_login(people.admin)
    response = client.post(reverse("mail:mailbox_add"),
                           MAILBOX_FORM | {"imap_password_env": name})
    assert response.status_code == 400
    assert "Enter the name of an environment variable" in text_of(response)
    assert not Mailbox.objects.exists()


def test_a_good_variable_name_is_kept(client, people):
    client.force_login(people.admin)
    response = client.post(reverse("mail:mailbox_add"), MAILBOX_FORM | {
        "imap_host": "imap.copeland.example.gov.uk", "imap_username": "revenues",
        "imap_password_env": "MAIL_CBC_REVENUES_PASSWORD"})
    assert response.status_code == 302
    assert Mailbox.objects.get().imap_password_env == "MAIL_CBC_REVENUES_PASSWORD"


def test_one_default_mailbox_per_organisation(client, people, mailbox):
    assert mailbox.is_default
    elsewhere = MailboxFactory(organisation=people.other, is_default=True)
    client.force_login(people.admin)
    response = client.post(reverse("mail:mailbox_add"), MAILBOX_FORM | {"is_default": "on"})
    assert response.status_code == 302
    new = Mailbox.objects.get(address="revenues.help@copeland.example.gov.uk")
    mailbox.refresh_from_db()
    assert new.is_default and not mailbox.is_default
    elsewhere.refresh_from_db()
    assert elsewhere.is_default  # another council's default is its own business
    change = AuditEvent.objects.get(object_id=mailbox.pk, action="update")
    assert change.changes["is_default"] == [True, False]

    # And back again, by editing the first.
    edit = page(client, people.admin, "mail:mailbox_edit", mailbox.pk)
    data = {k: v for k, v in edit.context["form"].initial.items() if v not in (None, False)}
    data = {k: ("on" if v is True else v) for k, v in data.items()} | {
        "is_default": "on", "version": mailbox.version}
    response = client.post(reverse("mail:mailbox_edit", args=[mailbox.pk]), data)
    assert response.status_code == 302, text_of(response)
    new.refresh_from_db()
    mailbox.refresh_from_db()
    assert mailbox.is_default and not new.is_default


def test_the_mailbox_page_shows_how_mail_arrives_and_when_it_was_last_read(client, people,
                                                                          mailbox):
    from django.utils import timezone

    gateway = text_of(page(client, people.auditor, "mail:mailbox_detail", mailbox.pk))
    assert "Delivered by the mail server to Borough&#x27;s SMTP gateway" in gateway
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="imap.copeland.example.gov.uk", imap_username="ithelp",
        imap_password_env="MAIL_CBC_ITHELP_PASSWORD", last_polled_at=timezone.now(),
        last_poll_error="LOGIN failed: <bad password>")
    response = page(client, people.auditor, "mail:mailbox_detail", mailbox.pk)
    assert response.status_code == 200
    body = text_of(response)
    assert "Read over IMAP from imap.copeland.example.gov.uk, port 993, with TLS" in body
    assert "MAIL_CBC_ITHELP_PASSWORD" in body and "Last read" in body
    assert "LOGIN failed: &lt;bad password&gt;" in body
    assert ">Change<" not in body  # the auditor reads


# --- notification templates ------------------------------------------------------------

def template_form(**fields):
    return {"event": notices.RESOLVED, "subject": "{{ summary }}",
            "text_body": "Hello {{ recipient_name }}, {{ reference }} is fixed.",
            "html_body": "", "submission_key": "t1"} | fields


def test_adding_a_template_starts_from_boroughs_wording(client, people):
    response = page(client, people.admin, "mail:notificationtemplate_add",
                    event="ticket-resolved")
    assert response.status_code == 200
    form = response.context["form"]
    subject, text, html = wording(notices.RESOLVED)
    assert form["event"].value() == "ticket-resolved"
    assert (form["subject"].value(), form["text_body"].value(),
            form["html_body"].value()) == (subject, text, html)
    body = text_of(response)
    for name in ("recipient_name", "organisation", "confirm_url", "reopen_url", "rate_url"):
        assert name in body
    # An unknown event starts from an empty form, not an error.
    assert page(client, people.admin, "mail:notificationtemplate_add",
                event="nonsense").status_code == 200


def test_a_template_that_does_not_render_is_a_form_error_naming_its_field(client, people):
    client.force_login(people.admin)
    cases = {
        "text_body": "Hello {% if %}",
        "subject": "{{ title|no_such_filter }}",
        "html_body": "<p>{% url 'servicedesk:nowhere' %}</p>",
    }
    labels = {"text_body": "Plain-text body", "subject": "Subject", "html_body": "HTML body"}
    for field, value in cases.items():
        response = client.post(reverse("mail:notificationtemplate_add"),
                               template_form(**{field: value}))
        assert response.status_code == 400, field
        errors = response.context["form"].errors
        assert list(errors) == [field]
        assert errors[field][0].startswith(f"{labels[field]}: This does not work as a template")
        assert "There is a problem" in text_of(response)
    assert not NotificationTemplate.objects.exists()


def test_an_html_template_may_not_turn_escaping_off(client, people):
    client.force_login(people.admin)
    for html in ("<p>{{ body|safe }}</p>", "{% autoescape off %}{{ body }}{% endautoescape %}"):
        response = client.post(reverse("mail:notificationtemplate_add"),
                               template_form(html_body=html))
        assert response.status_code == 400
        assert "must stay escaped" in response.context["form"].errors["html_body"][0]


def test_a_template_is_saved_changed_and_its_event_taken_once(client, people):
    client.force_login(people.manager)
    response = client.post(reverse("mail:notificationtemplate_add"), template_form())
    assert response.status_code == 302, text_of(response)
    template = NotificationTemplate.objects.get()
    again = client.post(reverse("mail:notificationtemplate_add"),
                        template_form(submission_key="t2"))
    assert again.status_code == 400
    assert "There is already a template for “Ticket resolved (to the requester)”" in \
        text_of(again)
    changed = client.post(reverse("mail:notificationtemplate_edit", args=[template.pk]),
                          template_form(text_body="Fixed: {{ title }}", version=1))
    assert changed.status_code == 302
    template.refresh_from_db()
    assert template.text_body == "Fixed: {{ title }}" and template.version == 2
    bad = client.post(reverse("mail:notificationtemplate_edit", args=[template.pk]),
                      template_form(text_body="{% endif %}", version=2))
    assert bad.status_code == 400
    template.refresh_from_db()
    assert template.text_body == "Fixed: {{ title }}"


def test_every_event_shows_which_wording_it_uses(client, people):
    own = NotificationTemplateFactory(organisation=people.admin.memberships.get().organisation,
                                      event=notices.ASSIGNED, subject="Yours: {{ reference }}")
    NotificationTemplateFactory(organisation=people.other, event=notices.RESOLVED,
                                subject="Theirs {{ reference }}")
    response = page(client, people.admin, "mail:notificationtemplate_events")
    assert response.status_code == 200
    groups = dict(response.context["groups"])
    rows = {row["event"].key: row["template"] for found in groups.values() for row in found}
    registered = set(notifications.registry.notification_events)
    assert set(rows) == registered
    assert {row["event"].key for row in groups["Service desk"]} == {e.key for e in notices.EVENTS}
    assert rows[notices.ASSIGNED] == own
    assert all(rows[e] is None for e in registered if e != notices.ASSIGNED)
    body = text_of(response)
    assert "Theirs" not in body and "Yours: {{ reference }}" in body
    assert "?event=ticket-resolved" in body  # write your own, from Borough's wording
    assert body.count("Borough's default") == len(registered) - 1

    reader = page(client, people.auditor, "mail:notificationtemplate_events")
    assert reader.status_code == 200 and "?event=" not in text_of(reader)
    assert page(client, people.requester, "mail:notificationtemplate_events").status_code == 403
    assert page(client, people.agent, "mail:notificationtemplate_add").status_code == 403
    assert page(client, people.other_admin, "mail:notificationtemplate_detail",
                own.pk).status_code == 404


# --- email notifications (preferences) ----------------------------------------------------

def choices(**overrides):
    return {event: Delivery.IMMEDIATELY for event in preference_keys()} | overrides


def test_a_member_of_staff_chooses_how_they_hear(client, people, desk):
    response = page(client, people.agent, "mail:preferences")
    assert response.status_code == 200
    body = text_of(response)
    staff_events = len(preference_keys())
    assert body.count('type="radio"') == staff_events * len(Delivery)
    assert body.count("checked") == staff_events  # "straight away" for each, with no rows
    assert body.count("<legend") == staff_events
    # The requester's acknowledgement and resolution are theirs, whatever staff choose.
    assert "Ticket received" not in body and "Ticket resolved" not in body

    wanted = choices(**{"sla-warning": Delivery.DIGEST, "ticket-reply": Delivery.OFF})
    saved = client.post(reverse("mail:preferences"), wanted)
    assert saved.status_code == 302
    rows = dict(NotificationPreference.objects.filter(user=people.agent)
                .values_list("event", "delivery"))
    assert rows == {"sla-warning": "digest", "ticket-reply": "off"}  # none for the default
    assert set(NotificationPreference.objects.values_list("organisation_id", flat=True)) == {
        desk.org.pk}

    again = page(client, people.agent, "mail:preferences")
    form = again.context["form"]
    assert form["sla-warning"].value() == "digest" and form["ticket-reply"].value() == "off"
    assert form["ticket-reopened"].value() == "immediately"
    assert "Your email notifications are saved" in text_of(again)

    back = client.post(reverse("mail:preferences"), choices())
    assert back.status_code == 302
    assert set(NotificationPreference.objects.filter(user=people.agent)
               .values_list("delivery", flat=True)) == {"immediately"}
    # Somebody else's choices are their own.
    client.force_login(people.lead)
    client.post(reverse("mail:preferences"), choices(**{"sla-breach": Delivery.OFF}))
    assert NotificationPreference.objects.get(user=people.lead).event == "sla-breach"
    assert NotificationPreference.objects.filter(user=people.agent).count() == 2


def test_a_bad_choice_is_a_form_error(client, people):
    client.force_login(people.agent)
    response = client.post(reverse("mail:preferences"),
                           choices(**{"ticket-assigned": "carrier-pigeon"}) | {"sla-breach": ""})
    assert response.status_code == 400
    body = text_of(response)
    assert "Choose how to hear about: Ticket assigned." in body
    assert "Choose how to hear about: SLA breach." in body
    assert not NotificationPreference.objects.exists()


def test_only_people_who_work_tickets_have_email_notifications(client, people):
    for user in (people.requester, people.auditor):
        response = page(client, user, "mail:preferences")
        assert response.status_code == 403
        assert "Email notifications are for people who work service desk tickets" in \
            text_of(response)
        client.force_login(user)
        assert client.post(reverse("mail:preferences"), choices()).status_code == 403
    assert not NotificationPreference.objects.exists()
    assert page(client, people.manager, "mail:preferences").status_code == 200


def test_the_notifications_page_links_to_email_notifications(client, people):
    link = reverse("mail:preferences")
    assert link in text_of(page(client, people.agent, "core:notifications"))
    assert link not in text_of(page(client, people.requester, "core:notifications"))


# --- the quarantine ---------------------------------------------------------------------------

def test_the_list_opens_on_the_quarantine(client, people, mailbox):
    stuck = quarantined(mailbox, subject="Stuck one")
    blank = quarantined(mailbox, subject="")
    fine = inbound.deliver(email(subject="Printer jams"), mailbox=mailbox, via="smtp")
    assert fine.outcome == Outcome.TICKET
    InboundMessageFactory(organisation=people.other, subject="Their secret")

    response = page(client, people.auditor, "mail:inboundmessage_list")
    assert response.status_code == 200
    body = text_of(response)
    assert "Stuck one" in body and "Printer jams" not in body and "Their secret" not in body
    assert reverse("mail:inboundmessage_detail", args=[stuck.pk]) in body
    assert f'{reverse("mail:inboundmessage_detail", args=[blank.pk])}">(no subject)' in body

    everything = text_of(page(client, people.auditor, "mail:inboundmessage_list", outcome=""))
    assert "Stuck one" in everything and "Printer jams" in everything
    assert fine.thread.reference in everything
    assert "Their secret" not in everything
    tickets = text_of(page(client, people.auditor, "mail:inboundmessage_list", outcome="ticket"))
    assert "Printer jams" in tickets and "Stuck one" not in tickets
    found = text_of(page(client, people.auditor, "mail:inboundmessage_list", outcome="",
                         q="printer"))
    assert "Printer jams" in found and "Stuck one" not in found

    bad = page(client, people.auditor, "mail:inboundmessage_list", colour="red")
    assert bad.status_code == 400 and "Unknown parameter colour" in text_of(bad)
    wrong = page(client, people.auditor, "mail:inboundmessage_list", outcome="lost")
    assert wrong.status_code == 200 and "Stuck one" not in text_of(wrong)

    csv = page(client, people.auditor, "mail:inboundmessage_export", "csv")
    assert csv.status_code == 200
    exported = csv.content.decode()
    assert "Stuck one" in exported and "Printer jams" not in exported
    assert "Their secret" not in exported


def test_the_message_page_shows_what_became_of_it(client, people, mailbox):
    raw = unreadable()
    record = inbound.deliver(raw, mailbox=mailbox, via="smtp")
    assert inbound.deliver(raw, mailbox=mailbox, via="smtp").pk == record.pk  # again
    record.refresh_from_db()
    assert record.duplicates == 1
    response = page(client, people.admin, "mail:inboundmessage_detail", record.pk)
    assert response.status_code == 200
    body = text_of(response)
    for text in ("rita@copeland.example.gov.uk", "Strange characters", "x-unknown-charset",
                 "IT help &lt;ithelp@copeland.example.gov.uk&gt;", "Quarantined",
                 ">Release</button>", "Download the original (.eml)"):
        assert text in body, text
    assert "1 time (counted once)" in body


def test_released_from_the_page_it_opens_a_ticket(client, people, mailbox,
                                                  django_capture_on_commit_callbacks):
    record = quarantined(mailbox)
    client.force_login(people.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mail:inboundmessage_release", args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.outcome == Outcome.TICKET and record.thread is not None
    assert record.thread.description.startswith("Caf\ufffd printer broken")
    assert not record.raw_name
    shown = client.get(response["Location"])
    body = text_of(shown)
    assert f"Released: it opened ticket {record.thread.reference}." in body
    assert record.thread.get_absolute_url() in body
    # The text is escaped, never markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    assert ">Release</button>" not in body
    history = text_of(client.get(reverse("mail:inboundmessage_history", args=[record.pk])))
    assert "Released from the quarantine." in history
    # Its original is gone with the quarantine.
    assert client.get(reverse("mail:inboundmessage_raw", args=[record.pk])).status_code == 404
    again = client.post(reverse("mail:inboundmessage_release", args=[record.pk]))
    assert again.status_code == 400
    assert "no longer in the quarantine" in text_of(again)


def test_a_release_that_fails_says_why_on_the_page(client, people, mailbox):
    no_sender = b"To: ithelp@copeland.example.gov.uk\r\nSubject: Who am I\r\n\r\nbody\r\n"
    record = inbound.deliver(no_sender, mailbox=mailbox, via="smtp")
    assert record.outcome == Outcome.QUARANTINED
    client.force_login(people.admin)
    response = client.post(reverse("mail:inboundmessage_release", args=[record.pk]))
    assert response.status_code == 400
    body = text_of(response)
    assert "govuk-error-summary" in body and "It still cannot be read" in body
    assert "<title>Error: " in body
    record.refresh_from_db()
    assert record.outcome == Outcome.QUARANTINED and record.raw_name


def test_discarded_after_confirming_with_a_reason(client, people, mailbox):
    record = quarantined(mailbox)
    confirm = page(client, people.admin, "mail:inboundmessage_discard", record.pk)
    assert confirm.status_code == 200
    assert '<form method="post"' in text_of(confirm)
    record.refresh_from_db()
    assert record.outcome == Outcome.QUARANTINED  # a GET changes nothing
    response = client.post(reverse("mail:inboundmessage_discard", args=[record.pk]),
                           {"reason": "Spam about printer toner"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.outcome == Outcome.DISCARDED and "Spam about printer toner" in record.reason
    assert not record.raw_name
    event = AuditEvent.objects.get(object_id=record.pk, content_type__model="inboundmessage")
    assert "Spam about printer toner" in event.note
    again = client.post(reverse("mail:inboundmessage_discard", args=[record.pk]), {})
    assert again.status_code == 400 and "no longer in the quarantine" in text_of(again)
    too_long = quarantined(mailbox)
    refused = client.post(reverse("mail:inboundmessage_discard", args=[too_long.pk]),
                          {"reason": "x" * 501})
    assert refused.status_code == 400
    too_long.refresh_from_db()
    assert too_long.outcome == Outcome.QUARANTINED


def test_the_original_downloads_as_an_attachment_while_quarantined(client, people, mailbox):
    raw = unreadable(subject="Keep me")
    record = inbound.deliver(raw, mailbox=mailbox, via="smtp")
    response = page(client, people.admin, "mail:inboundmessage_raw", record.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="message-{record.pk}.eml"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == raw
    # Only those who decide what happens to it; no other council.
    assert page(client, people.auditor, "mail:inboundmessage_raw", record.pk).status_code == 403
    assert page(client, people.other_admin, "mail:inboundmessage_raw",
                record.pk).status_code == 404
    client.force_login(people.admin)
    client.post(reverse("mail:inboundmessage_discard", args=[record.pk]), {})
    assert client.get(reverse("mail:inboundmessage_raw", args=[record.pk])).status_code == 404


def test_who_may_see_release_and_discard(client, people, mailbox):
    record = quarantined(mailbox)
    for user in (people.auditor, people.agent):
        response = page(client, user, "mail:inboundmessage_detail", record.pk)
        assert response.status_code == 200
        assert ">Release</button>" not in text_of(response)
        assert "An ICT manager or administrator can release or discard it" in text_of(response)
        client.force_login(user)
        assert client.post(reverse("mail:inboundmessage_release",
                                   args=[record.pk])).status_code == 403
        assert client.post(reverse("mail:inboundmessage_discard",
                                   args=[record.pk])).status_code == 403
        assert client.get(reverse("mail:inboundmessage_discard",
                                  args=[record.pk])).status_code == 403
    assert page(client, people.requester, "mail:inboundmessage_list").status_code == 403
    assert page(client, people.requester, "mail:inboundmessage_detail",
                record.pk).status_code == 403
    for name in ("mail:inboundmessage_detail", "mail:inboundmessage_history",
                 "mail:inboundmessage_discard"):
        assert page(client, people.other_admin, name, record.pk).status_code == 404
    client.force_login(people.other_admin)
    assert client.post(reverse("mail:inboundmessage_release",
                               args=[record.pk])).status_code == 404
    client.force_login(people.admin)
    assert client.get(reverse("mail:inboundmessage_release", args=[record.pk])).status_code == 405
    record.refresh_from_db()
    assert record.outcome == Outcome.QUARANTINED


# --- the sent-email log -------------------------------------------------------------------

def test_the_sent_log_shows_where_emails_went_but_not_their_words(client, people, desk):
    sent = OutboundEmailFactory(organisation=desk.org, subject="[INC-000001] Assigned",
                                text="Open it: https://borough.example/mail/t/secret-token/")
    failed = OutboundEmailFactory(organisation=desk.org, subject="Bounced one",
                                  status="failed", error="SMTPRecipientsRefused: <nobody>")
    theirs = OutboundEmailFactory(organisation=people.other, subject="Their email")
    listing = page(client, people.auditor, "mail:outboundemail_list")
    assert listing.status_code == 200
    body = text_of(listing)
    assert "[INC-000001] Assigned" in body and "Bounced one" in body
    assert "Their email" not in body
    only_failed = text_of(page(client, people.auditor, "mail:outboundemail_list",
                               status="failed"))
    assert "Bounced one" in only_failed and "[INC-000001] Assigned" not in only_failed
    detail = page(client, people.auditor, "mail:outboundemail_detail", sent.pk)
    assert detail.status_code == 200
    assert sent.recipient in text_of(detail) and "secret-token" not in text_of(detail)
    failure = text_of(page(client, people.auditor, "mail:outboundemail_detail", failed.pk))
    assert "SMTPRecipientsRefused: &lt;nobody&gt;" in failure
    assert page(client, people.other_admin, "mail:outboundemail_detail",
                theirs.pk).status_code == 200 and page(
        client, people.admin, "mail:outboundemail_detail", theirs.pk).status_code == 404
    assert page(client, people.requester, "mail:outboundemail_list").status_code == 403
    export = page(client, people.auditor, "mail:outboundemail_export", "csv")
    assert export.status_code == 200 and "Their email" not in export.content.decode()


def test_the_email_menu(client, people):
    body = text_of(page(client, people.auditor, "core:home"))
    for url in ("mail:inboundmessage_list", "mail:outboundemail_list", "mail:mailbox_list",
                "mail:notificationtemplate_events"):
        assert reverse(url) in body
    assert reverse("mail:inboundmessage_list") not in text_of(
        page(client, people.requester, "core:home"))


def test_the_lists_name_each_record_without_a_query_a_row(client, people, mailbox):
    """What each message or email is about comes from any module (content type and id):
    the lists read them once per kind of record, however many rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(name) -> int:
        client.force_login(people.auditor)
        with CaptureQueriesContext(connection) as done:
            response = client.get(reverse(name), {"outcome": ""} if "inbound" in name else {})
        assert response.status_code == 200
        return len(done)

    for n in range(2):
        inbound.deliver(email(subject=f"Printer {n}"), mailbox=mailbox, via="smtp")
    lists = ("mail:inboundmessage_list", "mail:outboundemail_list")
    for name in lists:
        queries_for(name)  # once to warm the caches (content types, the login's roles)
    few = {name: queries_for(name) for name in lists}
    for n in range(2, 6):
        inbound.deliver(email(subject=f"Printer {n}"), mailbox=mailbox, via="smtp")
    for name, count in few.items():
        assert queries_for(name) == count, name
    body = text_of(page(client, people.auditor, "mail:outboundemail_list"))
    assert "INC-000006" in body and "INC-000001" in body
    newest_first = text_of(page(client, people.auditor, "mail:inboundmessage_list",
                                outcome="", sort="-thread"))
    assert newest_first.index("INC-000006") < newest_first.index("INC-000001")


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL", "MAIL_EDC_PASSWORD",
                                  "MAIL_CBC_"])
def test_the_password_variable_must_be_this_councils_mail_variable(client, people, name):
    """Another setting, or another council's password, is never sent to an IMAP server a
    council's administrator names."""
    client.force_login(people.admin)
    response = client.post(reverse("mail:mailbox_add"),
                           MAILBOX_FORM | {"imap_password_env": name})
    assert response.status_code == 400
    assert "must start with MAIL_CBC_" in text_of(response)
    assert not Mailbox.objects.exists()
