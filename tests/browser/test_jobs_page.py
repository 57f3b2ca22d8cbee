"""The background jobs' status page, as a platform administrator reads it, with axe."""

from __future__ import annotations

import pytest

from borough.core.jobs import run_job
from borough.core.registry import registry
from tests.browser.signing_in import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_sees_a_failing_job(page, axe, screenshot):
    def broken():
        raise ConnectionError("mail server refused")

    registry.periodic_jobs["test-broken"] = (broken, 300)
    try:
        with pytest.raises(ConnectionError):
            run_job("test-broken", via="in-process")
        run_job("clear-expired-sessions", via="in-process")
        UserFactory(username="root", is_superuser=True, is_staff=True)
        sign_in(page, "root", axe=axe)
        page.get_by_role("link", name="Background jobs", exact=True).click()
        page.wait_for_url("**/jobs/")
        assert page.get_by_role("heading", level=1).inner_text() == "Background jobs"
        row = page.get_by_role("row").filter(has_text="test-broken")
        assert "Failed" in row.inner_text() and "mail server refused" in row.inner_text()
        assert "Succeeded" in page.get_by_role("row").filter(
            has_text="clear-expired-sessions").inner_text()
        axe(page, "background jobs")
        screenshot("jobs")
    finally:
        registry.periodic_jobs.pop("test-broken", None)
