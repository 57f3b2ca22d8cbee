"""An import from upload to saved records: preview first, then confirm.

1. `upload()`: the file is read and checked as a whole (type, size, rows, header), kept
   as an `ImportUpload` with its SHA-256, for its owner in the active organisation, and
   checked row by row (`check()`): a run of the importer rolled back at the end, which
   gives the counts, the first rows as they will be saved and every row's problems.
2. `confirm()`: only the upload's owner, with the hash the preview showed, only when
   the check found no problem: the importer runs again over the same bytes and keeps
   what it saved (all or nothing). The upload is claimed with a conditional UPDATE, so a
   double click imports once.

Files above settings.IMPORT_BACKGROUND_ROWS are checked and imported by background tasks
(core.background) with their progress shown; smaller ones in the request. Uploads not
imported are deleted after settings.IMPORT_UPLOAD_HOURS (`expire_uploads`).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from borough.core import audit, background, imports, scope
from borough.core.importers import Importer, count_pairs, count_text, importer_for
from borough.core.models import AuditAction, ImportStatus, ImportUpload

CHECK_TASK = "core-import-check"
IMPORT_TASK = "core-import-run"


def in_background(rows: int) -> bool:
    return rows > settings.IMPORT_BACKGROUND_ROWS


def _may_import(user, importer: Importer, organisation_id: int) -> None:
    if not scope.can(user, "add", importer.model, organisation_id):
        raise PermissionDenied(f"Your role does not allow you to add "
                               f"{importer.entry.verbose_name_plural}, so you cannot import "
                               "them.")


def importer_of(upload: ImportUpload) -> Importer:
    importer = importer_for(upload.importer)
    if importer is None:
        raise ValidationError(f"This version of Borough cannot import {upload.importer}.")
    return importer


def page_url(upload: ImportUpload) -> str:
    return reverse("core:import_detail", args=[upload.pk])


def upload(importer: Importer, uploaded_file, *, user, options: dict) -> ImportUpload:
    """Keep and check an uploaded file. ImportFileError (nothing kept) when the file as a
    whole cannot be imported: not a spreadsheet, too big, columns Borough does not know."""
    organisation_id = user.active_organisation_id
    _may_import(user, importer, organisation_id)
    sheet = imports.read_upload(uploaded_file)
    importer.start(sheet, user=user, organisation_id=organisation_id, options=options)
    uploaded_file.seek(0)
    content = uploaded_file.read()
    row = ImportUpload.objects.create(
        organisation_id=organisation_id, owner=user, created_by=user, updated_by=user,
        importer=importer.key, options=options,
        file_name=(getattr(uploaded_file, "name", "") or "upload")[:255], content=content,
        sha256=hashlib.sha256(content).hexdigest(), size=len(content), rows=sheet.row_count)
    if in_background(sheet.row_count):
        with transaction.atomic():
            row.task = background.queue(
                CHECK_TASK, owner=user, organisation_id=organisation_id,
                title=f"Check {row.file_name} ({sheet.row_count:,} rows)",
                arguments={"upload": row.pk}, total=sheet.row_count, url=page_url(row))
            row.save(update_fields=["task"])
    else:
        check(row, user=user)
    return row


def _sheet(row: ImportUpload) -> imports.Sheet:
    content = bytes(row.content)
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise ValidationError("The stored file does not match the one uploaded. Upload it "
                              "again.")
    return imports.read_bytes(content)


def check(row: ImportUpload, *, user, progress=None) -> ImportUpload:
    """The preview: the import run over the stored file and rolled back."""
    importer = importer_of(row)
    try:
        run = importer.run(_sheet(row), user=user, organisation_id=row.organisation_id,
                           options=row.options, save=False, progress=progress)
    except (imports.ImportFileError, ValidationError) as exc:
        # The classes or columns changed between the upload and a background check.
        messages = exc.messages
        row.errors = [[0, imports.WHOLE_ROW, m] for m in messages]
        row.error_count = len(messages)
    else:
        row.preview = {"counts": count_pairs(run.counts), "headings": importer.preview_headings(run),
                       "rows": run.preview, "changed": count_pairs(run.changed),
                       "unchanged": count_pairs(run.unchanged), "changes": run.changes,
                       "change_count": run.change_count, "mode": run.mode,
                       # What each matched row matched, at which version: the import
                       # stops if any of them has moved on since (optimistic locking).
                       "matches": run.matches}
        row.errors = [[e.row, e.column, e.message] for e in run.sorted_errors()]
        row.error_count = run.error_count
    row.status = ImportStatus.CHECKED
    row.checked_at = timezone.now()
    row.save(update_fields=["preview", "errors", "error_count", "status", "checked_at",
                            "updated_at"])
    return row


def confirm(row: ImportUpload, *, user, sha256: str) -> ImportUpload:
    """Import what was previewed. ValidationError says why it cannot be (problems found,
    another file, already imported); PermissionDenied if the user may not."""
    active = getattr(user, "active_organisation_id", None)
    if row.owner_id != user.pk or active not in (None, row.organisation_id):
        raise PermissionDenied("Only the person who uploaded a file can import it, in the "
                               "organisation it was uploaded in.")
    # What visible_to narrows the forms' choices to (a shell has no active organisation).
    user.active_organisation_id = row.organisation_id
    importer = importer_of(row)
    _may_import(user, importer, row.organisation_id)
    if (sha256 or "").strip().lower() != row.sha256:
        raise ValidationError("This is not the file that was checked. Upload the file again "
                              "and check its preview before you import it.")
    if row.status != ImportStatus.CHECKED:
        raise ValidationError({
            ImportStatus.CHECKING: "The file is still being checked. Wait for its preview.",
            ImportStatus.IMPORTING: "This file is being imported already.",
            ImportStatus.IMPORTED: "This file has been imported already.",
            ImportStatus.FAILED: "This file could not be imported. Correct it and upload "
                                 "it again.",
        }.get(row.status, "This file cannot be imported now."))
    if row.error_count:
        raise ValidationError("The file has problems. Correct them in the spreadsheet and "
                              "upload it again.")
    with transaction.atomic():
        # Claimed once: a second confirm (double click, two tabs) finds it taken.
        taken = ImportUpload.objects.filter(pk=row.pk, status=ImportStatus.CHECKED).update(
            status=ImportStatus.IMPORTING, updated_at=timezone.now())
        if not taken:
            raise ValidationError("This file is being imported already.")
        row.status = ImportStatus.IMPORTING
        if in_background(row.rows):
            row.task = background.queue(
                IMPORT_TASK, owner=user, organisation_id=row.organisation_id,
                title=f"Import {row.file_name} ({row.rows:,} rows)",
                arguments={"upload": row.pk}, total=row.rows, url=page_url(row))
            row.save(update_fields=["task"])
            return row
    try:
        return run_import(row, user=user)
    except Exception:
        ImportUpload.objects.filter(pk=row.pk).update(status=ImportStatus.FAILED)
        raise


def run_import(row: ImportUpload, *, user, progress=None) -> ImportUpload:
    """Save every row, or none; record the import itself on the upload's history."""
    importer = importer_of(row)
    note = f"Imported from {row.file_name} (import {row.pk})."
    expected = {number: (pk, version) for number, pk, version in
                (row.preview or {}).get("matches", [])}
    try:
        run = importer.run(_sheet(row), user=user, organisation_id=row.organisation_id,
                           options=row.options, save=True, progress=progress, note=note,
                           update_note=f"Updated from {row.file_name} (import {row.pk}).",
                           expected=expected)
    except (imports.ImportFileError, ValidationError) as exc:
        row.errors = [[0, imports.WHOLE_ROW, m] for m in exc.messages]
        row.error_count = len(row.errors)
        run = None
    else:
        row.errors = [[e.row, e.column, e.message] for e in run.sorted_errors()]
        row.error_count = run.error_count
    with transaction.atomic():
        if row.error_count:
            # Something changed since the check (a record added with the same name).
            row.status = ImportStatus.FAILED
        else:
            row.status = ImportStatus.IMPORTED
            row.added = count_pairs(run.counts)
            row.imported_at = timezone.now()
            audit.record(row, AuditAction.EVENT, actor=user,
                         note=(f"Imported {count_text(run.counts)} from {row.file_name}"
                               if not (run.changed or run.unchanged) else
                               f"Imported {row.file_name}: "
                               + outcome_counts(run.counts, run.changed, run.unchanged))
                              + f" ({row.rows:,} rows, SHA-256 {row.sha256}).")
        row.save(update_fields=["status", "added", "imported_at", "errors", "error_count",
                                "updated_at"])
    return row


def outcome_counts(added, changed, unchanged) -> str:
    """"added 2 configuration items and 1 relationship, changed 5 configuration items and
    left 8 unchanged": what an import did, only the parts that are not nothing."""
    parts = [f"added {count_text(added)}"] if added else []
    if changed:
        parts.append(f"changed {count_text(changed)}")
    if unchanged:
        parts.append(f"left {sum(dict(unchanged).values()):,} unchanged")
    if not parts:
        return "added nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def preview_text(preview: dict) -> str:
    """What an import would do, in words: "would add 12 configuration items, change 5 and
    leave 8 unchanged"."""
    added = (preview or {}).get("counts", [])
    changed = sum(n for _, n in (preview or {}).get("changed", []))
    unchanged = sum(n for _, n in (preview or {}).get("unchanged", []))
    parts = [f"add {count_text(added)}"] if added or not (changed or unchanged) else []
    if changed:
        parts.append(f"change {changed:,}")
    if unchanged:
        parts.append(f"leave {unchanged:,} unchanged")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def outcome_text(row: ImportUpload) -> str:
    if row.status == ImportStatus.IMPORTED:
        preview = row.preview or {}
        if preview.get("changed") or preview.get("unchanged"):
            return (f"Imported {row.file_name}: " + outcome_counts(
                row.added, preview.get("changed"), preview.get("unchanged")) + ".")
        return f"Imported {count_text(row.added)} from {row.file_name}."
    if row.status == ImportStatus.FAILED:
        return (f"Nothing was imported from {row.file_name}: {row.error_count:,} "
                f"problem{'s' if row.error_count != 1 else ''} found.")
    return f"Checked {row.file_name}: {row.rows:,} rows."


# --- Background tasks (registered in core/entries.py) ----------------------------------


def _task_user(task):
    user = task.owner
    # What visible_to narrows to: the organisation the upload was made in, as in the
    # request (a member of two councils sees only this one's records).
    user.active_organisation_id = task.organisation_id
    return user


def _task_upload(task) -> ImportUpload:
    return ImportUpload.objects.get(pk=task.arguments["upload"],
                                    organisation_id=task.organisation_id)


def check_task(task, progress) -> str:
    row = check(_task_upload(task), user=_task_user(task), progress=progress)
    problems = f"{row.error_count:,} problems found" if row.error_count else "no problems"
    return f"Checked {row.file_name}: {row.rows:,} rows, {problems}."


def import_task(task, progress) -> str:
    row = _task_upload(task)
    try:
        row = run_import(row, user=_task_user(task), progress=progress)
    except Exception:
        ImportUpload.objects.filter(pk=row.pk).update(status=ImportStatus.FAILED)
        raise
    if row.status == ImportStatus.FAILED:
        raise background.TaskFailed(outcome_text(row), [
            str(imports.RowError(r, c, m)) for r, c, m in row.errors])
    return outcome_text(row)


def expire_uploads() -> str:
    """Delete uploads older than IMPORT_UPLOAD_HOURS that are not being imported; the
    records an import saved, and its audit event, stay."""
    now = timezone.now()
    cutoff = now - timedelta(hours=settings.IMPORT_UPLOAD_HOURS)
    # One being checked or imported is left a week, in case its task is run again.
    busy = Q(status__in=[ImportStatus.IMPORTING, ImportStatus.CHECKING],
             created_at__gte=now - timedelta(days=7))
    old = ImportUpload.objects.filter(created_at__lt=cutoff).exclude(busy)
    deleted, _ = old.delete()
    return f"{deleted} old import uploads removed"
