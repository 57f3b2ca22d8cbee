"""Admin pages: scoped to the active organisation, writes audited, stale edits refused."""

from __future__ import annotations

import pytest

from borough.core.models import AuditEvent
from borough.organisation.models import ServiceUnit
from tests.factories import ServiceUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_admin_lists_only_the_active_organisations_records(client, superuser, org_a, org_b):
    ServiceUnitFactory(organisation=org_a, name="Ours")
    ServiceUnitFactory(organisation=org_b, name="Theirs")
    client.force_login(superuser)
    client.post("/accounts/switch/", {"organisation": org_a.pk})
    body = client.get("/admin/organisation/serviceunit/").content.decode()
    assert "Ours" in body and "Theirs" not in body


def test_admin_add_and_change_are_audited_and_versioned(client, superuser, org_a):
    client.force_login(superuser)
    client.post("/accounts/switch/", {"organisation": org_a.pk})
    response = client.post("/admin/organisation/serviceunit/add/",
                           {"name": "Leisure", "code": "", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = ServiceUnit.objects.get(name="Leisure")
    assert unit.organisation == org_a
    assert AuditEvent.objects.for_object(unit).count() == 1

    stale = {"name": "Leisure and Culture", "is_active": "on", "loaded_version": "1"}
    ServiceUnit.objects.filter(pk=unit.pk).update(version=2)
    response = client.post(f"/admin/organisation/serviceunit/{unit.pk}/change/", stale)
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.name == "Leisure"


def test_organisation_admin_is_for_superusers_only(client, org_a, admin_a):
    admin_a.is_staff = True
    admin_a.save()
    client.force_login(admin_a)
    assert client.get("/admin/organisation/organisation/").status_code == 403
