"""The framework list and detail pages in headless Chromium with axe-core, on the shipped
framework, as an ICT manager."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.signing_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)




def test_framework_pages_are_accessible(page, axe, screenshot, live_server):
    from borough.core import roles
    from borough.standards.framework.loader import load_shipped_frameworks
    from borough.standards.models import Framework
    from tests.conftest import make_member
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="Copeland Borough Council", code="cbc")
    make_member(org, roles.ICT_MANAGER, "manager")
    load_shipped_frameworks()
    framework = Framework.objects.order_by("-version").first()

    sign_in(page, "manager")
    page.goto("/standards/frameworks/")
    expect(page.get_by_role("table").first).to_be_visible()
    axe(page, "framework list")
    screenshot("list")

    page.get_by_role("link", name=re.compile(re.escape(framework.name))).first.click()
    page.wait_for_url(f"**/standards/frameworks/{framework.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().strip()
    axe(page, "framework detail")
    screenshot("detail")
