"""The assessments API: same permissions and lock rules as the pages, versions with
409 on a stale one, evidence with file upload, the live-evidence outcome."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from borough.core import roles
from borough.standards import models as st
from borough.standards.assessments import services
from tests.conftest import make_member
from tests.factories import TicketFactory
from tests.standards.assessments.conftest import complete, rating_of, result_of

pytestmark = pytest.mark.django_db

CYCLES = "/api/standards/assessment-cycles/"
RATINGS = "/api/standards/ratings/"
RESULTS = "/api/standards/criterion-results/"
EVIDENCE = "/api/standards/evidence/"


def test_create_cycle_and_list_its_ratings(signed_in, manager, framework, org_a):
    api = signed_in(manager, api=True)
    response = api.post(CYCLES, {"framework": framework.pk, "name": "Annual review 2026/27",
                                 "starts_on": "2026-04-01", "ends_on": "2027-03-31"},
                        format="json", HTTP_IDEMPOTENCY_KEY="one")
    assert response.status_code == 201, response.content
    cycle_id = response.json()["id"]
    assert response.json()["status"] == "in-progress"
    again = api.post(CYCLES, {"framework": framework.pk, "name": "Annual review 2026/27",
                              "starts_on": "2026-04-01", "ends_on": "2027-03-31"},
                     format="json", HTTP_IDEMPOTENCY_KEY="one")
    assert again.status_code == 201 and again.json()["id"] == cycle_id
    ratings = api.get(RATINGS, {"cycle": cycle_id}).json()
    assert ratings["count"] == 3
    people = st.Theme.objects.get(code="people")
    only_people = api.get(RATINGS, {"cycle": cycle_id, "theme": people.pk}).json()
    assert [r["standard_code"] for r in only_people["results"]] == ["alpha"]
    by_code = api.get(RATINGS, {"standard_code": "beta"}).json()
    assert by_code["count"] == 1
    assert api.get(RATINGS, {"nonsense": 1}).status_code == 400


def test_rate_with_version_and_409_when_stale(signed_in, manager, cycle):
    alpha = rating_of(cycle, "alpha")
    api = signed_in(manager, api=True)
    url = f"{RATINGS}{alpha.pk}/"
    detail = api.get(url)
    assert detail["ETag"] == f'"{alpha.version}"'
    assert api.patch(url, {"current_level": 1}, format="json").status_code == 400  # no version
    response = api.patch(url, {"current_level": 1, "target_level": 2, "commentary": "ok"},
                         format="json", HTTP_IF_MATCH=f'"{alpha.version}"')
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["current_level"], body["target_level"], body["assessor"]) == (1, 2, manager.pk)
    stale = api.patch(url, {"current_level": 3, "version": alpha.version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == alpha.version + 1
    assert any(c["field"] == "current_level" for c in stale.json()["changes"])
    bad = api.patch(url, {"current_level": 5, "version": alpha.version + 1}, format="json")
    assert bad.status_code == 400
    assert api.post(RATINGS, {}, format="json").status_code in (403, 405)


def test_outcome_sub_route(signed_in, manager, cycle, rules):
    rules.met = False
    alpha = rating_of(cycle, "alpha")
    body = signed_in(manager, api=True).get(f"{RATINGS}{alpha.pk}/outcome/").json()
    assert body["supported_level"] == 0 and body["supported_label"] == "Below Minimum"
    check = next(c for c in body["criteria"] if c["code"] == "a-prog-e")
    assert check["source"] == "evidence" and check["result"]["summary"] == "5 things counted"
    assert check["method"] == "Counts things."
    assert body["reasons"]


def test_answer_criterion_and_sign_off(signed_in, manager, reviewer, cycle):
    alpha = rating_of(cycle, "alpha")
    result = result_of(alpha, "a-min")
    api = signed_in(manager, api=True)
    response = api.patch(f"{RESULTS}{result.pk}/", {"met": True, "note": "Seen",
                                                     "version": result.version}, format="json")
    assert response.status_code == 200 and response.json()["met"] is True
    assert api.patch(f"{RESULTS}{result.pk}/", {"met": False, "version": result.version},
                     format="json").status_code == 409
    alpha = services.rate_standard(alpha, actor=manager, current_level=1, target_level=2, commentary="",
                                   expected_version=alpha.version)
    own = api.post(f"{RATINGS}{alpha.pk}/sign-off/", {"note": "mine"}, format="json")
    assert own.status_code == 400 and "someone else" in str(own.json())
    signed = signed_in(reviewer, api=True).post(f"{RATINGS}{alpha.pk}/sign-off/", {"note": "Agreed"},
                                   format="json")
    assert signed.status_code == 200 and signed.json()["reviewed_by"] == reviewer.pk


def test_evidence_with_file_upload_record_and_delete(signed_in, manager, org_a, cycle, settings,
                                                     tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path
    alpha = rating_of(cycle, "alpha")
    ticket = TicketFactory(organisation=org_a)
    api = signed_in(manager, api=True)
    response = api.post(EVIDENCE, {
        "rating": alpha.pk, "title": "Desk report", "note": "Monthly",
        "record": ticket.reference, "link": "https://intranet.example.org/report",
        "files": [SimpleUploadedFile("report.txt", b"report", "text/plain")]},
        format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["record_label"] == str(ticket) and body["link"].startswith("https://")
    assert body["record_page"] == f"/service-desk/tickets/{ticket.pk}/"
    assert [f["name"] for f in body["attached"]] == ["report.txt"]
    listed = api.get(EVIDENCE, {"rating": alpha.pk}).json()
    assert listed["count"] == 1 and listed["results"][0]["attached"][0]["download"]
    bad = api.post(EVIDENCE, {"rating": alpha.pk, "title": "Nothing"}, format="json")
    assert bad.status_code == 400
    gone = api.delete(f"{EVIDENCE}{body['id']}/")
    assert gone.status_code == 204 and not st.Evidence.objects.exists()


def test_auditor_and_agent_read_only(signed_in, org_a, cycle):
    alpha = rating_of(cycle, "alpha")
    for role in (roles.AUDITOR, roles.AGENT):
        api = signed_in(make_member(org_a, role, f"reader-{role[:5]}"), api=True)
        assert api.get(CYCLES).status_code == 200
        assert api.get(f"{RATINGS}{alpha.pk}/").status_code == 200
        assert api.patch(f"{RATINGS}{alpha.pk}/", {"current_level": 1, "version": 1},
                         format="json").status_code == 403
        assert api.post(f"{CYCLES}{cycle.pk}/submit/", {}, format="json").status_code == 403
        assert api.post(EVIDENCE, {"rating": alpha.pk, "title": "x", "note": "y"},
                        format="json").status_code == 403
    alpha.refresh_from_db()
    assert alpha.current_level is None


def test_requester_and_other_organisation_see_nothing(signed_in, org_a, org_b, cycle, requester):
    alpha = rating_of(cycle, "alpha")
    assert signed_in(requester, api=True).get(CYCLES).status_code == 403
    admin_b = make_member(org_b, roles.ADMINISTRATOR, "admin-b")
    api = signed_in(admin_b, api=True)
    assert api.get(RATINGS).json()["count"] == 0
    assert api.get(f"{RATINGS}{alpha.pk}/").status_code == 404
    assert api.get(f"{CYCLES}{cycle.pk}/").status_code == 404
    response = api.post(EVIDENCE, {"rating": alpha.pk, "title": "x", "note": "y"}, format="json")
    assert response.status_code == 400 and not st.Evidence.objects.exists()


def test_workflow_and_lock_through_the_api(signed_in, manager, reviewer, cycle, rules):
    cycle = complete(cycle, manager, reviewer)
    api = signed_in(reviewer, api=True)
    reopened = api.post(f"{CYCLES}{cycle.pk}/reopen/", {"version": cycle.version}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in-progress"
    version = reopened.json()["version"]
    submitted = api.post(f"{CYCLES}{cycle.pk}/submit/", {"version": version}, format="json")
    assert submitted.json()["status"] == "in-review"
    stale = api.post(f"{CYCLES}{cycle.pk}/approve/", {"version": version}, format="json")
    assert stale.status_code == 409
    approved = api.post(f"{CYCLES}{cycle.pk}/approve/",
                        {"version": submitted.json()["version"]}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    alpha = rating_of(cycle, "alpha")
    result = result_of(alpha, "a-min")
    item_count = st.Evidence.objects.count()
    for response in (
        api.patch(f"{RATINGS}{alpha.pk}/", {"current_level": 3, "version": alpha.version},
                  format="json"),
        api.patch(f"{RESULTS}{result.pk}/", {"met": False, "version": result.version},
                  format="json"),
        api.post(EVIDENCE, {"rating": alpha.pk, "title": "Late", "note": "x"}, format="json"),
        api.patch(f"{CYCLES}{cycle.pk}/", {"summary": "Rewritten",
                                           "version": approved.json()["version"]},
                  format="json"),
        api.post(f"{CYCLES}{cycle.pk}/reopen/", {}, format="json"),
        api.delete(f"{CYCLES}{cycle.pk}/"),
    ):
        assert response.status_code == 400, response.content
        assert "locked" in str(response.json())
    assert st.Evidence.objects.count() == item_count
    alpha.refresh_from_db()
    assert alpha.current_level == 1
    assert st.AssessmentCycle.objects.filter(pk=cycle.pk, summary="").exists()
    outcome = api.get(f"{RATINGS}{alpha.pk}/outcome/").json()
    assert outcome["from_snapshot"] is True
