"""The action plan's API: the same services and permissions as the pages, 409 on a stale
version, progress notes at updates/, the export, and the registers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from borough.standards.models import Action, ReportReview

pytestmark = pytest.mark.django_db

ACTIONS = "/api/standards/actions/"


def test_manager_creates_through_the_service(world, signed_in):
    api = signed_in(world.manager, api=True)
    response = api.post(ACTIONS, {
        "title": "Agree SLAs", "owner": world.owner_person.pk, "due_on": "2027-03-31",
        "standards": [world.standards[0].pk], "objectives": [world.objective.pk],
        "targets": [world.target.pk], "rag": "amber"}, format="json",
        HTTP_IDEMPOTENCY_KEY="one")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"] == "ACT-000001" and body["status"] == "not-started"
    assert body["latest_update"]["note"] == "Added to the action plan."
    assert body["overdue"] is False
    again = api.post(ACTIONS, {"title": "Agree SLAs"}, format="json", HTTP_IDEMPOTENCY_KEY="one")
    assert again.json()["id"] == body["id"] and Action.objects.count() == 1


def test_bad_input_is_a_400_with_the_field(world, signed_in):
    api = signed_in(world.manager, api=True)
    response = api.post(ACTIONS, {"title": "X", "due_on": "2020-01-01"}, format="json")
    assert response.status_code == 400 and "due_on" in response.json()
    response = api.post(ACTIONS, {"title": "X", "objectives": [world.objective_b.pk]},
                        format="json")
    assert response.status_code == 400 and "objectives" in response.json()


def test_owning_an_action_does_not_let_one_change_it(world, new_action, signed_in):
    """Roles without the grants (the Auditor, ...) are refused by tests/declared; owning
    an action adds progress notes, not the right to change it."""
    api = signed_in(world.owner, api=True)
    assert api.post(ACTIONS, {"title": "X"}, format="json").status_code == 403
    action = new_action()
    response = api.patch(f"{ACTIONS}{action.pk}/", {"title": "Y", "version": 1}, format="json")
    assert response.status_code == 403


def test_patch_needs_the_version_and_a_stale_one_is_409(world, new_action, signed_in):
    action = new_action()
    api = signed_in(world.manager, api=True)
    assert api.patch(f"{ACTIONS}{action.pk}/", {"title": "Y"}, format="json").status_code == 400
    ok = api.patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json",
                   HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["completed_on"] == "2026-11-23"
    stale = api.patch(f"{ACTIONS}{action.pk}/", {"title": "Z", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert stale.json()["changes"][0]["field"] in ("status", "completed_on")


def test_the_owner_adds_progress_notes_and_others_cannot(world, new_action, signed_in):
    action = new_action()
    url = f"{ACTIONS}{action.pk}/updates/"
    response = signed_in(world.owner, api=True).post(url, {"note": "Drafted", "status": "in-progress",
                                              "rag": "amber", "version": 1}, format="json")
    assert response.status_code == 201 and response.json()["author"] == world.owner.get_full_name()
    listed = signed_in(world.auditor, api=True).get(url).json()
    assert [u["note"] for u in listed] == ["Drafted", "Added to the action plan."]
    assert signed_in(world.agent, api=True).post(url, {"note": "x", "status": "done", "rag": "green"},
                                    format="json").status_code == 403
    assert signed_in(world.auditor, api=True).post(url, {"note": "x", "status": "done", "rag": "green"},
                                      format="json").status_code == 403
    stale = signed_in(world.owner, api=True).post(url, {"note": "x", "status": "done", "rag": "green",
                                           "version": 1}, format="json")
    assert stale.status_code == 409
    bad = signed_in(world.owner, api=True).post(url, {"note": "", "status": "finished", "rag": "green"},
                                   format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"note", "status"}
    assert signed_in(world.manager_b, api=True).get(url).status_code == 404


def test_filters_match_the_page(world, new_action, signed_in):
    late = new_action(title="Late")
    Action.objects.filter(pk=late.pk).update(due_on=date(2026, 11, 1))
    new_action(title="On time", owner=world.other_person)
    api = signed_in(world.auditor, api=True)
    rows = api.get(ACTIONS, {"overdue": "true"}).json()["results"]
    assert [r["title"] for r in rows] == ["Late"] and rows[0]["overdue"] is True
    rows = api.get(ACTIONS, {"owner": world.other_person.pk}).json()["results"]
    assert [r["title"] for r in rows] == ["On time"]
    assert api.get(ACTIONS, {"colour": "red"}).status_code == 400


def test_export_over_the_api(world, new_action, signed_in):
    new_action(title="+SUM(A1)")
    new_action(title="Other", standards=[world.standards[1]], theme=None)
    api = signed_in(world.auditor, api=True)
    response = api.get(f"{ACTIONS}export/csv/", {"standard": world.standards[0].pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][1] == "'+SUM(A1)"
    response = api.get(f"{ACTIONS}export/xlsx/")
    assert len(list(load_workbook(io.BytesIO(response.content)).active.values)) == 3
    assert api.get(f"{ACTIONS}export/csv/", {"colour": "red"}).status_code == 400
    assert signed_in(world.requester, api=True).get(f"{ACTIONS}export/csv/").status_code == 403


def test_registers_and_reviews(world, signed_in):
    api = signed_in(world.manager, api=True)
    objectives = api.get("/api/standards/corporate-plan-objectives/").json()["results"]
    assert [o["code"] for o in objectives] == ["CP1"]
    targets = api.get("/api/standards/national-and-local-targets/").json()["results"]
    assert [t["code"] for t in targets] == ["BVPI157"]
    response = api.post("/api/standards/report-reviews/", {
        "report": "servicedesk-statistics", "reviewed_on": "2026-11-20"}, format="json")
    assert response.status_code == 201
    future = api.post("/api/standards/report-reviews/", {
        "report": "servicedesk-statistics", "reviewed_on": "2026-12-20"}, format="json")
    assert future.status_code == 400 and "reviewed_on" in future.json()
    review = ReportReview.objects.get()
    changed = api.patch(f"/api/standards/report-reviews/{review.pk}/",
                        {"meeting": "ICT board", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert signed_in(world.agent, api=True).post("/api/standards/report-reviews/", {
        "report": "servicedesk-statistics", "reviewed_on": "2026-11-20"},
        format="json").status_code == 403


def test_an_unknown_export_format_is_404(world, signed_in):
    assert signed_in(world.auditor, api=True).get(f"{ACTIONS}export/pdf/").status_code == 404
