"""`borough token create|revoke|list`."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from borough.accounts import services
from borough.accounts.models import ApiToken
from borough.core import roles
from tests.conftest import make_member
from tests.factories import ServiceUnitFactory

ME = "/api/accounts/me/"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_create_prints_only_a_working_secret(api_client, org_a):
    make_member(org_a, roles.AGENT, "alice")
    out, err = run("create", "alice")
    raw = out.strip()
    assert "\n" not in raw and raw.startswith(ApiToken.PREFIX)
    assert raw not in err
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    response = api_client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


@pytest.mark.django_db
def test_create_with_options(api_client, org_a, org_b):
    alice = make_member(org_a, roles.ADMINISTRATOR, "alice")
    ServiceUnitFactory(organisation=org_a, name="Finance")
    out, _ = run("create", "alice", "--name", "monitoring", "--organisation", org_a.code,
                 "--read-only", "--expires-days", "7")
    token = ApiToken.objects.get(user=alice)
    assert token.name == "monitoring" and token.read_only
    assert token.organisation_id == org_a.pk
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {out.strip()}")
    assert api_client.get("/api/organisation/service-units/").status_code == 200
    assert api_client.post("/api/organisation/service-units/", {"name": "X"},
                           format="json").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (("create", "nobody"), "There is no user called 'nobody'"),
    (("create", "alice", "--organisation", "nope"),
     "There is no organisation with the code 'nope'"),
    (("create", "alice", "--organisation", "edc"), "is not an active member of Eskmouth"),
    (("create", "alice", "--expires-days", "0"), "--expires-days must be between 1 and 730"),
    (("create", "alice", "--name", "   "), "Give the token a name"),
    (("revoke", "424242"), "There is no token with id 424242"),
    (("list", "nobody"), "There is no user called 'nobody'"),
])
def test_clear_errors(org_a, org_b, args, message):
    make_member(org_a, roles.AGENT, "alice")
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_an_inactive_user_gets_no_token(org_a):
    alice = make_member(org_a, roles.AGENT, "alice")
    alice.is_active = False
    alice.save()
    with pytest.raises(CommandError, match="deactivated"):
        run("create", "alice")
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoke_stops_the_token(api_client, org_a):
    alice = make_member(org_a, roles.AGENT, "alice")
    token, raw = services.create_token(alice, actor=alice, name="script")
    out, _ = run("revoke", str(token.pk))
    assert "Revoked" in out
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api_client.get(ME).status_code == 401


@pytest.mark.django_db
def test_list_shows_tokens_but_never_secrets(org_a):
    alice = make_member(org_a, roles.AGENT, "alice")
    active, raw = services.create_token(alice, actor=alice, name="active one")
    revoked, _ = services.create_token(alice, actor=alice, name="old one")
    services.revoke_token(revoked, actor=alice)
    out, _ = run("list", "alice")
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert any(line.startswith(f"{active.pk}\t") and line.endswith("active") for line in lines)
    assert any(line.startswith(f"{revoked.pk}\t") and line.endswith("revoked") for line in lines)
    assert raw not in out and raw[len(ApiToken.PREFIX):] not in out


@pytest.mark.django_db
def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        run()
