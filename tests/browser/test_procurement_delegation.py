"""An approver who is away delegates their step of a business case to a deputy, who finds
it waiting for them and approves it; the request's page shows who delegated to whom.
axe-core on every page, at 1280 and 390 pixels."""

from __future__ import annotations

import pytest

from borough.core import roles
from borough.procurement import models as m
from borough.procurement import services
from tests.browser.signing_in import sign_in
from tests.procurement.world import copeland

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_approver_delegates_their_step_and_the_deputy_approves(page, axe, org_a, width):
    council = copeland(org_a)
    council.person("deputy", roles.TEAM_LEAD, "Dee Puty")
    request = council.request("12000.00", title="Planning portal upgrade")
    services.submit(request, actor=council.users["requester"])
    request.refresh_from_db()
    services.approve(request, actor=council.users["ictmanager"])
    page.set_viewport_size({"width": width, "height": 900})

    sign_in(page, council.users["finance"].username)
    page.goto(f"/procurement/requests/{request.pk}/")
    page.get_by_role("link", name="Delegate my decision").click()
    page.get_by_label("Deputy").select_option(label="Dee Puty")
    page.get_by_label("Note (optional)").fill("On leave until the 20th.")
    axe(page, "delegating a decision")
    page.get_by_role("button", name="Delegate my decision").click()
    page.get_by_text(f"Your decision on {request.reference} is delegated.").wait_for()
    assert page.get_by_text("Fiona Nash delegated to Dee Puty").is_visible() or \
        page.get_by_text("delegated to Dee Puty").first.is_visible()
    # Having handed it over, they may no longer decide it.
    assert page.get_by_role("link", name="Approve", exact=True).count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    axe(page, "the business case, delegated")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, council.users["deputy"].username)
    page.goto("/procurement/requests/?waiting_for_me=true")
    page.get_by_role("link", name=request.reference).click()
    page.get_by_role("link", name="Approve", exact=True).click()
    page.get_by_label("Comments (optional)").fill("Approved in Fiona's absence.")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text(f"{request.reference} is approved.").wait_for()
    axe(page, "the business case, approved by the deputy")
    request.refresh_from_db()
    assert request.status == m.Status.APPROVED
    assert request.decisions.last().decided_by == council.users["deputy"]
