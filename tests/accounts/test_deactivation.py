"""SECURITY.md rule 8: a deactivated user's sessions and API tokens stop at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.accounts import services
from borough.accounts.models import ApiToken
from borough.core import roles
from borough.core.models import AuditEvent
from tests.conftest import make_member

ME = "/api/accounts/me/"


@pytest.mark.django_db
def test_deactivation_ends_an_existing_session_on_the_next_request(signed_in, org_a, admin_a):
    alice = make_member(org_a, roles.AGENT, "alice")
    client = signed_in(alice)
    assert client.get(reverse("core:home")).status_code == 200

    services.deactivate_user(alice, actor=admin_a)

    response = client.get(reverse("organisation:serviceunit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(ME).status_code in (401, 403)


@pytest.mark.django_db
def test_deactivation_stops_api_tokens(api_client, org_a, admin_a):
    alice = make_member(org_a, roles.AGENT, "alice")
    _, raw = services.create_token(alice, actor=alice, name="script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api_client.get(ME).status_code == 200

    services.deactivate_user(alice, actor=admin_a)

    assert api_client.get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=alice, revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_tokens_of_an_inactive_user_are_refused_even_if_not_revoked(api_client, org_a):
    # A user switched off another way (admin, shell) must not keep API access.
    alice = make_member(org_a, roles.AGENT, "alice")
    _, raw = services.create_token(alice, actor=alice, name="script")
    alice.is_active = False
    alice.save()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api_client.get(ME).status_code == 401


@pytest.mark.django_db
def test_deactivation_is_audited(org_a, admin_a):
    alice = make_member(org_a, roles.AGENT, "alice")
    services.deactivate_user(alice, actor=admin_a)
    event = AuditEvent.objects.for_object(alice).get()
    assert event.changes == {"is_active": [True, False]}
    assert event.actor == admin_a
