"""Issue 16 item 7.7: the README stays a newcomer's page (what Borough is, `make run`,
`make test`, where to read next, a short performance summary) and its links, like those
of docs/performance.md where the figures went, lead to files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("name", ["README.md", "docs/performance.md"])
def test_every_relative_link_leads_to_a_file(name):
    page = ROOT / name
    targets = [t for t in LINK.findall(page.read_text())
               if not re.match(r"[a-z]+:|#|/", t)]
    missing = [t for t in targets if not (page.parent / t.split("#")[0]).exists()]
    assert missing == [], f"{name} links to files that do not exist: {missing}"
    if name == "README.md":
        assert "docs/performance.md" in targets


def test_the_readme_is_short_and_keeps_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.encode()) < 5_000
    assert "make run    # installs into .venv" in text and "make test   # installs" in text
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run: install$", makefile, re.M)
    assert re.search(r"^test: install$", makefile, re.M)
    # The figures moved; none of the benchmark tables stayed behind.
    assert "| endpoint |" not in text
    assert "| endpoint |" in (ROOT / "docs/performance.md").read_text()
