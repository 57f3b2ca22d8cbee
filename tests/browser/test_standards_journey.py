"""Issue 5's journey in headless Chromium, on the shipped ICT framework: an ICT manager
starts the annual review, rates three standards, attaches evidence (a note, a ticket and
a file), adds two actions and produces the committee report — axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from borough.core import roles
from borough.standards import models as st
from borough.standards.framework.loader import load_shipped_frameworks
from borough.standards.report import pdf
from tests.browser.choosing import choose_person
from tests.browser.signing_in import sign_in
from tests.browser.test_servicedesk_journey import no_csp_errors
from tests.conftest import make_member
from tests.factories import OrganisationFactory, PersonFactory, TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)

RATINGS = [  # standard name as the framework gives it, current, target
    ("Service desk and incident management", "Minimum", "Progressing"),
    ("Service level management", "Progressing", "Progressing"),
    ("Staff ICT skills and training", "Below Minimum", "Minimum"),
]


def test_ict_manager_runs_the_review_and_produces_the_report(page, axe, screenshot, tmp_path):
    load_shipped_frameworks()
    org = OrganisationFactory(name="Copeland Borough Council", code="cbc")
    manager = make_member(org, roles.ICT_MANAGER, "manager")
    PersonFactory(organisation=org, user=manager, full_name="Morgan Manager")
    ticket = TicketFactory(organisation=org, title="Payroll server slow")
    evidence_file = tmp_path / "sla-report.pdf"
    evidence_file.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    sign_in(page, "manager", axe=axe)

    # Start the review.
    page.goto("/standards/cycles/")
    axe(page, "assessment cycles")
    page.goto("/standards/cycles/add/")
    axe(page, "start a cycle")
    page.get_by_label("Framework and version").select_option(index=1)
    page.get_by_label("Name").fill("Annual review 2026/27")
    page.get_by_label("Starts on").fill("2026-04-01")
    page.get_by_label("Ends on").fill("2027-03-31")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/standards/cycles/\d+/$"))
    cycle = st.AssessmentCycle.objects.get(organisation=org)
    axe(page, "cycle page")
    screenshot("cycle")

    # Rate three standards from the heat map.
    for name, current, target in RATINGS:
        page.goto(f"/standards/cycles/{cycle.pk}/")
        page.get_by_role("link", name=name).first.click()
        page.wait_for_url(re.compile(r".*/standards/ratings/\d+/$"))
        axe(page, f"assessment of {name}")
        page.get_by_role("group", name="Current level").get_by_label(current, exact=True).check()
        page.get_by_role("group", name="Target level").get_by_label(target, exact=True).check()
        page.get_by_label("Commentary").fill(f"Rated {current} at the 2026/27 review.")
        page.get_by_role("button", name="Save rating").click()
        page.get_by_text(f"Rating of “{name}” saved.").wait_for()
        axe(page, f"assessment of {name} after rating")

    # Evidence on the first: a note, the ticket by its reference, and a file.
    desk = st.StandardAssessment.objects.get(cycle=cycle, standard__name=RATINGS[0][0])
    page.goto(f"/standards/ratings/{desk.pk}/")
    form = page.locator("form", has=page.get_by_role("button", name="Add evidence"))
    form.get_by_label("Title").fill("Monthly SLA report")
    form.get_by_label("Note").fill("Reviewed at the ICT management board.")
    form.get_by_label("Borough record").fill(ticket.reference)
    form.get_by_label("Upload files").set_input_files(str(evidence_file))
    form.get_by_role("button", name="Add evidence").click()
    page.get_by_text("Monthly SLA report").first.wait_for()
    axe(page, "assessment with evidence")
    screenshot("rating-with-evidence")
    evidence = st.Evidence.objects.get(rating=desk)
    assert evidence.record_id == ticket.pk
    expect(page.get_by_role("link", name=re.compile(ticket.reference)).first).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("sla-report.pdf")).first).to_be_visible()

    # Two actions closing the gaps.
    for title, standard in (("Set up an ICT training path with HR", "Staff ICT skills and training"),
                            ("Add problem records to the service desk",
                             "Service desk and incident management")):
        page.goto("/standards/actions/add/")
        axe(page, "add an action")
        page.get_by_label("Title").fill(title)
        choose_person(page, "Owner", "Morgan Manager")
        page.get_by_label("Due date").fill("2027-03-31")
        page.get_by_label("Raised by review").select_option(label="Annual review 2026/27")
        page.get_by_label(re.compile(rf": {standard}$")).check()
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r".*/standards/actions/\d+/$"))
        axe(page, f"action {title}")
    page.goto("/standards/actions/")
    axe(page, "action plan")
    assert st.Action.objects.filter(organisation=org, cycle=cycle).count() == 2

    # The committee report, as a page and as a PDF.
    page.goto(f"/standards/cycles/{cycle.pk}/")
    page.get_by_role("link", name=re.compile("^Committee report")).click()
    page.wait_for_url(f"**/standards/cycles/{cycle.pk}/report/")
    axe(page, "committee report")
    no_csp_errors(page)
    screenshot("report")
    text = page.locator("main").inner_text()
    for name, _current, _target in RATINGS:
        assert name in text
    assert "Set up an ICT training path with HR" in text
    assert "Monthly SLA report" in text
    if pdf.available():
        # WeasyPrint takes seconds on a loaded CI machine: wait for the file, not a timer.
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("link", name="Download the committee report as a PDF").click()
        assert download.value.suggested_filename.endswith("committee-report.pdf")
        with open(download.value.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
