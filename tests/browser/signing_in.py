"""Signing in through the login form, for the browser tests."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD


def sign_in(page, username: str, *, axe=None, password: str = PASSWORD) -> None:
    """Open Borough signed out (it must send you to the login page), sign in as
    `username` and land on the home page. With `axe`, both pages are checked too."""
    page.goto("/")
    page.wait_for_url("**/accounts/login/**")
    if axe is not None:
        axe(page, "sign-in page")
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    if axe is not None:
        axe(page, f"home for {username}")
