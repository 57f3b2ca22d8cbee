"""The API keeps its contract on bad input (issue 15, item 9): ids, filters, pages, JSON
depth and size, and URLs outside DRF get a clear 4xx in JSON, never a 500 or an HTML
page. Each test is named after the flaw the schema-driven fuzzer found."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from borough.api_router import router
from borough.core.api.parsers import too_deep
from borough.core.filters import BoundedFilterSet
from borough.core.ids import ID_PATTERN
from borough.core.registry import registry
from borough.organisation.models import ServiceUnit, WorkingPeriod
from tests.factories import (
    ActionFactory,
    CriterionFactory,
    InboundMessageFactory,
    ServiceUnitFactory,
    WorkingPeriodFactory,
)

pytestmark = pytest.mark.django_db

TOO_BIG = "99999999999999999999"  # past 2**63 - 1


@pytest.fixture
def api(api_client, admin_a):
    api_client.force_login(admin_a)
    return api_client


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- Ids in URLs -----------------------------------------------------------------------------


def test_non_numeric_id_on_a_custom_action_is_a_404(api, org_a):
    InboundMessageFactory(organisation=org_a)
    ActionFactory(organisation=org_a)
    body = assert_json_error(api.post("/api/mail/messages/false/release/"), 404)
    assert body == {"detail": "Not found."}
    assert_json_error(api.get("/api/standards/actions/false/updates/"), 404)
    assert_json_error(api.post("/api/standards/actions/false/updates/", {}, format="json"), 404)


def test_every_detail_route_takes_only_digits_as_the_id():
    detail = [str(p.pattern) for p in router.urls if "(?P<pk>" in str(p.pattern)]
    assert detail, "the router has detail routes"
    assert [p for p in detail if f"(?P<pk>{ID_PATTERN})" not in p] == []


def test_an_id_too_large_for_the_database_is_a_404(api, org_a):
    """OverflowError on SQLite and DataError on PostgreSQL, before."""
    for method, url in [("get", f"/api/organisation/service-units/{TOO_BIG}/"),
                        ("delete", f"/api/organisation/service-units/{TOO_BIG}/"),
                        ("post", f"/api/mail/messages/{TOO_BIG}/release/"),
                        ("get", f"/api/standards/actions/{TOO_BIG}/updates/"),
                        ("get", f"/api/standards/criteria/{TOO_BIG}/"),
                        ("get", f"/api/servicedesk/tickets/{TOO_BIG}/timeline/")]:
        assert_json_error(getattr(api, method)(url), 404)


def test_numbers_of_thousands_of_digits_are_refused_without_reading_them(api, org_a):
    """int() refuses more than 4,300 digits with a ValueError: such a value is out of range
    for an id, a filter and a page alike."""
    huge = "9" * 5000
    assert_json_error(api.get(f"/api/standards/actions/{huge}/updates/"), 404)
    assert list(assert_json_error(api.get("/api/servicedesk/tickets/", {"team": huge}),
                                  400)) == ["team"]
    assert list(assert_json_error(api.get("/api/organisation/service-units/", {"page": huge}),
                                  400)) == ["page"]


def test_an_unknown_api_url_is_a_json_404_and_a_page_url_stays_html(api):
    assert assert_json_error(api.get("/api/no-such-thing/"), 404) == {"detail": "Not found."}
    page = api.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_errors_django_answers_for_api_paths_are_json(rf):
    from django.core.exceptions import PermissionDenied

    from borough.core.views import errors

    def body(response, status):
        assert response.status_code == status and response["Content-Type"] == "application/json"
        return json.loads(response.content)

    assert body(errors.server_error(rf.get("/api/x/")), 500)["detail"]
    assert body(errors.bad_request(rf.get("/api/x/")), 400)["detail"]
    denied = errors.permission_denied(rf.get("/api/x/"), PermissionDenied("Not yours."))
    assert body(denied, 403) == {"detail": "Not yours."}
    assert errors.server_error(rf.get("/x/"))["Content-Type"].startswith("text/html")


# --- Filters and pages --------------------------------------------------------------------------


def test_an_integer_filter_too_large_for_the_database_is_a_400_naming_it(api, org_a):
    CriterionFactory()
    for url, name in [("/api/standards/criteria/", "standard"),  # NumberFilter (FK id)
                      ("/api/servicedesk/tickets/", "assignee"),  # NumberFilter
                      ("/api/servicedesk/tickets/", "team"),  # ModelChoiceFilter
                      ("/api/organisation/people/", "service_unit")]:  # generated from Meta
        for value in (TOO_BIG, "-" + TOO_BIG):
            body = assert_json_error(api.get(url, {name: value}), 400)
            assert list(body) == [name], body
            assert "whole number from" in body[name][0]
    # Large as a decimal too: NumberFilter reads decimals, and 1e30 is no id.
    assert list(assert_json_error(api.get("/api/standards/criteria/", {"standard": "1e30"}),
                                  400)) == ["standard"]
    assert api.get("/api/standards/criteria/", {"standard": "2"}).status_code == 200


def test_every_filterset_bounds_its_numbers():
    """The base of every FilterSet, so a new module's filters are bounded too."""
    classes = {e.filterset for e in registry.all() if e.filterset is not None}
    for entry in registry.all():
        classes.add(getattr(entry.viewset, "filterset_class", None))
    for _, viewset, _ in router.registry:
        classes.add(getattr(viewset, "filterset_class", None))
    classes.discard(None)
    assert classes
    assert [c for c in classes if not issubclass(c, BoundedFilterSet)] == []


@pytest.mark.parametrize("params", [{"page": TOO_BIG}, {"page": "0"}, {"page": "abc"},
                                    {"page_size": TOO_BIG}, {"page_size": "-1"},
                                    {"page_size": "²"}])
def test_a_page_or_page_size_that_is_no_whole_number_is_a_400_naming_it(api, org_a, params):
    body = assert_json_error(api.get("/api/organisation/service-units/", params), 400)
    assert list(body) == list(params)


def test_page_size_over_the_maximum_is_cut_and_page_last_is_the_last(api, org_a):
    ServiceUnitFactory(organisation=org_a)
    assert api.get("/api/organisation/service-units/", {"page_size": "100000"}).status_code == 200
    assert api.get("/api/organisation/service-units/", {"page": "last"}).status_code == 200
    assert_json_error(api.get("/api/organisation/service-units/", {"page": "7"}), 404)


# --- Bodies ---------------------------------------------------------------------------------------


def test_json_nested_a_thousand_levels_deep_is_a_400_not_a_recursion_error(api, org_a):
    deep = '{"name": "Deep", "extra": ' + "[" * 1000 + "]" * 1000 + "}"
    body = assert_json_error(api.post("/api/organisation/service-units/", deep,
                                      content_type="application/json"), 400)
    assert "nested deeper than 32 levels" in body["detail"]
    assert not ServiceUnit.objects.exists()
    # Within the limit, the same body is read as usual (the unknown field is ignored).
    fine = '{"name": "Fine", "extra": ' + "[" * 30 + "]" * 30 + "}"
    assert api.post("/api/organisation/service-units/", fine,
                    content_type="application/json").status_code == 201


def test_brackets_inside_strings_do_not_count_as_depth():
    assert not too_deep('{"text": "' + "[" * 100 + '"}', limit=2)
    assert not too_deep('{"a": "\\"[[[[", "b": [1]}', limit=2)
    assert too_deep('{"a": [[{"b": 1}]]}', limit=3)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_limit_is_a_json_413_not_an_html_400_logged_as_an_error(
        api, org_a, caplog, content_type):
    text = "x" * 2000
    data = f'{{"name": "{text}"}}' if content_type == "application/json" else f"name={text}"
    with caplog.at_level(logging.WARNING):
        response = api.post("/api/organisation/service-units/", data, content_type=content_type)
    body = assert_json_error(response, 413)
    assert "larger than the 1000 bytes allowed" in body["detail"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not ServiceUnit.objects.exists()


# --- Headers --------------------------------------------------------------------------------------


def test_digits_python_reads_but_int_refuses_are_not_a_500(api_client, admin_a, org_a):
    """"²".isdigit() is True and int("²") a ValueError: the organisation header and
    If-Match took the first as a promise of the second."""
    from borough.accounts import services

    _, secret = services.create_token(admin_a, actor=admin_a, name="t")
    unit = ServiceUnitFactory(organisation=org_a)
    headers = {"HTTP_AUTHORIZATION": f"Token {secret}", "HTTP_X_BOROUGH_ORGANISATION": "²"}
    assert api_client.get("/api/organisation/service-units/", **headers).status_code == 200
    response = api_client.patch(f"/api/organisation/service-units/{unit.pk}/", {"name": "New"},
                                format="json", HTTP_IF_MATCH='"²"', **headers)
    assert "If-Match" in assert_json_error(response, 400)


def test_a_version_of_infinity_is_a_400(api, org_a):
    """JSON's 1e400 reads as infinity, which int() refuses with an OverflowError."""
    unit = ServiceUnitFactory(organisation=org_a)
    response = api.delete(f"/api/organisation/service-units/{unit.pk}/",
                          '{"version": 1e400}', content_type="application/json")
    assert "version" in assert_json_error(response, 400)
    assert ServiceUnit.objects.filter(pk=unit.pk).exists()


# --- Values ----------------------------------------------------------------------------------------


def test_working_period_times_are_hh_mm_and_read_with_or_without_seconds(api, org_a):
    period = WorkingPeriodFactory(organisation=org_a, weekday=5)
    row = api.get(f"/api/organisation/working-periods/{period.pk}/").json()
    assert (row["start"], row["end"]) == ("09:00", "12:00")
    created = api.post("/api/organisation/working-periods/",
                       {"weekday": 6, "start": "10:15:30", "end": "11:45"}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["start"], created.json()["end"]) == ("10:15", "11:45")
    assert WorkingPeriod.objects.get(pk=created.json()["id"]).start.second == 30
    wrong = api.post("/api/organisation/working-periods/",
                     {"weekday": 6, "start": "25:00", "end": "26:00"}, format="json")
    assert set(assert_json_error(wrong, 400)) == {"start", "end"}


def test_an_export_of_text_with_control_characters_is_a_spreadsheet_not_a_500(api, org_a):
    ActionFactory(organisation=org_a, title="Bell \x07 and escape \x1b in a title")
    response = api.get("/api/standards/actions/export/xlsx/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "Bell  and escape  in a title" in titles
