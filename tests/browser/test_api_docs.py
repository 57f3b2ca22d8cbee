"""The interactive API documentation renders under the site's CSP, from local files only."""

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
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock-tag").first.wait_for()
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
    assert all(url.startswith(page.url.split("/api/")[0]) for url in requests), requests
