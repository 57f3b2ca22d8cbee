"""The generic REST API over ServiceUnit and Person: CRUD through core.services,
audit, scoping, versions (ETag / If-Match / 409), filters and role checks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.core import roles
from borough.core.models import AuditAction, AuditEvent
from borough.organisation.models import Person, ServiceUnit
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory, SiteFactory

pytestmark = pytest.mark.django_db

UNITS = "api:organisation-serviceunit-list"
UNIT = "api:organisation-serviceunit-detail"
PEOPLE = "api:organisation-person-list"
PERSON = "api:organisation-person-detail"


@pytest.fixture
def admin_api(signed_in, admin_a):
    return signed_in(admin_a, api=True)


def unit_url(unit):
    return reverse(UNIT, args=[unit.pk])


def person_url(person):
    return reverse(PERSON, args=[person.pk])


# --- Create, read, update, delete as an Administrator ------------------------------


def test_list_is_paginated_with_count_and_results(admin_api, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    ServiceUnitFactory(organisation=org_a, name="Finance")
    response = admin_api.get(reverse(UNITS))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["name"] for row in body["results"]] == ["Finance", "Housing"]
    assert {"next", "previous"} <= set(body)
    row = body["results"][0]
    assert row["display"] == "Finance"
    assert row["version"] == 1
    assert row["url"].endswith(reverse(UNIT, args=[row["id"]]))


def test_page_size_splits_the_list(admin_api, org_a):
    for n in range(3):
        ServiceUnitFactory(organisation=org_a, name=f"Unit {n}")
    body = admin_api.get(reverse(UNITS), {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None


def test_create_saves_audits_and_uses_the_callers_organisation(admin_api, admin_a, org_a, org_b):
    response = admin_api.post(
        reverse(UNITS), {"name": "Planning", "code": "PLN", "organisation": org_b.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    unit = ServiceUnit.objects.get(pk=response.json()["id"])
    # Mass assignment ignored (SECURITY.md rule 4): the body's organisation is not used.
    assert unit.organisation_id == org_a.pk
    assert response.json()["organisation"] == org_a.pk
    assert not ServiceUnit.objects.filter(organisation=org_b).exists()
    assert unit.created_by == admin_a
    event = AuditEvent.objects.for_object(unit).get()
    assert event.action == AuditAction.CREATE
    assert event.actor == admin_a
    assert event.changes["name"] == [None, "Planning"]


def test_create_ignores_bookkeeping_fields_in_the_body(admin_api, org_a, member):
    other = member(roles.AGENT, username="someone-else")
    response = admin_api.post(
        reverse(UNITS),
        {"name": "Legal", "created_by": other.pk, "version": 7, "created_at": "2001-01-01T00:00Z"},
        format="json",
    )
    assert response.status_code == 201, response.content
    unit = ServiceUnit.objects.get(name="Legal")
    assert unit.version == 1
    assert unit.created_by_id != other.pk
    assert unit.created_at.year != 2001


def test_patch_with_version_updates_and_audits(admin_api, admin_a, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = admin_api.patch(unit_url(unit), {"name": "Homes", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    unit.refresh_from_db()
    assert unit.name == "Homes" and unit.version == 2
    event = AuditEvent.objects.for_object(unit).get(action=AuditAction.UPDATE)
    assert event.changes == {"name": ["Housing", "Homes"]}
    assert event.actor == admin_a


def test_put_replaces_the_record(admin_api, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing", code="HSG")
    response = admin_api.put(
        unit_url(unit), {"name": "Homes", "code": "", "is_active": False, "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    unit.refresh_from_db()
    assert (unit.name, unit.code, unit.is_active) == ("Homes", "", False)


def test_patch_without_a_version_is_refused_with_a_clear_message(admin_api, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = admin_api.patch(unit_url(unit), {"name": "Homes"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    assert "Send the version you read" in str(response.json()["version"])
    unit.refresh_from_db()
    assert unit.name == "Housing"


def test_patch_with_a_stale_version_gets_409_listing_the_other_change(
    admin_api, admin_a, org_a, member
):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    other = member(roles.ICT_MANAGER, username="manager-a")
    other.first_name, other.last_name = "Mo", "Manager"
    other.save()
    other.active_organisation_id = org_a.pk
    from borough.core import services

    services.update_record(unit, actor=other, data={"code": "HSG"}, expected_version=1)

    response = admin_api.patch(unit_url(unit), {"name": "Homes", "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert body["changes"] == [
        {"who": "Mo Manager", "at": body["changes"][0]["at"], "field": "code",
         "before": "", "after": "HSG"}
    ]
    assert "Mo Manager changed code" in body["detail"]
    unit.refresh_from_db()
    assert unit.name == "Housing" and unit.code == "HSG"


def test_if_match_header_carries_the_version(admin_api, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = admin_api.patch(unit_url(unit), {"name": "Homes"}, format="json",
                               HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    unit.refresh_from_db()
    assert unit.name == "Homes"
    stale = admin_api.patch(unit_url(unit), {"name": "Houses"}, format="json",
                            HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    unit.refresh_from_db()
    assert unit.name == "Homes"


def test_if_match_that_is_not_a_version_is_a_400(admin_api, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = admin_api.patch(unit_url(unit), {"name": "Homes"}, format="json",
                               HTTP_IF_MATCH="*")
    assert response.status_code == 400
    assert "If-Match" in response.json()


def test_delete_removes_the_record_and_audits_it(admin_api, admin_a, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing")
    response = admin_api.delete(unit_url(unit))
    assert response.status_code == 204
    assert not ServiceUnit.objects.filter(pk=unit.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_id=unit.pk)
    assert event.actor == admin_a
    assert event.changes["name"] == ["Housing", None]


def test_delete_with_a_stale_if_match_is_refused(admin_api, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Housing", version=2)
    response = admin_api.delete(unit_url(unit), HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert ServiceUnit.objects.filter(pk=unit.pk).exists()


def test_a_duplicate_name_is_a_400_not_a_500(admin_api, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    response = admin_api.post(reverse(UNITS), {"name": "Housing"}, format="json")
    assert response.status_code == 400
    assert ServiceUnit.objects.filter(name="Housing").count() == 1


# --- People: related ids are resolved in the caller's organisation ---------------------


def test_person_crud(admin_api, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Finance")
    site = SiteFactory(organisation=org_a, name="Town Hall")
    created = admin_api.post(
        reverse(PEOPLE),
        {"full_name": "Ann Example", "email": "ann@example.gov.uk", "service_unit": unit.pk,
         "site": site.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    person = Person.objects.get(pk=created.json()["id"])
    assert (person.service_unit, person.site, person.organisation) == (unit, site, org_a)

    fetched = admin_api.get(person_url(person))
    assert fetched.json()["service_unit"] == unit.pk
    assert fetched["ETag"] == '"1"'

    changed = admin_api.patch(person_url(person), {"job_title": "Accountant", "version": 1},
                              format="json")
    assert changed.status_code == 200
    person.refresh_from_db()
    assert person.job_title == "Accountant"

    assert admin_api.delete(person_url(person)).status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=person.pk, content_type__model="person")
        .order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]


def test_related_id_from_another_organisation_is_refused_like_a_missing_one(
    admin_api, org_a, org_b
):
    theirs = ServiceUnitFactory(organisation=org_b, name="Their finance")
    missing_id = theirs.pk + 1000

    cross = admin_api.post(reverse(PEOPLE), {"full_name": "X", "service_unit": theirs.pk},
                           format="json")
    missing = admin_api.post(reverse(PEOPLE), {"full_name": "X", "service_unit": missing_id},
                             format="json")
    assert cross.status_code == missing.status_code == 400
    # SECURITY.md rule 3: the same message, so ids of other councils cannot be probed.
    assert cross.json() == {
        "service_unit": [m.replace(str(missing_id), str(theirs.pk))
                         for m in missing.json()["service_unit"]]
    }
    assert "Their finance" not in cross.content.decode()
    assert not Person.objects.filter(full_name="X").exists()


def test_related_id_from_another_organisation_is_refused_on_update(admin_api, org_a, org_b):
    person = PersonFactory(organisation=org_a)
    theirs = ServiceUnitFactory(organisation=org_b)
    response = admin_api.patch(person_url(person), {"service_unit": theirs.pk, "version": 1},
                               format="json")
    assert response.status_code == 400
    assert "service_unit" in response.json()
    person.refresh_from_db()
    assert person.service_unit is None and person.version == 1


def test_another_organisations_record_is_not_found(admin_api, org_b):
    theirs = ServiceUnitFactory(organisation=org_b, name="Theirs")
    assert admin_api.get(unit_url(theirs)).status_code == 404
    assert admin_api.patch(unit_url(theirs), {"name": "Mine", "version": 1},
                           format="json").status_code == 404
    assert admin_api.delete(unit_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


# --- Filters and ordering (SECURITY.md rule 13) ------------------------------------------


def test_search_and_active_filters_narrow_the_list(admin_api, org_a):
    ServiceUnitFactory(organisation=org_a, name="Housing", code="HSG")
    ServiceUnitFactory(organisation=org_a, name="Finance", code="FIN", is_active=False)
    ServiceUnitFactory(organisation=org_a, name="Leisure", code="LEI")

    def names(**params):
        return [r["name"] for r in admin_api.get(reverse(UNITS), params).json()["results"]]

    assert names(q="hous") == ["Housing"]
    assert names(q="fin") == ["Finance"]  # matches code too
    assert names(is_active="false") == ["Finance"]
    assert names(is_active="true") == ["Housing", "Leisure"]


def test_people_filter_by_service_unit(admin_api, org_a):
    finance = ServiceUnitFactory(organisation=org_a, name="Finance")
    PersonFactory(organisation=org_a, full_name="Ann", service_unit=finance)
    PersonFactory(organisation=org_a, full_name="Bob")
    rows = admin_api.get(reverse(PEOPLE), {"service_unit": finance.pk}).json()["results"]
    assert [r["full_name"] for r in rows] == ["Ann"]


def test_filtering_by_another_organisations_unit_is_refused_like_a_missing_one(
    admin_api, org_a, org_b
):
    """SECURITY.md rules 2 and 3: a filter value cannot probe for another council's ids."""
    theirs = ServiceUnitFactory(organisation=org_b)
    cross = admin_api.get(reverse(PEOPLE), {"service_unit": theirs.pk})
    missing = admin_api.get(reverse(PEOPLE), {"service_unit": theirs.pk + 1000})
    assert cross.status_code == missing.status_code == 400
    assert cross.json() == missing.json()


def test_ordering_by_an_allowed_field(admin_api, org_a):
    ServiceUnitFactory(organisation=org_a, name="Alpha", code="Z")
    ServiceUnitFactory(organisation=org_a, name="Beta", code="A")
    rows = admin_api.get(reverse(UNITS), {"ordering": "code"}).json()["results"]
    assert [r["name"] for r in rows] == ["Beta", "Alpha"]
    rows = admin_api.get(reverse(UNITS), {"ordering": "-name"}).json()["results"]
    assert [r["name"] for r in rows] == ["Beta", "Alpha"]


def test_ordering_by_an_unknown_field_is_a_400(admin_api, org_a):
    response = admin_api.get(reverse(UNITS), {"ordering": "organisation__name"})
    assert response.status_code == 400
    message = str(response.json()["ordering"])
    assert "Cannot sort by organisation__name" in message
    assert "name" in message


# --- Idempotency (SECURITY.md rule 26) ---------------------------------------------------


def test_the_same_idempotency_key_creates_one_record(admin_api, org_a):
    first = admin_api.post(reverse(UNITS), {"name": "Parks"}, format="json",
                           HTTP_IDEMPOTENCY_KEY="retry-123")
    second = admin_api.post(reverse(UNITS), {"name": "Parks"}, format="json",
                            HTTP_IDEMPOTENCY_KEY="retry-123")
    assert first.status_code == 201, first.content
    assert second.status_code in (200, 201), second.content
    assert first.json()["id"] == second.json()["id"]
    assert ServiceUnit.objects.filter(name="Parks").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE,
                                     object_id=first.json()["id"]).count() == 1


def test_different_idempotency_keys_create_separate_records(admin_api, org_a):
    admin_api.post(reverse(PEOPLE), {"full_name": "Sam"}, format="json",
                   HTTP_IDEMPOTENCY_KEY="one")
    admin_api.post(reverse(PEOPLE), {"full_name": "Sam"}, format="json",
                   HTTP_IDEMPOTENCY_KEY="two")
    assert Person.objects.filter(full_name="Sam").count() == 2


# --- Roles ---------------------------------------------------------------------------------


def test_administrator_of_another_organisation_sees_nothing_here(signed_in, org_a, org_b):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    admin_b = make_member(org_b, roles.ADMINISTRATOR, "admin-b")
    body = signed_in(admin_b, api=True).get(reverse(UNITS)).json()
    assert body["count"] == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_are_refused(api_client, org_a, method):
    ServiceUnitFactory(organisation=org_a, name="Housing")
    data = {"name": "X"} if method == "post" else {}
    response = getattr(api_client, method)(reverse(UNITS), data)
    assert response.status_code in (401, 403)
    assert "Housing" not in response.content.decode()
    assert not ServiceUnit.objects.filter(name="X").exists()


def test_anonymous_callers_get_401_with_a_challenge(api_client):
    response = api_client.get(reverse(PEOPLE))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_idempotency_key_of_another_model_never_returns_a_foreign_record(
    admin_api, org_a, org_b
):
    """Regression: a key first used for a service unit, sent again when adding a person,
    returned the Person with the unit's id, from any organisation."""
    unit = admin_api.post(reverse(UNITS), {"name": "Parks"}, format="json",
                          HTTP_IDEMPOTENCY_KEY="shared-key").json()
    PersonFactory(id=unit["id"], organisation=org_b, full_name="Secret B person")
    # PostgreSQL's id sequence does not know of that explicit id: move it past, or the next
    # person would collide with it (whether it did depended on the tests run before).
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Person]):
            cursor.execute(statement)
    response = admin_api.post(reverse(PEOPLE), {"full_name": "Our person"}, format="json",
                              HTTP_IDEMPOTENCY_KEY="shared-key")
    assert "Secret B person" not in response.content.decode()
    assert response.status_code == 201
    assert Person.objects.get(pk=response.json()["id"]).organisation == org_a
    assert Person.objects.filter(full_name="Our person", organisation=org_a).count() == 1


def test_an_unknown_query_parameter_is_a_400_naming_it(admin_api, org_a):
    """SECURITY.md rule 13: a misspelt filter must not silently return everything."""
    ServiceUnitFactory(organisation=org_a, name="Housing", is_active=False)
    response = admin_api.get(reverse(UNITS), {"is_activ": "true"})
    assert response.status_code == 400
    message = response.json()["detail"]
    assert "Unknown parameter is_activ" in message
    assert "is_active" in message and "q" in message
    for control in ({"page": 1}, {"page_size": 10}, {"ordering": "name"}, {"format": "json"}):
        assert admin_api.get(reverse(UNITS), control).status_code == 200, control
