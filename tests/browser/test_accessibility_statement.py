"""The accessibility statement passes axe-core and reads without sideways scrolling on a
phone-sized screen, reached from the footer of the sign-in page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_statement_from_the_footer(page, axe, screenshot, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Accessibility statement").click()
    page.get_by_role("heading", name="Accessibility statement for Borough").wait_for()
    axe(page, f"accessibility statement at {width} px")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.csp_errors
    screenshot(f"{width}")
