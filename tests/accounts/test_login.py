"""Signing in and out (SECURITY.md rules 16 and 17)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from borough.accounts.forms import INVALID_LOGIN
from borough.core import roles
from tests.conftest import PASSWORD, make_member

LOGIN = reverse("accounts:login")
HOME = reverse("core:home")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_page_renders_a_gov_uk_sign_in_form(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign in to Borough" in body
    assert 'name="username"' in body and 'name="password"' in body
    assert 'type="password"' in body
    assert "govuk-input" in body and "govuk-button" in body
    assert reverse("accounts:password_reset") in body
    assert "govuk-error-summary" not in body


@pytest.mark.django_db
def test_signing_in_rotates_the_session_key(client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    # A session that exists before sign-in, as an attacker could plant (fixation).
    session = client.session
    session["before"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == HOME
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore().exists(before), "the pre-login session must be gone"
    assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_login_follows_a_same_site_next_but_not_another_site(client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    response = client.post(LOGIN + "?next=/organisation/service-units/",
                           {"username": "alice", "password": PASSWORD})
    assert response["Location"] == "/organisation/service-units/"
    client.post(reverse("accounts:logout"))
    response = client.post(LOGIN + "?next=https://evil.example/",
                           {"username": "alice", "password": PASSWORD})
    assert response["Location"] == HOME


@pytest.mark.django_db
@pytest.mark.parametrize("username, password", [
    ("alice", "wrong password"),        # right user, wrong password
    ("nobody", PASSWORD),               # no such user
    ("alice", ""),                      # nothing typed
])
def test_a_failed_sign_in_shows_an_error_and_does_not_sign_in(client, org_a, username, password):
    make_member(org_a, roles.AGENT, "alice")
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Error: Sign in" in body  # the <title> tells screen reader users too
    assert not signed_in(client)
    assert client.get(HOME).status_code == 302


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_get_the_same_message(client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    wrong_password = client.post(LOGIN, {"username": "alice", "password": "nope"})
    unknown_user = client.post(LOGIN, {"username": "nobody", "password": "nope"})
    assert INVALID_LOGIN in wrong_password.content.decode()
    assert INVALID_LOGIN in unknown_user.content.decode()


@pytest.mark.django_db
def test_a_deactivated_account_gets_the_same_message_as_a_wrong_password(client, org_a):
    user = make_member(org_a, roles.AGENT, "alice")
    user.is_active = False
    user.save()
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert INVALID_LOGIN in response.content.decode()
    assert "inactive" not in response.content.decode().lower()
    assert not signed_in(client)


@pytest.mark.django_db
def test_ten_failures_lock_the_account_even_for_the_right_password(client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    assert settings.AXES_ENABLED and settings.AXES_FAILURE_LIMIT == 10
    for _ in range(9):
        response = client.post(LOGIN, {"username": "alice", "password": "guess"})
        assert response.status_code == 200
    tenth = client.post(LOGIN, {"username": "alice", "password": "guess"})
    assert tenth.status_code == 429

    eleventh = client.post(LOGIN, {"username": "alice", "password": PASSWORD})

    assert eleventh.status_code == 429
    body = eleventh.content.decode()
    assert "Too many sign-in attempts" in body
    assert "Try again in 5 minutes" in body
    assert not signed_in(client)
    assert client.get(HOME).status_code == 302


@pytest.mark.django_db
def test_nine_failures_do_not_lock_the_account(client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    for _ in range(9):
        client.post(LOGIN, {"username": "alice", "password": "guess"})
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_the_lockout_ends_after_five_minutes(client, org_a):
    import time_machine

    make_member(org_a, roles.AGENT, "alice")
    with time_machine.travel("2030-01-07 10:00 +0000", tick=False) as traveller:
        for _ in range(10):
            client.post(LOGIN, {"username": "alice", "password": "guess"})
        assert client.post(LOGIN, {"username": "alice", "password": PASSWORD}).status_code == 429
        traveller.shift(60 * 5 + 1)
        response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_one_locked_account_does_not_lock_another(client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    make_member(org_a, roles.AGENT, "bob")
    for _ in range(10):
        client.post(LOGIN, {"username": "alice", "password": "guess"})
    assert client.post(LOGIN, {"username": "bob", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_logout_needs_post(signed_in, org_a):
    client = signed_in(make_member(org_a, roles.AGENT, "alice"))
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.get(HOME).status_code == 200, "a GET must not sign the user out"


@pytest.mark.django_db
def test_logout_ends_the_session(signed_in, org_a):
    client = signed_in(make_member(org_a, roles.AGENT, "alice"))
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not SessionStore().exists(old_key)
    home = client.get(HOME)
    assert home.status_code == 302
    assert home["Location"].startswith(LOGIN)
