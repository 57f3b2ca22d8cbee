"""The assessment pages in headless Chromium with axe-core: the cycle page (heat map, gap
list), the comparison page, and the standard assessment page — answering a criterion
with HTMX, then the same page read-only once approved."""

from __future__ import annotations

import os
from datetime import date

import pytest
from playwright.sync_api import expect

from borough.standards.assessments import services
from tests.browser.signing_in import sign_in
from tests.standards.assessments.conftest import (  # noqa: F401 - fixtures
    build_framework,
    complete,
    rating_of,
    rules,
)

pytestmark = pytest.mark.django_db(transaction=True)


def shoot(page, name):
    folder = os.path.join(os.getcwd(), "var", "screenshots")
    os.makedirs(folder, exist_ok=True)
    page.screenshot(path=os.path.join(folder, f"assessments-{name}.png"), full_page=True)




def test_assessment_pages_are_accessible_and_work(page, axe, rules, live_server):  # noqa: F811 - rules
    from borough.core import roles
    from tests.conftest import make_member
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Copeland Borough Council", code="cbc")
    manager = make_member(org, roles.ICT_MANAGER, "manager")
    reviewer = make_member(org, roles.ADMINISTRATOR, "reviewer")
    framework = build_framework()
    first = services.start_cycle(org, actor=manager, framework=framework, name="Annual review 2025/26",
                                 starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    first = complete(first, manager, reviewer, level=0, target=2)
    services.approve_cycle(first, actor=reviewer, expected_version=first.version)
    cycle = services.start_cycle(org, actor=manager, framework=build_framework(version=2),
                                 name="Annual review 2026/27", starts_on=date(2026, 4, 1),
                                 ends_on=date(2027, 3, 31))
    alpha = rating_of(cycle, "alpha")
    services.rate_standard(alpha, actor=manager, current_level=1, target_level=3, commentary="",
                           expected_version=alpha.version)

    sign_in(page, "manager")
    page.goto("/standards/cycles/")
    axe(page, "cycle list")
    page.get_by_role("link", name="Annual review 2026/27").click()
    page.wait_for_url(f"**/standards/cycles/{cycle.pk}/")
    expect(page.get_by_role("table").first).to_be_visible()
    axe(page, "cycle page")
    shoot(page, "cycle")

    page.get_by_role("link", name="Compare with previous cycles").click()
    axe(page, "compare page")
    shoot(page, "compare")

    page.goto(f"/standards/ratings/{alpha.pk}/")
    axe(page, "standard assessment page")
    page.locator("#criteria-panel").get_by_label("Met", exact=True).first.check()
    page.locator("#criteria-panel").get_by_role("button").first.click()
    page.get_by_text("Answer saved.").wait_for()
    assert page.locator("#supported-level").inner_text() == "Minimum"
    axe(page, "standard assessment page after an HTMX answer")
    shoot(page, "rating")

    page.goto("/standards/cycles/add/")
    axe(page, "start a cycle")
    page.goto(f"/standards/ratings/{rating_of(first, 'alpha').pk}/")
    expect(page.get_by_text("is locked").first).to_be_visible()
    axe(page, "locked standard page")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e], page.csp_errors
