"""What roles allow on the pages (SECURITY.md rule 6: the Auditor changes nothing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from borough.accounts.models import Membership
from borough.core import roles
from borough.organisation.models import ServiceUnit
from tests.conftest import make_member
from tests.factories import PersonFactory, ServiceUnitFactory


@pytest.mark.django_db
def test_a_requester_cannot_open_people_but_can_list_service_units(signed_in, org_a):
    PersonFactory(organisation=org_a, full_name="Pat Private")
    ServiceUnitFactory(organisation=org_a, name="Finance")
    client = signed_in(make_member(org_a, roles.REQUESTER, "req"))

    people = client.get(reverse("organisation:person_list"))
    assert people.status_code == 403
    assert "Pat Private" not in people.content.decode()

    units = client.get(reverse("organisation:serviceunit_list"))
    assert units.status_code == 200
    assert "Finance" in units.content.decode()


@pytest.mark.django_db
def test_an_auditor_can_view_lists(signed_in, org_a):
    ServiceUnitFactory(organisation=org_a, name="Finance")
    PersonFactory(organisation=org_a, full_name="Pat Person")
    client = signed_in(make_member(org_a, roles.AUDITOR, "aud"))
    for name, text in (("serviceunit_list", "Finance"), ("person_list", "Pat Person")):
        response = client.get(reverse(f"organisation:{name}"))
        assert response.status_code == 200
        assert text in response.content.decode()
    assert client.get(reverse("accounts:membership_list")).status_code == 200


@pytest.mark.django_db
def test_an_auditor_cannot_add_edit_or_delete(signed_in, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Finance")
    auditor = make_member(org_a, roles.AUDITOR, "aud")
    client = signed_in(auditor)
    membership = Membership.objects.get(user=auditor)

    attempts = [
        (reverse("organisation:serviceunit_add"), {"name": "Planning"}),
        (reverse("organisation:serviceunit_edit", args=[unit.pk]),
         {"name": "Renamed", "version": unit.version}),
        (reverse("organisation:serviceunit_delete", args=[unit.pk]), {"version": unit.version}),
        (reverse("accounts:membership_add"), {"user": "aud", "role": membership.role_id}),
        (reverse("accounts:membership_edit", args=[membership.pk]),
         {"user": "aud", "role": membership.role_id, "is_active": "on",
          "version": membership.version}),
        (reverse("accounts:membership_delete", args=[membership.pk]),
         {"version": membership.version}),
    ]
    for url, data in attempts:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url

    unit.refresh_from_db()
    assert unit.name == "Finance"
    assert list(ServiceUnit.objects.values_list("name", flat=True)) == ["Finance"]
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_an_auditor_cannot_write_through_the_api(api_client, org_a):
    unit = ServiceUnitFactory(organisation=org_a, name="Finance")
    # Signed in by session, as the browsable pages' scripts would be.
    api_client.force_login(make_member(org_a, roles.AUDITOR, "aud"))
    url = "/api/organisation/service-units/"
    assert api_client.get(url).status_code == 200
    assert api_client.post(url, {"name": "Planning"}, format="json").status_code == 403
    assert api_client.patch(f"{url}{unit.pk}/", {"name": "X", "version": unit.version},
                            format="json").status_code == 403
    assert api_client.delete(f"{url}{unit.pk}/").status_code == 403
    unit.refresh_from_db()
    assert unit.name == "Finance"


@pytest.mark.django_db
def test_an_administrator_can_add(signed_in, org_a):
    # Contrast with the auditor: the same request from an administrator works.
    client = signed_in(make_member(org_a, roles.ADMINISTRATOR, "adm"))
    response = client.post(reverse("organisation:serviceunit_add"), {"name": "Planning"})
    assert response.status_code == 302
    assert ServiceUnit.objects.filter(organisation=org_a, name="Planning").exists()


def test_every_role_has_a_privilege_rank():
    assert sorted(roles.BY_PRIVILEGE) == sorted(roles.ALL_ROLES)
    assert roles.most_privileged([roles.REQUESTER, roles.ADMINISTRATOR]) == roles.ADMINISTRATOR
    assert roles.most_privileged([roles.REQUESTER, roles.AUDITOR]) == roles.AUDITOR
    assert roles.most_privileged([]) is None
