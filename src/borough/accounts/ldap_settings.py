"""Optional LDAP / Active Directory login, configured from the environment.

Nothing here runs unless LDAP_SERVER_URI is set. Then it needs the `ldap` extra
(`pip install 'borough[ldap]'`, which builds python-ldap against libldap2-dev and
libsasl2-dev). The variables:

LDAP_SERVER_URI         ldap://dc1.council.example or ldaps://...
LDAP_BIND_DN            account used to search for users (empty: anonymous)
LDAP_BIND_PASSWORD
LDAP_START_TLS          true to upgrade ldap:// with StartTLS
LDAP_TIMEOUT            seconds to wait for the server (default 5)
LDAP_USER_SEARCH_BASE   where users are (required)
LDAP_USER_FILTER        default (sAMAccountName=%(user)s); OpenLDAP: (uid=%(user)s)
LDAP_GROUP_SEARCH_BASE  where groups are (required for LDAP_ROLE_MAP)
LDAP_GROUP_TYPE         ad (default), ad-nested, groupofnames, groupofnames-nested,
                        groupofuniquenames
LDAP_REQUIRE_GROUP      only members of this group DN may sign in
LDAP_ROLE_MAP           JSON: {"cn=ict-admins,ou=groups,dc=council,dc=gov,dc=uk": "Administrator"}
LDAP_ORGANISATION       code of the organisation whose membership the role map decides

At each directory sign-in the user's membership of LDAP_ORGANISATION gets the
most privileged role their groups map to, and is deactivated when none do
(borough.accounts.ldap_backend).
"""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured

from borough import env

LDAP_BACKEND = "borough.accounts.ldap_backend.RoleMappingLDAPBackend"

# LDAP_GROUP_TYPE -> (django_auth_ldap.config class name, objectClass searched for)
GROUP_TYPES = {
    "ad": ("ActiveDirectoryGroupType", "group"),
    "ad-nested": ("NestedActiveDirectoryGroupType", "group"),
    "groupofnames": ("GroupOfNamesType", "groupOfNames"),
    "groupofnames-nested": ("NestedGroupOfNamesType", "groupOfNames"),
    "groupofuniquenames": ("GroupOfUniqueNamesType", "groupOfUniqueNames"),
}


def normalise_dn(dn: str) -> str:
    """A DN in one spelling, so map keys and directory answers compare equal:
    lower case, no spaces around separators ("CN=ICT Admins, OU=Groups" ->
    "cn=ict admins,ou=groups")."""
    lowered = dn.strip().lower()
    try:
        import ldap.dn
    except ImportError:  # pragma: no cover - only without python-ldap
        return ",".join(part.strip() for part in lowered.split(","))
    try:
        return ldap.dn.dn2str(ldap.dn.str2dn(lowered))
    except ldap.DECODING_ERROR:
        return lowered


def parse_role_map(raw: str) -> dict[str, str]:
    """LDAP_ROLE_MAP as {normalised group DN: role name}, or a clear ImproperlyConfigured."""
    from borough.core.roles import ALL_ROLES

    try:
        role_map = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(
            "LDAP_ROLE_MAP is not valid JSON "
            f"({exc.msg} at line {exc.lineno} column {exc.colno}). Give an object mapping "
            'group DNs to role names, for example {"cn=ict-admins,ou=groups,dc=council,'
            'dc=gov,dc=uk": "Administrator"}.'
        ) from exc
    if not isinstance(role_map, dict):
        raise ImproperlyConfigured(
            "LDAP_ROLE_MAP must be a JSON object mapping group DNs to role names, "
            f"not a {type(role_map).__name__}."
        )
    result = {}
    for dn, role in role_map.items():
        if not isinstance(role, str) or role not in ALL_ROLES:
            raise ImproperlyConfigured(
                f"LDAP_ROLE_MAP maps {dn!r} to {role!r}, which is not a Borough role. "
                f"Use one of: {', '.join(ALL_ROLES)}."
            )
        if not dn.strip():
            raise ImproperlyConfigured("LDAP_ROLE_MAP has an empty group DN.")
        result[normalise_dn(dn)] = role
    return result


def configure(settings: dict) -> None:
    uri = env.get_str("LDAP_SERVER_URI")
    settings["LDAP_ENABLED"] = bool(uri)
    if not uri:
        return
    try:
        import ldap
        from django_auth_ldap import config as ldap_config
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but django-auth-ldap is not installed: "
            "install Borough with the ldap extra (pip install 'borough[ldap]'), which needs "
            "libldap2-dev and libsasl2-dev."
        ) from exc

    user_base = env.get_str("LDAP_USER_SEARCH_BASE")
    if not user_base:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but LDAP_USER_SEARCH_BASE is not: give the DN under "
            "which user accounts are, for example ou=people,dc=council,dc=gov,dc=uk."
        )
    timeout = env.get_int("LDAP_TIMEOUT", 5)
    settings["AUTH_LDAP_SERVER_URI"] = uri
    settings["AUTH_LDAP_BIND_DN"] = env.get_str("LDAP_BIND_DN")
    settings["AUTH_LDAP_BIND_PASSWORD"] = env.get_str("LDAP_BIND_PASSWORD")
    settings["AUTH_LDAP_START_TLS"] = env.get_bool("LDAP_START_TLS", False)
    settings["AUTH_LDAP_CONNECTION_OPTIONS"] = {
        # Active Directory answers with referrals python-ldap cannot follow anonymously.
        ldap.OPT_REFERRALS: 0,
        # A directory that is down must not hang the sign-in page.
        ldap.OPT_NETWORK_TIMEOUT: timeout,
        ldap.OPT_TIMEOUT: timeout,
    }
    settings["AUTH_LDAP_USER_SEARCH"] = ldap_config.LDAPSearch(
        user_base, ldap.SCOPE_SUBTREE, env.get_str("LDAP_USER_FILTER", "(sAMAccountName=%(user)s)"),
    )
    settings["AUTH_LDAP_USER_ATTR_MAP"] = {
        "first_name": "givenName", "last_name": "sn", "email": "mail",
    }
    settings["AUTH_LDAP_ALWAYS_UPDATE_USER"] = True
    settings["AUTH_LDAP_MIRROR_GROUPS"] = False
    settings["AUTH_LDAP_FIND_GROUP_PERMS"] = False  # roles come from memberships

    group_type = env.get_str("LDAP_GROUP_TYPE", "ad").strip().lower()
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, not {group_type!r}."
        )
    group_base = env.get_str("LDAP_GROUP_SEARCH_BASE")
    if group_base:
        class_name, object_class = GROUP_TYPES[group_type]
        settings["AUTH_LDAP_GROUP_SEARCH"] = ldap_config.LDAPSearch(
            group_base, ldap.SCOPE_SUBTREE, f"(objectClass={object_class})"
        )
        settings["AUTH_LDAP_GROUP_TYPE"] = getattr(ldap_config, class_name)()
    require_group = env.get_str("LDAP_REQUIRE_GROUP")
    if require_group:
        if not group_base:
            raise ImproperlyConfigured("LDAP_REQUIRE_GROUP needs LDAP_GROUP_SEARCH_BASE.")
        settings["AUTH_LDAP_REQUIRE_GROUP"] = require_group

    role_map = parse_role_map(env.get_str("LDAP_ROLE_MAP", "{}"))
    organisation = env.get_str("LDAP_ORGANISATION")
    if role_map and not group_base:
        raise ImproperlyConfigured(
            "LDAP_ROLE_MAP needs LDAP_GROUP_SEARCH_BASE, the DN under which groups are."
        )
    if role_map and not organisation:
        raise ImproperlyConfigured(
            "LDAP_ROLE_MAP needs LDAP_ORGANISATION, the code of the organisation whose "
            "memberships the directory groups decide."
        )
    settings["LDAP_ROLE_MAP"] = role_map
    settings["LDAP_ORGANISATION"] = organisation
    backends = [b for b in settings["AUTHENTICATION_BACKENDS"] if b != LDAP_BACKEND]
    # After the lockout check (axes), before local passwords.
    settings["AUTHENTICATION_BACKENDS"] = [*backends[:1], LDAP_BACKEND, *backends[1:]]
