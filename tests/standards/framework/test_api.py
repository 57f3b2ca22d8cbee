"""The read-only framework API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.core import roles
from borough.standards import models as m
from borough.standards.framework.loader import load_text
from tests.conftest import make_member
from tests.factories import UserFactory


@pytest.fixture
def small(small_text):
    return load_text(small_text).framework


def url(name, *args):
    return reverse(f"api:standards-{name}", args=args)


@pytest.mark.django_db
def test_a_framework_with_its_whole_tree(org_a, small, api_client):
    api_client.force_login(make_member(org_a, roles.AGENT))
    listing = api_client.get(url("framework-list"))
    assert listing.status_code == 200
    assert [f["code"] for f in listing.json()["results"]] == ["digital-basics"]
    assert "themes" not in listing.json()["results"][0]

    detail = api_client.get(url("framework-detail", small.pk)).json()
    assert (detail["code"], detail["version"], detail["display"]) == (
        "digital-basics", 1, "Digital basics (version 1)")
    assert [t["code"] for t in detail["themes"]] == ["people", "service"]
    service = detail["themes"][1]
    assert [s["code"] for s in service["standards"]] == ["desk", "continuity"]
    desk_used = service["standards"][0]["criteria"][0]
    assert desk_used["code"] == "desk-used"
    assert (desk_used["level"], desk_used["level_name"], desk_used["kind"]) == (
        1, "Minimum", "evidence")
    assert (desk_used["rule"], desk_used["params"]) == ("tests.counts-tickets",
                                                        {"min_tickets": 5})


@pytest.mark.django_db
def test_flat_lists_filter_by_framework_standard_and_level(org_a, small, small_text,
                                                             api_client):
    other = load_text(small_text.replace("Backups are taken.", "Backups run.")).framework
    api_client.force_login(make_member(org_a, roles.AUDITOR))
    themes = api_client.get(url("theme-list"), {"framework": other.pk}).json()
    assert themes["count"] == 2
    standards = api_client.get(url("standard-list"), {"framework": small.pk}).json()
    assert [s["code"] for s in standards["results"]] == ["skills", "desk", "continuity"]
    desk = m.Standard.objects.get(framework=small, code="desk")
    criteria = api_client.get(url("criterion-list"), {"standard": desk.pk, "level": 2}).json()
    assert [c["code"] for c in criteria["results"]] == ["desk-measured"]
    evidence = api_client.get(url("criterion-list"), {"framework": small.pk,
                                                      "kind": "evidence"}).json()
    assert [c["code"] for c in evidence["results"]] == ["desk-used"]
    added = api_client.get(url("criterion-list"), {"framework": small.pk, "added": "true"}).json()
    assert [c["code"] for c in added["results"]] == ["plan-followed"]
    criterion = m.Criterion.objects.get(standard=desk, code="desk-used")
    assert api_client.get(url("criterion-detail", criterion.pk)).json()["text"] == \
        "Calls are logged."
    assert api_client.get(url("theme-detail", desk.theme_id)).json()["code"] == "service"
    assert api_client.get(url("standard-detail", desk.pk)).json()["code"] == "desk"


@pytest.mark.django_db
def test_unknown_parameters_and_orderings_are_refused(org_a, small, api_client):
    api_client.force_login(make_member(org_a, roles.AGENT))
    response = api_client.get(url("criterion-list"), {"colour": "blue"})
    assert response.status_code == 400
    assert "Unknown parameter colour" in response.json()["detail"]
    assert api_client.get(url("framework-list"), {"ordering": "sha256"}).status_code == 400
    assert api_client.get(url("framework-list"), {"ordering": "-version"}).status_code == 200


@pytest.mark.django_db
def test_nothing_can_be_written(org_a, small, api_client):
    api_client.force_login(make_member(org_a, roles.ADMINISTRATOR))
    detail = url("framework-detail", small.pk)
    criterion = m.Criterion.objects.filter(standard__framework=small).first()
    # Refused by the role check (no role may add or change definitions) or, past it, by
    # the read-only viewset.
    refused = (403, 405)
    assert api_client.post(url("framework-list"), {"code": "x"}, format="json"
                           ).status_code in refused
    assert api_client.patch(detail, {"name": "Changed"}, format="json").status_code in refused
    assert api_client.delete(detail).status_code in refused
    assert api_client.put(url("criterion-detail", criterion.pk), {"text": "x"},
                          format="json").status_code in refused
    small.refresh_from_db()
    assert small.name == "Digital basics"


@pytest.mark.django_db
def test_requesters_people_of_no_organisation_and_anonymous_callers_get_nothing(
        org_a, small, api_client):
    routes = [url("framework-list"), url("framework-detail", small.pk), url("theme-list"),
              url("standard-list"), url("criterion-list")]
    for route in routes:
        assert api_client.get(route).status_code in (401, 403)
    for user in (make_member(org_a, roles.REQUESTER), UserFactory(username="nobody")):
        api_client.force_login(user)
        for route in routes:
            response = api_client.get(route)
            assert response.status_code == 403, route
            assert "digital-basics" not in response.content.decode()


@pytest.mark.django_db
def test_the_schema_lists_the_framework_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in ("/api/standards/frameworks/", "/api/standards/frameworks/{id}/",
                 "/api/standards/themes/", "/api/standards/standards/{id}/",
                 "/api/standards/criteria/"):
        assert path in paths
        assert set(paths[path]) == {"get"}
