"""Writes for the configuration library. Documents and links are created, changed and
deleted through core.services; a document's status moves through its lifecycle
(`DOCUMENT`); uploading a version, publishing one and reviewing a document are the
verbs below, each one transaction with its audit events."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from borough.core import attachments, audit, notifications, reminders, scope, services
from borough.core.actions import Actions
from borough.core.lifecycle import Lifecycle, Transition, Who, model_permission
from borough.core.models import AuditAction
from borough.library import forms
from borough.library.models import (
    REMIND_WITHIN_DAYS,
    Document,
    DocumentStatus,
    DocumentVersion,
    add_months,
)

# --- the document's lifecycle ----------------------------------------------------------

WRITERS = model_permission("change", "the roles that keep the library",
                           refusal="Your role does not allow you to change documents.")
OWNER = Who("the document's owner",
            lambda actor, document: bool(document.owner_id)
            and document.owner.user_id == getattr(actor, "pk", None),
            refusal="Only the document's owner or the roles that keep the library can "
                    "review it.")


def has_published_version(document: Document, actor) -> str | None:
    if not document.versions.filter(published_at__isnull=False).exists():
        return (f"{document.reference} has no published version: upload one and publish it "
                "first.")
    return None


DOCUMENT = Lifecycle(Document, "status", transitions=[
    Transition("publish", "Publish", (DocumentStatus.DRAFT,), DocumentStatus.PUBLISHED,
               who=WRITERS, guards=(has_published_version,),
               conditions="when its first version is published"),
    Transition("withdraw", "Withdraw", (DocumentStatus.PUBLISHED,), DocumentStatus.WITHDRAWN,
               who=WRITERS, conditions="with the reason",
               refusal="Only a published document can be withdrawn; {reference} is {state}."),
    Transition("reinstate", "Reinstate", (DocumentStatus.WITHDRAWN,),
               DocumentStatus.PUBLISHED, who=WRITERS, guards=(has_published_version,),
               refusal="Only a withdrawn document can be reinstated; {reference} is {state}."),
])


def _lock(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("owner").get(pk=document.pk)


DOCUMENT_ACTIONS = Actions(Document, lifecycle=DOCUMENT, lock=_lock)


@DOCUMENT_ACTIONS.action("review", label="Record a review", form=forms.ReviewForm,
                         permission="view", who=WRITERS | OWNER,
                         states=(DocumentStatus.PUBLISHED,),
                         success=lambda d: f"Review recorded. The next review is due on "
                                           f"{d.next_review_on:%-d %B %Y}.")
def review(document: Document, *, actor, note: str = "") -> Document:
    """Record that the document was reviewed today: who reviewed it, their note, and the
    next review date, the review period from today."""
    # The page offers it on published documents only; the API and callers get the same.
    if document.status != DocumentStatus.PUBLISHED:
        raise ValidationError(f"Only a published document is reviewed; {document.reference} "
                              f"is {document.get_status_display().lower()}.")
    today = timezone.localdate()
    document.last_reviewed_on = today
    document.last_reviewed_by = actor if getattr(actor, "pk", None) else None
    document.last_review_note = (note or "").strip()
    document.next_review_on = add_months(today, document.review_period_months)


withdraw = DOCUMENT_ACTIONS.add("withdraw", label="Withdraw", form=forms.WithdrawForm,
                                transition="withdraw", danger=True,
                                success="Document withdrawn. Its versions stay readable.")
reinstate = DOCUMENT_ACTIONS.add("reinstate", label="Reinstate", transition="reinstate",
                                 success="Document reinstated.")


# --- versions --------------------------------------------------------------------------

def _publish(version: DocumentVersion, document: Document, *, actor, now: datetime) -> None:
    """Stamp `version` published and, for a draft document, publish the document (both
    rows locked by the caller)."""
    before = audit.snapshot(version)
    version.published_at = now
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.version += 1
    version.save(update_fields=["published_at", "published_by", "version", "updated_at"])
    audit.record(version, AuditAction.UPDATE, actor=actor,
                 changes=audit.diff(before, audit.snapshot(version)), note="Published")
    before = audit.snapshot(document)
    audit.record(document, AuditAction.EVENT, actor=actor,
                 changes={"current version": [None, str(version.number)]},
                 note=f"Version {version.number} published")
    if document.status == DocumentStatus.DRAFT:
        DOCUMENT.apply(document, "publish", actor=actor, checked=True, now=now)
        DOCUMENT_ACTIONS.save_changes(document, actor, before, note="Published")


def upload_version(document: Document, upload, *, actor, change_note: str = "",
                   publish: bool = True, idempotency_key: str | None = None
                   ) -> DocumentVersion:
    """Store `upload` as the document's next version (never replacing one), checked by
    core.attachments' rules; published at once when `publish`. All or nothing: a failure
    leaves no row and no file."""
    services.require(actor, "add", DocumentVersion, document.organisation_id)
    if publish:
        services.require(actor, "change", DocumentVersion, document.organisation_id)
    change_note = (change_note or "").strip()
    if len(change_note) > forms.NOTE_LIMIT:
        raise ValidationError({"change_note": f"Keep the note to {forms.NOTE_LIMIT:,} "
                                              "characters or fewer."})
    name, media_type, _members = attachments.check_upload(upload)
    stored_name = _store(upload)
    try:
        with transaction.atomic():
            locked = _lock(document)
            if locked.status == DocumentStatus.WITHDRAWN and publish:
                raise ValidationError(f"{locked.reference} is withdrawn: reinstate it before "
                                      "publishing a new version, or upload a draft.")
            number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
            path = attachments.storage_root() / stored_name
            version = DocumentVersion(
                organisation_id=locked.organisation_id, document=locked, number=number,
                original_name=name, stored_name=stored_name, size=upload.size,
                media_type=media_type, sha256=_sha256(path), change_note=change_note)
            made = services.create_record(version, actor=actor, idempotency_key=idempotency_key,
                                          note=f"Version {number} uploaded")
            if made.pk != version.pk or made.stored_name != stored_name:
                attachments.discard([stored_name])  # a retried request: the first one's
                return made
            audit.record(locked, AuditAction.ATTACH, actor=actor,
                         changes={"version": [None, f"{number} ({name})"]},
                         note=f"Version {number} uploaded")
            if publish:
                _publish(made, locked, actor=actor, now=timezone.now())
    except Exception:
        attachments.discard([stored_name])
        raise
    return made


def _store(upload) -> str:
    """Write the upload under a generated name, readable by Borough alone."""
    stored_name = secrets.token_hex(24)
    fd = os.open(attachments.storage_root() / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                 0o600)
    with os.fdopen(fd, "wb") as out:
        upload.seek(0)
        for chunk in upload.chunks():
            out.write(chunk)
    return stored_name


def _sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _lock_version(version: DocumentVersion) -> DocumentVersion:
    return DocumentVersion.objects.select_for_update().get(pk=version.pk)


VERSION_ACTIONS = Actions(DocumentVersion, lock=_lock_version)


@VERSION_ACTIONS.action("publish", label="Publish", permission="change",
                        success=lambda v: f"Version {v.number} published.")
def publish_version(version: DocumentVersion, *, actor) -> DocumentVersion:
    """Publish a draft version: it becomes the document's current version (the latest
    published), and a draft document becomes published."""
    if version.is_published:
        raise ValidationError(f"Version {version.number} is already published.")
    document = _lock(version.document)
    if document.status == DocumentStatus.WITHDRAWN:
        raise ValidationError(f"{document.reference} is withdrawn: reinstate it before "
                              "publishing a version.")
    _publish(version, document, actor=actor, now=timezone.now())
    return version


def may_download(user, document: Document) -> bool:
    """Whether `user` may download the files of `document` (its classification)."""
    needed = document.download_permission()
    return needed is None or user.has_perm(needed, document)


def require_download(user, document: Document) -> None:
    if not may_download(user, document):
        raise PermissionDenied(
            f"{document.reference} is classified {document.get_classification_display()}: "
            "your role may see that it exists but not download it. Ask its owner or the ICT "
            "manager.")


def open_version(version: DocumentVersion):
    return open(attachments.storage_root() / version.stored_name, "rb")  # noqa: SIM115


# --- reminders -------------------------------------------------------------------------

def _remind(document: Document, stage: str, on) -> None:
    user, person = reminders.reachable(document.owner, document.organisation_id,
                                       scope.permission_name(Document, "view"))
    due = document.next_review_on
    if due < on:
        subject = (f"{document.reference} was due for review {reminders.in_words(due, on)}: "
                   f"{document.title}")
    else:
        subject = f"{document.reference} is due for review on {due:%-d %B %Y}: {document.title}"
    notifications.notify(
        [user] if user else [], people=[person] if person else [],
        organisation_id=document.organisation_id, event="document-review-due",
        context=reminders.dates_context(due, on),
        subject=subject,
        body=("You own this document in the configuration library. Read it, update it if "
              "needed (upload a new version), then record the review on its page."),
        url=reverse("library:document_detail", args=[document.pk]), thread=document)


# Published documents, once per review date (due within REMIND_WITHIN_DAYS or passed).
REVIEW_REMINDER = reminders.DateReminder(
    records=lambda on: Document.objects.filter(status=DocumentStatus.PUBLISHED)
    .select_related("owner__user"),
    date_field="next_review_on", within_days=REMIND_WITHIN_DAYS, send=_remind,
    two_stages=False)


def remind_review_owners(now: datetime | None = None) -> int:
    """Tell each owner about their published documents whose review date has passed or
    falls within REMIND_WITHIN_DAYS days, once per review date (core.reminders: a second
    run, or a second worker, sends nothing more until a review moves the date). Returns
    how many reminders were sent."""
    return reminders.run(REVIEW_REMINDER, now)
