"""Uploaded files: checked by size and by content, stored under generated names
outside the web root, served only through a permission-checked view."""

from __future__ import annotations

import codecs
import hashlib
import os
import secrets
from pathlib import Path

import filetype
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from borough.core import audit, services
from borough.core.models import Attachment, AuditAction

TEXT_TYPES = {"text/plain", "text/csv"}
ZIP_BASED = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
EXTENSION_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".eml": "message/rfc822",
    ".txt": "text/plain",
    ".csv": "text/csv",
}


def storage_root() -> Path:
    root = Path(settings.ATTACHMENTS_ROOT)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root


def detect_type(head: bytes, name: str) -> str | None:
    """The media type from the file's bytes; the name only refines a zip or plain text."""
    kind = filetype.guess(head)
    ext = os.path.splitext(name)[1].lower()
    if kind is not None:
        if kind.mime == "application/zip" and EXTENSION_TYPES.get(ext) in ZIP_BASED:
            return EXTENSION_TYPES[ext]
        return kind.mime
    try:
        # Incremental: a multi-byte character cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if ext == ".eml":
        return "message/rfc822"
    return "text/csv" if ext == ".csv" else "text/plain"


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
    media_type = detect_type(head, name)
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
