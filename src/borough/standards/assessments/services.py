"""The one door for writes to assessment cycles, ratings, criterion answers and evidence.

Every verb takes the actor first, checks the role permission with
`core.services.require`, locks the rows it changes, refuses any write on an
approved (locked) cycle, checks the version the caller read (StaleVersionError)
and writes audit history in the same transaction. Pages and the API both call
these, so both keep the same rules.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from borough.core import attachments, audit, scope, services
from borough.core.models import Attachment, AuditAction
from borough.core.registry import registry
from borough.standards.models import (
    AssessmentCycle,
    Criterion,
    CriterionResult,
    CycleStatus,
    Evidence,
    Framework,
    Level,
    StandardAssessment,
)
from borough.standards.validation import clean_text

LEVELS = {int(v) for v in Level.values}


# --- helpers ---------------------------------------------------------------------------

def locked_message(cycle: AssessmentCycle) -> str:
    when = f" on {timezone.localtime(cycle.approved_at):%d %B %Y}" if cycle.approved_at else ""
    return (f"“{cycle.name}” was approved{when} and is locked: nothing in it can be changed. "
            "Start a new cycle to assess again.")


def _lock_cycle(cycle_id: int) -> AssessmentCycle:
    locked = AssessmentCycle.objects.select_for_update().get(pk=cycle_id)
    if locked.is_locked:
        raise ValidationError(locked_message(locked))
    return locked


def _check_version(locked: models.Model, expected: int | None) -> None:
    if expected is not None and locked.version != expected:
        raise services.StaleVersionError(locked, expected, services.changes_since(locked, expected))


def _save(instance: models.Model, actor, before: dict, note: str = "") -> bool:
    changes = audit.diff(before, audit.snapshot(instance))
    if not changes:
        return False
    instance.version += 1
    instance.updated_by = _actor(actor)
    instance.save()
    audit.record(instance, AuditAction.UPDATE, actor=actor, changes=changes, note=note)
    return True


def _level(value, field: str, label: str) -> int:
    if value is None or value == "":
        raise ValidationError({field: f"Choose the {label}."})
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number not in LEVELS:
        raise ValidationError({field: f"Choose the {label} from the list."})
    return number


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _require_approver(actor, organisation_id: int, doing: str) -> None:
    if actor is None or (actor.is_active and actor.is_superuser):
        return
    if not scope.can(actor, "approve", AssessmentCycle, organisation_id):
        raise PermissionDenied(f"Only someone who may approve assessment cycles can {doing}.")


# --- cycles ------------------------------------------------------------------------------

def previous_cycle(organisation, framework: Framework, *, before: AssessmentCycle | None = None):
    """The organisation's latest other cycle on the same framework code (any version)."""
    qs = AssessmentCycle.objects.filter(
        organisation=organisation, framework__code=framework.code).order_by("-starts_on", "-pk")
    if before is not None:
        qs = qs.exclude(pk=before.pk).filter(starts_on__lte=before.starts_on)
    return qs.first()


def start_cycle(organisation, *, actor, framework: Framework, name: str, starts_on, ends_on,
                summary: str = "", idempotency_key: str | None = None) -> AssessmentCycle:
    """A new cycle with one rating per standard of the framework version and one answer
    row per criterion; targets are copied from the previous cycle on the same framework
    code, matching standards by code."""
    services.require(actor, "add", AssessmentCycle, organisation.pk)
    if actor is not None and not Framework.objects.visible_to(actor).filter(
            pk=framework.pk).exists():
        raise ValidationError({"framework": "Choose a framework from the list."})
    cycle = AssessmentCycle(
        organisation=organisation, framework=framework,
        name=clean_text(name, "name", "a name for the cycle", required=True, limit=200),
        starts_on=starts_on, ends_on=ends_on, summary=clean_text(summary, "summary", "the summary"))
    key = idempotency_key[:100] if idempotency_key and actor is not None else None
    if key and (earlier := services.earlier_submission(actor, key, AssessmentCycle)):
        return earlier  # the same form submitted twice
    if AssessmentCycle.objects.filter(organisation=organisation, name__iexact=cycle.name).exists():
        raise ValidationError({"name": "There is already a cycle with that name."})
    with transaction.atomic():
        previous = previous_cycle(organisation, framework)
        saved = services.create_record(cycle, actor=actor, idempotency_key=idempotency_key)
        if saved is not cycle:
            return saved  # a resubmission of the same form
        targets = {}
        if previous is not None:
            targets = dict(StandardAssessment.objects.filter(cycle=previous).values_list(
                "standard__code", "target_level"))
        standards = list(framework.standards.order_by("theme__order", "order", "code"))
        who = _actor(actor)
        ratings = StandardAssessment.objects.bulk_create([
            StandardAssessment(organisation=organisation, cycle=saved, standard=s,
                               target_level=targets.get(s.code), created_by=who, updated_by=who)
            for s in standards
        ])
        ratings = list(StandardAssessment.objects.filter(cycle=saved).select_related("standard"))
        audit.record_bulk(ratings, AuditAction.CREATE, actor=actor,
                          changes_for=lambda r: audit.diff({}, audit.snapshot(r)),
                          note=f"Started with cycle “{saved.name}”.")
        by_standard = {r.standard_id: r for r in ratings}
        criteria = Criterion.objects.filter(standard__framework=framework)
        CriterionResult.objects.bulk_create([
            CriterionResult(organisation=organisation, rating=by_standard[c.standard_id],
                            criterion=c, created_by=who, updated_by=who)
            for c in criteria if c.standard_id in by_standard
        ])
        results = CriterionResult.objects.filter(rating__cycle=saved).select_related("criterion")
        audit.record_bulk(results, AuditAction.CREATE, actor=actor,
                          note=f"Started with cycle “{saved.name}”.")
        if previous is not None and targets:
            audit.record(saved, AuditAction.EVENT, actor=actor,
                         note=f"Targets copied from “{previous.name}”.")
    return saved


def update_cycle(cycle: AssessmentCycle, *, actor, expected_version: int | None = None,
                 **data) -> AssessmentCycle:
    """Change a cycle's name, dates or summary; refused once approved."""
    allowed = {"name", "starts_on", "ends_on", "summary"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    services.require(actor, "change", AssessmentCycle, cycle.organisation_id)
    if "name" in data:
        data = {**data, "name": clean_text(data["name"], "name", "a name for the cycle",
                                      required=True, limit=200)}
        if AssessmentCycle.objects.filter(organisation_id=cycle.organisation_id,
                                          name__iexact=data["name"]).exclude(pk=cycle.pk).exists():
            raise ValidationError({"name": "There is already a cycle with that name."})
    with transaction.atomic():
        _lock_cycle(cycle.pk)
        return services.update_record(cycle, actor=actor, data=data,
                                      expected_version=expected_version)


def delete_cycle(cycle: AssessmentCycle, *, actor, expected_version: int | None = None) -> None:
    """Delete a cycle started by mistake, with its ratings, answers and evidence."""
    services.require(actor, "delete", AssessmentCycle, cycle.organisation_id)
    with transaction.atomic():
        locked = _lock_cycle(cycle.pk)
        _check_version(locked, expected_version)
        evidence = list(Evidence.objects.filter(rating__cycle=locked))
        stored = _delete_attachments(evidence)
        services.delete_record(locked, actor=actor, expected_version=None,
                               note=f"With its {locked.ratings.count()} ratings and "
                                    f"{len(evidence)} pieces of evidence.")
        transaction.on_commit(lambda: _unlink(stored))


def missing_for(cycle: AssessmentCycle, *, signed_off: bool) -> list[str]:
    ratings = StandardAssessment.objects.filter(cycle=cycle).select_related("standard")
    problems = []
    unrated = [str(r.standard) for r in ratings if r.current_level is None]
    untargeted = [str(r.standard) for r in ratings if r.target_level is None]
    if unrated:
        problems.append(f"Rate the current level of: {', '.join(unrated)}.")
    if untargeted:
        problems.append(f"Set the target level of: {', '.join(untargeted)}.")
    if signed_off:
        unsigned = [str(r.standard) for r in ratings if r.reviewed_by_id is None]
        if unsigned:
            problems.append(f"A reviewer must sign off: {', '.join(unsigned)}.")
    return problems


def _lock_cycle_in(cycle: AssessmentCycle, version: int | None, status: str, refusal: str
                   ) -> AssessmentCycle:
    """Lock the cycle for a change of status: it must be at `version` and in `status`."""
    locked = _lock_cycle(cycle.pk)
    _check_version(locked, version)
    if locked.status != status:
        raise ValidationError(refusal)
    return locked


def _move_cycle(locked: AssessmentCycle, actor, status: str, *, note: str, **fields) -> None:
    """Put the locked cycle in `status` (setting any other `fields`), and audit the change."""
    before = audit.snapshot(locked)
    locked.status = status
    for name, value in fields.items():
        setattr(locked, name, value)
    _save(locked, actor, before, note=note)


def submit_cycle(cycle: AssessmentCycle, *, actor, expected_version: int | None = None,
                 note: str = "") -> AssessmentCycle:
    """In progress → awaiting approval, once every standard is rated."""
    services.require(actor, "change", AssessmentCycle, cycle.organisation_id)
    with transaction.atomic():
        locked = _lock_cycle_in(cycle, expected_version, CycleStatus.IN_PROGRESS,
                                "This cycle is already awaiting approval.")
        missing = missing_for(locked, signed_off=False)
        if missing:
            raise ValidationError(["The cycle cannot be submitted yet.", *missing])
        _move_cycle(locked, actor, CycleStatus.IN_REVIEW, note=clean_text(note, "note", "the note"))
    return locked


def reopen_cycle(cycle: AssessmentCycle, *, actor, expected_version: int | None = None,
                 note: str = "") -> AssessmentCycle:
    """Awaiting approval → in progress. Approved cycles are locked and stay so."""
    services.require(actor, "change", AssessmentCycle, cycle.organisation_id)
    with transaction.atomic():
        locked = _lock_cycle_in(cycle, expected_version, CycleStatus.IN_REVIEW,
                                "Only a cycle awaiting approval can be reopened.")
        _move_cycle(locked, actor, CycleStatus.IN_PROGRESS, note=clean_text(note, "note", "the note"))
    return locked


def approve_cycle(cycle: AssessmentCycle, *, actor, expected_version: int | None = None,
                  as_of=None) -> AssessmentCycle:
    """Approve and lock: every standard rated, targeted and signed off. Keeps, on each
    rating, the level live evidence supported and why (the snapshot), so the record of
    the cycle never changes afterwards."""
    from borough.standards.assessments.evidence import evaluate_cycle

    _require_approver(actor, cycle.organisation_id, "approve a cycle")
    services.require(actor, "change", AssessmentCycle, cycle.organisation_id)
    with transaction.atomic():
        locked = _lock_cycle_in(cycle, expected_version, CycleStatus.IN_REVIEW,
                                "Submit the cycle for approval before approving it.")
        missing = missing_for(locked, signed_off=True)
        if missing:
            raise ValidationError(["The cycle cannot be approved yet.", *missing])
        now = timezone.now()
        outcomes = evaluate_cycle(locked, as_of=as_of or now)
        ratings = list(StandardAssessment.objects.select_for_update().filter(cycle=locked)
                       .select_related("standard"))
        for rating in ratings:
            outcome = outcomes[rating.standard_id]
            rating.evidence_level = outcome.supported_level
            rating.evidence_snapshot = outcome.as_snapshot()
            rating.version += 1
            rating.updated_by = _actor(actor)
            rating.updated_at = now
        StandardAssessment.objects.bulk_update(
            ratings, ["evidence_level", "evidence_snapshot", "version", "updated_by", "updated_at"])
        audit.record_bulk(ratings, AuditAction.UPDATE, actor=actor, changes_for=lambda r: {
            "evidence_level": [None, Level(r.evidence_level).label]},
            note="Live evidence recorded at approval.")
        _move_cycle(locked, actor, CycleStatus.APPROVED, note="Approved and locked.",
                    approved_by=_actor(actor), approved_at=now)
    return locked


# --- ratings and answers ---------------------------------------------------------------

def _lock_rating(rating: StandardAssessment, version: int | None) -> StandardAssessment:
    _lock_cycle(rating.cycle_id)
    locked = StandardAssessment.objects.select_for_update().get(pk=rating.pk)
    _check_version(locked, version)
    return locked


def rate_standard(rating: StandardAssessment, *, actor, expected_version: int | None = None,
                  current_level, target_level, commentary: str = "") -> StandardAssessment:
    """Set where the organisation stands and where it aims to be; the actor becomes the
    assessor. A change after sign-off clears the sign-off, which covered the old rating."""
    services.require(actor, "change", StandardAssessment, rating.organisation_id)
    current = _level(current_level, "current_level", "current level")
    target = _level(target_level, "target_level", "target level")
    commentary = clean_text(commentary, "commentary", "the commentary")
    with transaction.atomic():
        locked = _lock_rating(rating, expected_version)
        before = audit.snapshot(locked)
        changed = (locked.current_level, locked.target_level, locked.commentary) != (
            current, target, commentary)
        if not changed:
            return locked
        locked.current_level, locked.target_level, locked.commentary = current, target, commentary
        locked.assessor = _actor(actor)
        locked.assessed_on = timezone.localdate()
        note = ""
        if locked.reviewed_by_id is not None:
            locked.reviewed_by, locked.reviewed_on, locked.review_note = None, None, ""
            note = "The sign-off was cleared because the rating changed."
        _save(locked, actor, before, note=note)
    return locked


def answer_criterion(result: CriterionResult, *, actor, expected_version: int | None = None,
                     met, note: str = "") -> CriterionResult:
    """The assessor's answer for one criterion: met (True), not met (False) or not
    answered (None), with a note."""
    services.require(actor, "change", CriterionResult, result.organisation_id)
    if met not in (True, False, None):
        raise ValidationError({"met": "Choose met, not met or not answered."})
    note = clean_text(note, "note", "the note")
    with transaction.atomic():
        _lock_cycle(StandardAssessment.objects.values_list("cycle_id", flat=True).get(
            pk=result.rating_id))
        locked = CriterionResult.objects.select_for_update().get(pk=result.pk)
        _check_version(locked, expected_version)
        before = audit.snapshot(locked)
        locked.met, locked.note = met, note
        _save(locked, actor, before)
    return locked


def sign_off_rating(rating: StandardAssessment, *, actor, expected_version: int | None = None,
                    note: str = "") -> StandardAssessment:
    """A reviewer agrees the rating. The reviewer must not be its assessor."""
    _require_approver(actor, rating.organisation_id, "sign off a rating")
    services.require(actor, "change", StandardAssessment, rating.organisation_id)
    note = clean_text(note, "review_note", "the note")
    with transaction.atomic():
        locked = _lock_rating(rating, expected_version)
        if locked.current_level is None or locked.target_level is None:
            raise ValidationError("Rate the standard (current and target level) before it is "
                                  "signed off.")
        if actor is not None and locked.assessor_id == actor.pk:
            raise ValidationError("You assessed this standard, so someone else must sign it "
                                  "off: a reviewer cannot review their own rating.")
        before = audit.snapshot(locked)
        locked.reviewed_by = _actor(actor)
        locked.reviewed_on = timezone.localdate()
        locked.review_note = note
        _save(locked, actor, before, note="Signed off.")
    return locked


# --- evidence ----------------------------------------------------------------------------

REFERENCE = re.compile(r"^[A-Za-z]{2,8}-\d{1,10}$")
NOT_FOUND = ("No record you can see has that reference or address. Give a reference such "
             "as INC-000123, or the address of a Borough page showing one record.")


def find_record(text: str, *, actor) -> models.Model:
    """The record a reference (INC-000123) or a Borough page address
    (/service-desk/tickets/12/, or the full address on this site) points at — only
    among records the actor can see. Nothing is fetched: the address is matched
    against Borough's own URL patterns."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"record": "Enter a reference or a page address."})
    if len(text) > 500:
        raise ValidationError({"record": NOT_FOUND})
    if REFERENCE.match(text):
        for entry in registry.all():
            model = entry.model
            if not any(f.name == "reference" for f in model._meta.fields):
                continue
            found = model.objects.visible_to(actor).filter(reference__iexact=text).first()
            if found is not None:
                return found
        raise ValidationError({"record": NOT_FOUND})
    parts = urlsplit(text)
    if parts.scheme not in ("", "http", "https") or not parts.path.startswith("/"):
        raise ValidationError({"record": NOT_FOUND})
    try:
        match = resolve(parts.path)
    except Resolver404:
        raise ValidationError({"record": NOT_FOUND}) from None
    pk = match.kwargs.get("pk")
    for entry in registry.all():
        if entry.url_name("detail") == match.view_name and pk is not None:
            found = entry.model.objects.visible_to(actor).filter(pk=pk).first()
            if found is not None:
                return found
    if match.view_name == "standards:rating_detail" and pk is not None:
        found = StandardAssessment.objects.visible_to(actor).filter(pk=pk).first()
        if found is not None:
            return found
    raise ValidationError({"record": NOT_FOUND})


def record_url(evidence: Evidence) -> str | None:
    """The page of the linked record, if it has one."""
    if evidence.record_type_id is None:
        return None
    model = evidence.record_type.model_class()
    if model is StandardAssessment:
        from django.urls import reverse

        return reverse("standards:rating_detail", args=[evidence.record_id])
    if model in registry.entries:
        from django.urls import reverse

        return reverse(registry.get(model).url_name("detail"), args=[evidence.record_id])
    return None


def _check_record(actor, record: models.Model, organisation_id: int) -> None:
    manager = type(record)._default_manager
    if not hasattr(manager, "visible_to") or (
            actor is not None and not manager.visible_to(actor).filter(pk=record.pk).exists()):
        raise ValidationError({"record": NOT_FOUND})
    owner = getattr(record, "organisation_id", None)
    if owner is not None and owner != organisation_id:
        raise ValidationError({"record": NOT_FOUND})


def add_evidence(rating: StandardAssessment, *, actor, title: str, note: str = "",
                 criterion: Criterion | None = None, record: models.Model | None = None,
                 url: str = "", files=()) -> Evidence:
    """Evidence for a standard (or one of its criteria): a note, a link to a Borough
    record the actor can see, a link to a document elsewhere and/or uploaded files
    (core.attachments: size and type checked by content). All or nothing."""
    services.require(actor, "add", Evidence, rating.organisation_id)
    files = list(files or [])
    title = clean_text(title, "title", "a title", required=True, limit=200)
    note = clean_text(note, "note", "the note")
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError({"url": "Enter a web address starting with https:// or "
                                          "http://."}) from None
        if len(url) > 200:
            raise ValidationError({"url": "The address must be 200 characters or fewer."})
    if criterion is not None and criterion.standard_id != rating.standard_id:
        raise ValidationError({"criterion": "Choose a criterion of this standard."})
    if record is not None:
        _check_record(actor, record, rating.organisation_id)
    if not (note or url or record is not None or files):
        raise ValidationError("Add a note, a link to a record or document, or a file: a title "
                              "alone shows nothing.")
    if files:
        services.require(actor, "add", Attachment, rating.organisation_id)
    stored: list[str] = []
    try:
        with transaction.atomic():
            _lock_cycle(rating.cycle_id)
            evidence = Evidence(
                organisation_id=rating.organisation_id, rating=rating, criterion=criterion,
                title=title, note=note, url=url)
            if record is not None:
                evidence.record_type = ContentType.objects.get_for_model(type(record))
                evidence.record_id = record.pk
                evidence.record_label = str(record)[:300]
            services.create_record(evidence, actor=actor)
            for upload in files:
                stored.append(attachments.add_attachment(evidence, upload, actor=actor).stored_name)
            audit.record(rating, AuditAction.EVENT, actor=actor,
                         changes={"evidence": [None, title]}, note="Evidence added.")
    except Exception:
        _unlink(stored)  # the rows were rolled back; so are the files
        raise
    return evidence


def remove_evidence(evidence: Evidence, *, actor, expected_version: int | None = None) -> None:
    services.require(actor, "delete", Evidence, evidence.organisation_id)
    with transaction.atomic():
        rating = StandardAssessment.objects.get(pk=evidence.rating_id)
        _lock_cycle(rating.cycle_id)
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        _check_version(locked, expected_version)
        stored = _delete_attachments([locked])
        services.delete_record(locked, actor=actor, expected_version=None)
        audit.record(rating, AuditAction.EVENT, actor=actor,
                     changes={"evidence": [locked.title, None]}, note="Evidence removed.")
        transaction.on_commit(lambda: _unlink(stored))


def evidence_files(evidence_items) -> dict[int, list[Attachment]]:
    ct = ContentType.objects.get_for_model(Evidence)
    found: dict[int, list[Attachment]] = {}
    for item in Attachment.objects.filter(
            content_type=ct, object_id__in=[e.pk for e in evidence_items]).order_by("pk"):
        found.setdefault(item.object_id, []).append(item)
    return found


def _delete_attachments(evidence_items) -> list[str]:
    ct = ContentType.objects.get_for_model(Evidence)
    rows = Attachment.objects.filter(content_type=ct, object_id__in=[e.pk for e in evidence_items])
    stored = list(rows.values_list("stored_name", flat=True))
    rows.delete()
    return stored


def _unlink(stored_names) -> None:
    root = attachments.storage_root()
    for name in stored_names:
        (root / name).unlink(missing_ok=True)
