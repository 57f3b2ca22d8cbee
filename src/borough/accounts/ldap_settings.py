"""Optional LDAP / Active Directory login, configured from the environment.

Nothing here runs unless LDAP_SERVER_URI is set (see docs/configuring.md)."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

from borough import env


def configure(settings: dict) -> None:
    uri = env.get_str("LDAP_SERVER_URI")
    settings["LDAP_ENABLED"] = bool(uri)
    if not uri:
        return
    try:
        import ldap
        from django_auth_ldap.config import LDAPSearch
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but django-auth-ldap is not installed: "
            "install Borough with the ldap extra (pip install 'borough[ldap]'), which needs "
            "libldap2-dev and libsasl2-dev."
        ) from exc
    settings["AUTH_LDAP_SERVER_URI"] = uri
    settings["AUTH_LDAP_BIND_DN"] = env.get_str("LDAP_BIND_DN")
    settings["AUTH_LDAP_BIND_PASSWORD"] = env.get_str("LDAP_BIND_PASSWORD")
    settings["AUTH_LDAP_START_TLS"] = env.get_bool("LDAP_START_TLS", False)
    settings["AUTH_LDAP_USER_SEARCH"] = LDAPSearch(
        env.get_str("LDAP_USER_SEARCH_BASE"), ldap.SCOPE_SUBTREE,
        env.get_str("LDAP_USER_FILTER", "(sAMAccountName=%(user)s)"),
    )
    settings["AUTH_LDAP_USER_ATTR_MAP"] = {
        "first_name": "givenName", "last_name": "sn", "email": "mail",
    }
    settings["AUTH_LDAP_ALWAYS_UPDATE_USER"] = True
    settings["AUTH_LDAP_MIRROR_GROUPS"] = False
    group_base = env.get_str("LDAP_GROUP_SEARCH_BASE")
    if group_base:
        from django_auth_ldap.config import ActiveDirectoryGroupType, GroupOfNamesType

        settings["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_base, ldap.SCOPE_SUBTREE, "(objectClass=group)"
            if env.get_str("LDAP_GROUP_TYPE", "ad") == "ad" else "(objectClass=groupOfNames)"
        )
        settings["AUTH_LDAP_GROUP_TYPE"] = (
            ActiveDirectoryGroupType() if env.get_str("LDAP_GROUP_TYPE", "ad") == "ad"
            else GroupOfNamesType()
        )
    raw_map = env.get_str("LDAP_ROLE_MAP", "{}")
    try:
        role_map = json.loads(raw_map)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(
            f"LDAP_ROLE_MAP must be JSON mapping group DNs to role names: {exc}"
        ) from exc
    settings["LDAP_ROLE_MAP"] = {str(k).lower(): str(v) for k, v in role_map.items()}
    settings["LDAP_ORGANISATION"] = env.get_str("LDAP_ORGANISATION")
    settings["AUTHENTICATION_BACKENDS"] = [
        *settings["AUTHENTICATION_BACKENDS"][:1],
        "borough.accounts.ldap_backend.RoleMappingLDAPBackend",
        *settings["AUTHENTICATION_BACKENDS"][1:],
    ]
