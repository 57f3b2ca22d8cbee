"""Versions: numbered, never replaced, checked by content, published on purpose; the
document's status follows its lifecycle."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from borough.core import attachments, roles
from borough.core.models import AuditEvent
from borough.library import services
from borough.library.models import DocumentStatus, DocumentVersion
from tests.library.factories import DocumentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(name="guide.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def manager(member):
    return member(roles.ICT_MANAGER)


def test_each_upload_is_the_next_version_and_the_old_ones_stay(org_a, manager, signed_in):
    document = DocumentFactory(organisation=org_a)
    first = services.upload_version(document, upload(), actor=manager, change_note="First")
    second = services.upload_version(document, upload("guide-v2.txt", b"Second text\n"),
                                     actor=manager, change_note="New IP range")
    assert (first.number, second.number) == (1, 2)
    assert first.stored_name != second.stored_name
    assert (first.media_type, second.media_type) == ("application/pdf", "text/plain")
    client = signed_in(manager)
    old = client.get(reverse("library:version_download", args=[first.pk]))
    assert old.status_code == 200 and b"".join(old.streaming_content) == PDF
    page = client.get(reverse("library:document_detail", args=[document.pk])).content.decode()
    assert "The current version is version 2." in page
    assert "guide.pdf" in page and "guide-v2.txt" in page
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED
    assert AuditEvent.objects.filter(object_id=document.pk, note="Version 2 uploaded").exists()


def test_a_draft_is_not_current_until_published(org_a, manager):
    document = DocumentFactory(organisation=org_a)
    draft = services.upload_version(document, upload(), actor=manager, publish=False)
    document.refresh_from_db()
    assert draft.published_at is None and document.status == DocumentStatus.DRAFT
    published = services.publish_version(draft, actor=manager)
    document.refresh_from_db()
    assert published.published_by == manager and document.status == DocumentStatus.PUBLISHED
    with pytest.raises(ValidationError, match="already published"):
        services.publish_version(published, actor=manager)


def test_markup_and_oversized_files_are_refused_with_nothing_stored(org_a, manager, settings):
    document = DocumentFactory(organisation=org_a)
    before = set(attachments.storage_root().iterdir())
    with pytest.raises(ValidationError, match="not a type of file"):
        services.upload_version(document, upload("notes.pdf", b"<html><script>x</script>"),
                                actor=manager)
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="at most"):
        services.upload_version(document, upload(), actor=manager)
    assert not DocumentVersion.objects.exists()
    assert set(attachments.storage_root().iterdir()) == before


def test_a_failed_save_leaves_no_file(org_a, manager, monkeypatch):
    document = DocumentFactory(organisation=org_a)
    before = set(attachments.storage_root().iterdir())

    def broken(*args, **kwargs):
        raise ValidationError("The database said no.")

    monkeypatch.setattr(services.services, "create_record", broken)
    with pytest.raises(ValidationError):
        services.upload_version(document, upload(), actor=manager)
    assert set(attachments.storage_root().iterdir()) == before


def test_only_the_library_writers_upload(org_a, member):
    document = DocumentFactory(organisation=org_a)
    for role in (roles.AGENT, roles.AUDITOR, roles.SERVICE_UNIT_HEAD):
        with pytest.raises(PermissionDenied):
            services.upload_version(document, upload(), actor=member(role))


def test_upload_page_shows_what_to_fix(org_a, manager, signed_in):
    document = DocumentFactory(organisation=org_a)
    client = signed_in(manager)
    url = reverse("library:document_upload", args=[document.pk])
    assert client.get(url).status_code == 200
    empty = client.post(url, {"change_note": "x"})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    bad = client.post(url, {"file": upload("a.pdf", b"<svg onload=alert(1)>")})
    assert bad.status_code == 400 and "not a type of file" in bad.content.decode()
    done = client.post(url, {"file": upload(), "change_note": "First", "publish": "on",
                             "submission_key": "k1"})
    assert done.status_code == 302
    again = client.post(url, {"file": upload(), "change_note": "First", "publish": "on",
                              "submission_key": "k1"})
    assert again.status_code == 302  # the same submission twice: one version
    assert document.versions.get().is_published


def test_withdraw_and_reinstate(org_a, manager):
    document = DocumentFactory(organisation=org_a)
    with pytest.raises(ValidationError, match="Only a published document"):
        services.withdraw(document, actor=manager, note="Gone")
    services.upload_version(document, upload(), actor=manager)
    document.refresh_from_db()
    withdrawn = services.withdraw(document, actor=manager, note="System decommissioned")
    assert withdrawn.status == DocumentStatus.WITHDRAWN
    with pytest.raises(ValidationError, match="reinstate it"):
        services.upload_version(withdrawn, upload(), actor=manager)
    draft = services.upload_version(withdrawn, upload(), actor=manager, publish=False)
    assert draft.number == 2
    assert services.reinstate(withdrawn, actor=manager).status == DocumentStatus.PUBLISHED


def test_api_uploads_by_multipart_and_lists_versions(org_a, manager, signed_in):
    document = DocumentFactory(organisation=org_a)
    client = signed_in(manager, api=True)
    made = client.post("/api/library/document-versions/",
                       {"document": document.pk, "file": upload(), "change_note": "First"},
                       format="multipart")
    assert made.status_code == 201, made.content
    assert made.json()["number"] == 1 and made.json()["published_at"]
    again = client.post("/api/library/document-versions/",
                        {"document": document.pk, "file": upload(), "publish": "false"},
                        format="multipart")
    assert again.status_code == 201 and again.json()["published_at"] is None
    listed = client.get(f"/api/library/document-versions/?document={document.pk}").json()
    assert [v["number"] for v in listed["results"]] == [2, 1]
    published = client.post(f"/api/library/document-versions/{again.json()['id']}/publish/",
                            {}, format="json")
    assert published.status_code == 200 and published.json()["published_at"]
    bad = client.post("/api/library/document-versions/",
                      {"document": document.pk, "file": upload("x.pdf", b"<html>")},
                      format="multipart")
    assert bad.status_code == 400 and "not a type of file" in str(bad.json())
    assert client.patch(f"/api/library/document-versions/{made.json()['id']}/",
                        {"change_note": "rewritten"}, format="json").status_code == 405
    # Versions are never changed or deleted (no grant, and no route).
    gone = client.delete(f"/api/library/document-versions/{made.json()['id']}/")
    assert gone.status_code in (403, 405)
    doc = client.get(f"/api/library/documents/{document.pk}/").json()
    assert doc["current_version"] == 2 and doc["status"] == "published"


def test_the_schema_describes_the_multipart_upload_and_the_download(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    create = schema["paths"]["/api/library/document-versions/"]["post"]
    assert "multipart/form-data" in create["requestBody"]["content"]
    download = schema["paths"]["/api/library/document-versions/{id}/download/"]["get"]
    assert "403" in download["responses"]
    assert "/api/library/documents/{id}/review/" in schema["paths"]
