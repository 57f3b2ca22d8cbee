"""Archive limits for office files and ZIP uploads, and attachment types decided by
content (SECURITY.md rule 19). Archives are generated here: a small zip bomb of highly
compressible data, too many members, a path-traversal name, a nested zip."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from borough.core import archives, attachments, imports
from borough.core.models import Attachment
from borough.organisation.models import Person
from tests.factories import PersonFactory

LIMITS = archives.ArchiveLimits(max_members=50, max_unpacked_bytes=20 * 1024 * 1024,
                                max_ratio=100)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def xlsx_bytes(rows=(("full_name",), ("Ann Ash",))) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word package: enough for the central directory to say what it is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def workbook_with(extra: dict[str, bytes]) -> bytes:
    """A real workbook with extra members added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, source.read(info))
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb() -> dict[str, bytes]:
    # 5 MB of zeros packs to about 5 KB: a ratio of about 1,000.
    return {"xl/media/padding.bin": b"\0" * (5 * 1024 * 1024)}


def many_members(count: int = 60) -> dict[str, bytes]:
    return {f"xl/parts/part{n}.xml": b"<x/>" for n in range(count)}


def nested_zip() -> dict[str, bytes]:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("inner.txt", "hello")
    return {"xl/attachments/inner.zip": inner.getvalue()}


TRAVERSAL = {"../../etc/cron.d/evil": b"* * * * * root true"}


# --- The inspection itself -------------------------------------------------------------------


def test_an_ordinary_workbook_and_document_pass():
    assert any(m.filename == "xl/workbook.xml" for m in archives.inspect_zip(xlsx_bytes(), limits=LIMITS))
    archives.inspect_zip(docx_bytes(), limits=LIMITS)


@pytest.mark.parametrize("extra,message", [
    (bomb(), "times its packed size"),
    (many_members(), "holds 6"),
    (TRAVERSAL, "points outside the archive"),
    ({"/etc/passwd": b"x"}, "points outside the archive"),
    ({"C:\\Windows\\evil.dll": b"x"}, "points outside the archive"),
    (nested_zip(), "contains another archive"),
], ids=["bomb", "members", "traversal", "absolute", "drive", "nested"])
def test_archives_beyond_the_limits_are_refused(extra, message):
    with pytest.raises(archives.ArchiveError) as caught:
        archives.inspect_zip(workbook_with(extra), limits=LIMITS, label="The workbook")
    assert message in caught.value.message
    assert caught.value.message.startswith("The workbook")


def test_total_unpacked_size_is_limited():
    limits = archives.ArchiveLimits(max_members=50, max_unpacked_bytes=1000, max_ratio=100)
    with pytest.raises(archives.ArchiveError, match="too large once unpacked"):
        archives.inspect_zip(xlsx_bytes(), limits=limits)


def test_a_declared_member_count_is_refused_before_listing_the_members():
    data = workbook_with(many_members())
    # Forge the end record to claim 60,000 members: refused from the count alone.
    at = data.rfind(b"PK\x05\x06")
    forged = data[:at + 8] + (60000).to_bytes(2, "little") * 2 + data[at + 12:]
    with pytest.raises(archives.ArchiveError, match="60,000"):
        archives.inspect_zip(forged, limits=LIMITS)


def test_embedded_office_documents_are_allowed_in_office_files():
    chart_data = {"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes()}
    archives.inspect_zip(docx_bytes(chart_data), limits=LIMITS)


def test_a_damaged_archive_gets_a_message():
    data = xlsx_bytes()
    with pytest.raises(archives.ArchiveError, match="damaged"):
        archives.inspect_zip(data[: len(data) // 2], limits=LIMITS)


def test_limits_come_from_settings(settings):
    settings.ARCHIVE_MAX_MEMBERS = 3
    with pytest.raises(archives.ArchiveError, match="at most 3"):
        archives.inspect_zip(xlsx_bytes())


# --- Attachments ------------------------------------------------------------------------------


@pytest.fixture
def person(org_a):
    return PersonFactory(organisation=org_a, full_name="Pat Person")


@pytest.fixture
def storage(settings, tmp_path):
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    return tmp_path / "files"


def stored(root) -> list:
    return list(root.iterdir()) if root.exists() else []


@pytest.mark.parametrize("name,extra,message", [
    ("report.docx", bomb(), "times its packed size"),
    ("report.docx", many_members(1200), "holds 1,2"),
    ("report.docx", TRAVERSAL, "points outside the archive"),
    ("report.docx", nested_zip(), "contains another archive"),
], ids=["bomb", "members", "traversal", "nested"])
def test_add_attachment_refuses_archives_beyond_the_limits(
    person, admin_a, storage, name, extra, message
):
    upload = SimpleUploadedFile(name, docx_bytes(extra))
    with pytest.raises(ValidationError) as caught:
        attachments.add_attachment(person, upload, actor=admin_a)
    assert message in caught.value.messages[0]
    assert f"“{name}”" in caught.value.messages[0]
    assert not Attachment.objects.exists() and stored(storage) == []


def upload_url(person):
    ct = ContentType.objects.get_for_model(Person)
    return reverse("core:attachment_add", args=[ct.pk, person.pk])


def test_the_upload_page_refuses_a_zip_bomb_with_a_message(client, admin_a, person, storage):
    client.force_login(admin_a)
    upload = SimpleUploadedFile("budget.xlsx", workbook_with(bomb()))
    response = client.post(upload_url(person), {"file": upload}, follow=True)
    assert response.status_code == 200
    assert "times its packed size" in html.unescape(response.content.decode())
    assert not Attachment.objects.exists() and stored(storage) == []


@pytest.mark.parametrize("name,content,media_type", [
    ("budget.xlsx", xlsx_bytes(), attachments.XLSX),
    ("minutes.docx", docx_bytes(), attachments.DOCX),
    # The content decides, whatever the name says.
    ("minutes.xlsx", docx_bytes(), attachments.DOCX),
    ("budget.docx", xlsx_bytes(), attachments.XLSX),
    ("photo.xlsx", PNG, "image/png"),
    ("notes.pdf", b"Plain words, not a PDF.\n", "text/plain"),
])
def test_attachment_type_comes_from_the_content(person, admin_a, storage, name, content,
                                                media_type):
    attachment = attachments.add_attachment(person, SimpleUploadedFile(name, content),
                                            actor=admin_a)
    assert attachment.media_type == media_type


@pytest.mark.parametrize("name,content", [
    ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("report.pdf", b"\xef\xbb\xbf  <html><body onload=alert(1)>"),
    ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("notes.txt", b"<?xml version='1.0'?><x/>"),
    ("budget.xlsx", docx_bytes().replace(b"word/document.xml", b"word/documenX.xml")),
    ("budget.docx", docx_bytes({"word/vbaProject.bin": b"macros"})),
])
def test_markup_plain_zips_and_macro_files_are_refused_however_named(
    person, admin_a, storage, name, content
):
    with pytest.raises(ValidationError, match="is not a type of file Borough accepts"):
        attachments.add_attachment(person, SimpleUploadedFile(name, content), actor=admin_a)
    assert not Attachment.objects.exists()


# --- Spreadsheet import ------------------------------------------------------------------------


@pytest.mark.parametrize("extra,message", [
    (bomb(), "times its packed size"),
    (many_members(1200), "holds 1,2"),
    (TRAVERSAL, "points outside the archive"),
    (nested_zip(), "contains another archive"),
], ids=["bomb", "members", "traversal", "nested"])
def test_read_upload_refuses_the_workbook_before_openpyxl_opens_it(monkeypatch, extra, message):
    def must_not_open(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open the workbook")

    monkeypatch.setattr("openpyxl.load_workbook", must_not_open)  # imported on use
    upload = SimpleUploadedFile("people.xlsx", workbook_with(extra))
    with pytest.raises(imports.ImportFileError) as caught:
        imports.read_upload(upload)
    assert message in " ".join(caught.value.messages)


def test_the_import_page_refuses_a_zip_bomb_with_a_message(client, admin_a):
    client.force_login(admin_a)
    upload = SimpleUploadedFile("people.xlsx", workbook_with(bomb()))
    response = client.post(reverse("organisation:person_import"), {"file": upload})
    assert response.status_code == 400
    assert "times its packed size" in html.unescape(response.content.decode())
    assert not Person.objects.exists()


def test_a_normal_workbook_still_imports(client, admin_a):
    client.force_login(admin_a)
    upload = SimpleUploadedFile("people.xlsx", xlsx_bytes())
    response = client.post(reverse("organisation:person_import"), {"file": upload})
    assert response.status_code == 302
    from borough.core import importing
    from borough.core.models import ImportUpload

    row = ImportUpload.objects.get()
    assert row.preview["rows"][0][1] == "Ann Ash" and not row.errors
    importing.confirm(row, user=admin_a, sha256=row.sha256)
    assert Person.objects.get().full_name == "Ann Ash"
