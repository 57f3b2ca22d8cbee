"""The committee report page in headless Chromium: axe-core finds nothing, the page sends
no CSP errors, the contents links work from the keyboard, and the PDF link downloads."""

from __future__ import annotations

import pytest

from borough.standards.report import pdf
from tests.browser.signing_in import sign_in
from tests.browser.test_servicedesk_journey import no_csp_errors
from tests.standards.report.conftest import desk_rule, manager, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_report_page_is_accessible(page, axe, world, manager):  # noqa: F811
    cycle = world["cycle"]
    sign_in(page, manager.username, axe=axe)
    page.goto(f"/standards/cycles/{cycle.pk}/report/")
    assert page.get_by_role("heading", level=1).inner_text().startswith(
        "Committee report: Annual review 2026/27")
    axe(page, "committee report")
    no_csp_errors(page)

    # The contents work from the keyboard.
    page.get_by_role("link", name="Appendix B: the action plan").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#appendix-b")

    # A chart's table opens from the keyboard; axe again with it open.
    page.locator("summary", has_text="Show the data").first.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.borough-chart__data").first.get_attribute("open") \
        is not None
    axe(page, "committee report with a chart table open")

    if pdf.available():
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the committee report as a PDF").click()
        assert download.value.suggested_filename == (
            "cbc-annual-review-2026-27-committee-report.pdf")
