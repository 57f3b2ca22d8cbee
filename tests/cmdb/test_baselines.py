"""Baselines: taking one (scopes, validation, permissions), immutability, comparison with
now and with a later moment (items added, removed, changed per field and attribute;
relationships added, removed, changed), the pages, the CSV, the API, isolation and cost."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from borough.cmdb import baselines, services
from borough.cmdb import models as m
from borough.core import roles
from borough.core import services as core_services
from tests.cmdb.test_history import at, change, make_item, relate
from tests.conftest import make_member
from tests.factories import CIClassFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(org_a):
    """On 1 March: three live servers (A, B, C), a planned one (D) and an application
    (APP) running on A and B as alternatives; the baseline of live items is taken at noon
    on 2 March."""
    servers = CIClassFactory(organisation=org_a, name="Physical server")
    apps = CIClassFactory(organisation=org_a, name="Application", attribute_schema=[])
    with time_machine.travel(at(1), tick=False):
        a = make_item(org_a, servers, "A", attributes={"hostname": "a", "cpu_cores": 4})
        b = make_item(org_a, servers, "B")
        c = make_item(org_a, servers, "C")
        d = make_item(org_a, servers, "D", status=m.Status.PLANNED)
        app = make_item(org_a, apps, "APP", attributes={})
        on_a = relate(org_a, app, a, redundancy_group="hosts")
        on_b = relate(org_a, app, b, redundancy_group="hosts")
    with time_machine.travel(at(2), tick=False):
        baseline = services.take_baseline(org_a.pk, actor=None, name="Before the move")
    return {"servers": servers, "apps": apps, "a": a, "b": b, "c": c, "d": d, "app": app,
            "on_a": on_a, "on_b": on_b, "baseline": baseline}


def move(estate):
    """On 4 March: A gets more CPU cores and a new owner; B retired; C deleted; D live; E
    added; APP no longer runs on B and now depends on E; the A link's group renamed."""
    org = estate["a"].organisation
    with time_machine.travel(at(4), tick=False):
        owner = PersonFactory(organisation=org, full_name="Fox Mulder")
        change(estate["a"], attributes={"hostname": "a", "cpu_cores": 16}, owner=owner,
               criticality=m.Criticality.CRITICAL)
        change(estate["b"], status=m.Status.RETIRED)
        core_services.delete_record(estate["c"], actor=None, expected_version=None)
        change(estate["d"], status=m.Status.LIVE)
        e = make_item(org, estate["servers"], "E")
        core_services.delete_record(estate["on_b"], actor=None, expected_version=None)
        relate(org, estate["app"], e)
        change(estate["on_a"], redundancy_group="servers")
    return e


def names(found) -> list[str]:
    return [d.name.split(" ", 1)[1] for d in found]


# --- taking ---------------------------------------------------------------------------


def test_a_baseline_freezes_the_scope_and_its_relationships(estate):
    baseline = estate["baseline"]
    assert (baseline.item_count, baseline.relationship_count) == (4, 2)  # A, B, C, APP
    frozen = {i.item_id: i for i in baseline.frozen_items.all()}
    assert set(frozen) == {estate[k].pk for k in ("a", "b", "c", "app")}
    assert frozen[estate["a"].pk].values["attributes"] == {"hostname": "a", "cpu_cores": 4}
    assert frozen[estate["a"].pk].display["status"] == "Live"
    assert {r.relationship_id for r in baseline.frozen_relationships.all()} == {
        estate["on_a"].pk, estate["on_b"].pk}
    assert baseline.taken_at == at(2)


def test_class_and_chosen_scopes(estate, org_a):
    by_class = services.take_baseline(org_a.pk, actor=None, name="Servers",
                                      scope=m.BaselineScope.CI_CLASS, ci_class=estate["servers"])
    assert {i.display["name"] for i in by_class.frozen_items.all()} == {"A", "B", "C", "D"}
    chosen = services.take_baseline(org_a.pk, actor=None, name="Two",
                                    scope=m.BaselineScope.CHOSEN,
                                    items=[estate["app"], estate["c"].pk])
    assert {i.display["name"] for i in chosen.frozen_items.all()} == {"APP", "C"}
    # Relationships with one end among the chosen: both of APP's.
    assert chosen.relationship_count == 2


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"scope": m.BaselineScope.CI_CLASS}, "ci_class", "Choose the class"),
    ({"scope": m.BaselineScope.CHOSEN}, "items", "Choose at least one"),
    ({"scope": m.BaselineScope.CHOSEN, "items": [999999]}, "items", "were not found: 999999"),
    ({"items": [1]}, "items", "Choose items only for a baseline of chosen items."),
])
def test_taking_names_what_to_fix(estate, org_a, kwargs, field, message):
    with pytest.raises(ValidationError) as caught:
        services.take_baseline(org_a.pk, actor=None, name="Bad", **kwargs)
    assert message in " ".join(caught.value.message_dict[field])
    assert m.Baseline.objects.count() == 1


def test_another_organisations_items_cannot_be_chosen(estate, org_b):
    other = make_item(org_b, CIClassFactory(organisation=org_b), "THEIRS")
    user = make_member(estate["a"].organisation, roles.ICT_MANAGER)
    with pytest.raises(ValidationError, match="not found"):
        services.take_baseline(estate["a"].organisation_id, actor=user, name="X",
                               scope=m.BaselineScope.CHOSEN, items=[other.pk])


def test_a_baseline_is_never_changed_once_taken(estate):
    baseline = estate["baseline"]
    with pytest.raises(ValidationError, match="cannot be changed once it is taken"):
        core_services.update_record(baseline, actor=None, data={"name": "Renamed"},
                                    expected_version=None)
    baseline.refresh_from_db()
    assert baseline.name == "Before the move"


@pytest.mark.parametrize(("role", "may_take", "may_delete"), [
    (roles.ADMINISTRATOR, True, True), (roles.ICT_MANAGER, True, True),
    (roles.TEAM_LEAD, True, False), (roles.CHANGE_MANAGER, True, False),
    (roles.SERVICE_UNIT_HEAD, False, False), (roles.AUDITOR, False, False),
])
def test_who_may_take_and_delete(estate, org_a, role, may_take, may_delete):
    user = make_member(org_a, role)
    if may_take:
        assert services.take_baseline(org_a.pk, actor=user, name=role).taken_by == user
    else:
        with pytest.raises(PermissionDenied):
            services.take_baseline(org_a.pk, actor=user, name=role)
    with pytest.raises(PermissionDenied):
        core_services.update_record(estate["baseline"], actor=user, data={"name": "x"},
                                    expected_version=None)
    if may_delete:
        core_services.delete_record(estate["baseline"], actor=user, expected_version=None)
        assert not m.BaselineItem.objects.filter(baseline=estate["baseline"]).exists()
    else:
        with pytest.raises(PermissionDenied):
            core_services.delete_record(estate["baseline"], actor=user, expected_version=None)


# --- comparing ------------------------------------------------------------------------


def test_nothing_changed_compares_equal(estate, org_a):
    result = baselines.compare(estate["baseline"], make_member(org_a, roles.AUDITOR))
    assert not result.differs and result.unchanged == 4


def test_compared_with_now_field_by_field(estate, org_a):
    e = move(estate)
    result = baselines.compare(estate["baseline"], make_member(org_a, roles.AUDITOR))
    assert names(result.added) == ["D", "E"]
    assert [(n, d.note) for n, d in zip(names(result.removed), result.removed, strict=True)] == [
        ("B", "Now retired."), ("C", "Deleted.")]
    [a] = result.changed
    assert a.item_id == estate["a"].pk
    assert [(c.field, c.before, c.after, c.attribute) for c in a.changes] == [
        ("Owner", "", "Fox Mulder", False),
        ("Criticality", "Medium", "Critical", False),
        ("CPU cores", "4", "16", True),
    ]
    assert result.unchanged == 1  # APP
    assert [str(r) for r in result.relationships_added] == [
        f"{estate['app'].reference} APP depends on {e.reference} E"]
    assert [str(r) for r in result.relationships_removed] == [
        f"{estate['app'].reference} APP depends on {estate['b'].reference} B"]
    [regrouped] = result.relationships_changed
    assert [(c.field, c.before, c.after) for c in regrouped.changes] == [
        ("Redundancy group", "hosts", "servers")]


def test_compared_as_of_a_moment_sees_only_what_had_happened(estate, org_a):
    with time_machine.travel(at(3), tick=False):
        change(estate["c"], name="C-renamed")
    move(estate)
    auditor = make_member(org_a, roles.AUDITOR)
    on_the_3rd = baselines.compare(estate["baseline"], auditor, at(3, 18))
    [c] = on_the_3rd.changed
    assert [(x.field, x.before, x.after) for x in c.changes] == [("Name", "C", "C-renamed")]
    assert not (on_the_3rd.added or on_the_3rd.removed or on_the_3rd.relationships_added)
    # After the move, the same as now, but C as it was on the 5th: deleted.
    later = baselines.compare(estate["baseline"], auditor, at(5))
    now = baselines.compare(estate["baseline"], auditor)
    assert later.csv_rows()[1:] == now.csv_rows()[1:]


def test_a_chosen_baseline_compares_only_its_items(estate, org_a):
    chosen = services.take_baseline(org_a.pk, actor=None, name="APP only",
                                    scope=m.BaselineScope.CHOSEN, items=[estate["app"]])
    move(estate)
    result = baselines.compare(chosen, make_member(org_a, roles.AUDITOR))
    assert not (result.added or result.removed or result.changed)
    assert len(result.relationships_added) == 1 and len(result.relationships_removed) == 1


# --- cost -------------------------------------------------------------------------------


def test_taking_and_comparing_cost_the_same_queries_for_more_items(org_a):
    ci_class = CIClassFactory(organisation=org_a)
    auditor = make_member(org_a, roles.ICT_MANAGER)
    warm = services.take_baseline(org_a.pk, actor=auditor, name="Warm the caches")
    baselines.compare(warm, auditor)
    counts = []
    for size in (5, 60):
        for n in range(size - m.ConfigurationItem.objects.count()):
            item = make_item(org_a, ci_class, f"S{size}-{n}",
                             owner=PersonFactory(organisation=org_a))
            if n:
                relate(org_a, item, m.ConfigurationItem.objects.exclude(pk=item.pk).first())
        with CaptureQueriesContext(connection) as taking:
            baseline = services.take_baseline(org_a.pk, actor=auditor, name=f"B{size}")
        with CaptureQueriesContext(connection) as comparing_now:
            baselines.compare(baseline, auditor)
        with CaptureQueriesContext(connection) as comparing_then:
            baselines.compare(baseline, auditor, at(1))
        counts.append((len(taking), len(comparing_now), len(comparing_then)))
    assert counts[0] == counts[1]


# --- pages ------------------------------------------------------------------------------


def test_taking_a_baseline_on_its_page(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.TEAM_LEAD))
    response = client.post(reverse("cmdb:baseline_add"), {
        "name": "Chosen two", "scope": "chosen",
        "references": f"{estate['a'].reference.lower()}, {estate['b'].reference}",
        "submission_key": "k1"})
    assert response.status_code == 302
    baseline = m.Baseline.objects.get(name="Chosen two")
    assert baseline.item_count == 2
    page = client.get(response["Location"]).content.decode()
    assert "A" in page and "Configuration items frozen" in page and "Compare" in page


@pytest.mark.parametrize(("data", "message"), [
    ({"scope": "chosen", "references": "CI-999999"},
     "No configuration item has the reference CI-999999."),
    ({"scope": "chosen"}, "Enter the references of the items to freeze."),
    ({"scope": "live", "references": "CI-000001"}, "Leave the references empty"),
    ({"scope": "class"}, "Choose the class whose items to freeze."),
])
def test_the_take_page_names_what_to_fix(estate, org_a, signed_in, data, message):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    response = client.post(reverse("cmdb:baseline_add"), {"name": "New", **data})
    assert response.status_code == 400
    assert message in response.content.decode()


def compare_url(baseline, export=False, **params):
    from urllib.parse import urlencode

    name = "cmdb:baseline_compare_export" if export else "cmdb:baseline_compare"
    return reverse(name, args=[baseline.pk]) + ("?" + urlencode(params) if params else "")


def test_the_comparison_page_and_its_csv(estate, org_a, signed_in):
    with time_machine.travel(at(3), tick=False):
        change(estate["a"], name="=cmd|' /C calc'!A0")
    client = signed_in(make_member(org_a, roles.SERVICE_UNIT_HEAD))
    body = client.get(compare_url(estate["baseline"])).content.decode()
    assert "The baseline compared with now" in body
    assert "1 changed, 3 unchanged" in body
    assert compare_url(estate["baseline"], export=True) in body

    response = client.get(compare_url(estate["baseline"], export=True, date="2025-03-03"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "On 3 March 2025 at 23:59"
    assert rows[1] == ["Item changed", f"{estate['a'].reference} =cmd|' /C calc'!A0", "Name",
                       "A", "'=cmd|' /C calc'!A0"]


@pytest.mark.parametrize(("params", "message"), [
    ({"date": "2025-03-01"}, "Choose a moment after the baseline was taken"),
    ({"date": "nonsense"}, "Enter a real date"),
    ({"sort": "name"}, "Unknown parameter sort."),
])
def test_the_comparison_page_names_what_to_fix(estate, org_a, signed_in, params, message):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER))
    for export in (False, True):
        response = client.get(compare_url(estate["baseline"], export=export, **params))
        assert response.status_code == 400
        assert message in response.content.decode()


def test_another_organisation_sees_nothing_of_a_baseline(estate, org_b, signed_in):
    baseline = estate["baseline"]
    page = signed_in(make_member(org_b, roles.ADMINISTRATOR))
    assert page.get(compare_url(baseline)).status_code == 404
    assert page.get(compare_url(baseline, export=True)).status_code == 404
    api = signed_in(make_member(org_b, roles.ADMINISTRATOR, username="edc-api"), api=True)
    for what in ("", "items/", "relationships/", "compare/"):
        assert api.get(f"/api/cmdb/baselines/{baseline.pk}/{what}").status_code == 404


def test_a_requester_sees_no_baselines(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.REQUESTER))
    assert client.get(compare_url(estate["baseline"])).status_code == 403
    assert client.get(reverse("cmdb:baseline_list")).status_code == 403


# --- API --------------------------------------------------------------------------------


def test_taking_and_comparing_over_the_api(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.CHANGE_MANAGER), api=True)
    response = client.post("/api/cmdb/baselines/", {
        "name": "Over the API", "scope": "chosen", "items": [estate["a"].pk, estate["app"].pk]},
        format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["item_count"], data["relationship_count"]) == (2, 2)
    pk = data["id"]
    items = client.get(f"/api/cmdb/baselines/{pk}/items/").json()
    assert items["count"] == 2 and {i["display"]["name"] for i in items["results"]} == {
        "A", "APP"}
    assert client.get(f"/api/cmdb/baselines/{pk}/relationships/").json()["count"] == 2
    # Paged like every list: a whole estate's baseline is 100,000 items.
    first = client.get(f"/api/cmdb/baselines/{pk}/items/?page_size=1").json()
    assert len(first["results"]) == 1 and first["next"]
    assert client.get(f"/api/cmdb/baselines/{pk}/items/?page=3&page_size=1").status_code == 404
    assert client.get(f"/api/cmdb/baselines/{pk}/items/?page=x").status_code == 400

    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(
            minutes=1), tick=False):
        change(estate["a"], attributes={"hostname": "a", "cpu_cores": 6})
    compared = client.get(f"/api/cmdb/baselines/{pk}/compare/").json()
    [changed] = compared["items_changed"]
    assert changed["changes"] == [{"field": "CPU cores", "attribute": True, "before": "4",
                                   "after": "6"}]
    assert compared["at"] is None and compared["items_unchanged"] == 1

    assert client.patch(f"/api/cmdb/baselines/{pk}/", {"name": "x", "version": 1},
                        format="json").status_code == 403
    bad = client.get(f"/api/cmdb/baselines/{pk}/compare/?at=2000-01-01")
    assert bad.status_code == 400 and "after the baseline was taken" in bad.json()["at"][0]


def test_the_api_names_what_to_fix_when_taking(estate, org_a, signed_in):
    client = signed_in(make_member(org_a, roles.ICT_MANAGER), api=True)
    response = client.post("/api/cmdb/baselines/", {"name": "Class", "scope": "class"},
                           format="json")
    assert response.status_code == 400
    assert response.json() == {"ci_class": ["Choose the class whose items to freeze."]}
    response = client.post("/api/cmdb/baselines/", {"name": "Two", "scope": "chosen",
                                                    "items": [99999]}, format="json")
    assert response.status_code == 400 and "items" in response.json()
