"""Password reset and change (SECURITY.md rule 16)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from borough.core import roles
from tests.conftest import PASSWORD, make_member

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "a different long passphrase"


def reset_link(message) -> str:
    match = re.search(r"https?://testserver(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def alice(org_a):
    user = make_member(org_a, roles.AGENT, "alice")
    user.email = "alice@copeland.gov.uk"
    user.save()
    return user


@pytest.mark.django_db
def test_reset_page_renders(client):
    response = client.get(RESET)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Reset your password" in body and 'name="email"' in body


@pytest.mark.django_db
def test_reset_does_not_reveal_whether_an_account_exists(client, alice):
    known = client.post(RESET, {"email": "alice@copeland.gov.uk"}, follow=True)
    assert len(mail.outbox) == 1
    unknown = client.post(RESET, {"email": "nobody@copeland.gov.uk"}, follow=True)
    assert len(mail.outbox) == 1, "no email for an address without an account"

    assert known.redirect_chain == unknown.redirect_chain
    assert known.status_code == unknown.status_code == 200
    csrf = re.compile(r'name="csrf-token" content="[^"]*"|csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub("", known.content.decode()) == csrf.sub("", unknown.content.decode())
    assert "Check your email" in known.content.decode()


@pytest.mark.django_db
def test_deactivated_accounts_get_no_reset_email(client, alice):
    alice.is_active = False
    alice.save()
    response = client.post(RESET, {"email": "alice@copeland.gov.uk"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_reset_email_has_a_one_line_subject_and_a_link(client, alice):
    client.post(RESET, {"email": "alice@copeland.gov.uk"})
    message = mail.outbox[0]
    assert message.to == ["alice@copeland.gov.uk"]
    assert message.subject == "Reset your Borough password"
    assert "one hour" in message.body
    reset_link(message)


@pytest.mark.django_db
def test_the_reset_link_works_once(client, alice):
    client.post(RESET, {"email": "alice@copeland.gov.uk"})
    link = reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url,
                       {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert "Password changed" in client.get(done["Location"]).content.decode()

    again = client.get(link, follow=True)
    body = again.content.decode()
    assert "This link does not work" in body
    assert 'name="new_password1"' not in body
    # Nor can the form be posted again with the old link.
    client.post(set_password_url, {"new_password1": "third passphrase here",
                                   "new_password2": "third passphrase here"})
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_the_reset_link_expires_after_an_hour(client, alice):
    with time_machine.travel("2030-01-07 10:00 +0000", tick=False) as traveller:
        client.post(RESET, {"email": "alice@copeland.gov.uk"})
        link = reset_link(mail.outbox[0])
        traveller.shift(61 * 60)
        response = client.get(link, follow=True)
    assert "This link does not work" in response.content.decode()


@pytest.mark.django_db
def test_a_mangled_reset_link_shows_the_invalid_link_page(client, alice):
    response = client.get(reverse("accounts:password_reset_confirm",
                                  kwargs={"uidb64": "MQ", "token": "not-a-token"}))
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()


@pytest.mark.django_db
def test_password_change_needs_the_current_password(signed_in, alice):
    client = signed_in(alice)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200

    refused = client.post(url, {"old_password": "not my password",
                                "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert refused.status_code == 200
    assert "Your current password is not right" in refused.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)

    changed = client.post(url, {"old_password": PASSWORD,
                                "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert changed.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # Still signed in here after the change.
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_password_change_ends_other_sessions(client, alice):
    from django.test import Client

    other = Client()
    other.force_login(alice)
    client.force_login(alice)
    client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert other.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_password_change_needs_sign_in(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
