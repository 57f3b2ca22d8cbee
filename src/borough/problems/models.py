"""Problem management (docs/problems.md): problems raised from incidents or proactively,
their investigation (a structured root-cause analysis, the cause category the council
sets), the incidents linked to them, the known errors they publish with a workaround, the
uses of a known error on a ticket ("this fixed it"), and the trend rules that propose
problems from repeated incidents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from borough.core.models import BaseModel, same_organisation_errors
from borough.servicedesk.models import Level


class CauseCategory(BaseModel):
    """A kind of root cause the council reports on (hardware failure, software defect,
    configuration, capacity, supplier, human error…)."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "cause category"
        verbose_name_plural = "cause categories"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_cause_category")]

    def __str__(self):
        return self.name


class GroupBy(models.TextChoices):
    CI = "ci", "Configuration item"
    CATEGORY = "category", "Ticket category"
    SERVICE = "service", "Business service"


class TrendRule(BaseModel):
    """When repeated incidents suggest a problem: at least `min_incidents` incidents on the
    same configuration item (or category, or service) within `window_days`."""

    name = models.CharField(max_length=100)
    group_by = models.CharField("incidents on the same", max_length=10,
                                choices=GroupBy.choices, default=GroupBy.CI)
    window_days = models.PositiveSmallIntegerField(
        "within (days)", default=28, validators=[MinValueValidator(1), MaxValueValidator(366)])
    min_incidents = models.PositiveSmallIntegerField(
        "at least (incidents)", default=3,
        validators=[MinValueValidator(2), MaxValueValidator(1000)])
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "trend rule"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_trend_rule")]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    LOGGED = "logged", "Logged"
    INVESTIGATING = "investigating", "Under investigation"
    KNOWN_ERROR = "known_error", "Known error"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN = (Status.LOGGED, Status.INVESTIGATING, Status.KNOWN_ERROR)


class Origin(models.TextChoices):
    INCIDENTS = "incidents", "From incidents"
    TREND = "trend", "From a trend in incidents"
    PROACTIVE = "proactive", "Proactively"
    CAPACITY = "capacity", "From a capacity forecast"


class Method(models.TextChoices):
    FIVE_WHYS = "five_whys", "Five whys"
    TIMELINE = "timeline", "Timeline"


# A problem's priority reads as the desk's impact and urgency do (high, medium, low).
Priority = Level


class Problem(BaseModel):
    """The unknown cause of one or more incidents, investigated until its root cause is
    found, worked around (a known error) and fixed for good (through a change)."""

    reference_prefix = "PRB"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What is seen, where and since when.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LOGGED,
                              editable=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PROACTIVE,
                              editable=False)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices,
                                                default=Priority.MEDIUM)
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text="Who leads the investigation.")
    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name="business service")
    cis = models.ManyToManyField("cmdb.ConfigurationItem", blank=True, related_name="+",
                                 verbose_name="configuration items")
    # The investigation.
    method = models.CharField("analysis method", max_length=10, choices=Method.choices,
                              default=Method.FIVE_WHYS,
                              help_text="Five whys: each step asks why the one before "
                                        "happened. Timeline: what happened, in order.")
    root_cause = models.TextField(blank=True)
    cause_category = models.ForeignKey(CauseCategory, null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="problems")
    workaround = models.TextField(blank=True,
                                  help_text="How the service desk restores service meanwhile.")
    # The permanent fix. The change that makes it names this problem among those it fixes
    # (changes.Change.problems: the changes app sits above this one).
    permanent_fix = models.TextField(blank=True, editable=False)
    change_note = models.TextField(
        "change (as text)", blank=True, editable=False,
        help_text="A change reference typed before changes were linked, that matched no "
                  "change of the council's: kept as it was typed.")
    # Stamped by the lifecycle.
    known_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review = models.TextField("closure review", blank=True, editable=False)

    audit_exclude = ("created_at", "updated_at", "updated_by", "version")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_problem_ref")]
        indexes = [models.Index(fields=["organisation", "status"], name="prb_status")]
        permissions = [("work_problems", "Can investigate, link and resolve problems")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def clean(self):
        errors = same_organisation_errors(self, ("owner", "service", "cause_category"))
        if errors:
            raise ValidationError(errors)


class AnalysisStep(BaseModel):
    """One step of a problem's root-cause analysis: a "why?" and its answer (five whys),
    or an event with its time (a timeline)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=1,
                                                validators=[MaxValueValidator(100)])
    happened_at = models.DateTimeField("when", null=True, blank=True,
                                       help_text="For a timeline: when it happened.")
    text = models.TextField(help_text="For five whys: why it happened, answered.")

    class Meta:
        ordering = ["problem", "position", "happened_at", "id"]
        verbose_name = "analysis step"

    def __str__(self):
        return f"Step {self.position} of {self.problem}" if self.problem_id else \
            f"Step {self.position}"


class ProblemIncident(BaseModel):
    """An incident (a service desk ticket) caused by a problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="incidents")
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.CASCADE,
                               related_name="+", verbose_name="incident")

    class Meta:
        ordering = ["problem", "id"]
        verbose_name = "linked incident"
        constraints = [models.UniqueConstraint(fields=["problem", "ticket"],
                                               name="unique_problem_incident")]
        indexes = [models.Index(fields=["ticket"], name="prb_incident_ticket")]

    def __str__(self):
        if self.problem_id and self.ticket_id:
            return f"{self.ticket.reference} → {self.problem}"
        return "Linked incident"

    def clean(self):
        errors = same_organisation_errors(self, ("problem", "ticket"))
        if errors:
            raise ValidationError(errors)


class KnownError(BaseModel):
    """A problem whose cause (or at least a workaround) is known: what the service desk
    looks up when the same symptoms come in again."""

    reference_prefix = "KE"
    # Searched for a ticket's words (problems.queries), most telling first; stored as a
    # vector on PostgreSQL (migration 0003).
    text_search_fields = ("title", "symptoms", "workaround")

    reference = models.CharField(max_length=20, editable=False)
    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="known_errors",
                                help_text="The problem it was found by, if any.")
    title = models.CharField(max_length=200)
    symptoms = models.TextField(help_text="What the user or the agent sees: the words they "
                                          "would search for.")
    root_cause = models.TextField(blank=True)
    workaround = models.TextField(help_text="How to restore service until the fix is in.")
    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name="business service")
    ci = models.ForeignKey("cmdb.ConfigurationItem", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+",
                           verbose_name="configuration item")
    category = models.ForeignKey("servicedesk.Category", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 verbose_name="ticket category")
    is_active = models.BooleanField("current", default=True,
                                    help_text="Untick once the permanent fix is in.")
    fixed_count = models.PositiveIntegerField("times it fixed a ticket", default=0,
                                              editable=False)

    audit_exclude = ("created_at", "updated_at", "updated_by", "version", "fixed_count")

    class Meta:
        ordering = ["-is_active", "-fixed_count", "title", "id"]
        verbose_name = "known error"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_known_error_ref")]
        indexes = [models.Index(fields=["organisation", "is_active"], name="ke_active"),
                   # Suggestions rank the most used first when words match thousands.
                   models.Index(fields=["organisation", "-fixed_count", "id"],
                                condition=models.Q(is_active=True), name="ke_ranked_first")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def clean(self):
        errors = same_organisation_errors(self, ("problem", "service", "ci", "category"))
        if not (self.workaround or "").strip():
            errors["workaround"] = "Give the workaround: a known error is recorded for it."
        if errors:
            raise ValidationError(errors)


class KnownErrorUse(BaseModel):
    """A known error's workaround applied to a ticket, and whether it fixed it."""

    known_error = models.ForeignKey(KnownError, on_delete=models.CASCADE, related_name="uses")
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.CASCADE,
                               related_name="+")
    fixed = models.BooleanField("it fixed it", default=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "known error use"
        constraints = [models.UniqueConstraint(fields=["known_error", "ticket"],
                                               name="unique_known_error_use")]

    def __str__(self):
        if self.known_error_id and self.ticket_id:
            return f"{self.ticket.reference}: {self.known_error}"
        return "Known error use"

    def clean(self):
        errors = same_organisation_errors(self, ("known_error", "ticket"))
        if errors:
            raise ValidationError(errors)
