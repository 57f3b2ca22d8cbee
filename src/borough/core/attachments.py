"""Uploaded files: checked by size and by content, stored under generated names
outside the web root, served only through a permission-checked view."""

from __future__ import annotations

import codecs
import hashlib
import os
import secrets
import struct
import zipfile
from pathlib import Path

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from borough.core import archives, audit, services
from borough.core.models import Attachment, AuditAction

TEXT_TYPES = {"text/plain", "text/csv"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ZIP = "application/zip"
# An Office Open XML package is told apart by its main part, listed in the archive's
# central directory; a macro project makes it a macro-enabled file, which is not allowed.
OOXML_PARTS = (
    ("word/document.xml", DOCX, "application/vnd.ms-word.document.macroEnabled.12"),
    ("xl/workbook.xml", XLSX, "application/vnd.ms-excel.sheet.macroEnabled.12"),
    ("ppt/presentation.xml", PPTX,
     "application/vnd.ms-powerpoint.presentation.macroEnabled.12"),
)
ODF_TYPES = {ODT, ODS, "application/vnd.oasis.opendocument.presentation"}
# Text that a browser would run or render: refused however it is named.
MARKUP_SIGNATURES = ("<!doctype", "<html", "<head", "<body", "<script", "<svg", "<?xml",
                     "<iframe", "<object", "<embed", "<meta", "<!--")
EXTENSION_TYPES = {
    ".eml": "message/rfc822",
    ".txt": "text/plain",
    ".csv": "text/csv",
}


def storage_root() -> Path:
    root = Path(settings.ATTACHMENTS_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def _zip_type(head: bytes, members: list[zipfile.ZipInfo]) -> str:
    """What a ZIP archive is, from its member names (and, for OpenDocument, the
    uncompressed `mimetype` member that must come first), never from the file's name."""
    names = {m.filename for m in members}
    if "[Content_Types].xml" in names:
        for part, media_type, with_macros in OOXML_PARTS:
            if part in names:
                macros = any(n.lower().endswith("vbaproject.bin") for n in names)
                return with_macros if macros else media_type
    if "mimetype" in names and head[30:38] == b"mimetype":
        name_length, extra_length = struct.unpack("<HH", head[26:30])
        (stored_size,) = struct.unpack("<L", head[18:22])
        start = 30 + name_length + extra_length
        declared = head[start:start + min(stored_size, 100)].decode("ascii", "replace")
        if declared in ODF_TYPES:
            return declared
    return ZIP


def detect_type(head: bytes, name: str, members: list[zipfile.ZipInfo] | None = None) -> str | None:
    """The media type from the file's content. A ZIP archive is typed by its members
    (`members`, from `archives.inspect_zip`); the name only tells an email or a CSV
    from other plain text, never a binary type."""
    if archives.is_zip(head):
        return _zip_type(head, members or [])
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    try:
        # Incremental: a multi-byte character cut at the end of the sample is not an error.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if text.lstrip()[:20].lower().startswith(MARKUP_SIGNATURES):
        return "text/html"
    ext = os.path.splitext(name)[1].lower()
    return EXTENSION_TYPES.get(ext, "text/plain")


def clean_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    return "".join(c for c in base if c.isprintable() and c not in '<>:"/\\|?*')[:200] or "file"


# What each accepted type is called in a hint, in the order people look for them.
TYPE_WORDS = {
    "application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG", "image/gif": "GIF",
    DOCX: "Word", ODT: "OpenDocument text", XLSX: "Excel", ODS: "OpenDocument spreadsheet",
    PPTX: "PowerPoint", "text/csv": "CSV", "text/plain": "text", "message/rfc822": "email (.eml)",
}


# The file names each accepted type goes by, for the browser's own check before an
# upload (the `accept` list and the composer's script); the server checks the content.
TYPE_EXTENSIONS = {
    "application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",),
    "image/gif": (".gif",), DOCX: (".docx",), ODT: (".odt",), XLSX: (".xlsx",), ODS: (".ods",),
    PPTX: (".pptx",), "application/vnd.oasis.opendocument.presentation": (".odp",),
    "text/csv": (".csv",), "text/plain": (".txt", ".log"), "message/rfc822": (".eml",),
}


def accepted_extensions() -> list[str]:
    return [ext for t in settings.ATTACHMENT_ALLOWED_TYPES for ext in TYPE_EXTENSIONS.get(t, ())]


def megabytes(size: int) -> str:
    """A limit in words: "10 MB", "1.5 MB"; under a megabyte, "512 KB"."""
    if size >= 1024 * 1024:
        return f"{round(size / (1024 * 1024), 1):g} MB"
    return f"{size // 1024:,} KB"


def limits_hint() -> str:
    """The allowed types and size limits in words, for a file field's hint: from the
    settings, so the hint and the checks below cannot disagree."""
    words = [w for t, w in TYPE_WORDS.items() if t in settings.ATTACHMENT_ALLOWED_TYPES]
    types = f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else "".join(words)
    return (f"{types} files. Each file must be {megabytes(settings.ATTACHMENT_MAX_BYTES)} or "
            f"smaller, and all together {megabytes(settings.ATTACHMENT_MAX_BYTES_PER_RECORD)} "
            "or smaller.")


def check_upload(upload) -> tuple[str, str, list[zipfile.ZipInfo] | None]:
    """Refuse a file too big or not of an accepted type (by content); else its clean
    name, media type and, for a ZIP-based file, its members. Forms call it to refuse a
    file before anything is saved; add_attachment calls it again as it stores."""
    name = clean_name(upload.name)
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is {upload.size // 1024:,} KB; files must be at most "
            f"{megabytes(settings.ATTACHMENT_MAX_BYTES)}."
        )
    upload.seek(0)
    head = upload.read(8192)
    members = None
    if archives.is_zip(head):
        # Office files are ZIP archives: check the limits before anything unpacks it.
        try:
            members = archives.inspect_zip(getattr(upload, "file", upload), label=f"“{name}”")
        except archives.ArchiveError as exc:
            raise ValidationError(exc.message) from None
    media_type = detect_type(head, name, members)
    if media_type not in settings.ATTACHMENT_ALLOWED_TYPES:
        raise ValidationError(
            f"“{name}” is not a type of file Borough accepts. Upload a PDF, image, text, "
            "office document or email."
        )
    return name, media_type, members


def check_room(used: int, adding: int) -> None:
    """Refuse what would take a record's files past the per-record limit."""
    if used + adding > settings.ATTACHMENT_MAX_BYTES_PER_RECORD:
        raise ValidationError(
            "This record's attachments would exceed "
            f"{megabytes(settings.ATTACHMENT_MAX_BYTES_PER_RECORD)}."
        )


def discard(stored_names) -> None:
    """Delete stored files whose rows were rolled back."""
    root = storage_root()
    for name in stored_names:
        (root / name).unlink(missing_ok=True)


def add_attachment(target, upload, *, actor) -> Attachment:
    """Store `upload` (a Django UploadedFile) against `target`; validation errors name the limit."""
    services.require(actor, "add", Attachment, target.organisation_id)
    name, media_type, _members = check_upload(upload)
    content_type = ContentType.objects.get_for_model(type(target))
    stored_name = secrets.token_hex(24)
    path = storage_root() / stored_name
    digest = hashlib.sha256()
    with transaction.atomic():
        used = Attachment.objects.filter(
            content_type=content_type, object_id=target.pk
        ).aggregate(total=Sum("size"))["total"] or 0
        check_room(used, upload.size)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            upload.seek(0)
            for chunk in upload.chunks():
                digest.update(chunk)
                out.write(chunk)
        try:
            attachment = Attachment(
                organisation_id=target.organisation_id, content_type=content_type,
                object_id=target.pk, original_name=name, stored_name=stored_name,
                size=upload.size, media_type=media_type, sha256=digest.hexdigest(),
                created_by=actor, updated_by=actor,
            )
            attachment.save()
            audit.record(target, AuditAction.ATTACH, actor=actor, changes={"attachment": [None, name]})
        except Exception:
            path.unlink(missing_ok=True)
            raise
    return attachment


def open_attachment(attachment: Attachment):
    return open(storage_root() / attachment.stored_name, "rb")  # noqa: SIM115
