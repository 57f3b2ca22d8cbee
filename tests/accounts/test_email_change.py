"""Changing one's own email address (SECURITY.md rules 16 and 17), and throttling of
password-reset requests."""

from __future__ import annotations

import html
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from borough.accounts.models import EmailChange
from borough.core import roles
from borough.core.models import AuditAction, AuditEvent
from borough.organisation.models import Person
from tests.conftest import PASSWORD, make_member
from tests.factories import MembershipFactory, PersonFactory

CHANGE = reverse("accounts:email_change")
PROFILE = reverse("accounts:profile")
RESET = reverse("accounts:password_reset")
OLD = "alice@copeland.gov.uk"
NEW = "alice.ash@copeland.gov.uk"


@pytest.fixture
def alice(org_a):
    user = make_member(org_a, roles.REQUESTER, "alice")
    user.email = OLD
    user.save()
    return user


@pytest.fixture
def bob(org_a):
    user = make_member(org_a, roles.REQUESTER, "bob")
    user.email = "bob@copeland.gov.uk"
    user.save()
    return user


@pytest.fixture
def browser(signed_in, alice):
    return signed_in(alice)


def body(response) -> str:
    return html.unescape(response.content.decode())


def confirm_path(message) -> str:
    match = re.search(r"https?://testserver(/accounts/email/confirm/[^\s/]+/)", message.body)
    assert match, message.body
    return match.group(1)


def ask(client, email=NEW, password=PASSWORD, **extra):
    # Mail goes out when the transaction commits; run those callbacks here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(CHANGE, {"email": email, "password": password, **extra})


# --- The happy path ------------------------------------------------------------------------


def test_profile_links_to_the_change_page(browser):
    assert CHANGE in browser.get(PROFILE).content.decode()
    page = browser.get(CHANGE)
    assert page.status_code == 200
    assert "Change your email address" in body(page)
    assert 'name="email"' in body(page) and 'name="password"' in body(page)


def test_change_is_confirmed_from_the_new_address_then_applied(browser, alice, org_a, org_b):
    own = PersonFactory(organisation=org_a, user=alice, email=OLD)
    MembershipFactory(user=alice, organisation=org_b,
                      role=Group.objects.get(name=roles.REQUESTER))
    elsewhere = PersonFactory(organisation=org_b, user=alice, email=OLD)
    stranger = PersonFactory(organisation=org_a, email=OLD)

    response = ask(browser)
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert f"We have sent a link to {NEW}" in body(browser.get(PROFILE))

    assert len(mail.outbox) == 2
    confirm, notice = mail.outbox
    assert confirm.to == [NEW] and notice.to == [OLD]
    assert "one hour" in confirm.body
    assert NEW in notice.body and "/accounts/email/confirm/" not in notice.body
    # Plain text and HTML, the HTML with the link in it.
    assert confirm.alternatives[0][1] == "text/html"
    assert confirm_path(confirm) in confirm.alternatives[0][0]

    # Nothing changes until the POST confirmation.
    alice.refresh_from_db()
    assert alice.email == OLD
    link = confirm_path(confirm)
    page = browser.get(link)
    assert page.status_code == 200
    assert "Confirm new email address" in body(page) and NEW in body(page)
    alice.refresh_from_db()
    assert alice.email == OLD

    done = browser.post(link)
    assert done.status_code == 302 and done["Location"] == PROFILE
    alice.refresh_from_db()
    assert alice.email == NEW
    assert f"Your email address is now {NEW}" in body(browser.get(PROFILE))

    # The linked directory entries follow, in every organisation; others do not.
    own.refresh_from_db(), elsewhere.refresh_from_db(), stranger.refresh_from_db()
    assert own.email == NEW and elsewhere.email == NEW and stranger.email == OLD
    assert own.version == 2
    person_event = AuditEvent.objects.for_object(own).get(action=AuditAction.UPDATE)
    assert person_event.changes == {"email": [OLD, NEW]} and person_event.actor == alice

    # Audited on the user: the request and the change.
    events = AuditEvent.objects.for_object(alice)
    change = events.get(action=AuditAction.UPDATE)
    assert change.changes == {"email": [OLD, NEW]} and change.actor == alice
    assert events.filter(action=AuditAction.EVENT,
                         changes__email_change_requested=[None, NEW]).exists()


def test_the_link_works_once(browser, alice):
    ask(browser)
    link = confirm_path(mail.outbox[0])
    assert browser.post(link).status_code == 302
    again = browser.post(link)
    assert again.status_code == 400
    assert "This link does not work" in body(again)
    assert browser.get(link).status_code == 400
    assert EmailChange.objects.get().confirmed_at is not None


def test_the_link_expires_after_an_hour(client, alice):
    with time_machine.travel("2030-01-07 10:00 +0000", tick=False) as traveller:
        client.force_login(alice)
        ask(client)
        link = confirm_path(mail.outbox[0])
        traveller.shift(59 * 60)
        assert client.get(link).status_code == 200
        traveller.shift(2 * 60)
        expired = client.post(link)
    assert expired.status_code == 400
    assert "expired" in body(expired)
    alice.refresh_from_db()
    assert alice.email == OLD


def test_a_newer_request_replaces_the_earlier_link(browser, alice):
    ask(browser)
    first = confirm_path(mail.outbox[0])
    ask(browser, email="a.ash@copeland.gov.uk")
    second = confirm_path(mail.outbox[2])
    assert browser.post(first).status_code == 400
    assert browser.post(second).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "a.ash@copeland.gov.uk"


def test_a_mangled_link_is_refused(browser):
    response = browser.get(reverse("accounts:email_change_confirm", args=["not-a-token"]))
    assert response.status_code == 400
    assert "This link does not work" in body(response)


def test_emails_escape_the_address_in_html(browser, alice):
    odd = '"<b>x</b>"@copeland.gov.uk'
    assert ask(browser, email=odd).status_code == 302
    html_body = mail.outbox[0].alternatives[0][0]
    assert "<b>x</b>" not in html_body and "&lt;b&gt;x&lt;/b&gt;" in html_body


# --- Refusals ----------------------------------------------------------------------------


def test_wrong_password_is_refused_and_nothing_sent(browser, alice):
    response = ask(browser, password="not my password")
    assert response.status_code == 400
    assert "Your current password is not right" in body(response)
    assert mail.outbox == [] and not EmailChange.objects.exists()


@pytest.mark.parametrize("email,message", [
    ("", "Enter your new email address"),
    ("not-an-address", "Enter an email address in the correct format"),
    (OLD, "That is already your email address"),
    ("ALICE@Copeland.gov.uk", "That is already your email address"),
])
def test_invalid_or_unchanged_addresses_are_refused(browser, email, message):
    response = ask(browser, email=email)
    assert response.status_code == 400
    assert message in body(response)
    assert "govuk-error-summary" in body(response)
    assert mail.outbox == []


def test_an_address_another_account_uses_is_refused_in_any_case(browser, bob):
    response = ask(browser, email="BOB@copeland.gov.uk")
    assert response.status_code == 400
    assert "Another Borough account uses that email address" in body(response)
    assert mail.outbox == []


def test_an_address_taken_before_confirming_is_refused(browser, alice, bob):
    ask(browser)
    link = confirm_path(mail.outbox[0])
    bob.email = NEW.upper()
    bob.save()
    response = browser.post(link)
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.email == OLD


def test_another_users_link_is_refused(client, alice, bob):
    client.force_login(alice)
    ask(client)
    link = confirm_path(mail.outbox[0])
    other = Client()
    other.force_login(bob)
    assert other.get(link).status_code == 400
    assert other.post(link).status_code == 400
    bob.refresh_from_db(), alice.refresh_from_db()
    assert bob.email == "bob@copeland.gov.uk" and alice.email == OLD
    # Alice can still use it.
    assert client.post(link).status_code == 302


def test_signed_out_the_link_asks_to_sign_in_first(client, alice):
    client.force_login(alice)
    ask(client)
    link = confirm_path(mail.outbox[0])
    client.logout()
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    alice.refresh_from_db()
    assert alice.email == OLD


def test_confirmation_needs_post_with_a_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(CHANGE)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert ask(client).status_code == 403
    assert mail.outbox == []
    ask(client, csrfmiddlewaretoken=token.group(1))
    link = confirm_path(mail.outbox[0])

    for method in ("get", "head", "options"):
        getattr(client, method)(link)
    assert client.post(link).status_code == 403  # no CSRF token
    alice.refresh_from_db()
    assert alice.email == OLD
    confirm_page = client.get(link).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm_page)
    assert client.post(link, {"csrfmiddlewaretoken": token.group(1)}).status_code == 302
    alice.refresh_from_db()
    assert alice.email == NEW


def test_requests_are_limited_per_user(browser, settings):
    settings.EMAIL_CHANGE_LIMIT_PER_USER = 2
    assert ask(browser, password="wrong one").status_code == 400
    assert ask(browser).status_code == 302
    limited = ask(browser, email="third@copeland.gov.uk")
    assert limited.status_code == 429
    assert "too many times" in body(limited)


def test_directory_accounts_cannot_change_their_address_here(client, alice):
    alice.set_unusable_password()
    alice.save()
    client.force_login(alice)
    page = client.get(CHANGE)
    assert "council network account" in body(page) and 'name="password"' not in body(page)
    assert CHANGE not in client.get(PROFILE).content.decode()
    client.post(CHANGE, {"email": NEW, "password": ""})
    assert mail.outbox == []


def test_person_without_a_linked_account_is_untouched_by_services(alice, org_a):
    from borough.organisation.services import set_email_for_user

    PersonFactory(organisation=org_a, email=OLD)
    assert set_email_for_user(alice, email=NEW, actor=alice) == []
    assert Person.objects.get().email == OLD


# --- Password-reset throttling -------------------------------------------------------------


@pytest.mark.django_db
def test_reset_requests_are_limited_per_address_without_revealing_accounts(
    client, alice, settings
):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    for address in (OLD, "nobody@copeland.gov.uk"):
        for _ in range(2):
            assert client.post(RESET, {"email": address}).status_code == 302
    assert len(mail.outbox) == 2  # only for the account that exists

    known = client.post(RESET, {"email": OLD.upper()})
    unknown = client.post(RESET, {"email": "nobody@copeland.gov.uk"})
    assert known.status_code == unknown.status_code == 429
    assert "Too many reset links have been asked for" in body(known)
    csrf = re.compile(r'name="csrf-token" content="[^"]*"|csrfmiddlewaretoken" value="[^"]*"')
    assert (csrf.sub("", known.content.decode()).replace(OLD.upper(), "X")
            == csrf.sub("", unknown.content.decode()).replace("nobody@copeland.gov.uk", "X"))
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_reset_requests_are_limited_per_client_address(client, alice, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 3
    for n in range(3):
        assert client.post(RESET, {"email": f"person{n}@copeland.gov.uk"}).status_code == 302
    assert client.post(RESET, {"email": OLD}).status_code == 429
    assert mail.outbox == []
    # Another client address is not held up.
    other = client.post(RESET, {"email": OLD}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_reset_limits_end_with_their_window(client, alice, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    with time_machine.travel("2030-01-07 10:00 +0000", tick=False) as traveller:
        assert client.post(RESET, {"email": OLD}).status_code == 302
        assert client.post(RESET, {"email": OLD}).status_code == 429
        traveller.shift(61 * 60)
        assert client.post(RESET, {"email": OLD}).status_code == 302
    assert len(mail.outbox) == 2


def test_client_address_behind_trusted_proxies(rf, settings):
    from borough.accounts.throttle import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"


# --- Confirmation notice, pending change and cancelling --------------------------------------


def confirm(client, link):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(link)


def test_the_old_address_hears_when_the_change_is_confirmed(browser, alice):
    ask(browser)
    link = confirm_path(mail.outbox[0])
    mail.outbox.clear()
    assert confirm(browser, link).status_code == 302
    assert len(mail.outbox) == 1
    done = mail.outbox[0]
    assert done.to == [OLD] and NEW in done.body and "has been changed" in done.subject
    assert done.alternatives[0][1] == "text/html" and NEW in done.alternatives[0][0]


def test_the_profile_shows_a_pending_change_until_it_is_confirmed(browser, alice):
    assert 'id="pending-email-change"' not in browser.get(PROFILE).content.decode()
    ask(browser)
    page = body(browser.get(PROFILE))
    assert 'id="pending-email-change"' in page and NEW in page and "Cancel the change" in page
    assert browser.get("/api/accounts/me/").json()["pending_email"] == NEW
    confirm(browser, confirm_path(mail.outbox[0]))
    assert 'id="pending-email-change"' not in browser.get(PROFILE).content.decode()
    assert browser.get("/api/accounts/me/").json()["pending_email"] is None


def test_an_expired_change_is_no_longer_shown_as_pending(browser, alice):
    with time_machine.travel("2026-05-01 10:00Z", tick=False):
        ask(browser)
    with time_machine.travel("2026-05-01 11:01Z", tick=False):
        assert 'id="pending-email-change"' not in browser.get(PROFILE).content.decode()


def test_cancelling_a_change_stops_its_link_and_is_audited(browser, alice):
    ask(browser)
    link = confirm_path(mail.outbox[0])
    cancel = reverse("accounts:email_change_cancel")
    assert browser.get(cancel).status_code == 405  # POST only
    response = browser.post(cancel)
    assert response.status_code == 302 and response["Location"] == PROFILE
    page = body(browser.get(PROFILE))
    assert f"The change to {NEW} is cancelled" in page and 'id="pending-email-change"' not in page
    assert EmailChange.objects.get().cancelled_at is not None
    assert AuditEvent.objects.filter(object_id=alice.pk, action=AuditAction.EVENT,
                                     changes__has_key="email_change_cancelled").exists()
    assert "no longer works" in body(browser.get(link)) or browser.get(link).status_code == 400
    confirm(browser, link)
    alice.refresh_from_db()
    assert alice.email == OLD
    # Nothing left to cancel: said plainly, nothing changes.
    assert "no email address change waiting" in body(browser.post(cancel, follow=True))


def test_someone_else_cannot_cancel_anothers_change(browser, alice, bob):
    from django.core.exceptions import PermissionDenied

    from borough.accounts import services

    ask(browser)
    with pytest.raises(PermissionDenied):
        services.cancel_email_change(alice, actor=bob)
    other = Client()
    other.force_login(bob)
    other.post(reverse("accounts:email_change_cancel"))  # cancels only bob's (none)
    assert EmailChange.objects.get().is_pending
