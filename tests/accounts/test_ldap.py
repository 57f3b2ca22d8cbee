"""LDAP / Active Directory sign-in (borough[ldap]).

The configuration reader and the group-to-role mapping need django-auth-ldap;
sign-in through the real backend also needs OpenLDAP's slapd (Debian packages
slapd and ldap-utils), started here in a temporary directory.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

pytestmark = pytest.mark.ldap

pytest.importorskip(
    "django_auth_ldap",
    reason="django-auth-ldap is not installed: install the ldap extra "
    "(pip install 'borough[ldap]'), which builds python-ldap against libldap2-dev and "
    "libsasl2-dev",
    # Also when python-ldap is there but cannot load libldap (an ImportError).
    exc_type=ImportError,
)

import ldap  # noqa: E402
from django_auth_ldap.config import (  # noqa: E402
    ActiveDirectoryGroupType,
    GroupOfNamesType,
    LDAPSearch,
    NestedActiveDirectoryGroupType,
)

from borough.accounts import services  # noqa: E402
from borough.accounts.ldap_backend import RoleMappingLDAPBackend, role_for_groups  # noqa: E402
from borough.accounts.ldap_settings import LDAP_BACKEND, configure, normalise_dn  # noqa: E402
from borough.accounts.models import Membership, User  # noqa: E402
from borough.core import roles  # noqa: E402
from tests.conftest import PASSWORD, make_member  # noqa: E402
from tests.slapd import SlapdUnavailable, free_port, running_slapd  # noqa: E402

BASE = "dc=borough,dc=test"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "directory-admin-secret"
ADMINS = f"cn=ICT Admins,{GROUPS}"
DESK = f"cn=service-desk,{GROUPS}"
STAFF = f"cn=staff,{GROUPS}"
UNMAPPED = f"cn=car-park,{GROUPS}"
ROLE_MAP = {
    # Spelled differently from the directory on purpose: DNs compare case- and
    # space-insensitively.
    "CN=ICT Admins, OU=Groups, DC=borough, DC=test": roles.ADMINISTRATOR,
    DESK: roles.AGENT,
    STAFF: roles.REQUESTER,
}
USERS = {
    # uid: (given name, surname, password, groups)
    "dana": ("Dana", "Directory", "dana-directory-pass", [DESK, STAFF]),
    "erin": ("Erin", "Admin", "erin-directory-pass", [ADMINS, STAFF]),
    "finn": ("Finn", "Unmapped", "finn-directory-pass", [UNMAPPED]),
}
LOGIN = reverse("accounts:login")
HOME = reverse("core:home")


def user_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


# --- The configuration reader ----------------------------------------------------------

BACKENDS = ["axes.backends.AxesStandaloneBackend",
            "borough.accounts.backends.OrganisationRoleBackend"]


def read(monkeypatch, **env) -> dict:
    for name in ("LDAP_SERVER_URI", "LDAP_BIND_DN", "LDAP_BIND_PASSWORD", "LDAP_START_TLS",
                 "LDAP_USER_SEARCH_BASE", "LDAP_USER_FILTER", "LDAP_GROUP_SEARCH_BASE",
                 "LDAP_GROUP_TYPE", "LDAP_REQUIRE_GROUP", "LDAP_ROLE_MAP",
                 "LDAP_ORGANISATION", "LDAP_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = {"AUTHENTICATION_BACKENDS": list(BACKENDS)}
    configure(settings)
    return settings


def full_env(**overrides) -> dict:
    import json

    env = {
        "LDAP_SERVER_URI": "ldap://dc1.council.example",
        "LDAP_BIND_DN": "cn=borough,ou=service,dc=council,dc=example",
        "LDAP_BIND_PASSWORD": "bind-secret",
        "LDAP_USER_SEARCH_BASE": "ou=people,dc=council,dc=example",
        "LDAP_GROUP_SEARCH_BASE": "ou=groups,dc=council,dc=example",
        "LDAP_ROLE_MAP": json.dumps({"CN=ICT,OU=Groups,DC=council,DC=example": "Administrator"}),
        "LDAP_ORGANISATION": "cbc",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_without_a_server_uri_nothing_changes(monkeypatch):
    settings = read(monkeypatch)
    assert settings["LDAP_ENABLED"] is False
    assert settings["AUTHENTICATION_BACKENDS"] == BACKENDS
    assert not any(k.startswith("AUTH_LDAP_") for k in settings)


def test_the_reader_builds_django_auth_ldap_settings(monkeypatch):
    settings = read(monkeypatch, **full_env())
    assert settings["LDAP_ENABLED"] is True
    assert settings["AUTH_LDAP_SERVER_URI"] == "ldap://dc1.council.example"
    assert settings["AUTH_LDAP_BIND_DN"] == "cn=borough,ou=service,dc=council,dc=example"
    assert settings["AUTH_LDAP_BIND_PASSWORD"] == "bind-secret"
    assert settings["AUTH_LDAP_START_TLS"] is False
    search = settings["AUTH_LDAP_USER_SEARCH"]
    assert isinstance(search, LDAPSearch)
    assert search.base_dn == "ou=people,dc=council,dc=example"
    assert search.filterstr == "(sAMAccountName=%(user)s)"
    assert settings["AUTH_LDAP_GROUP_SEARCH"].base_dn == "ou=groups,dc=council,dc=example"
    assert settings["AUTH_LDAP_GROUP_SEARCH"].filterstr == "(objectClass=group)"
    assert isinstance(settings["AUTH_LDAP_GROUP_TYPE"], ActiveDirectoryGroupType)
    assert settings["AUTH_LDAP_USER_ATTR_MAP"]["email"] == "mail"
    assert settings["AUTH_LDAP_CONNECTION_OPTIONS"][ldap.OPT_NETWORK_TIMEOUT] == 5
    assert settings["LDAP_ROLE_MAP"] == {"cn=ict,ou=groups,dc=council,dc=example": "Administrator"}
    assert settings["LDAP_ORGANISATION"] == "cbc"
    # After the lockout check, before local passwords.
    assert settings["AUTHENTICATION_BACKENDS"] == [BACKENDS[0], LDAP_BACKEND, BACKENDS[1]]


def test_reading_twice_adds_the_backend_once(monkeypatch):
    for name, value in full_env().items():
        monkeypatch.setenv(name, value)
    settings = {"AUTHENTICATION_BACKENDS": list(BACKENDS)}
    configure(settings)
    configure(settings)
    assert settings["AUTHENTICATION_BACKENDS"].count(LDAP_BACKEND) == 1


@pytest.mark.parametrize("group_type, cls, object_class", [
    ("groupofnames", GroupOfNamesType, "groupOfNames"),
    ("GroupOfNames", GroupOfNamesType, "groupOfNames"),
    ("ad-nested", NestedActiveDirectoryGroupType, "group"),
])
def test_group_types(monkeypatch, group_type, cls, object_class):
    settings = read(monkeypatch, **full_env(LDAP_GROUP_TYPE=group_type,
                                            LDAP_USER_FILTER="(uid=%(user)s)",
                                            LDAP_START_TLS="true"))
    assert type(settings["AUTH_LDAP_GROUP_TYPE"]) is cls
    assert settings["AUTH_LDAP_GROUP_SEARCH"].filterstr == f"(objectClass={object_class})"
    assert settings["AUTH_LDAP_USER_SEARCH"].filterstr == "(uid=%(user)s)"
    assert settings["AUTH_LDAP_START_TLS"] is True


@pytest.mark.parametrize("env, message", [
    (full_env(LDAP_ROLE_MAP='{"cn=ict": "Administrator",}'), "LDAP_ROLE_MAP is not valid JSON"),
    (full_env(LDAP_ROLE_MAP="not json"), "LDAP_ROLE_MAP is not valid JSON"),
    (full_env(LDAP_ROLE_MAP='["cn=ict"]'), "must be a JSON object"),
    (full_env(LDAP_ROLE_MAP='{"cn=ict,dc=x": "Overlord"}'),
     "maps 'cn=ict,dc=x' to 'Overlord', which is not a Borough role. Use one of: Requester"),
    (full_env(LDAP_ROLE_MAP='{"cn=ict,dc=x": 3}'), "which is not a Borough role"),
    (full_env(LDAP_USER_SEARCH_BASE=None), "LDAP_USER_SEARCH_BASE is not"),
    (full_env(LDAP_ORGANISATION=None), "LDAP_ROLE_MAP needs LDAP_ORGANISATION"),
    (full_env(LDAP_GROUP_SEARCH_BASE=None), "LDAP_ROLE_MAP needs LDAP_GROUP_SEARCH_BASE"),
    (full_env(LDAP_GROUP_TYPE="posix"), "LDAP_GROUP_TYPE must be one of ad, ad-nested"),
    (full_env(LDAP_TIMEOUT="soon"), "LDAP_TIMEOUT must be a whole number"),
])
def test_bad_configuration_is_refused_with_a_clear_message(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(")):
        read(monkeypatch, **env)


# --- Mapping groups to roles -----------------------------------------------------------

MAP = {normalise_dn(dn): role for dn, role in ROLE_MAP.items()}


def test_normalise_dn():
    assert normalise_dn("CN=ICT Admins, OU=Groups,DC=borough, DC=test") == (
        "cn=ict admins,ou=groups,dc=borough,dc=test"
    )


@pytest.mark.parametrize("groups, role", [
    ([DESK], roles.AGENT),
    ([STAFF, DESK], roles.AGENT),
    ([STAFF, "CN=ICT ADMINS,OU=GROUPS,DC=BOROUGH,DC=TEST"], roles.ADMINISTRATOR),
    ([STAFF], roles.REQUESTER),
    ([UNMAPPED], None),
    ([], None),
])
def test_the_most_privileged_mapped_role_wins(groups, role):
    assert role_for_groups(groups, MAP) == role


class FakeLDAPUser:
    def __init__(self, group_dns):
        self.group_dns = set(group_dns)


@pytest.mark.django_db
def test_sync_creates_updates_and_deactivates_the_membership(settings, org_a):
    settings.LDAP_ROLE_MAP = MAP
    settings.LDAP_ORGANISATION = org_a.code
    user = User.objects.create_user("gail")
    backend = RoleMappingLDAPBackend()

    backend.sync_membership(user, FakeLDAPUser([STAFF]))
    membership = Membership.objects.get(user=user, organisation=org_a)
    assert membership.role.name == roles.REQUESTER and membership.is_active
    assert membership.is_default

    backend.sync_membership(user, FakeLDAPUser([STAFF, ADMINS]))
    membership.refresh_from_db()
    assert membership.role.name == roles.ADMINISTRATOR

    backend.sync_membership(user, FakeLDAPUser([UNMAPPED]))
    membership.refresh_from_db()
    assert not membership.is_active
    assert org_a.pk not in user.organisation_permissions()

    backend.sync_membership(user, FakeLDAPUser([DESK]))
    membership.refresh_from_db()
    assert membership.is_active and membership.role.name == roles.AGENT
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_sync_leaves_other_organisations_alone(settings, org_a, org_b):
    settings.LDAP_ROLE_MAP = MAP
    settings.LDAP_ORGANISATION = org_a.code
    user = make_member(org_b, roles.AUDITOR, "hana")
    RoleMappingLDAPBackend().sync_membership(user, FakeLDAPUser([]))
    assert Membership.objects.get(user=user, organisation=org_b).is_active


@pytest.mark.django_db
def test_sync_without_a_known_organisation_changes_nothing(settings, org_a):
    settings.LDAP_ROLE_MAP = MAP
    settings.LDAP_ORGANISATION = "no-such-council"
    user = User.objects.create_user("ian")
    RoleMappingLDAPBackend().sync_membership(user, FakeLDAPUser([ADMINS]))
    assert not Membership.objects.filter(user=user).exists()


# --- Sign-in against a real slapd -------------------------------------------------------

def directory_ldif() -> str:
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: borough\n"
        "o: Borough tests\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid, (given, surname, password, _) in USERS.items():
        entries.append(
            f"dn: {user_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
            f"cn: {given} {surname}\ngivenName: {given}\nsn: {surname}\n"
            f"mail: {uid}@copeland.gov.uk\nuserPassword: {password}\n"
        )
    for group in (ADMINS, DESK, STAFF, UNMAPPED):
        cn = group.split(",")[0].split("=")[1]
        members = [user_dn(uid) for uid, user in USERS.items() if group in user[3]]
        # groupOfNames needs a member: the directory admin is in every group, so tests
        # can take the last user out.
        lines = "".join(f"member: {m}\n" for m in [ADMIN_DN, *members])
        entries.append(f"dn: {group}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}")
    return "\n".join(entries)


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    """A throwaway OpenLDAP server on a free local port, loaded with USERS."""
    try:
        with running_slapd(tmp_path_factory.mktemp("slapd"), suffix=BASE, admin_dn=ADMIN_DN,
                           admin_password=ADMIN_PASSWORD, ldif=directory_ldif()) as uri:
            yield uri
    except SlapdUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def directory(slapd):
    """An admin connection for changing group membership; changes are undone afterwards."""
    conn = ldap.initialize(slapd)
    conn.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
    undo = []

    def set_groups(uid: str, groups: list[str]):
        dn = user_dn(uid)
        for group in (ADMINS, DESK, STAFF, UNMAPPED):
            holds = bool(conn.search_s(group, ldap.SCOPE_BASE, f"(member={dn})", ["cn"]))
            if group in groups and not holds:
                conn.modify_s(group, [(ldap.MOD_ADD, "member", [dn.encode()])])
                undo.append((group, ldap.MOD_DELETE, dn))
            elif group not in groups and holds:
                conn.modify_s(group, [(ldap.MOD_DELETE, "member", [dn.encode()])])
                undo.append((group, ldap.MOD_ADD, dn))

    yield set_groups
    for group, op, dn in reversed(undo):
        conn.modify_s(group, [(op, "member", [dn.encode()])])
    conn.unbind_s()


def use_directory(settings, monkeypatch, uri, organisation_code, **extra):
    """Settings as configure() builds them from the environment."""
    import json

    env = {
        "LDAP_SERVER_URI": uri, "LDAP_BIND_DN": ADMIN_DN, "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE, "LDAP_USER_FILTER": "(uid=%(user)s)",
        "LDAP_GROUP_SEARCH_BASE": GROUPS, "LDAP_GROUP_TYPE": "groupofnames",
        "LDAP_ROLE_MAP": json.dumps(ROLE_MAP), "LDAP_ORGANISATION": organisation_code,
        "LDAP_TIMEOUT": "10", **extra,
    }
    configured = read(monkeypatch, **env)
    configured["AUTHENTICATION_BACKENDS"] = [
        settings.AUTHENTICATION_BACKENDS[0], LDAP_BACKEND, *settings.AUTHENTICATION_BACKENDS[1:]
    ]
    for name, value in configured.items():
        setattr(settings, name, value)


@pytest.fixture
def ldap_on(settings, monkeypatch, slapd, org_a):
    use_directory(settings, monkeypatch, slapd, org_a.code)
    return slapd


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


@pytest.mark.django_db
def test_directory_sign_in_creates_the_user_and_membership(client, ldap_on, org_a):
    response = sign_in(client, "dana", "dana-directory-pass")

    assert response.status_code == 302
    assert signed_in_as(client) == "dana"
    dana = User.objects.get(username="dana")
    assert (dana.first_name, dana.last_name, dana.email) == (
        "Dana", "Directory", "dana@copeland.gov.uk")
    assert not dana.has_usable_password(), "the directory password is never stored"
    membership = Membership.objects.get(user=dana)
    assert membership.organisation == org_a
    assert membership.role.name == roles.AGENT  # service-desk beats staff
    assert membership.is_active and membership.is_default
    assert client.get(reverse("organisation:person_list")).status_code == 200


@pytest.mark.django_db
def test_the_most_privileged_group_decides_the_role(client, ldap_on):
    sign_in(client, "erin", "erin-directory-pass")
    assert Membership.objects.get(user__username="erin").role.name == roles.ADMINISTRATOR


@pytest.mark.django_db
def test_group_changes_apply_at_the_next_sign_in(client, ldap_on, directory, org_a):
    sign_in(client, "dana", "dana-directory-pass")
    assert Membership.objects.get(user__username="dana").role.name == roles.AGENT
    client.post(reverse("accounts:logout"))

    directory("dana", [ADMINS])
    sign_in(client, "dana", "dana-directory-pass")
    assert Membership.objects.get(user__username="dana").role.name == roles.ADMINISTRATOR
    client.post(reverse("accounts:logout"))

    directory("dana", [UNMAPPED])
    sign_in(client, "dana", "dana-directory-pass")
    membership = Membership.objects.get(user__username="dana")
    assert not membership.is_active
    assert membership.role.name == roles.ADMINISTRATOR  # kept for the record
    # Still signed in, but no longer works in the organisation.
    assert client.get(reverse("organisation:serviceunit_list")).status_code == 403


@pytest.mark.django_db
def test_no_mapped_group_gives_no_membership(client, ldap_on):
    sign_in(client, "finn", "finn-directory-pass")
    assert signed_in_as(client) == "finn"
    assert not Membership.objects.filter(user__username="finn").exists()


@pytest.mark.django_db
def test_a_wrong_directory_password_is_refused_and_counted(client, ldap_on):
    from axes.models import AccessAttempt

    response = sign_in(client, "dana", "not-danas-password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert signed_in_as(client) is None
    assert AccessAttempt.objects.filter(username="dana").get().failures_since_start == 1


@pytest.mark.django_db
def test_lockout_applies_to_directory_accounts(client, ldap_on):
    for _ in range(10):
        sign_in(client, "dana", "guess")
    assert sign_in(client, "dana", "dana-directory-pass").status_code == 429
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_a_deactivated_account_cannot_sign_in_through_the_directory(client, ldap_on, admin_a):
    sign_in(client, "dana", "dana-directory-pass")
    dana = User.objects.get(username="dana")
    client.post(reverse("accounts:logout"))
    services.deactivate_user(dana, actor=admin_a)

    response = sign_in(client, "dana", "dana-directory-pass")
    assert response.status_code == 200
    assert signed_in_as(client) is None
    dana.refresh_from_db()
    assert not dana.is_active, "the directory must not reactivate the account"


@pytest.mark.django_db
def test_deactivation_ends_a_directory_session_at_once(client, ldap_on, admin_a):
    sign_in(client, "dana", "dana-directory-pass")
    assert client.get(HOME).status_code == 200
    assert client.session["_auth_user_backend"] == LDAP_BACKEND

    services.deactivate_user(User.objects.get(username="dana"), actor=admin_a)

    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_local_accounts_still_sign_in(client, ldap_on, org_a):
    make_member(org_a, roles.ADMINISTRATOR, "local-admin")
    assert sign_in(client, "local-admin", PASSWORD).status_code == 302
    assert signed_in_as(client) == "local-admin"


@pytest.mark.django_db
def test_a_directory_that_is_down_does_not_break_sign_in(client, settings, monkeypatch, org_a):
    use_directory(settings, monkeypatch, f"ldap://127.0.0.1:{free_port()}/", org_a.code)
    make_member(org_a, roles.ADMINISTRATOR, "local-admin")
    refused = sign_in(client, "dana", "dana-directory-pass")
    assert refused.status_code == 200
    assert "Enter a correct username and password" in refused.content.decode()
    assert sign_in(client, "local-admin", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_require_group_keeps_others_out(client, settings, monkeypatch, slapd, org_a):
    use_directory(settings, monkeypatch, slapd, org_a.code, LDAP_REQUIRE_GROUP=DESK)
    assert sign_in(client, "erin", "erin-directory-pass").status_code == 200
    assert signed_in_as(client) is None
    assert sign_in(client, "dana", "dana-directory-pass").status_code == 302
