"""Frameworks of good practice, assessment cycles against them, and the action plan.

A framework (themes → standards → criteria per level) is shared by every
organisation of an installation and never rewritten: loading a changed file
adds a new version, so past assessments keep the criteria they were made
against. Assessments, evidence, actions and the registers they link to belong
to one organisation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from borough.core import scope
from borough.core.models import BaseModel
from borough.core.querysets import ScopedQuerySet


class Level(models.IntegerChoices):
    BELOW_MINIMUM = 0, "Below Minimum"
    MINIMUM = 1, "Minimum"
    PROGRESSING = 2, "Progressing"
    EXCELLENT = 3, "Excellent"


# core.charts PALETTE slot per level, so a level keeps one colour in every chart
# (red below Minimum, teal for Excellent) and "not rated" is grey.
LEVEL_PALETTE = {Level.BELOW_MINIMUM: 1, Level.MINIMUM: 3, Level.PROGRESSING: 2,
                 Level.EXCELLENT: 0}
NOT_RATED_PALETTE = 4

# The levels a framework defines criteria for (Below Minimum has none).
CRITERION_LEVELS = [Level.MINIMUM, Level.PROGRESSING, Level.EXCELLENT]


class SharedQuerySet(models.QuerySet):
    """Framework definitions: readable by anyone who may view them in any organisation."""

    def visible_to(self, user, action: str = "view"):
        if scope.organisation_ids(user, scope.permission_name(self.model, action)):
            return self
        return self.none()


SharedManager = models.Manager.from_queryset(SharedQuerySet)


class Framework(models.Model):
    code = models.SlugField(max_length=50, help_text="Stable name across versions, e.g. nesds-ict.")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where the framework comes from.")
    # The file as loaded, and its hash: loading the same file again changes nothing.
    document = models.TextField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=200, blank=True)

    objects = SharedManager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version")
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("standards:framework_detail", args=[self.pk])


class Theme(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = SharedManager()

    class Meta:
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_theme_code")
        ]

    def __str__(self):
        return self.name


class Standard(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="standards")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="standards")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = SharedManager()

    class Meta:
        ordering = ["framework", "theme__order", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_standard_code")
        ]

    def __str__(self):
        return self.name


class CriterionKind(models.TextChoices):
    STATEMENT = "statement", "Statement the assessor confirms"
    EVIDENCE = "evidence", "Checked from live evidence"


class Criterion(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    level = models.PositiveSmallIntegerField(choices=[(lv.value, lv.label) for lv in CRITERION_LEVELS])
    code = models.SlugField(max_length=50)
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=CriterionKind.choices,
                            default=CriterionKind.STATEMENT)
    # For evidence criteria: the registered rule's name and its parameters.
    rule = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # True where the source document is silent and the criterion was written for Borough.
    added = models.BooleanField(default=False)
    source_note = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = SharedManager()

    class Meta:
        ordering = ["standard", "level", "order", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="unique_criterion_code")
        ]

    def __str__(self):
        return self.text


class CycleStatus(models.TextChoices):
    IN_PROGRESS = "in-progress", "In progress"
    IN_REVIEW = "in-review", "Awaiting approval"
    APPROVED = "approved", "Approved"


class AssessmentCycle(BaseModel):
    """One review of the organisation against a framework, e.g. the annual review 2026/27."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cycles")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=12, choices=CycleStatus.choices,
                              default=CycleStatus.IN_PROGRESS, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    summary = models.TextField(blank=True, help_text="The strategy summary the committee report opens with.")

    objects = models.Manager.from_queryset(ScopedQuerySet)()

    class Meta:
        ordering = ["organisation", "-starts_on"]
        permissions = [("approve_assessmentcycle", "Can approve and lock an assessment cycle")]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_cycle_name")
        ]

    def __str__(self):
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.status == CycleStatus.APPROVED

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end must be on or after the start."})


class StandardAssessment(BaseModel):
    """Where the organisation stands against one standard in one cycle."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="ratings")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    current_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    target_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    commentary = models.TextField(blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", editable=False)
    assessed_on = models.DateField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    reviewed_on = models.DateField(null=True, blank=True, editable=False)
    review_note = models.TextField(blank=True, editable=False)
    # Written when the cycle is approved: the level live evidence supported, and why.
    evidence_level = models.PositiveSmallIntegerField(choices=Level.choices, null=True,
                                                      blank=True, editable=False)
    evidence_snapshot = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["cycle", "standard__theme__order", "standard__order"]
        verbose_name = "standard rating"
        constraints = [
            models.UniqueConstraint(fields=["cycle", "standard"], name="unique_rating_per_cycle")
        ]

    def __str__(self):
        return f"{self.standard} – {self.cycle}"

    @property
    def gap(self) -> int | None:
        if self.current_level is None or self.target_level is None:
            return None
        return max(self.target_level - self.current_level, 0)


class CriterionResult(BaseModel):
    """The assessor's answer for one criterion; evidence criteria also keep the rule's result at approval."""

    rating = models.ForeignKey(StandardAssessment, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["rating", "criterion__level", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="unique_result_per_criterion")
        ]

    def __str__(self):
        answer = {True: "met", False: "not met"}.get(self.met, "not answered")
        return f"{self.criterion.code}: {answer}"


class Evidence(BaseModel):
    """Something that shows a standard (or one criterion of it) is met.

    A note, a link to any Borough record (by content type and id), and/or
    uploaded documents (core attachments on this row)."""

    rating = models.ForeignKey(StandardAssessment, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    record_type = models.ForeignKey("contenttypes.ContentType", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    record_id = models.BigIntegerField(null=True, blank=True)
    record_label = models.CharField(max_length=300, blank=True,
                                    help_text="The linked record as it read when linked.")
    url = models.URLField(blank=True, help_text="A document held elsewhere, e.g. on the intranet.")

    class Meta:
        ordering = ["rating", "created_at", "id"]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title


class ReportReview(BaseModel):
    """A management review of a report (e.g. service desk statistics), itself evidence."""

    report = models.CharField(max_length=100, help_text="Which report, e.g. servicedesk-statistics.")
    reviewed_on = models.DateField()
    meeting = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation", "-reviewed_on"]

    def __str__(self):
        return f"{self.report} reviewed {self.reviewed_on:%d %b %Y}"


class CorporateObjective(BaseModel):
    """An objective of the council's corporate plan that actions contribute to."""

    code = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    plan = models.CharField(max_length=200, blank=True, help_text="e.g. Corporate Plan 2024–2028")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "code"]
        verbose_name = "corporate plan objective"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_objective_code")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class TargetScope(models.TextChoices):
    NATIONAL = "national", "National"
    LOCAL = "local", "Local"


class Target(BaseModel):
    """A national or local target an action helps to meet (e.g. BVPI 157)."""

    code = models.CharField(max_length=30)
    title = models.CharField(max_length=300)
    scope = models.CharField(max_length=10, choices=TargetScope.choices, default=TargetScope.NATIONAL)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation", "scope", "code"]
        verbose_name = "national or local target"
        verbose_name_plural = "national and local targets"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_target_code")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    BLOCKED = "blocked", "Blocked"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_ACTION_STATUSES = [ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED]


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class ActionQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class Action(BaseModel):
    """A step of the action plan (the strategy's Appendix B)."""

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text="Where the plan lists it.")
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices,
                              default=ActionStatus.NOT_STARTED)
    rag = models.CharField("RAG", max_length=5, choices=RAG.choices, default=RAG.GREEN)
    completed_on = models.DateField(null=True, blank=True, editable=False)
    cycle = models.ForeignKey(AssessmentCycle, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="actions", help_text="The review that raised it.")
    standards = models.ManyToManyField(Standard, blank=True, related_name="+",
                                       help_text="The standards whose gap it closes.")
    objectives = models.ManyToManyField(CorporateObjective, blank=True, related_name="actions")
    targets = models.ManyToManyField(Target, blank=True, related_name="actions")
    # When the owner was last reminded, so the daily job reminds once per interval.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = models.Manager.from_queryset(ActionQuerySet)()

    reference_prefix = "ACT"

    class Meta:
        ordering = ["organisation", "due_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="unique_action_ref")
        ]
        indexes = [models.Index(fields=["organisation", "status", "due_on"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean(self):
        for name in ("owner", "cycle"):
            related = getattr(self, name)
            if related is not None and related.organisation_id != self.organisation_id:
                raise ValidationError({name: "Choose one from this organisation."})


class ActionUpdate(BaseModel):
    """A progress note on an action, with the RAG and status it reported."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField()
    rag = models.CharField("RAG", max_length=5, choices=RAG.choices)
    status = models.CharField(max_length=12, choices=ActionStatus.choices)

    class Meta:
        ordering = ["action", "-created_at", "-id"]

    def __str__(self):
        return f"Update on {self.action.reference}"
