"""The one door for writes to assessment cycles, ratings, criterion answers and evidence.

Every verb takes the actor first, checks the role permission with
`core.services.require`, locks the rows it changes, refuses any write on an
approved (locked) cycle, checks the version the caller read (StaleVersionError)
and writes audit history in the same transaction. Pages and the API both call
these, so both keep the same rules.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone

from borough.core import attachments, audit, services
from borough.core.actions import Actions
from borough.core.lifecycle import Who
from borough.core.models import Attachment, AuditAction
from borough.standards.assessments import forms
from borough.standards.assessments.lifecycle import APPROVER, CYCLE, missing_for
from borough.standards.assessments.queries import NOT_FOUND, find_record, record_url
from borough.standards.models import (
    AssessmentCycle,
    Criterion,
    CriterionResult,
    Evidence,
    Framework,
    Level,
    StandardAssessment,
)
from borough.standards.validation import clean_text

__all__ = ["find_record", "missing_for", "record_url"]

APPROVER_OF_RATINGS = Who(APPROVER.text, APPROVER.test,
                          "Only someone who may approve assessment cycles can sign off a rating.")

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


CYCLE_ACTIONS = Actions(AssessmentCycle, lifecycle=CYCLE, lock=lambda c: _lock_cycle(c.pk))

submit_cycle = CYCLE_ACTIONS.add(
    "submit", label="Submit for approval", form=forms.NoteForm, transition="submit",
    success=lambda c: f"“{c}” is now awaiting approval.")
reopen_cycle = CYCLE_ACTIONS.add(
    "reopen", label="Reopen for assessment", form=forms.NoteForm, transition="reopen",
    success=lambda c: f"“{c}” is open for assessment again.")
approve_cycle = CYCLE_ACTIONS.add(
    "approve", label="Approve and lock", form=forms.NoteForm, transition="approve",
    audit_note="Approved and locked.",
    success=lambda c: f"“{c}” is approved and locked." if c.is_locked
    else f"Your approval of “{c}” is recorded.")


# --- ratings and answers ---------------------------------------------------------------

def _lock_rating(rating: StandardAssessment) -> StandardAssessment:
    _lock_cycle(rating.cycle_id)
    return StandardAssessment.objects.select_for_update().get(pk=rating.pk)


def _lock_result(result: CriterionResult) -> CriterionResult:
    _lock_cycle(StandardAssessment.objects.values_list("cycle_id", flat=True).get(
        pk=result.rating_id))
    return CriterionResult.objects.select_for_update().get(pk=result.pk)


def _lock_evidence(evidence: Evidence) -> Evidence:
    _lock_cycle(StandardAssessment.objects.values_list("cycle_id", flat=True).get(
        pk=evidence.rating_id))
    return Evidence.objects.select_for_update().get(pk=evidence.pk)


RATING_ACTIONS = Actions(StandardAssessment, lock=_lock_rating)
ANSWER_ACTIONS = Actions(CriterionResult, lock=_lock_result)
EVIDENCE_ACTIONS = Actions(Evidence, lock=_lock_evidence)


@RATING_ACTIONS.action("rate", label="Save rating", form=forms.RateForm,
                       success=lambda r: f"Rating of “{r.standard}” saved.")
def rate_standard(rating: StandardAssessment, *, actor, current_level, target_level,
                  commentary: str = "") -> None:
    """Set where the organisation stands and where it aims to be; the actor becomes the
    assessor. A change after sign-off clears the sign-off, which covered the old rating."""
    current = _level(current_level, "current_level", "current level")
    target = _level(target_level, "target_level", "target level")
    commentary = clean_text(commentary, "commentary", "the commentary")
    if (rating.current_level, rating.target_level, rating.commentary) == (
            current, target, commentary):
        return
    rating.current_level, rating.target_level, rating.commentary = current, target, commentary
    rating.assessor = _actor(actor)
    rating.assessed_on = timezone.localdate()
    if rating.reviewed_by_id is not None:
        rating.reviewed_by, rating.reviewed_on, rating.review_note = None, None, ""
        audit.record(rating, AuditAction.EVENT, actor=actor,
                     note="The sign-off was cleared because the rating changed.")


@ANSWER_ACTIONS.action("answer", label="Save answer", form=forms.AnswerForm,
                       success="Answer saved.")
def answer_criterion(result: CriterionResult, *, actor, met, note: str = "") -> None:
    """The assessor's answer for one criterion: met (True), not met (False) or not
    answered (None), with a note."""
    if met not in (True, False, None):
        raise ValidationError({"met": "Choose met, not met or not answered."})
    result.met, result.note = met, clean_text(note, "note", "the note")


@RATING_ACTIONS.action("sign-off", label="Sign off this rating", form=forms.SignOffForm,
                       who=APPROVER_OF_RATINGS, success=lambda r: f"“{r.standard}” signed off.")
def sign_off_rating(rating: StandardAssessment, *, actor, note: str = "") -> None:
    """A reviewer agrees the rating. The reviewer must not be its assessor."""
    note = clean_text(note, "note", "the note")
    if rating.current_level is None or rating.target_level is None:
        raise ValidationError("Rate the standard (current and target level) before it is "
                              "signed off.")
    if actor is not None and rating.assessor_id == actor.pk:
        raise ValidationError("You assessed this standard, so someone else must sign it "
                              "off: a reviewer cannot review their own rating.")
    rating.reviewed_by = _actor(actor)
    rating.reviewed_on = timezone.localdate()
    rating.review_note = note


# --- evidence ----------------------------------------------------------------------------

def _check_record(actor, record: models.Model, organisation_id: int) -> None:
    manager = type(record)._default_manager
    if not hasattr(manager, "visible_to") or (
            actor is not None and not manager.visible_to(actor).filter(pk=record.pk).exists()):
        raise ValidationError({"record": NOT_FOUND})
    owner = getattr(record, "organisation_id", None)
    if owner is not None and owner != organisation_id:
        raise ValidationError({"record": NOT_FOUND})


@RATING_ACTIONS.action("evidence", label="Add evidence", form=forms.EvidenceForm,
                       permission="add", returns=Evidence, api=False,
                       success=lambda e: f"Evidence “{e.title}” added.")
def add_evidence(rating: StandardAssessment, *, actor, title: str, note: str = "",
                 criterion: Criterion | None = None, record: models.Model | None = None,
                 url: str = "", files=()) -> Evidence:
    """Evidence for a standard (or one of its criteria): a note, a link to a Borough
    record the actor can see, a link to a document elsewhere and/or uploaded files
    (core.attachments: size and type checked by content). All or nothing."""
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


@EVIDENCE_ACTIONS.action("remove", label="Remove", permission="delete", danger=True,
                         api=False, success=lambda e: "Evidence removed.")
def remove_evidence(evidence: Evidence, *, actor) -> Evidence:
    """Remove evidence, with its files."""
    rating = StandardAssessment.objects.get(pk=evidence.rating_id)
    stored = _delete_attachments([evidence])
    services.delete_record(evidence, actor=actor, expected_version=None)
    audit.record(rating, AuditAction.EVENT, actor=actor,
                 changes={"evidence": [evidence.title, None]}, note="Evidence removed.")
    transaction.on_commit(lambda: _unlink(stored))
    return evidence


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
