"""A throwaway OpenLDAP server (Debian's slapd) in a temporary directory on a free local
port, for the directory sign-in tests (tests/accounts/test_ldap.py), directory discovery's
tests (tests/cmdb/test_discovery.py) and its benchmark (bench/cmdb/discovery.py).

AD_SCHEMA gives slapd Active Directory's `computer` object class with the attributes
discovery reads, under Microsoft's own OIDs, so a test directory holds computer objects
shaped as a domain controller's are (objectGUID as 16 bytes, userAccountControl's flags).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

AD_SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.363 NAME 'operatingSystem'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.364 NAME 'operatingSystemVersion'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.619 NAME 'dNSHostName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.3.30 NAME 'computer' SUP device STRUCTURAL
  MAY ( objectGUID $ userAccountControl $ operatingSystem $ operatingSystemVersion $
        dNSHostName ) )
"""

# Passwords are for binding only; everyone signed in reads everything.
DEFAULT_ACCESS = ("access to attrs=userPassword by anonymous auth by * none",
                  "access to * by users read by * none")


class SlapdUnavailable(Exception):
    """slapd, slapadd or the schema files are not installed: the caller skips."""


def find_program(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/local/sbin") / name)
         if p.exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_slapd(root: Path, *, suffix: str, admin_dn: str, admin_password: str,
                  ldif: str, schemas: Sequence[str] = ("core", "cosine", "inetorgperson"),
                  extra_schema: str = "", limits: Sequence[str] = (),
                  maxsize: int = 10 * 1024 * 1024) -> Iterator[str]:
    """Start slapd loaded with `ldif` and yield its ldap:// URI; stop it on the way out.
    `schemas` are Debian's schema files by name, `extra_schema` one more in slapd.conf's
    syntax, `limits` global lines such as "sizelimit …"."""
    import ldap

    slapd_bin, slapadd_bin = find_program("slapd"), find_program("slapadd")
    if not slapd_bin or not slapadd_bin:
        raise SlapdUnavailable("slapd is not installed (Debian: apt-get install slapd "
                               "ldap-utils); the directory tests need a real LDAP server")
    modules = next((p for p in ("/usr/lib/ldap", "/usr/lib/openldap", "/usr/libexec/openldap")
                    if Path(p, "back_mdb.so").exists() or Path(p, "back_mdb.la").exists()),
                   None)
    schema_dir = next((p for p in ("/etc/ldap/schema", "/etc/openldap/schema")
                       if Path(p, "inetorgperson.schema").exists()), None)
    if schema_dir is None:
        raise SlapdUnavailable("slapd is installed but its schema files "
                               "(inetorgperson.schema) were not found")
    (root / "data").mkdir(parents=True, exist_ok=True)
    includes = [f"include {schema_dir}/{name}.schema" for name in schemas]
    if extra_schema:
        (root / "extra.schema").write_text(extra_schema)
        includes.append(f"include {root}/extra.schema")
    config = root / "slapd.conf"
    config.write_text("\n".join([
        *includes,
        *([f"modulepath {modules}", "moduleload back_mdb"] if modules else []),
        f"pidfile {root}/slapd.pid",
        *limits,
        "database mdb",
        f"maxsize {maxsize}",
        f'suffix "{suffix}"',
        f'rootdn "{admin_dn}"',
        f"rootpw {admin_password}",
        f"directory {root}/data",
        *DEFAULT_ACCESS,
        "",
    ]))
    (root / "data.ldif").write_text(ldif)
    loaded = subprocess.run([slapadd_bin, "-q", "-f", str(config), "-l", str(root / "data.ldif")],
                            capture_output=True, text=True, timeout=600)
    if loaded.returncode != 0:
        raise RuntimeError(f"slapadd could not load the test directory: {loaded.stderr}")
    uri = f"ldap://127.0.0.1:{free_port()}/"
    log = (root / "slapd.log").open("w")
    # -d 0: stay in the foreground (no fork), so the caller owns the process.
    process = subprocess.Popen([slapd_bin, "-h", uri, "-f", str(config), "-d", "0"],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"slapd exited: {(root / 'slapd.log').read_text()}")
            try:
                conn = ldap.initialize(uri)
                conn.simple_bind_s(admin_dn, admin_password)
                conn.unbind_s()
                break
            except ldap.SERVER_DOWN:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"slapd did not start: {(root / 'slapd.log').read_text()}") from None
                time.sleep(0.1)
        yield uri
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
