"""Release management's pages and API beyond the registry suite's: a release's page (its
changes, software, stages and actions), the add form's changes typed by reference, the
change page's panel, the figures, filters and export, the API with its actions, and
another council's records kept apart."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from borough.releases import models as m
from borough.releases import services
from tests.conftest import make_member
from tests.licences.factories import ApplicationFactory
from tests.releases.factories import ReleaseFactory, ReleaseItemFactory

pytestmark = pytest.mark.django_db
API = "/api/releases/releases/"


def test_a_releases_page_shows_its_changes_software_stages_and_actions(
        council, authorised, release, signed_in):
    change = authorised()
    rel = release(changes=[change])
    ReleaseItemFactory(organisation=council.org, release=rel,
                       software=ApplicationFactory(organisation=council.org, name="Financials"),
                       from_version="7.5", to_version="ERPx 2026.2")
    page = signed_in(council.users["manager"]).get(rel.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert change.reference in text and "Financials" in text and "ERPx 2026.2" in text
    assert reverse("releases:release_plan", args=[rel.pk]) in text
    assert reverse("releases:release_cancel", args=[rel.pk]) in text
    # A CAB member reads it, with no actions to take.
    page = signed_in(council.users["cab1"]).get(rel.get_absolute_url())
    assert page.status_code == 200
    assert reverse("releases:release_plan", args=[rel.pk]) not in page.content.decode()
    # The page's action: refused in words, on the page.
    response = signed_in(council.users["manager"]).post(
        reverse("releases:release_start_test", args=[rel.pk]),
        {"version": rel.version, "submission_key": "k1"})
    assert response.status_code == 400
    assert "Only a planned release can go into test" in response.content.decode()
    response = signed_in(council.users["manager"]).post(
        reverse("releases:release_plan", args=[rel.pk]),
        {"version": rel.version, "submission_key": "k2"})
    assert response.status_code == 302
    assert m.Release.objects.get(pk=rel.pk).status == m.Status.PLANNED


def test_the_add_form_takes_changes_by_reference_and_refuses_one_taken(council, release,
                                                                       signed_in):
    change = council.change()
    client = signed_in(council.users["manager"])
    data = {"title": "Spring release", "release_type": "minor", "changes": change.reference,
            "planned_test_date": "2030-01-07", "planned_live_date": "2030-01-21",
            "submission_key": "a1"}
    response = client.post(reverse("releases:release_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    made = m.Release.objects.get(title="Spring release")
    assert list(made.changes.all()) == [change] and made.reference == "REL-000001"

    again = client.post(reverse("releases:release_add"), data | {"title": "Other",
                                                                 "submission_key": "a2"})
    assert again.status_code == 400
    assert f"{change.reference} is already in {made.reference}" in again.content.decode()
    unknown = client.post(reverse("releases:release_add"), data | {
        "title": "Other", "changes": "CHG-999999", "submission_key": "a3"})
    assert unknown.status_code == 400 and "CHG-999999" in unknown.content.decode()
    backwards = client.post(reverse("releases:release_add"), data | {
        "title": "Other", "changes": "", "planned_live_date": "2030-01-01",
        "submission_key": "a4"})
    assert backwards.status_code == 400
    assert "cannot go live before its testing starts" in backwards.content.decode()
    assert m.Release.objects.count() == 1


def test_a_live_release_is_edited_but_its_changes_stay(council, release, signed_in):
    change = council.change()
    rel = release(changes=[change])
    m.Release.objects.filter(pk=rel.pk).update(status=m.Status.LIVE)
    client = signed_in(council.users["manager"])
    form = client.get(reverse("releases:release_edit", args=[rel.pk])).context["form"]
    assert form.fields["changes"].disabled
    response = client.post(reverse("releases:release_edit", args=[rel.pk]), {
        "title": "Financials upgrade (as delivered)", "release_type": "minor",
        "changes": "", "planned_test_date": "2030-01-07", "planned_live_date": "2030-01-21",
        "release_notes": "Delivered.", "version": rel.version})
    assert response.status_code == 302, response.content.decode()[:3000]
    rel.refresh_from_db()
    assert rel.title == "Financials upgrade (as delivered)"
    assert list(rel.changes.all()) == [change]
    # The API refuses a new set of changes for it.
    api = signed_in(council.users["manager"], api=True)
    refused = api.patch(f"{API}{rel.pk}/", {"changes": [], "version": rel.version},
                        format="json")
    assert refused.status_code == 400 and "stay as they went live" in str(refused.json())


def test_the_change_page_names_its_release(council, release, signed_in):
    change = council.change()
    rel = release(changes=[change])
    page = signed_in(council.users["cab1"]).get(change.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and 'id="release-panel-title"' in text
    assert rel.reference in text and "Plan a release" not in text
    other = council.change(title="Not released")
    page = signed_in(council.users["manager"]).get(other.get_absolute_url())
    assert "Not in a release." in page.content.decode()
    assert "Plan a release" in page.content.decode()


def test_the_list_filters_and_exports(council, release, signed_in):
    release(title="Financials replacement", release_type=m.ReleaseType.MAJOR)
    release(title="Website patch", planned_test_date=datetime.date(2030, 3, 1),
            planned_live_date=datetime.date(2030, 3, 2))
    client = signed_in(council.users["auditor"])
    url = reverse("releases:release_list")
    assert "Financials replacement" in client.get(url, {"release_type": "major"}).content.decode()
    assert "Website patch" not in client.get(url, {"release_type": "major"}).content.decode()
    found = client.get(url, {"live_from": "2030-02-01"}).content.decode()
    assert "Website patch" in found and "Financials replacement" not in found
    assert "Website" in client.get(url, {"q": "website", "status": "draft"}).content.decode()
    assert client.get(url, {"colour": "red"}).status_code == 400
    api = signed_in(council.users["auditor"], api=True)
    for bad in ({"colour": "red"}, {"status": "nowhere"}, {"live_from": "soon"}):
        assert api.get(API, bad).status_code == 400
    export = client.get(reverse("releases:release_export", args=["csv"]),
                        {"release_type": "major"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode() if export.streaming else \
        export.content.decode()
    assert "Financials replacement" in body and "Website patch" not in body


def test_the_figures_page(council, signed_in):
    now = timezone.now()
    ReleaseFactory(organisation=council.org, status=m.Status.LIVE,
                   deployed_at=now - datetime.timedelta(days=3),
                   tested_at=now - datetime.timedelta(days=5), test_result="passed",
                   planned_test_date=timezone.localdate() - datetime.timedelta(days=9),
                   planned_live_date=timezone.localdate())
    ReleaseFactory(organisation=council.org, status=m.Status.LIVE,
                   release_type=m.ReleaseType.EMERGENCY,
                   deployed_at=now - datetime.timedelta(days=100), no_go_count=2)
    client = signed_in(council.users["lead"])
    text = client.get(reverse("releases:figures")).content.decode()
    assert "1 of 2 live passed their test before going live" in text
    assert "1 of 1 live passed their test before going live" in text
    assert "1 of them emergency releases" in text
    assert client.get(reverse("releases:figures"), {"x": "1"}).status_code == 400
    assert signed_in(council.users["requester"]).get(
        reverse("releases:figures")).status_code == 403


def test_the_api_creates_lists_and_moves_a_release(council, authorised, signed_in):
    change = authorised()
    client = signed_in(council.users["manager"], api=True)
    made = client.post(API, {"title": "Financials upgrade", "release_type": "major",
                             "changes": [change.pk], "planned_test_date": "2030-01-07",
                             "planned_live_date": "2030-01-21"}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["reference"] == "REL-000001" and body["changes"] == [change.pk]
    assert body["status"] == "draft" and body["test_result"] == ""
    pk = body["id"]
    listed = client.get(API, {"status": "draft"}).json()
    assert [r["id"] for r in listed["results"]] == [pk]

    taken = client.post(API, {"title": "Again", "changes": [change.pk]}, format="json")
    assert taken.status_code == 400 and "already in REL-000001" in str(taken.json())

    moved = client.post(f"{API}{pk}/plan/", {"version": 1}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "planned"
    stale = client.post(f"{API}{pk}/start-test/", {"version": 1}, format="json")
    assert stale.status_code == 409
    client.post(f"{API}{pk}/start-test/", {"version": 2}, format="json")
    refused = client.post(f"{API}{pk}/go/", {"version": 3}, format="json")
    assert refused.status_code == 400 and "no test result yet" in str(refused.json())
    bad = client.post(f"{API}{pk}/record-test/", {"version": 3, "result": "maybe",
                                                  "notes": "x"}, format="json")
    assert bad.status_code == 400
    ok = client.post(f"{API}{pk}/record-test/", {"version": 3, "result": "passed",
                                                 "notes": "All passed."}, format="json")
    assert ok.status_code == 200 and ok.json()["test_result"] == "passed"
    # A CAB member reads, and may not move it.
    cab = signed_in(council.users["cab1"], api=True)
    assert cab.get(f"{API}{pk}/").status_code == 200
    assert cab.post(f"{API}{pk}/go/", {"version": 4}, format="json").status_code == 403
    assert m.Release.objects.get(pk=pk).status == m.Status.TESTING


def test_another_councils_releases_and_changes_are_out_of_reach(council, org_b, release,
                                                                signed_in):
    change = council.change()
    rel = release(changes=[change])
    outsider = make_member(org_b, "Administrator", "edc-admin")
    page = signed_in(outsider)
    assert page.get(rel.get_absolute_url()).status_code == 404
    assert rel.reference not in page.get(reverse("releases:release_list")).content.decode()
    assert page.post(reverse("releases:release_plan", args=[rel.pk]),
                     {"version": rel.version}).status_code == 404
    api = signed_in(outsider, api=True)
    assert api.get(f"{API}{rel.pk}/").status_code == 404
    assert api.post(f"{API}{rel.pk}/plan/", {"version": 1}, format="json").status_code == 404
    # Another council's change cannot be put in a release: by id, nor by reference.
    by_id = api.post(API, {"title": "Mine", "changes": [change.pk]}, format="json")
    assert by_id.status_code == 400 and "changes" in by_id.json()
    by_reference = page.post(reverse("releases:release_add"), {
        "title": "Mine", "release_type": "minor", "changes": change.reference,
        "submission_key": "o1"})
    assert by_reference.status_code == 400
    assert not m.Release.objects.filter(organisation=org_b).exists()
    # Nor is the release shown on the change's page to them (the change is a 404 anyway).
    assert page.get(change.get_absolute_url()).status_code == 404
    assert services.RELEASE_ACTIONS["plan"].available_to(rel, outsider) is False


def test_the_software_of_a_live_release_is_not_deleted_by_page_or_api(council, release,
                                                                       signed_in):
    rel = release()
    item = ReleaseItemFactory(organisation=council.org, release=rel, to_version="2.0",
                              software=ApplicationFactory(organisation=council.org))
    client = signed_in(council.users["manager"])
    delete = reverse("releases:releaseitem_delete", args=[item.pk])
    assert delete in client.get(item.get_absolute_url()).content.decode()
    m.Release.objects.filter(pk=rel.pk).update(status=m.Status.LIVE)

    page = client.get(item.get_absolute_url()).content.decode()
    assert delete not in page and f"{rel.reference} is live" in page
    confirm = client.get(delete).content.decode()
    assert "the software it delivered stays as it went live" in confirm
    assert 'govuk-button--warning" data-module="govuk-button">Delete<' not in confirm
    refused = client.post(delete, {"version": item.version})
    assert refused.status_code == 400 and "stays as it went live" in refused.content.decode()
    api = signed_in(council.users["manager"], api=True)
    answer = api.delete(f"/api/releases/software-in-releases/{item.pk}/",
                        HTTP_IF_MATCH=str(item.version))
    assert answer.status_code == 400 and "stays as it went live" in str(answer.json())
    assert m.ReleaseItem.objects.filter(pk=item.pk).exists()
    # The release that went live stays too, even for the administrator who may delete one.
    rel.refresh_from_db()
    admin = signed_in(council.users["admin"])
    assert admin.post(reverse("releases:release_delete", args=[rel.pk]),
                      {"version": rel.version}).status_code == 400
    assert m.Release.objects.filter(pk=rel.pk).exists()


def test_adding_software_from_a_releases_page_chooses_that_release(council, release,
                                                                   signed_in, org_b):
    rel = release()
    client = signed_in(council.users["manager"])
    add = reverse("releases:releaseitem_add")
    assert f"{add}?release={rel.pk}" in client.get(rel.get_absolute_url()).content.decode()
    form = client.get(add, {"release": rel.pk}).content.decode()
    assert f'<option value="{rel.pk}" selected>' in form
    # Another council's release, or nonsense, chooses nothing and shows nothing of it.
    theirs = ReleaseFactory(organisation=org_b, title="Their secret release")
    for value in (theirs.pk, "x", "99999999999999999999"):
        page = client.get(add, {"release": value})
        assert page.status_code == 200
        assert f'<option value="{rel.pk}" selected>' not in page.content.decode()
        assert "Their secret release" not in page.content.decode()
