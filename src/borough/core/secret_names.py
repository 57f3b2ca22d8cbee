"""Secrets stay in the environment; a record names the variable that holds one (an IMAP
password, a directory password). A council's administrator chooses that name and the
server it is sent to, so the name must start with a prefix of the record's purpose and
the council's code: otherwise an administrator could have Borough send SECRET_KEY, the
database password or another council's password to a server they run."""

from __future__ import annotations

import re

ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")


def env_prefix(purpose: str, organisation_code: str) -> str:
    """`MAIL_CBC_` for Copeland's mailboxes, `DISCOVERY_CBC_` for its directory."""
    return f"{purpose}_" + re.sub(r"[^A-Z0-9]", "_", organisation_code.upper()) + "_"


def env_name_problem(name: str, purpose: str, organisation_code: str) -> str | None:
    """Why `name` may not hold this council's secret for `purpose`, in words; None if it
    may (or is empty)."""
    if not name:
        return None
    prefix = env_prefix(purpose, organisation_code)
    if not ENV_NAME.fullmatch(name):
        return ("Give the name of an environment variable: capital letters, digits and "
                f"underscores, like {prefix}PASSWORD.")
    if not name.startswith(prefix) or name == prefix:
        return (f"The variable's name must start with {prefix} (for example "
                f"{prefix}PASSWORD), so that no other of the server's settings can be sent "
                "to a server named here.")
    return None
