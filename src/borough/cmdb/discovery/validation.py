"""Checks of a directory source's settings, in words an administrator can act on. Plain
Python (python-ldap only when installed, for DNs), so the form, the API and the model's
clean() give the same messages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from borough.core import secret_names

# What Borough reads from each computer object -> the attribute Active Directory keeps it
# in. A source's `attribute_map` overrides some of them (another directory, a test
# schema); "dn" as the key means the entry's distinguished name.
DEFAULT_ATTRIBUTES = {
    "key": "objectGUID",
    "name": "cn",
    "hostname": "dNSHostName",
    "operating_system": "operatingSystem",
    "operating_system_version": "operatingSystemVersion",
    "description": "description",
    "account_control": "userAccountControl",
    "changed": "whenChanged",
}
ATTRIBUTE_HELP = {
    "key": "never changes for the life of the computer object (AD: objectGUID; OpenLDAP: "
           "entryUUID; dn to use the distinguished name, which changes when it moves)",
    "name": "the computer's name",
    "hostname": "its DNS host name",
    "operating_system": "its operating system",
    "operating_system_version": "the operating system's version",
    "description": "its description",
    "account_control": "the account flags, whose bit 2 means disabled",
    "changed": "when the object last changed",
}
ATTRIBUTE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,59}")
MAX_PAGE_SIZE = 1000  # Active Directory's MaxPageSize


def attribute_names(attribute_map: dict | None) -> dict[str, str]:
    """The attribute each thing is read from: the defaults with a source's overrides."""
    return {**DEFAULT_ATTRIBUTES, **(attribute_map or {})}


def env_prefix(organisation_code: str) -> str:
    """The start every password variable of an organisation's sources must have
    (core.secret_names)."""
    return secret_names.env_prefix("DISCOVERY", organisation_code)


def password_env_problem(name: str, organisation_code: str) -> str | None:
    return secret_names.env_name_problem(name, "DISCOVERY", organisation_code)


def uri_problem(uri: str) -> str | None:
    if not uri:
        return None
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in ("ldap", "ldaps") or not parts.hostname:
        return ("Give the directory server as ldap://host or ldaps://host, optionally with a "
                "port, like ldaps://dc1.council.local:636.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return ("Give only the server and port, like ldaps://dc1.council.local:636: the "
                "search base and filter have fields of their own.")
    del port  # read only to check it is a number
    return None


def dn_problem(dn: str) -> str | None:
    """None for a syntactically valid distinguished name."""
    if not dn:
        return "Enter a distinguished name, like OU=Computers,DC=council,DC=local."
    try:
        import ldap.dn
    except ImportError:  # pragma: no cover - without python-ldap: a rough check
        ok = all("=" in part for part in dn.split(","))
    else:
        try:
            ok = bool(ldap.dn.str2dn(dn))
        except ldap.DECODING_ERROR:
            ok = False
    if not ok:
        return (f"“{dn}” is not a distinguished name: write it like "
                "OU=Computers,DC=council,DC=local.")
    return None


def filter_problem(search_filter: str) -> str | None:
    text = search_filter.strip()
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if not (text.startswith("(") and text.endswith(")")) or depth != 0:
        return ("Write the filter in LDAP's form, in brackets, like (objectClass=computer) "
                "or (&(objectClass=computer)(!(cn=TEST*))).")
    return None


def attribute_map_problems(attribute_map) -> list[str]:
    if not isinstance(attribute_map, dict):
        return ['Give an object naming attributes, like {"key": "entryUUID"}, or leave it '
                "empty for Active Directory's names."]
    problems = []
    for what, attribute in attribute_map.items():
        if what not in DEFAULT_ATTRIBUTES:
            problems.append(f"“{what}” is not something Borough reads; use "
                            + ", ".join(DEFAULT_ATTRIBUTES) + ".")
        elif not isinstance(attribute, str) or not ATTRIBUTE_NAME.fullmatch(attribute):
            problems.append(f"{what}: give an attribute name, like "
                            f"{DEFAULT_ATTRIBUTES[what]}.")
    return problems


def ou_lines(text: str) -> list[str]:
    """The OUs of a one-per-line field, without blank lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def os_words(text: str) -> list[str]:
    return [word.strip().lower() for word in (text or "").split(",") if word.strip()]
