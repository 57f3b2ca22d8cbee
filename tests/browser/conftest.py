"""Headless Chromium (Debian's, never a downloaded build) driving the live server."""

from __future__ import annotations

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.csp_errors = errors
    yield page
    context.close()


@pytest.fixture
def axe():
    """axe(page) -> fails the test with the list of any accessibility violations."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def check(page, context: str = ""):
        results = engine.run(page)
        violations = results.response.get("violations", [])
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
        ]
        assert not summary, f"axe violations on {context or page.url}:\n" + "\n".join(summary)

    return check


@pytest.fixture
def screenshot(page, request):
    """screenshot(name) saves a PNG under var/screenshots for a person to look at."""
    folder = os.path.join(os.getcwd(), "var", "screenshots")
    os.makedirs(folder, exist_ok=True)

    def take(name: str):
        page.screenshot(path=os.path.join(folder, f"{request.node.name}-{name}.png"), full_page=True)

    return take
