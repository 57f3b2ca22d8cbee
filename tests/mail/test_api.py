"""The email API: mailboxes and notification templates (through the mail services),
received messages with release and discard, the sent-email log, and the caller's own
email preferences."""

from __future__ import annotations

import pytest

from borough.accounts import services as accounts
from borough.core.models import AuditEvent
from borough.mail import inbound
from borough.mail.models import (
    Mailbox,
    NotificationPreference,
    NotificationTemplate,
    Outcome,
)
from borough.mail.services import preference_keys
from borough.servicedesk import notices
from tests.factories import (
    InboundMessageFactory,
    NotificationTemplateFactory,
    OutboundEmailFactory,
)
from tests.mail.test_pages import make_people, quarantined
from tests.smtp import email

pytestmark = pytest.mark.django_db

MAILBOXES = "/api/mail/mailboxes/"
TEMPLATES = "/api/mail/notification-templates/"
MESSAGES = "/api/mail/messages/"
SENT = "/api/mail/sent/"
PREFERENCES = "/api/mail/preferences/"


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"


@pytest.fixture
def people(desk):
    return make_people(desk)


# --- mailboxes ----------------------------------------------------------------------------

def test_a_mailbox_is_added_in_lower_case_and_becomes_the_only_default(signed_in, people,
                                                                       mailbox):
    api = signed_in(people.manager, api=True)
    response = api.post(MAILBOXES, {"name": "Revenues", "address": "Revenues@Copeland.Gov.UK",
                                    "is_default": True}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["address"] == "revenues@copeland.gov.uk" and data["is_default"]
    assert data["last_polled_at"] is None and data["last_poll_error"] == ""
    mailbox.refresh_from_db()
    assert not mailbox.is_default

    changed = api.patch(f"{MAILBOXES}{mailbox.pk}/", {"is_default": True},
                        HTTP_IF_MATCH=f'"{mailbox.version}"', format="json")
    assert changed.status_code == 200, changed.content
    assert not Mailbox.objects.get(pk=data["id"]).is_default
    assert Mailbox.objects.filter(is_default=True).get() == mailbox


def test_mailbox_mistakes_are_400s_with_clear_messages(signed_in, people, mailbox):
    api = signed_in(people.admin, api=True)
    taken = api.post(MAILBOXES, {"name": "Copy", "address": mailbox.address.upper()},
                     format="json")
    assert taken.status_code == 400
    assert taken.json()["address"] == ["Another mailbox already uses this address. An address "
                                       "can belong to only one mailbox in Borough."]
    env = api.post(MAILBOXES, {"name": "Imap", "address": "imap@copeland.gov.uk",
                               "imap_password_env": "my password"}, format="json")
    assert env.status_code == 400
    assert "environment variable" in env.json()["imap_password_env"][0]
    not_an_address = api.post(MAILBOXES, {"name": "x", "address": "not an address"},
                              format="json")
    assert not_an_address.status_code == 400 and "address" in not_an_address.json()
    written = api.patch(f"{MAILBOXES}{mailbox.pk}/", {"last_poll_error": "forged",
                                                      "imap_password_env": "lower_case"},
                        HTTP_IF_MATCH='"1"', format="json")
    assert written.status_code == 400
    mailbox.refresh_from_db()
    assert mailbox.imap_password_env == "" and mailbox.last_poll_error == ""
    assert Mailbox.objects.count() == 1
    other = Mailbox.objects.create(organisation=mailbox.organisation, name="Other",
                                   address="other@copeland.gov.uk")
    moved = api.patch(f"{MAILBOXES}{other.pk}/", {"address": mailbox.address.upper()},
                      HTTP_IF_MATCH='"1"', format="json")
    assert moved.status_code == 400 and "already uses this address" in moved.json()["address"][0]
    renamed = api.patch(f"{MAILBOXES}{other.pk}/", {"address": " New@Copeland.gov.uk "},
                        HTTP_IF_MATCH='"1"', format="json")
    assert renamed.status_code == 200 and renamed.json()["address"] == "new@copeland.gov.uk"


# --- notification templates ---------------------------------------------------------------

def test_templates_are_checked_to_render(signed_in, people):
    api = signed_in(people.admin, api=True)
    bad = api.post(TEMPLATES, {"event": "ticket-created", "subject": "{{ summary }}",
                               "text_body": "Hello {% for %}", "html_body": "{{ body|safe }}"},
                   format="json")
    assert bad.status_code == 400
    errors = bad.json()
    assert set(errors) == {"text_body", "html_body"}
    assert errors["text_body"][0].startswith("This does not work as a template")
    assert "escaped" in errors["html_body"][0]
    good = api.post(TEMPLATES, {"event": "ticket-created", "subject": "{{ summary }}",
                                "text_body": "Hello {{ recipient_name }}"}, format="json")
    assert good.status_code == 201, good.content
    twice = api.post(TEMPLATES, {"event": "ticket-created", "subject": "{{ summary }}",
                                 "text_body": "Again"}, format="json")
    assert twice.status_code == 400
    assert "There is already a template" in str(twice.json())
    pk = good.json()["id"]
    broken = api.patch(f"{TEMPLATES}{pk}/", {"subject": "{% if %}"}, HTTP_IF_MATCH='"1"',
                       format="json")
    assert broken.status_code == 400 and "subject" in broken.json()
    assert NotificationTemplate.objects.get().subject == "{{ summary }}"
    assert signed_in(people.agent, api=True).post(TEMPLATES, {"event": "sla-breach", "subject": "x",
                                                  "text_body": "y"},
                                      format="json").status_code == 403


def test_templates_of_another_council_are_not_there(signed_in, people):
    theirs = NotificationTemplateFactory(organisation=people.other, event=notices.REPLY)
    api = signed_in(people.admin, api=True)
    assert api.get(TEMPLATES).json()["count"] == 0
    assert api.get(f"{TEMPLATES}{theirs.pk}/").status_code == 404
    # The same event is free here.
    made = api.post(TEMPLATES, {"event": notices.REPLY, "subject": "{{ summary }}",
                                "text_body": "{{ body }}"}, format="json")
    assert made.status_code == 201


# --- received messages and the quarantine -------------------------------------------------

def test_messages_are_listed_and_filtered_read_only(signed_in, people, mailbox):
    stuck = quarantined(mailbox)
    fine = inbound.deliver(email(), mailbox=mailbox, via="smtp")
    InboundMessageFactory(organisation=people.other)
    api = signed_in(people.auditor, api=True)
    everything = api.get(MESSAGES).json()
    assert {row["id"] for row in everything["results"]} == {stuck.pk, fine.pk}
    only = api.get(MESSAGES, {"outcome": "quarantined"}).json()["results"]
    assert [row["id"] for row in only] == [stuck.pk]
    assert only[0]["original_kept"] is True and "raw_name" not in only[0]
    assert api.get(MESSAGES, {"outcome": "lost"}).status_code == 400
    assert api.get(MESSAGES, {"sender": "x"}).status_code == 400  # not a filter
    detail = api.get(f"{MESSAGES}{fine.pk}/").json()
    assert detail["outcome"] == "ticket" and detail["ticket"] == fine.thread_id
    assert (detail["thread_type"], detail["thread_id"]) == ("servicedesk.ticket", fine.thread_id)
    assert detail["handled_by"] == "Service desk"
    # Permissions are checked first (no one may add messages), then the method.
    assert api.post(MESSAGES, {"subject": "forged"}, format="json").status_code in (403, 405)
    assert api.patch(f"{MESSAGES}{fine.pk}/", {"subject": "x"},
                     format="json").status_code == 403
    # Administrators release and discard, but edit nothing.
    admin = signed_in(people.admin, api=True)
    assert admin.patch(f"{MESSAGES}{fine.pk}/", {"subject": "x"},
                       format="json").status_code == 405
    assert admin.delete(f"{MESSAGES}{fine.pk}/").status_code in (403, 405)
    fine.refresh_from_db()
    assert fine.subject == "Printer jams"


def test_release_over_the_api_opens_a_ticket(signed_in, people, mailbox,
                                             django_capture_on_commit_callbacks):
    record = quarantined(mailbox)
    for user in (people.auditor, people.agent):
        refused = signed_in(user, api=True).post(f"{MESSAGES}{record.pk}/release/")
        assert refused.status_code == 403
    assert signed_in(people.other_admin, api=True).post(f"{MESSAGES}{record.pk}/release/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(people.admin, api=True).post(f"{MESSAGES}{record.pk}/release/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["outcome"] == "ticket" and data["ticket"] and not data["original_kept"]
    again = signed_in(people.admin, api=True).post(f"{MESSAGES}{record.pk}/release/")
    assert again.status_code == 400
    assert "no longer in the quarantine" in str(again.json())


def test_a_release_that_cannot_read_it_is_a_400(signed_in, people, mailbox):
    record = inbound.deliver(b"To: ithelp@copeland.example.gov.uk\r\nSubject: ?\r\n\r\nx\r\n",
                             mailbox=mailbox, via="smtp")
    response = signed_in(people.manager, api=True).post(f"{MESSAGES}{record.pk}/release/")
    assert response.status_code == 400
    assert "It still cannot be read" in str(response.json())
    record.refresh_from_db()
    assert record.outcome == Outcome.QUARANTINED


def test_discard_over_the_api_keeps_the_reason(signed_in, people, mailbox):
    record = quarantined(mailbox)
    assert signed_in(people.auditor, api=True).post(f"{MESSAGES}{record.pk}/discard/",
                                        {"reason": "x"}).status_code == 403
    response = signed_in(people.admin, api=True).post(f"{MESSAGES}{record.pk}/discard/",
                                          {"reason": "Newsletter"}, format="json")
    assert response.status_code == 200
    assert response.json()["outcome"] == "discarded"
    assert "Newsletter" in response.json()["reason"]
    assert AuditEvent.objects.filter(object_id=record.pk, action="event").count() == 1
    too_long = quarantined(mailbox)
    refused = signed_in(people.admin, api=True).post(f"{MESSAGES}{too_long.pk}/discard/",
                                         {"reason": "x" * 501}, format="json")
    assert refused.status_code == 400


# --- the sent-email log ---------------------------------------------------------------------

def test_the_sent_log_is_read_only_and_holds_no_words(signed_in, people, desk):
    ours = OutboundEmailFactory(organisation=desk.org, text="signed link inside",
                                context={"url": "https://x/t/secret/"})
    OutboundEmailFactory(organisation=people.other)
    failed = OutboundEmailFactory(organisation=desk.org, status="failed")
    api = signed_in(people.auditor, api=True)
    rows = api.get(SENT).json()["results"]
    assert {row["id"] for row in rows} == {ours.pk, failed.pk}
    assert not {"text", "html", "context"} & set(rows[0])
    assert [r["id"] for r in api.get(SENT, {"status": "failed"}).json()["results"]] == [
        failed.pk]
    assert api.post(SENT, {}, format="json").status_code in (403, 405)
    assert signed_in(people.requester, api=True).get(SENT).status_code == 403


# --- email preferences ------------------------------------------------------------------------

def test_preferences_round_trip(signed_in, people, desk):
    api = signed_in(people.agent, api=True)
    first = api.get(PREFERENCES)
    assert first.status_code == 200
    assert {row["event"]: row["delivery"] for row in first.json()} == {
        event: "immediately" for event in preference_keys()}
    assert {"event": "ticket-reply", "label": "Public reply",
            "delivery": "immediately"} in first.json()

    put = api.put(PREFERENCES, [{"event": "sla-warning", "delivery": "digest"},
                                {"event": "ticket-assigned", "delivery": "off"}], format="json")
    assert put.status_code == 200, put.content
    chosen = {row["event"]: row["delivery"] for row in put.json()}
    assert chosen["sla-warning"] == "digest" and chosen["ticket-assigned"] == "off"
    assert chosen["ticket-reopened"] == "immediately"
    assert {row["event"]: row["delivery"] for row in api.get(PREFERENCES).json()} == chosen
    assert NotificationPreference.objects.filter(user=people.agent,
                                                 organisation=desk.org).count() == 2

    bad = api.put(PREFERENCES, [{"event": "sla-warning", "delivery": "pigeon"},
                                {"event": "lunch", "delivery": "off"}], format="json")
    assert bad.status_code == 400
    requesters_own = api.put(PREFERENCES, [{"event": "ticket-resolved", "delivery": "off"}],
                             format="json")
    assert requesters_own.status_code == 400
    assert NotificationPreference.objects.get(user=people.agent,
                                              event="sla-warning").delivery == "digest"
    assert api.post(PREFERENCES, [], format="json").status_code == 405


def test_preferences_are_for_staff_who_work_tickets(signed_in, people):
    for user in (people.requester, people.auditor):
        api = signed_in(user, api=True)
        response = api.get(PREFERENCES)
        assert response.status_code == 403
        assert "people who work service desk tickets" in response.json()["detail"]
        assert api.put(PREFERENCES, [{"event": "sla-breach", "delivery": "off"}],
                       format="json").status_code == 403
    assert not NotificationPreference.objects.exists()


def test_a_read_only_token_reads_preferences_but_cannot_change_them(api_client, people, desk):
    token, secret = accounts.create_token(people.agent, actor=people.agent, name="phone",
                                          read_only=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api_client.get(PREFERENCES).status_code == 200
    response = api_client.put(PREFERENCES, [{"event": "sla-breach", "delivery": "off"}],
                              format="json")
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    assert not NotificationPreference.objects.exists()


def test_the_schema_describes_the_email_api(client, people):
    client.force_login(people.admin)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"get", "put"} <= set(paths[PREFERENCES])
    assert "post" in paths[f"{MESSAGES}{{id}}/release/"]
    assert "post" in paths[f"{MESSAGES}{{id}}/discard/"]
    assert set(paths[SENT]) == {"get"}
    assert {"get", "post"} <= set(paths[MAILBOXES]) and TEMPLATES in paths
