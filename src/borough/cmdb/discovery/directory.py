"""Reading computer objects from a directory over LDAP, a page at a time (the Simple
Paged Results control, RFC 2696: Active Directory answers at most MaxPageSize, 1,000,
entries to one search without it; OpenLDAP's slapd supports it out of the box).

Nothing is written here: a reading either returns every computer under the search base
or raises DirectoryError with what went wrong in words, so a failed run changes nothing.
python-ldap is imported when a directory is read (the optional `ldap` extra)."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field

TIMEOUT_SECONDS = 15
DISABLED_FLAG = 0x2  # userAccountControl's ACCOUNTDISABLE bit


class DirectoryError(Exception):
    """The directory could not be read; the message says what to check."""


@dataclass(frozen=True)
class Connection:
    uri: str
    bind_dn: str = ""
    password: str = ""
    start_tls: bool = False
    timeout: int = TIMEOUT_SECONDS
    # Where the password came from, for messages ("the password in DISCOVERY_CBC_PASSWORD").
    password_from: str = ""


@dataclass(frozen=True)
class Computer:
    """What Borough takes from one computer object."""

    key: str
    dn: str
    name: str
    hostname: str
    operating_system: str
    description: str
    disabled: bool
    changed: str = ""


@dataclass
class Reading:
    computers: list[Computer] = field(default_factory=list)
    pages: int = 0
    # Entries that are not usable as computers (no key, no name), in words.
    ignored: list[str] = field(default_factory=list)


def read_computers(connection: Connection, *, base_dn: str, search_filter: str,
                   attributes: dict[str, str], page_size: int) -> Reading:
    """Every computer object under `base_dn` matching `search_filter`. `attributes` says
    which attribute holds each thing read (validation.DEFAULT_ATTRIBUTES)."""
    ldap = _ldap()
    conn = _connect(ldap, connection)
    try:
        return _search(ldap, conn, connection, base_dn=base_dn, search_filter=search_filter,
                       attributes=attributes, page_size=page_size)
    except ldap.LDAPError as exc:
        raise DirectoryError(_explain(ldap, exc, connection, base_dn=base_dn,
                                      page_size=page_size)) from exc
    finally:
        with contextlib.suppress(ldap.LDAPError):  # the connection is gone anyway
            conn.unbind_s()


def _ldap():
    try:
        import ldap
        import ldap.controls  # noqa: F401
    except ImportError as exc:
        raise DirectoryError(
            "Reading a directory needs python-ldap, which is not installed: install Borough "
            "with the ldap extra (pip install 'borough[ldap]', which needs libldap2-dev and "
            "libsasl2-dev).") from exc
    return ldap


def _connect(ldap, connection: Connection):
    try:
        conn = ldap.initialize(connection.uri)
        conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
        # Active Directory answers with referrals python-ldap cannot follow anonymously.
        conn.set_option(ldap.OPT_REFERRALS, 0)
        # A directory that is down must not hold a worker for long.
        conn.set_option(ldap.OPT_NETWORK_TIMEOUT, connection.timeout)
        conn.set_option(ldap.OPT_TIMEOUT, connection.timeout)
        if connection.start_tls:
            conn.start_tls_s()
        conn.simple_bind_s(connection.bind_dn, connection.password)
    except ldap.LDAPError as exc:
        raise DirectoryError(_explain(ldap, exc, connection)) from exc
    return conn


def _search(ldap, conn, connection: Connection, *, base_dn, search_filter, attributes,
            page_size) -> Reading:
    from ldap.controls import SimplePagedResultsControl

    wanted = sorted({name for what, name in attributes.items()
                     if not (what == "key" and name.lower() == "dn")})
    control = SimplePagedResultsControl(criticality=True, size=page_size, cookie=b"")
    reading = Reading()
    while True:
        message = conn.search_ext(base_dn, ldap.SCOPE_SUBTREE, search_filter, wanted,
                                  serverctrls=[control])
        _type, entries, _id, controls = conn.result3(message, timeout=connection.timeout)
        reading.pages += 1
        for dn, values in entries:
            if dn is None:  # a search reference (another domain): not followed
                continue
            computer = computer_from_entry(dn, values, attributes)
            if isinstance(computer, str):
                reading.ignored.append(computer)
            else:
                reading.computers.append(computer)
        cookie = next((c.cookie for c in controls
                       if c.controlType == SimplePagedResultsControl.controlType), b"")
        if not cookie:  # the last page, or a server that does not page
            return reading
        control.cookie = cookie


def computer_from_entry(dn: str, values: dict[str, list[bytes]],
                        attributes: dict[str, str]) -> Computer | str:
    """A Computer from one entry, or why the entry cannot be one."""
    lowered = {name.lower(): found for name, found in values.items()}

    def raw(what: str) -> bytes | None:
        found = lowered.get(attributes[what].lower())
        return found[0] if found else None

    def text(what: str) -> str:
        value = raw(what)
        return value.decode("utf-8", "replace").strip() if value is not None else ""

    key_attribute = attributes["key"]
    if key_attribute.lower() == "dn":
        key = "dn:" + normalise_dn(dn)
    else:
        value = raw("key")
        if value is None:
            return f"{dn} has no {key_attribute}, so it cannot be told apart over time."
        key = format_key(key_attribute, value)
    name = text("name") or _first_rdn_value(dn)
    if not name:
        return f"{dn} has no name."
    system = " ".join(p for p in (text("operating_system"),
                                  text("operating_system_version")) if p)
    return Computer(
        key=key, dn=dn, name=name[:200], hostname=(text("hostname") or name)[:255],
        operating_system=system[:255], description=text("description")[:2000],
        disabled=is_disabled(text("account_control")), changed=text("changed"))


def format_key(attribute: str, value: bytes) -> str:
    """A key as text: Active Directory's objectGUID is 16 bytes, shown the way AD's own
    tools show it (the first three parts little-endian); other keys are text already."""
    if attribute.lower() == "objectguid" and len(value) == 16:
        return str(uuid.UUID(bytes_le=value))
    try:
        return value.decode("utf-8").strip().lower()
    except UnicodeDecodeError:
        return value.hex()


def is_disabled(account_control: str) -> bool:
    try:
        return bool(int(account_control) & DISABLED_FLAG)
    except ValueError:
        return False


def normalise_dn(dn: str) -> str:
    """A DN in one spelling (lower case, no spaces around separators), so DNs compare."""
    lowered = dn.strip().lower()
    try:
        import ldap.dn

        return ldap.dn.dn2str(ldap.dn.str2dn(lowered))
    except (ImportError, Exception):  # noqa: BLE001 - a DN python-ldap cannot parse
        return ",".join(part.strip() for part in lowered.split(","))


def is_under(dn: str, base: str) -> bool:
    """Whether `dn` is `base` or below it."""
    dn, base = normalise_dn(dn), normalise_dn(base)
    return dn == base or dn.endswith("," + base)


def _first_rdn_value(dn: str) -> str:
    first = dn.split(",", 1)[0]
    return first.split("=", 1)[1].strip() if "=" in first else ""


def _explain(ldap, exc, connection: Connection, *, base_dn: str = "",
             page_size: int = 0) -> str:
    """What went wrong, in words an administrator can act on."""
    detail = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    said = " ".join(str(detail.get(k, "")) for k in ("desc", "info")).strip() or str(exc)
    account = connection.bind_dn or "anonymous"
    password = (f" and the password in {connection.password_from}"
                if connection.password_from else " and its password")
    if isinstance(exc, ldap.SERVER_DOWN):
        return (f"Could not reach the directory at {connection.uri} ({said}). Check the "
                "address, that the server is up, and that Borough's server can reach it.")
    if isinstance(exc, ldap.TIMEOUT):
        return (f"The directory at {connection.uri} did not answer within "
                f"{connection.timeout} seconds.")
    if isinstance(exc, ldap.INVALID_CREDENTIALS):
        return (f"The directory refused the account {account}: check the account{password}.")
    if isinstance(exc, ldap.STRONG_AUTH_REQUIRED | ldap.CONFIDENTIALITY_REQUIRED):
        return ("The directory will not let Borough sign in over a plain connection: use "
                "ldaps:// or tick Use StartTLS.")
    if isinstance(exc, ldap.CONNECT_ERROR):
        return f"Could not set up a secure connection to {connection.uri} ({said})."
    if isinstance(exc, ldap.NO_SUCH_OBJECT):
        return f"The search base {base_dn} is not in the directory: check its spelling."
    if isinstance(exc, ldap.FILTER_ERROR):
        return "The directory could not read the search filter: check its brackets."
    if isinstance(exc, ldap.INSUFFICIENT_ACCESS | ldap.OPERATIONS_ERROR):
        return (f"The account {account} may not search {base_dn or 'the directory'} "
                f"({said}): give it read access there.")
    if isinstance(exc, ldap.ADMINLIMIT_EXCEEDED):
        return (f"The directory refused pages of {page_size} entries ({said}): lower the "
                "source's page size.")
    if isinstance(exc, ldap.SIZELIMIT_EXCEEDED):
        return ("The directory stopped at its size limit: it may not support paged "
                "searches for this account. Narrow the search base, or raise the limit.")
    return f"The directory answered with an error: {said}."
