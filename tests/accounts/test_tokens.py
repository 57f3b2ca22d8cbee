"""API tokens (SECURITY.md rule 9): from `secrets`, stored hashed, shown once,
expiring, scoped to read-only and to one organisation, enforced on the server."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from borough.accounts import services
from borough.accounts.models import ApiToken
from borough.core import roles
from borough.core.models import AuditEvent
from tests.conftest import make_member
from tests.factories import MembershipFactory, ServiceUnitFactory

ME = "/api/accounts/me/"
UNITS = "/api/organisation/service-units/"
TOKENS = "/api/accounts/tokens/"


def use(api_client, raw):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api_client


def names(response) -> set[str]:
    return {row["name"] for row in response.json()["results"]}


@pytest.fixture
def alice(org_a):
    return make_member(org_a, roles.ADMINISTRATOR, "alice")


@pytest.mark.django_db
def test_a_token_authenticates_as_its_user(api_client, alice):
    _, raw = services.create_token(alice, actor=alice, name="script")
    response = use(api_client, raw).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get(ME).status_code == 200


@pytest.mark.django_db
def test_no_or_a_wrong_token_is_refused(api_client, alice):
    assert api_client.get(ME).status_code in (401, 403)
    assert use(api_client, "brgh_not-a-real-token").get(ME).status_code == 401


@pytest.mark.django_db
def test_only_the_hash_is_stored(alice):
    token, raw = services.create_token(alice, actor=alice, name="script")
    assert raw.startswith(ApiToken.PREFIX) and len(raw) > 40
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert not any(raw in str(value) for value in row.values())
    secret_part = raw[len(ApiToken.PREFIX):]
    assert not any(secret_part in str(value) for value in row.values())
    for event in AuditEvent.objects.all():
        assert secret_part not in str(event.changes) and secret_part not in event.object_repr


@pytest.mark.django_db
def test_every_token_is_different(alice):
    secrets = {services.create_token(alice, actor=alice, name=f"t{i}")[1] for i in range(20)}
    assert len(secrets) == 20


@pytest.mark.django_db
def test_a_revoked_token_is_refused(api_client, alice):
    token, raw = services.create_token(alice, actor=alice, name="script")
    use(api_client, raw)
    assert api_client.get(ME).status_code == 200
    services.revoke_token(token, actor=alice)
    assert api_client.get(ME).status_code == 401


@pytest.mark.django_db
def test_an_expired_token_is_refused(api_client, alice):
    import time_machine

    with time_machine.travel("2030-01-07 10:00 +0000", tick=False) as traveller:
        _, raw = services.create_token(alice, actor=alice, name="script", expires_in_days=1)
        use(api_client, raw)
        assert api_client.get(ME).status_code == 200
        traveller.shift(timedelta(days=1, seconds=1))
        assert api_client.get(ME).status_code == 401


@pytest.mark.django_db
def test_a_read_only_token_can_read_but_not_write(api_client, alice, org_a):
    ServiceUnitFactory(organisation=org_a, name="Finance")
    _, read_only = services.create_token(alice, actor=alice, name="ro", read_only=True)
    _, read_write = services.create_token(alice, actor=alice, name="rw")

    use(api_client, read_only)
    assert api_client.get(UNITS).status_code == 200
    refused = api_client.post(UNITS, {"name": "Planning"}, format="json")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]

    use(api_client, read_write)
    assert api_client.post(UNITS, {"name": "Planning"}, format="json").status_code == 201


@pytest.mark.django_db
def test_a_token_scoped_to_one_organisation_cannot_see_another(api_client, org_a, org_b):
    alice = make_member(org_a, roles.ADMINISTRATOR, "alice")
    MembershipFactory(user=alice, organisation=org_b, is_default=False)
    ServiceUnitFactory(organisation=org_a, name="Finance A")
    theirs = ServiceUnitFactory(organisation=org_b, name="Planning B")

    _, scoped = services.create_token(alice, actor=alice, name="a-only", organisation_id=org_a.pk)
    use(api_client, scoped)
    assert names(api_client.get(UNITS)) == {"Finance A"}
    # Asking for B by header does not widen the token.
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {scoped}",
                           HTTP_X_BOROUGH_ORGANISATION=str(org_b.pk))
    assert names(api_client.get(UNITS)) == {"Finance A"}
    assert api_client.get(f"{UNITS}{theirs.pk}/").status_code == 404
    renamed = api_client.patch(f"{UNITS}{theirs.pk}/", {"name": "Renamed"}, format="json")
    assert renamed.status_code == 404

    # Contrast: an unscoped token of the same user may work in B when asked.
    _, unscoped = services.create_token(alice, actor=alice, name="any")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {unscoped}",
                           HTTP_X_BOROUGH_ORGANISATION=str(org_b.pk))
    assert names(api_client.get(UNITS)) == {"Planning B"}


@pytest.mark.django_db
def test_a_scoped_token_stops_when_the_membership_ends(api_client, org_a):
    alice = make_member(org_a, roles.ADMINISTRATOR, "alice")
    _, raw = services.create_token(alice, actor=alice, name="a-only", organisation_id=org_a.pk)
    alice.memberships.update(is_active=False)
    assert use(api_client, raw).get(ME).status_code == 401


@pytest.mark.django_db
def test_a_token_cannot_be_made_for_an_organisation_the_user_is_not_in(alice, org_b):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_token(alice, actor=alice, name="x", organisation_id=org_b.pk)


# --- The profile page --------------------------------------------------------------


@pytest.mark.django_db
def test_profile_shows_name_memberships_and_tokens(signed_in, org_a, org_b):
    alice = make_member(org_a, roles.AGENT, "alice")
    alice.first_name, alice.last_name = "Alice", "Armstrong"
    alice.save()
    MembershipFactory(user=alice, organisation=org_b, is_default=False,
                      role=Group.objects.get(name=roles.AUDITOR))
    token, _ = services.create_token(alice, actor=alice, name="monitoring")
    body = signed_in(alice).get(reverse("accounts:profile")).content.decode()
    assert "Alice Armstrong" in body
    assert org_a.name in body and roles.AGENT in body
    assert org_b.name in body and roles.AUDITOR in body
    assert "monitoring" in body and token.hint in body
    assert reverse("accounts:token_revoke", args=[token.pk]) in body
    revoke = re.escape(reverse("accounts:token_revoke", args=[token.pk]))
    assert re.search(rf'<form method="post" action="{revoke}">', body)


@pytest.mark.django_db
def test_creating_a_token_on_the_profile_page_shows_the_secret_once(signed_in, api_client, alice):
    client = signed_in(alice)
    form = client.get(reverse("accounts:profile")).content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', form).group(1)
    data = {"name": "monitoring", "expires_in_days": "30", "submission_key": key}

    response = client.post(reverse("accounts:token_add"), data)

    assert response.status_code == 200
    body = response.content.decode()
    raw = re.search(r'id="new-token" type="text" value="([^"]+)"', body).group(1)
    assert "will not be shown again" in body
    token = ApiToken.objects.get(user=alice)
    assert token.name == "monitoring" and not token.read_only
    assert token.organisation_id == alice.memberships.get().organisation_id
    assert use(api_client, raw).get(ME).status_code == 200
    # Not on the page again.
    assert raw not in client.get(reverse("accounts:profile")).content.decode()
    # Sending the same form again (refresh, double click) makes no second token.
    again = client.post(reverse("accounts:token_add"), data, follow=True)
    assert ApiToken.objects.filter(user=alice).count() == 1
    assert raw not in again.content.decode()
    assert "already created" in again.content.decode()


@pytest.mark.django_db
def test_a_read_only_token_from_the_profile_page_is_read_only(signed_in, alice):
    signed_in(alice).post(reverse("accounts:token_add"),
                           {"name": "ro", "read_only": "on", "expires_in_days": "90"})
    assert ApiToken.objects.get(user=alice).read_only


@pytest.mark.django_db
def test_token_form_errors_are_shown(signed_in, alice):
    response = signed_in(alice).post(reverse("accounts:token_add"),
                                      {"name": "", "expires_in_days": "9999"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Enter a name for the token" in body
    assert "at most 730 days" in body
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_create_needs_post(signed_in, alice):
    assert signed_in(alice).get(reverse("accounts:token_add")).status_code == 405


@pytest.mark.django_db
def test_revoking_on_the_profile_page(signed_in, api_client, alice):
    token, raw = services.create_token(alice, actor=alice, name="script")
    client = signed_in(alice)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "revoked" in response.content.decode()
    assert use(api_client, raw).get(ME).status_code == 401


@pytest.mark.django_db
def test_nobody_can_revoke_someone_elses_token(signed_in, api_client, org_a, alice):
    token, raw = services.create_token(alice, actor=alice, name="script")
    bob = make_member(org_a, roles.ADMINISTRATOR, "bob")
    response = signed_in(bob).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert use(api_client, raw).get(ME).status_code == 200


# --- The tokens API ------------------------------------------------------------------


@pytest.mark.django_db
def test_create_list_and_revoke_tokens_through_the_api(api_client, alice):
    _, raw = services.create_token(alice, actor=alice, name="bootstrap")
    use(api_client, raw)

    created = api_client.post(TOKENS, {"name": "second", "expires_in_days": 7}, format="json")
    assert created.status_code == 201
    new_raw = created.json()["token"]
    new_id = created.json()["detail"]["id"]
    assert "key_hash" not in created.json()["detail"]
    listed = api_client.get(TOKENS).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["name"] for r in rows} == {"bootstrap", "second"}
    assert new_raw not in str(listed)

    assert use(api_client, new_raw).get(ME).status_code == 200
    assert api_client.delete(f"{TOKENS}{new_id}/").status_code == 204
    assert api_client.get(ME).status_code == 401


@pytest.mark.django_db
def test_the_api_lists_only_your_own_tokens(api_client, org_a, alice):
    bob = make_member(org_a, roles.ADMINISTRATOR, "bob")
    bobs, _ = services.create_token(bob, actor=bob, name="bobs")
    _, raw = services.create_token(alice, actor=alice, name="alices")
    use(api_client, raw)
    assert "bobs" not in str(api_client.get(TOKENS).json())
    assert api_client.delete(f"{TOKENS}{bobs.pk}/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.revoked_at is None


@pytest.mark.django_db
def test_a_read_only_token_cannot_create_or_revoke_tokens(api_client, alice):
    other, _ = services.create_token(alice, actor=alice, name="other")
    _, raw = services.create_token(alice, actor=alice, name="ro", read_only=True)
    use(api_client, raw)
    assert api_client.post(TOKENS, {"name": "more"}, format="json").status_code == 403
    assert api_client.delete(f"{TOKENS}{other.pk}/").status_code == 403
    other.refresh_from_db()
    assert other.revoked_at is None
    assert ApiToken.objects.count() == 2


@pytest.mark.django_db
def test_a_scoped_token_cannot_mint_a_wider_one(api_client, org_a, org_b):
    alice = make_member(org_a, roles.ADMINISTRATOR, "alice")
    MembershipFactory(user=alice, organisation=org_b, is_default=False)
    _, raw = services.create_token(alice, actor=alice, name="a-only", organisation_id=org_a.pk)
    use(api_client, raw)
    refused = api_client.post(TOKENS, {"name": "b", "organisation": org_b.pk}, format="json")
    assert refused.status_code == 400
    created = api_client.post(TOKENS, {"name": "unscoped?"}, format="json")
    assert created.status_code == 201
    assert ApiToken.objects.get(pk=created.json()["detail"]["id"]).organisation_id == org_a.pk


@pytest.mark.django_db
def test_the_api_refuses_a_token_for_an_organisation_the_user_is_not_in(api_client, alice, org_b):
    _, raw = services.create_token(alice, actor=alice, name="bootstrap")
    use(api_client, raw)
    response = api_client.post(TOKENS, {"name": "b", "organisation": org_b.pk}, format="json")
    assert response.status_code == 400
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_a_retried_api_create_makes_one_token(api_client, alice):
    _, raw = services.create_token(alice, actor=alice, name="bootstrap")
    use(api_client, raw)
    first = api_client.post(TOKENS, {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api_client.post(TOKENS, {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["token"] is None
    assert second.json()["detail"]["id"] == first.json()["detail"]["id"]
    assert ApiToken.objects.filter(name="ci").count() == 1


@pytest.mark.django_db
def test_token_expiry_is_bounded(alice):
    from django.core.exceptions import ValidationError

    token, _ = services.create_token(alice, actor=alice, name="x", expires_in_days=90)
    now = timezone.now()
    assert now + timedelta(days=89) < token.expires_at < now + timedelta(days=91)
    with pytest.raises(ValidationError):
        services.create_token(alice, actor=alice, name="x", expires_in_days=10_000)
