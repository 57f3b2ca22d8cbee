"""The action plan pages: grouping, filters, overdue highlighting, the action page and its
progress notes, the forms, the export, and the review page the statistics page links to."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from borough.standards.models import Action, ActionUpdate, ReportReview

pytestmark = pytest.mark.django_db

PLAN = "/standards/actions/"


@pytest.fixture
def plan(world, new_action):
    """Three actions: one overdue in the first theme, one owned by someone else in the
    second theme (by its standard), one done."""
    overdue = new_action(title="Agree SLAs")
    Action.objects.filter(pk=overdue.pk).update(due_on=date(2026, 10, 31))
    second = new_action(title="Survey customers", owner=world.other_person, theme=None,
                        standards=[world.standards[1]], objectives=[], targets=[],
                        due_on=date(2027, 1, 15))
    done = new_action(title="Write the ICT strategy", due_on=date(2026, 12, 1),
                      status="done", standards=[], theme=None)
    return overdue, second, done


def test_grouped_by_theme_by_default_with_overdue_tagged_in_words(world, plan, client):
    overdue, second, done = plan
    client.force_login(world.manager)
    response = client.get(PLAN)
    assert response.status_code == 200
    html = response.content.decode()
    captions = [html.index(name) for name in ("Service delivery", "Business engagement",
                                              "No theme")]
    assert captions == sorted(captions)  # framework order, "No theme" last
    assert html.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 1
    assert "23 days late" in html
    assert "3 actions" in html and "1 overdue" in html
    assert 'href="/standards/actions/add/"' in html
    assert ' style="' not in html


def test_grouped_by_owner_and_by_due_date(world, plan, client):
    client.force_login(world.manager)
    html = client.get(PLAN, {"group": "owner"}).content.decode()
    assert html.index("Aled Agent") < html.index("Olive Owner")
    html = client.get(PLAN, {"group": "due"}).content.decode()
    order = [html.index(label) for label in ("Overdue", "Due in December 2026",
                                             "Due in January 2027")]
    assert order == sorted(order)
    assert 'aria-current="page">Due date' in html


def test_an_unknown_grouping_or_filter_is_a_clear_400(world, client):
    client.force_login(world.manager)
    response = client.get(PLAN, {"group": "colour"})
    assert response.status_code == 400 and "Group by must be one of" in response.content.decode()
    response = client.get(PLAN, {"colour": "red"})
    assert response.status_code == 400 and "Unknown parameter colour" in response.content.decode()


@pytest.mark.parametrize("params, expected", [
    ({"overdue": "true"}, {"Agree SLAs"}),
    ({"overdue": "false"}, {"Survey customers", "Write the ICT strategy"}),
    ({"status": ["done"]}, {"Write the ICT strategy"}),
    ({"status": ["not-started", "done"]}, {"Agree SLAs", "Survey customers",
                                            "Write the ICT strategy"}),
    ({"rag": ["red"]}, set()),
    ({"q": "survey"}, {"Survey customers"}),
])
def test_filters(world, plan, client, params, expected):
    client.force_login(world.manager)
    html = client.get(PLAN, params).content.decode()
    shown = {t for t in ("Agree SLAs", "Survey customers", "Write the ICT strategy") if t in html}
    assert shown == expected


def test_related_filters_owner_theme_standard_objective(world, plan, client):
    client.force_login(world.manager)

    def titles(**params):
        html = client.get(PLAN, params).content.decode()
        return {t for t in ("Agree SLAs", "Survey customers", "Write the ICT strategy")
                if t in html}

    assert titles(owner=world.other_person.pk) == {"Survey customers"}
    # The second action has no theme of its own: it is found by its standard's theme.
    assert titles(theme=world.themes[1].pk) == {"Survey customers"}
    assert titles(standard=world.standards[0].pk) == {"Agree SLAs"}
    assert titles(objective=world.objective.pk) == {"Agree SLAs", "Write the ICT strategy"}
    response = client.get(PLAN, {"objective": world.objective_b.pk})
    assert "Select a valid choice" in response.content.decode()  # another council's


def test_who_sees_the_plan(world, plan, client):
    client.force_login(world.requester)
    assert client.get(PLAN).status_code == 403
    client.force_login(world.auditor)
    html = client.get(PLAN).content.decode()
    assert "Agree SLAs" in html and 'href="/standards/actions/add/"' not in html
    client.force_login(world.manager_b)
    assert "Agree SLAs" not in client.get(PLAN).content.decode()


def test_the_action_page_shows_links_and_progress(world, plan, client):
    overdue, _, _ = plan
    client.force_login(world.agent)
    html = client.get(reverse("standards:action_detail", args=[overdue.pk])).content.decode()
    assert "Overdue: this action was due on 31 October 2026, 23 days ago." in html
    assert f'href="/standards/objectives/{world.objective.pk}/"' in html
    assert f'href="/standards/targets/{world.target.pk}/"' in html
    assert "Service level management" in html
    assert "Added to the action plan." in html
    assert "Add progress note" not in html  # not the owner
    client.force_login(world.owner)
    html = client.get(reverse("standards:action_detail", args=[overdue.pk])).content.decode()
    assert "Add progress note" in html


def test_the_owner_adds_a_progress_note_from_the_page(world, plan, client):
    overdue, _, _ = plan
    client.force_login(world.owner)
    url = reverse("standards:action_progress", args=[overdue.pk])
    response = client.post(url, {"note": "Waiting for Legal", "status": "blocked", "rag": "red",
                                 "version": overdue.version})
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert (overdue.status, overdue.rag) == ("blocked", "red")
    assert ActionUpdate.objects.filter(action=overdue, note="Waiting for Legal").exists()
    html = client.get(response["Location"]).content.decode()
    assert "Waiting for Legal" in html and "RAG: Red" in html


def test_bad_or_stale_progress_notes_are_explained(world, plan, client):
    overdue, _, _ = plan
    client.force_login(world.owner)
    url = reverse("standards:action_progress", args=[overdue.pk])
    response = client.post(url, {"note": "", "status": "blocked", "rag": "red"})
    assert response.status_code == 400 and "Enter a progress note." in response.content.decode()
    response = client.post(url, {"note": "Late", "status": "blocked", "rag": "red",
                                 "version": overdue.version + 3})
    assert response.status_code == 400
    assert "Someone else changed this action" in response.content.decode()
    # A GET shows the note's own page (its form), and changes nothing.
    notes = overdue.updates.count()
    response = client.get(url)
    assert response.status_code == 200 and 'name="note"' in response.content.decode()
    assert overdue.updates.count() == notes


def test_someone_else_cannot_post_a_note(world, plan, client):
    overdue, _, _ = plan
    url = reverse("standards:action_progress", args=[overdue.pk])
    client.force_login(world.agent)
    assert client.post(url, {"note": "x", "status": "done", "rag": "green"}).status_code == 403
    client.force_login(world.auditor)
    assert client.post(url, {"note": "x", "status": "done", "rag": "green"}).status_code == 403
    client.force_login(world.manager_b)
    assert client.post(url, {"note": "x", "status": "done", "rag": "green"}).status_code == 404
    assert overdue.updates.count() == 1


def test_adding_and_editing_through_the_forms(world, client):
    client.force_login(world.manager)
    form = client.get(reverse("standards:action_add")).content.decode()
    assert "Service delivery: Service level management" in form
    assert "Corporate plan objectives" in form
    key = form.split('name="submission_key" value="')[1].split('"')[0]
    data = {"title": "Run a skills audit", "owner": world.owner_person.pk,
            "due_on": "2027-02-01", "status": "not-started", "rag": "green",
            "standards": [world.standards[0].pk], "objectives": [world.objective.pk],
            "submission_key": key}
    response = client.post(reverse("standards:action_add"), data)
    assert response.status_code == 302
    client.post(reverse("standards:action_add"), data)  # a double click
    action = Action.objects.get()
    assert action.reference == "ACT-000001" and list(action.standards.all()) == [
        world.standards[0]]
    edit = reverse("standards:action_edit", args=[action.pk])
    response = client.post(edit, {**data, "title": "Run a skills audit now", "version": 1,
                                   "status": "in-progress"})
    assert response.status_code == 302
    stale = client.post(edit, {**data, "title": "Mine", "version": 1})
    assert stale.status_code == 400
    assert "Someone else saved this record" in stale.content.decode()
    past = client.post(reverse("standards:action_add"), {**data, "due_on": "2026-01-01",
                                                          "submission_key": "other"})
    assert past.status_code == 400 and "cannot be in the past" in past.content.decode()


def test_csv_export_has_the_links_and_latest_note_and_neutralises_formulas(world, plan, client):
    overdue, _, _ = plan
    Action.objects.filter(pk=overdue.pk).update(title="=HYPERLINK(\"http://x\")")
    client.force_login(world.auditor)
    response = client.get(reverse("standards:action_export", args=["csv"]), {"overdue": "true"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Reference", "Title", "Description", "Theme"]
    assert "Standards" in rows[0] and "Latest progress note" in rows[0]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Title"] == "'=HYPERLINK(\"http://x\")"
    assert row["Standards"] == "Service level management"
    assert row["Corporate plan objectives"] == "CP1 Modern, efficient services"
    assert row["National and local targets"] == "BVPI157 E-government"
    assert row["Latest progress note"] == "Added to the action plan."
    assert row["Overdue"] == "Yes" and row["Owner"] == "Olive Owner"


def test_xlsx_export_of_the_whole_plan(world, plan, client):
    client.force_login(world.manager)
    response = client.get(reverse("standards:action_export", args=["xlsx"]), {"group": "owner"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Reference" and len(values) == 4
    assert {v[1] for v in values[1:]} == {"Agree SLAs", "Survey customers",
                                          "Write the ICT strategy"}


def test_the_review_link_from_the_statistics_page(world, client):
    client.force_login(world.manager)
    url = reverse("standards:reportreview_add") + "?report=servicedesk-statistics"
    html = client.get(url).content.decode()
    assert '<option value="servicedesk-statistics" selected>' in html
    assert 'value="2026-11-23"' in html
    key = html.split('name="submission_key" value="')[1].split('"')[0]
    response = client.post(url, {"report": "servicedesk-statistics", "reviewed_on": "2026-11-20",
                                 "meeting": "ICT management team", "note": "",
                                 "submission_key": key})
    assert response.status_code == 302
    review = ReportReview.objects.get()
    assert review.created_by == world.manager and review.meeting == "ICT management team"
    future = client.post(url, {"report": "servicedesk-statistics", "reviewed_on": "2026-12-01",
                               "submission_key": "x"})
    assert future.status_code == 400 and "cannot be in the future" in future.content.decode()
    client.force_login(world.agent)
    assert client.get(url).status_code == 403


def test_navigation_names_the_registers(world, client):
    client.force_login(world.manager)
    html = client.get(PLAN).content.decode()
    for label in ("Corporate plan objectives", "National and local targets", "Report reviews"):
        assert label in html


def test_an_unknown_export_format_or_filter_is_refused(world, plan, client):
    client.force_login(world.auditor)
    assert client.get(f"{PLAN}export/pdf/").status_code == 404
    response = client.get(reverse("standards:action_export", args=["csv"]), {"colour": "red"})
    assert response.status_code == 400


def test_the_action_page_shows_the_theme_of_its_first_standard(world, plan, client):
    _, second, _ = plan
    client.force_login(world.auditor)
    page = client.get(reverse("standards:action_detail", args=[second.pk])).content.decode()
    assert "Business engagement" in page and "Customer engagement" in page
