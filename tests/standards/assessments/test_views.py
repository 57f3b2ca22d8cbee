"""The assessment pages: they render with their key content, forms work with and without
HTMX, errors and stale versions are shown, locked cycles are read-only, and other
organisations and roles without permission are refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from borough.core import roles
from borough.standards import models as st
from borough.standards.assessments import services
from tests.conftest import make_member
from tests.factories import TicketFactory
from tests.standards.assessments.conftest import build_framework, complete, rating_of, result_of

pytestmark = pytest.mark.django_db


def page(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    return response, response.content.decode()


def test_cycle_list_and_start_a_cycle(client, manager, org_a, framework, rules):
    response, html = page(client, manager, reverse("standards:assessmentcycle_list"))
    assert response.status_code == 200
    response, html = page(client, manager, reverse("standards:assessmentcycle_add"))
    assert response.status_code == 200 and "Test ICT v1" in html
    response = client.post(reverse("standards:assessmentcycle_add"), {
        "framework": framework.pk, "name": "Annual review 2026/27", "starts_on": "2026-04-01",
        "ends_on": "2027-03-31", "summary": "", "submission_key": "k1"})
    cycle = st.AssessmentCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("standards:assessmentcycle_detail", args=[cycle.pk])
    assert cycle.ratings.count() == 3
    # The same submission again (double click) makes no second cycle.
    client.post(reverse("standards:assessmentcycle_add"), {
        "framework": framework.pk, "name": "Annual review 2026/27", "starts_on": "2026-04-01",
        "ends_on": "2027-03-31", "summary": "", "submission_key": "k1"})
    assert st.AssessmentCycle.objects.count() == 1


def test_start_form_shows_errors(client, manager, framework):
    client.force_login(manager)
    response = client.post(reverse("standards:assessmentcycle_add"), {
        "framework": "", "name": "", "starts_on": "2026-04-01", "ends_on": "2025-01-01"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose a framework." in html and "Enter a name for the cycle." in html
    assert "The end must be on or after the start." in html
    assert not st.AssessmentCycle.objects.exists()


def test_cycle_page_shows_heat_map_gaps_and_buttons(client, manager, cycle, rules):
    rules.met = True
    alpha = rating_of(cycle, "alpha")
    services.rate_standard(alpha, actor=manager, current_level=1, target_level=3, commentary="",
                           expected_version=alpha.version)
    beta = rating_of(cycle, "beta")
    services.rate_standard(beta, actor=manager, current_level=2, target_level=2, commentary="",
                           expected_version=beta.version)
    response, html = page(client, manager,
                          reverse("standards:assessmentcycle_detail", args=[cycle.pk]))
    assert response.status_code == 200
    assert "Heat map" in html and "<th scope=\"row\" class=\"govuk-table__header\">People" in html
    assert "borough-heat__cell--2" in html and "2 levels below target" in html
    assert "On target" in html and "Not rated" in html
    assert reverse("standards:rating_detail", args=[alpha.pk]) in html
    gap_list = html.split('id="gaps"')[1]
    assert "Alpha skills" in gap_list and "Beta desk" not in gap_list
    # Live evidence beside the assessor's level: alpha's Minimum statement is unanswered.
    assert "Below Minimum" in gap_list
    assert "Submit for approval" in html and "Approve and lock" not in html
    assert reverse("standards:assessmentcycle_compare", args=[cycle.pk]) in html


def test_submit_approve_and_reopen_buttons(client, manager, reviewer, cycle):
    cycle = complete(cycle, manager, reviewer)
    services.reopen_cycle(cycle, actor=manager, expected_version=cycle.version)
    client.force_login(manager)
    url = reverse("standards:assessmentcycle_submit", args=[cycle.pk])
    response = client.post(url, {"version": cycle.version + 1})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == st.CycleStatus.IN_REVIEW
    html = client.get(reverse("standards:assessmentcycle_detail", args=[cycle.pk])).content.decode()
    assert "Approve and lock" in html and "Reopen for assessment" in html
    # A stale version is refused with the reason shown.
    response = client.post(reverse("standards:assessmentcycle_approve", args=[cycle.pk]), {"version": 1},
                           follow=True)
    assert "after you opened this" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == st.CycleStatus.IN_REVIEW
    response = client.post(reverse("standards:assessmentcycle_approve", args=[cycle.pk]),
                           {"version": cycle.version},
                           follow=True)
    cycle.refresh_from_db()
    assert cycle.status == st.CycleStatus.APPROVED
    html = response.content.decode()
    assert "approved and locked" in html and "Approve and lock" not in html


def test_approval_refused_with_what_is_missing(client, manager, reviewer, cycle):
    for rating in cycle.ratings.all():
        services.rate_standard(rating, actor=manager, current_level=1, target_level=2, commentary="",
                               expected_version=rating.version)
    cycle.refresh_from_db()
    services.submit_cycle(cycle, actor=manager, expected_version=cycle.version)
    client.force_login(reviewer)
    response = client.post(reverse("standards:assessmentcycle_approve", args=[cycle.pk]), follow=True)
    html = response.content.decode()
    assert "A reviewer must sign off: Alpha skills, Beta desk, Gamma sourcing" in html
    cycle.refresh_from_db()
    assert cycle.status == st.CycleStatus.IN_REVIEW


def test_compare_page_matches_standards_by_code_across_versions(client, manager, reviewer,
                                                                org_a, cycle):
    cycle = complete(cycle, manager, reviewer, level=1, target=2)
    services.approve_cycle(cycle, actor=reviewer, expected_version=cycle.version)
    newer = build_framework(version=2, extra_standard=True)
    second = services.start_cycle(org_a, actor=manager, framework=newer, name="Annual review 2027/28",
                                  starts_on=date(2027, 4, 1), ends_on=date(2028, 3, 31))
    alpha = rating_of(second, "alpha")
    services.rate_standard(alpha, actor=manager, current_level=3, target_level=3, commentary="",
                           expected_version=alpha.version)
    response, html = page(client, manager,
                          reverse("standards:assessmentcycle_compare", args=[second.pk]))
    assert response.status_code == 200
    assert "Standards at each level, by cycle" in html and "<svg" in html
    assert "Show the data" in html  # the chart's table
    row = html.split("Alpha skills")[1].split("</tr>")[0]
    assert "Minimum" in row and "Excellent" in row and "Up 2 levels" in row
    delta_row = html.split("Delta new")[1].split("</tr>")[0]
    assert "Not assessed" in delta_row


def test_rating_page_shows_live_evidence_beside_the_assessor(client, manager, cycle, rules):
    rules.met = False
    alpha = rating_of(cycle, "alpha")
    response, html = page(client, manager, reverse("standards:rating_detail", args=[alpha.pk]))
    assert response.status_code == 200
    assert "Alpha skills" in html and "Live evidence supports" in html
    assert "Skills are recorded" in html and "Desk is busy" in html
    assert "5 things counted" in html and "Counts things." in html  # result and method
    assert 'href="/service-desk/tickets/"' in html  # the rule's link
    assert "Why not higher" in html
    assert "Save rating" in html and "Add evidence" in html


def test_rate_form_saves_and_shows_errors_and_conflicts(client, manager, reviewer, cycle):
    alpha = rating_of(cycle, "alpha")
    url = reverse("standards:rating_rate", args=[alpha.pk])
    client.force_login(manager)
    response = client.post(url, {"current_level": "", "target_level": "9",
                                 "version": alpha.version})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the current level." in html and "Choose the target level from the list." in html
    response = client.post(url, {"current_level": "1", "target_level": "2",
                                 "commentary": "Matrix exists", "version": alpha.version})
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert (alpha.current_level, alpha.target_level, alpha.assessor) == (1, 2, manager)
    # Someone else opened the page at the old version.
    client.force_login(reviewer)
    response = client.post(url, {"current_level": "3", "target_level": "3",
                                 "version": alpha.version - 1})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Someone else saved this rating" in html and "Their changes" in html
    alpha.refresh_from_db()
    assert alpha.current_level == 1


def test_answer_without_and_with_htmx(client, manager, cycle, rules):
    alpha = rating_of(cycle, "alpha")
    result = result_of(alpha, "a-min")
    url = reverse("standards:criterionresult_answer", args=[result.pk])
    client.force_login(manager)
    response = client.post(url, {"met": "met", "note": "Seen",
                                 "version": result.version})
    assert response.status_code == 302 and response["Location"].endswith(
        f"#criterion-{result.criterion_id}")
    result.refresh_from_db()
    assert result.met is True and result.note == "Seen"
    response = client.post(url, {"met": "not-met", "note": "",
                                 "version": result.version}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="criteria-panel"') and "Answer saved." in html
    assert "<html" not in html
    # A stale answer through HTMX: 422 with the reason, nothing saved.
    response = client.post(url, {"met": "met", "note": "",
                                 "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "after you opened this" in response.content.decode()
    result.refresh_from_db()
    assert result.met is False


def test_evidence_add_with_record_and_file_then_remove(client, manager, org_a, cycle, settings,
                                                       tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path
    alpha = rating_of(cycle, "alpha")
    ticket = TicketFactory(organisation=org_a)
    client.force_login(manager)
    url = reverse("standards:rating_evidence", args=[alpha.pk])
    response = client.post(url, {
        "title": "Skills matrix", "note": "Updated in March", "criterion": "",
        "record": ticket.reference, "url": "",
        "files": [SimpleUploadedFile("matrix.txt", b"skills", "text/plain")]})
    assert response.status_code == 302
    item = st.Evidence.objects.get()
    html = client.get(reverse("standards:rating_detail", args=[alpha.pk])).content.decode()
    assert "Skills matrix" in html and str(ticket) in html and "matrix.txt" in html
    attachment = services.evidence_files([item])[item.pk][0]
    download = client.get(reverse("standards:evidence_file", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"skills"
    assert download["X-Content-Type-Options"] == "nosniff"

    response = client.post(reverse("standards:evidence_remove", args=[item.pk]),
                           {"version": item.version})
    assert response.status_code == 302
    assert not st.Evidence.objects.exists()


def test_evidence_form_errors(client, manager, org_b, cycle):
    alpha = rating_of(cycle, "alpha")
    theirs = TicketFactory(organisation=org_b)
    client.force_login(manager)
    url = reverse("standards:rating_evidence", args=[alpha.pk])
    response = client.post(url, {"title": "", "record": ""})
    assert response.status_code == 400 and "Enter a title for the evidence." in \
        response.content.decode()
    response = client.post(url, {"title": "Theirs", "record": theirs.reference})
    html = response.content.decode()
    assert response.status_code == 400 and "No record you can see" in html
    assert str(theirs) not in html
    assert not st.Evidence.objects.exists()


def test_sign_off_by_someone_else_and_not_by_the_assessor(client, manager, reviewer, cycle):
    alpha = rating_of(cycle, "alpha")
    services.rate_standard(alpha, actor=manager, current_level=1, target_level=2, commentary="",
                           expected_version=alpha.version)
    alpha.refresh_from_db()
    client.force_login(manager)
    html = client.get(reverse("standards:rating_detail", args=[alpha.pk])).content.decode()
    assert "someone else must sign it off" in html and "Sign off this rating" not in html
    url = reverse("standards:rating_sign_off", args=[alpha.pk])
    response = client.post(url, {"note": "mine", "version": alpha.version})
    assert response.status_code == 400 and "someone else must sign it off" in \
        response.content.decode()
    client.force_login(reviewer)
    html = client.get(reverse("standards:rating_detail", args=[alpha.pk])).content.decode()
    assert "Sign off this rating" in html
    response = client.post(url, {"note": "Agreed", "version": alpha.version})
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert alpha.reviewed_by == reviewer


def test_locked_cycle_pages_are_read_only_and_refuse_posts(client, manager, reviewer, cycle,
                                                           rules):
    cycle = complete(cycle, manager, reviewer)
    services.approve_cycle(cycle, actor=reviewer, expected_version=cycle.version)
    alpha = rating_of(cycle, "alpha")
    result = result_of(alpha, "a-min")
    response, html = page(client, manager, reverse("standards:rating_detail", args=[alpha.pk]))
    assert response.status_code == 200
    assert "is locked" in html
    for text in ("Save rating", "Add evidence", "Save answer", "Sign off this rating"):
        assert text not in html
    before = alpha.version, result.version
    response = client.post(reverse("standards:rating_rate", args=[alpha.pk]),
                           {"current_level": "3", "target_level": "3", "version": alpha.version})
    assert response.status_code == 400 and "locked" in response.content.decode()
    client.post(reverse("standards:criterionresult_answer", args=[result.pk]),
                {"met": "not-met", "version": result.version})
    client.post(reverse("standards:rating_evidence", args=[alpha.pk]),
                {"title": "Late", "note": "x"})
    alpha.refresh_from_db()
    result.refresh_from_db()
    assert (alpha.version, result.version) == before and alpha.current_level == 1
    assert not st.Evidence.objects.exists()
    response = client.get(reverse("standards:assessmentcycle_edit", args=[cycle.pk]), follow=True)
    assert "is locked" in response.content.decode()
    response = client.post(reverse("standards:assessmentcycle_edit", args=[cycle.pk]),
                           {"name": "Renamed", "starts_on": "2026-04-01",
                            "ends_on": "2027-03-31", "version": cycle.version + 1})
    assert response.status_code == 400
    response = client.post(reverse("standards:assessmentcycle_delete", args=[cycle.pk]))
    assert response.status_code == 400
    assert st.AssessmentCycle.objects.filter(name="Annual review 2026/27").exists()


@pytest.mark.parametrize("role", [roles.AUDITOR, roles.AGENT])
def test_readers_see_pages_but_cannot_change(role, client, org_a, cycle, rules):
    reader = make_member(org_a, role, "reader")
    alpha = rating_of(cycle, "alpha")
    for url in (reverse("standards:assessmentcycle_detail", args=[cycle.pk]),
                reverse("standards:assessmentcycle_compare", args=[cycle.pk]),
                reverse("standards:rating_detail", args=[alpha.pk])):
        response, html = page(client, reader, url)
        assert response.status_code == 200
        assert "Save rating" not in html and "Submit for approval" not in html
    for action, data in (("rate", {"current_level": "1", "target_level": "2", "version": 1}),
                         ("evidence", {"title": "x", "note": "y"}),
                         ("sign-off", {"version": 1})):
        url_name = f"standards:rating_{action.replace('-', '_')}"
        assert client.post(reverse(url_name, args=[alpha.pk]), data).status_code == 403
    assert client.post(reverse("standards:assessmentcycle_submit", args=[cycle.pk])).status_code == 403
    alpha.refresh_from_db()
    assert alpha.current_level is None and not st.Evidence.objects.exists()


def test_requesters_see_nothing(client, requester, cycle):
    alpha = rating_of(cycle, "alpha")
    client.force_login(requester)
    for url in (reverse("standards:assessmentcycle_list"),
                reverse("standards:assessmentcycle_detail", args=[cycle.pk]),
                reverse("standards:rating_detail", args=[alpha.pk])):
        assert client.get(url).status_code == 403


def test_another_organisation_gets_404(client, org_b, cycle, settings, tmp_path, manager):
    settings.ATTACHMENTS_ROOT = tmp_path
    alpha = rating_of(cycle, "alpha")
    item = services.add_evidence(alpha, actor=manager, title="Private", files=[
        SimpleUploadedFile("p.txt", b"private", "text/plain")])
    attachment = services.evidence_files([item])[item.pk][0]
    admin_b = make_member(org_b, roles.ADMINISTRATOR, "admin-b")
    client.force_login(admin_b)
    for url in (reverse("standards:assessmentcycle_detail", args=[cycle.pk]),
                reverse("standards:assessmentcycle_compare", args=[cycle.pk]),
                reverse("standards:rating_detail", args=[alpha.pk]),
                reverse("standards:evidence_file", args=[attachment.pk])):
        response = client.get(url)
        assert response.status_code == 404
        assert "Alpha skills" not in response.content.decode()
    response = client.post(reverse("standards:rating_rate", args=[alpha.pk]),
                           {"current_level": "1", "target_level": "2", "version": alpha.version})
    assert response.status_code == 404
