"""A plan's print page, its PDF (or the 503 saying what to install) and an issued
revision; another council's plan is a 404."""

import pytest

from borough.continuity import services
from borough.core import pdf
from tests.continuity.factories import ContinuityPlanFactory, PlanContactFactory, PlanStepFactory

pytestmark = pytest.mark.django_db


def test_print_pdf_and_revision(org_a, org_b, manager, signed_in):
    plan = ContinuityPlanFactory(organisation=org_a, title="Moresby failover")
    PlanStepFactory(organisation=org_a, plan=plan, instruction="Call the link provider.")
    PlanContactFactory(organisation=org_a, plan=plan, phone="0800 023 2023")
    services.approve_plan(plan, actor=manager)
    client = signed_in(manager)
    page = client.get(f"/continuity/plans/{plan.pk}/print/").content.decode()
    assert "Call the link provider." in page and "0800 023 2023" in page
    revision = client.get(f"/continuity/plans/{plan.pk}/revisions/1/")
    assert revision.status_code == 200 and "revision 1" in revision.content.decode()
    assert client.get(f"/continuity/plans/{plan.pk}/revisions/2/").status_code == 404
    answer = client.get(f"/continuity/plans/{plan.pk}/plan.pdf")
    if pdf.available():
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    else:
        assert answer.status_code == 503
    theirs = ContinuityPlanFactory(organisation=org_b)
    for path in ("print/", "plan.pdf", "revisions/1/"):
        assert client.get(f"/continuity/plans/{theirs.pk}/{path}").status_code == 404
