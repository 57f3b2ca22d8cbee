"""SECURITY.md rule 2: nothing of organisation B is visible, countable, searchable,
exportable or referable by a member of A. Walks every registered model."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from borough.core import attachments, roles
from borough.core.registry import registry
from tests.conftest import make_member
from tests.factories import FACTORIES

ENTRIES = registry.all()


def entry_id(entry):
    return entry.model._meta.label


@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_registry_entry_is_complete(entry):
    assert entry.filterset is not None, "needs a FilterSet"
    assert entry.table is not None, "needs a table"
    assert entry.form is not None, "needs a form"
    assert entry.serializer is not None and entry.viewset is not None, "needs API classes"
    assert entry.model in FACTORIES, "needs a factory in tests/<app>/factories.py, in its FACTORIES"
    for action in ("list", "export", "add"):
        reverse(entry.url_name(action), kwargs={"format": "csv"} if action == "export" else {})
    for action in ("detail", "edit", "delete", "history"):
        reverse(entry.url_name(action), args=[1])
    reverse(f"api:{entry.app_label}-{entry.model_name}-list")


@pytest.mark.django_db
@pytest.mark.parametrize("entry", ENTRIES, ids=entry_id)
def test_other_organisations_records_never_show(entry, org_a, org_b, signed_in):
    factory = FACTORIES[entry.model]
    ours = factory(organisation=org_a)
    theirs = factory(organisation=org_b)
    viewer = make_member(org_a, roles.ADMINISTRATOR, "viewer-a")
    admin_b = make_member(org_b, roles.ADMINISTRATOR, "admin-b")
    hidden = str(theirs)
    assert hidden != str(ours)
    client = signed_in(viewer)

    listing = client.get(reverse(entry.url_name("list")))
    assert listing.status_code == 200
    assert hidden not in listing.content.decode()
    assert reverse(entry.url_name("detail"), args=[ours.pk]) in listing.content.decode()
    assert reverse(entry.url_name("detail"), args=[theirs.pk]) not in listing.content.decode()

    for action in ("detail", "edit", "delete", "history"):
        response = client.get(reverse(entry.url_name(action), args=[theirs.pk]))
        assert response.status_code == 404, action
        assert hidden not in response.content.decode()
    response = client.post(reverse(entry.url_name("delete"), args=[theirs.pk]))
    assert response.status_code == 404
    assert entry.model.objects.filter(pk=theirs.pk).exists()

    for fmt in ("csv", "xlsx"):
        export = client.get(reverse(entry.url_name("export"), args=[fmt]))
        assert export.status_code == 200
        if fmt == "csv":
            assert hidden not in export.content.decode()

    if entry.search_fields:
        term = str(getattr(theirs, entry.search_fields[0].split("__")[0], hidden))
        found = client.get(reverse("core:search"), {"q": term})
        # The term is echoed back; what must not appear is a link to B's record.
        assert reverse(entry.url_name("detail"), args=[theirs.pk]) not in found.content.decode()

    # Files and comments on B's record cannot be reached or added by A.
    attachment = attachments.add_attachment(
        theirs, SimpleUploadedFile("note.txt", b"private to B", "text/plain"), actor=admin_b
    )
    assert client.get(reverse("core:attachment_download", args=[attachment.pk])).status_code == 404
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(entry.model)
    assert client.post(reverse("core:comment_add", args=[ct.pk, theirs.pk]),
                       {"body": "hello"}).status_code == 404
    assert client.post(
        reverse("core:attachment_add", args=[ct.pk, theirs.pk]),
        {"file": SimpleUploadedFile("x.txt", b"x", "text/plain")},
    ).status_code == 404

    api_client = signed_in(viewer, api=True)
    api_list = api_client.get(reverse(f"api:{entry.app_label}-{entry.model_name}-list"))
    assert api_list.status_code == 200
    ids = {row["id"] for row in api_list.json()["results"]}
    assert ours.pk in ids and theirs.pk not in ids
    detail = api_client.get(
        reverse(f"api:{entry.app_label}-{entry.model_name}-detail", args=[theirs.pk])
    )
    assert detail.status_code == 404

