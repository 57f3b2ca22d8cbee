"""Every registered model's API, as each of the ten roles: list and retrieve (with its
ETag) need view; create, partial update (409 with a stale version) and delete work
(audited) exactly for the roles granted add, change and delete, and are a 403 that
changes nothing for the others. Expectations come from `registry.role_grants`."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.urls import reverse

from borough.core.models import AuditAction, AuditEvent
from tests.declared.cases import (
    ENTRIES,
    ROLES,
    api_data,
    built,
    case_for,
    change_data,
    entry_id,
    granted,
    make_record,
    make_world,
)

pytestmark = pytest.mark.django_db


def api_url(entry, record=None) -> str:
    name = f"api:{entry.app_label}-{entry.model_name}"
    return reverse(f"{name}-detail", args=[record.pk]) if record else reverse(f"{name}-list")


def refused(response) -> bool:
    """A 403 from the role check (ModelRolePermission), not from something else."""
    return response.status_code == 403 and response.json() == {
        "detail": "You do not have permission to do that."}


def events(record, action) -> int:
    return AuditEvent.objects.for_object(record).filter(action=action).count()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_api_does_what_the_role_was_granted(entry, role, signed_in):
    model = entry.model
    world = make_world(entry, [role])
    user = world.users[role]
    record = make_record(entry, world, role)
    client = signed_in(user, api=True)

    def may(action):
        return granted(role, model, action)

    # --- reading ---
    listing = client.get(api_url(entry))
    one = client.get(api_url(entry, record))
    if may("view"):
        assert listing.status_code == 200, listing.content
        assert record.pk in {row["id"] for row in listing.json()["results"]}
        assert one.status_code == 200, one.content
        assert one["ETag"] == f'"{record.version}"'
        assert one.json()["id"] == record.pk
    else:
        assert refused(listing) and refused(one), (listing.content, one.content)
        assert str(record) not in listing.content.decode() + one.content.decode()

    # --- creating (a record created here is the one updated and deleted next) ---
    before = set(model.objects.values_list("pk", flat=True))
    data = api_data(entry, built(entry, world, role), role)
    if may("add"):
        if (make_room := case_for(entry).make_room) is not None:
            make_room(record)
        response = client.post(api_url(entry), data, format="json")
        assert response.status_code == 201, response.content
        record = model.objects.get(pk=response.json()["id"])
        assert record.organisation_id == world.org.pk and record.created_by_id == user.pk
        assert events(record, AuditAction.CREATE) == 1
    else:
        response = client.post(api_url(entry), data, format="json")
        assert refused(response), response.content
        assert set(model.objects.values_list("pk", flat=True)) == before

    # --- changing: a version someone saved over is a 409; the current one saves ---
    read = record.version
    # Someone else saves the record after it was read (a version bump is all it takes).
    model.objects.filter(pk=record.pk).update(version=F("version") + 1)
    version = read + 1
    data = change_data(entry, api_data(entry, built(entry, world, role), role))
    stale = client.patch(api_url(entry, record), data | {"version": read}, format="json")
    if may("change"):
        assert stale.status_code == 409, stale.content
        assert stale.json()["current_version"] == version
        assert events(record, AuditAction.UPDATE) == 0
        response = client.patch(api_url(entry, record), data | {"version": version},
                                format="json")
        assert response.status_code == 200, response.content
        record.refresh_from_db()
        assert record.version == version + 1 == response.json()["version"]
        assert events(record, AuditAction.UPDATE) == 1
    else:
        assert refused(stale), stale.content
        response = client.patch(api_url(entry, record), data | {"version": version},
                                format="json")
        assert refused(response), response.content
        record.refresh_from_db()
        assert record.version == version and events(record, AuditAction.UPDATE) == 0

    # --- deleting ---
    response = client.delete(api_url(entry, record), HTTP_IF_MATCH=f'"{record.version}"')
    if may("delete"):
        assert response.status_code == 204, response.content
        assert not model.objects.filter(pk=record.pk).exists()
        assert events(record, AuditAction.DELETE) == 1
    else:
        assert refused(response), response.content
        assert model.objects.filter(pk=record.pk).exists()
        assert events(record, AuditAction.DELETE) == 0
