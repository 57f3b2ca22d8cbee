"""Every registered model's pages, as each of the ten roles: list, detail, CSV export and
history answer 200 with the view permission and 403 without; add, edit and delete work
(record saved, version raised, audit event written) exactly for the roles granted them
and are refused, changing nothing, for the others. Expectations come from
`registry.role_grants`; departures are declared in cases.DEPARTURES."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from borough.core.models import AuditAction, AuditEvent
from tests.declared.cases import (
    DEPARTURES,
    ENTRIES,
    ROLES,
    built,
    case_for,
    change_data,
    entry_id,
    expected,
    form_data,
    make_record,
    make_world,
)

pytestmark = pytest.mark.django_db


def page_url(entry, op, record=None) -> str:
    if op == "export":
        return reverse(entry.url_name("export"), args=["csv"])
    if op in ("list", "add"):
        return reverse(entry.url_name(op))
    return reverse(entry.url_name(op), args=[record.pk])


def check_refused(response, outcome, record, what):
    """A denied or redirected request: 403, or a redirect to where the app sends the role."""
    if outcome.kind == "redirect":
        assert response.status_code == 302, (what, response.status_code, outcome.why)
        assert response["Location"] == outcome.to(record), (what, outcome.why)
    else:
        assert response.status_code == 403, (what, response.status_code)
        # Refused by the role check, which says so (not by something else that is a 403).
        assert "Your role does not allow you to" in response.content.decode(), what


def problem(response) -> str:
    """What a page that refused a form says was wrong, for the assertion message."""
    body = response.content.decode()
    errors = re.findall(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)
    return f"{response.status_code}: " + " | ".join(
        " ".join(re.sub(r"<[^>]+>", " ", e).split()) for e in errors)


def events(record, action) -> int:
    return AuditEvent.objects.for_object(record).filter(action=action).count()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_pages_do_what_the_role_was_granted(entry, role, signed_in):
    model = entry.model
    world = make_world(entry, [role])
    user = world.users[role]
    record = make_record(entry, world, role)
    client = signed_in(user)

    # --- reading ---
    for op in ("list", "detail", "export", "history"):
        outcome = expected(model, op, role)
        response = client.get(page_url(entry, op, record))
        if outcome.kind != "allowed":
            check_refused(response, outcome, record, op)
            assert escape(str(record)) not in response.content.decode(), op
            continue
        assert response.status_code == 200, (op, response.status_code)
        if op == "list":
            assert page_url(entry, "detail", record) in response.content.decode()
        elif op in ("detail", "history"):
            assert escape(str(record)) in response.content.decode(), op
        elif op == "export":
            assert response["Content-Type"].startswith("text/csv")

    # --- adding (a record added here is the one edited and deleted next) ---
    before = set(model.objects.values_list("pk", flat=True))
    data = form_data(entry, built(entry, world, role), user) | {"submission_key": f"add-{role}"}
    outcome = expected(model, "add", role)
    if outcome.kind == "allowed":
        assert client.get(page_url(entry, "add")).status_code == 200
        if (make_room := case_for(entry).make_room) is not None:
            make_room(record)
        response = client.post(page_url(entry, "add"), data)
        assert response.status_code == 302, problem(response)
        record = model.objects.exclude(pk__in=before).get()
        assert record.organisation_id == world.org.pk and record.created_by_id == user.pk
        assert events(record, AuditAction.CREATE) == 1
    else:
        check_refused(client.get(page_url(entry, "add")), outcome, record, "add")
        check_refused(client.post(page_url(entry, "add"), data), outcome, record, "add")
        assert set(model.objects.values_list("pk", flat=True)) == before

    # --- editing ---
    version = record.version
    data = change_data(entry, form_data(entry, built(entry, world, role), user)) | {
        "version": version}
    outcome = expected(model, "edit", role)
    if outcome.kind == "allowed":
        assert client.get(page_url(entry, "edit", record)).status_code == 200
        response = client.post(page_url(entry, "edit", record), data)
        assert response.status_code == 302, problem(response)
        record.refresh_from_db()
        assert record.version == version + 1
        assert events(record, AuditAction.UPDATE) == 1
    else:
        check_refused(client.get(page_url(entry, "edit", record)), outcome, record, "edit")
        check_refused(client.post(page_url(entry, "edit", record), data), outcome, record, "edit")
        record.refresh_from_db()
        assert record.version == version and events(record, AuditAction.UPDATE) == 0

    # --- deleting ---
    outcome = expected(model, "delete", role)
    url = page_url(entry, "delete", record)
    if outcome.kind == "allowed":
        assert client.get(url).status_code == 200
        response = client.post(url, {"version": record.version})
        assert response.status_code == 302, problem(response)
        assert response["Location"] == page_url(entry, "list")
        assert not model.objects.filter(pk=record.pk).exists()
        assert events(record, AuditAction.DELETE) == 1
    elif outcome.kind == "kept":
        assert client.get(url).status_code == 200
        response = client.post(url, {"version": record.version})
        assert (response.status_code, response["Location"]) == (302, outcome.to(record)), \
            outcome.why
        assert model.objects.filter(pk=record.pk).exists()
        assert events(record, AuditAction.DELETE) == 0
    else:
        check_refused(client.get(url), outcome, record, "delete")
        check_refused(client.post(url, {"version": record.version}), outcome, record, "delete")
        assert model.objects.filter(pk=record.pk).exists()
        assert events(record, AuditAction.DELETE) == 0


@pytest.mark.parametrize("departure", DEPARTURES, ids=lambda d: f"{entry_id(d)} {d.op}")
def test_every_departure_is_still_needed(departure):
    """A declared departure applies to some role, and says why: one that no longer applies
    would hide nothing, but would mislead."""
    assert departure.outcome.why
    assert any(departure.applies(role) for role in ROLES)
