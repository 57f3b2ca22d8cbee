"""The interactive API documentation renders under the site's CSP, from local files only,
and axe-core finds nothing on it as a developer uses it."""

from __future__ import annotations

import pytest

from borough.core import roles
from tests.browser.signing_in import sign_in
from tests.conftest import make_member

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_renders_without_csp_errors(page, axe, org_a):
    make_member(org_a, roles.AGENT, "agent")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, "agent", axe=axe)
    page.goto("/api/docs/")
    page.get_by_role("heading", level=1, name="Borough API documentation").wait_for()
    page.locator(".opblock-tag").first.wait_for()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requests), requests


def test_api_docs_have_no_axe_violations_in_use(page, axe, org_a):
    make_member(org_a, roles.ADMINISTRATOR, "admin")
    sign_in(page, "admin")
    page.goto("/api/docs/")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    page.locator(".opblock-tag").first.wait_for()
    assert page.locator("main").count() == 1
    axe(page, "API docs, groups closed")

    page.locator("#operations-tag-accounts").click()
    page.locator("#operations-accounts-accounts_memberships_list .opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    # An enum parameter's <select> is named by the label api-docs.js puts round it.
    page.get_by_role("combobox", name="Value of is_active").wait_for()
    axe(page, "API docs, an operation open to try out")

    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table .response-col_status").first.wait_for()
    axe(page, "API docs, a response shown")

    page.locator(".scheme-container .btn.authorize").click()
    page.get_by_role("button", name="Close dialog").wait_for()
    axe(page, "API docs, the Authorize dialog")
    page.get_by_role("button", name="Close dialog").click()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors

    # The skip link leads into the one <main>.
    page.goto("/api/docs/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.wait_for_url("**/api/docs/#main-content")
    assert page.locator("main#main-content").count() == 1
