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


def add_attachment(target, upload, *, actor) -> Attachment:
    """Store `upload` (a Django UploadedFile) against `target`; validation errors name the limit."""
    services.require(actor, "add", Attachment, target.organisation_id)
    name = clean_name(upload.name)
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            f"“{name}” is {upload.size // 1024:,} KB; files must be at most "
            f"{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB."
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
    content_type = ContentType.objects.get_for_model(type(target))
    stored_name = secrets.token_hex(24)
    path = storage_root() / stored_name
    digest = hashlib.sha256()
    with transaction.atomic():
        used = Attachment.objects.filter(
            content_type=content_type, object_id=target.pk
        ).aggregate(total=Sum("size"))["total"] or 0
        if used + upload.size > settings.ATTACHMENT_MAX_BYTES_PER_RECORD:
            raise ValidationError(
                "This record's attachments would exceed "
                f"{settings.ATTACHMENT_MAX_BYTES_PER_RECORD // (1024 * 1024)} MB."
            )
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
