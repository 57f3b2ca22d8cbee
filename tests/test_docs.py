"""The operator documentation agrees with the code: the production sample environment
can be sourced as the docs say, and every variable the settings read is documented."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "borough"
PRODUCTION = ROOT / "docs" / "production.md"

# Modules that read settings from the environment at start-up.
SETTINGS_SOURCES = [
    SRC / "settings.py",
    SRC / "accounts" / "ldap_settings.py",
    SRC / "core" / "management" / "commands" / "serve.py",
]
ENV_READERS = {"get_str", "get_int", "get_bool", "get_list"}

# What the later sections of production.md tell the administrator to set: without
# these, production either refuses to start, runs tasks inline, counts throttles per
# process, sends console mail, or mails links that point at 127.0.0.1.
REQUIRED_IN_SAMPLE = {
    "BOROUGH_MODE", "BOROUGH_DATA_DIR", "SECRET_KEY", "ALLOWED_HOSTS",
    "SECURE_PROXY_SSL_HEADER", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL",
    "EMAIL_HOST", "DEFAULT_FROM_EMAIL", "MAIL_DOMAIN", "BOROUGH_BASE_URL",
}


def settings_variables() -> set[str]:
    """Every environment variable name the settings modules read, from their source."""
    names: set[str] = set()
    for path in SETTINGS_SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            func = node.func
            # env.get_str("X"), os.environ.get("X"), os.getenv("X")
            if isinstance(func, ast.Attribute) and (
                (func.attr in ENV_READERS and isinstance(func.value, ast.Name)
                 and func.value.id == "env")
                or (func.attr == "get" and ast.unparse(func.value) == "os.environ")
                or ast.unparse(func) == "os.getenv"
            ):
                names.add(first.value)
        # os.environ["X"] reads
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
                    and isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Load)):
                names.add(node.slice.value)
    return names


def production_sample() -> tuple[str, str]:
    """The environment file of production.md's section 1 (its sh block that sets
    BOROUGH_MODE), and the text after section 1."""
    text = PRODUCTION.read_text()
    section = text[text.index("## 1. Environment"):text.index("## 2. PostgreSQL")]
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", section, re.S)
              if re.search(r"^BOROUGH_MODE=", b, re.M)]
    assert len(blocks) == 1, "production.md section 1 should have one sample environment"
    return blocks[0], text[text.index("## 2. PostgreSQL"):]


def source_with_bash(tmp_path: Path, body: str) -> dict[str, str]:
    """Source the file as the docs do, in an empty environment; the variables it set."""
    env_file = tmp_path / "borough.env"
    env_file.write_text(body)
    result = subprocess.run(
        ["bash", "-c", f"set -e; set -a; . {env_file}; set +a; env -0"],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    pairs = (item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
    return dict(pairs)


def test_settings_variables_are_found():
    # The parser must see each kind of read, or the documentation test below is empty.
    found = settings_variables()
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_CONN_MAX_AGE",
            "LDAP_SERVER_URI", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"} <= found


def test_production_sample_sources_with_bash(tmp_path):
    sample, _ = production_sample()
    variables = source_with_bash(tmp_path, sample)
    assert variables["DEFAULT_FROM_EMAIL"] == "ICT Service Desk <itsm@council.gov.uk>"
    missing = REQUIRED_IN_SAMPLE - variables.keys()
    assert not missing, f"production.md section 1 does not set {sorted(missing)}"
    assert variables["BOROUGH_BASE_URL"].startswith("https://")
    # Every name in the sample is one Borough reads (no typos, nothing obsolete).
    unknown = {name for name in variables if name not in {"PWD", "SHLVL", "_", "PATH"}}
    unknown -= settings_variables()
    assert not unknown, f"the sample sets variables Borough never reads: {sorted(unknown)}"



def test_every_setting_is_documented():
    configuring = (ROOT / "docs" / "configuring.md").read_text()
    example = (ROOT / ".env.example").read_text()
    variables = settings_variables()
    undocumented = sorted(name for name in variables if f"`{name}`" not in configuring)
    assert not undocumented, f"docs/configuring.md does not describe {undocumented}"
    # .env.example shows each as a commented-out line with its default.
    missing = sorted(name for name in variables
                     if not re.search(rf"^# {name}=", example, re.M))
    assert not missing, f".env.example does not list {missing}"
