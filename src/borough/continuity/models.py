"""Continuity management (docs/continuity.md): business impact analyses of business
services (BIA-…), continuity and disaster recovery plans per service or site (CP-…) with
their contacts, steps and the configuration items to recover in order, the revisions a
plan is issued as, and DR tests and exercises (DRT-…) with their follow-up actions.

The service's recovery time objective, recovery point objective and maximum tolerable
outage live on the catalogue's business service, the one source of truth: an analysis
holds the values it proposes, which become the service's when it is approved."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from borough.core.models import BaseModel, same_organisation_errors

HOURS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99999"))]
REVIEW_MONTHS = [MinValueValidator(1), MaxValueValidator(60)]
YEARS = (2000, 2099)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def hours_text(value) -> str:
    return f"{value.normalize():f} hours" if value is not None else "not set"


def _date_errors(record, names) -> dict:
    errors = {}
    for name in names:
        value = getattr(record, name)
        if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
            errors[name] = f"Give a date between {YEARS[0]} and {YEARS[1]}."
    return errors


class Level(models.TextChoices):
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MODERATE = "moderate", "Moderate"
    MAJOR = "major", "Major"
    SEVERE = "severe", "Severe"


class AnalysisStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class BusinessImpactAnalysis(BaseModel):
    """The dated analysis of what losing a business service costs the council over time,
    and the recovery objectives it proposes for it. Approving it makes its proposals the
    service's own (catalogue); a later approved analysis supersedes it."""

    reference_prefix = "BIA"

    reference = models.CharField(max_length=20, editable=False)
    service = models.ForeignKey("catalogue.BusinessService", on_delete=models.PROTECT,
                                related_name="+", verbose_name="business service")
    status = models.CharField(max_length=12, choices=AnalysisStatus.choices,
                              default=AnalysisStatus.DRAFT, editable=False)
    assessed_on = models.DateField(help_text="When the analysis was made.")
    assessed_by = models.ForeignKey("organisation.Person", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    help_text="Who made it, with the service's owners.")
    summary = models.TextField(blank=True, help_text="What the service does for the council "
                                                     "and residents, and what losing it means.")
    proposed_rto_hours = models.DecimalField(
        "proposed recovery time objective (hours)", max_digits=7, decimal_places=2,
        null=True, blank=True, validators=HOURS,
        help_text="How soon after an outage the service must be back.")
    proposed_rpo_hours = models.DecimalField(
        "proposed recovery point objective (hours)", max_digits=7, decimal_places=2,
        null=True, blank=True, validators=HOURS,
        help_text="How much recent data, in hours of work, the council can afford to lose.")
    proposed_mto_hours = models.DecimalField(
        "proposed maximum tolerable outage (hours)", max_digits=7, decimal_places=2,
        null=True, blank=True, validators=HOURS,
        help_text="How long it can be down before the harm is unacceptable.")
    review_months = models.PositiveSmallIntegerField(
        "review every (months)", default=12, validators=REVIEW_MONTHS,
        help_text="How often the analysis must be reviewed once approved.")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_due = models.DateField("review due", null=True, blank=True, editable=False,
                                  help_text="Set when it is approved: approval plus the "
                                            "review period.")

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "business impact analysis"
        verbose_name_plural = "business impact analyses"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_bia_reference")]
        indexes = [models.Index(fields=["organisation", "status"], name="bia_status")]

    def __str__(self):
        service = self.service.name if self.service_id else "?"
        return f"{self.reference} {service}" if self.reference else service

    def clean(self):
        errors = same_organisation_errors(self, ("service", "assessed_by"))
        errors.update(_date_errors(self, ("assessed_on",)))
        rto, mto = self.proposed_rto_hours, self.proposed_mto_hours
        if rto is not None and mto is not None and rto > mto:
            errors["proposed_rto_hours"] = (
                f"The recovery time objective ({hours_text(rto)}) is longer than the maximum "
                f"tolerable outage ({hours_text(mto)}): recovery must come before the outage "
                "becomes intolerable.")
        if errors:
            raise ValidationError(errors)

    def deletion_refusal(self) -> str | None:
        if self.status == AnalysisStatus.DRAFT:
            return None
        return (f"{self.reference} was approved: it stays on record as the analysis behind "
                "the service's recovery objectives.")


class ImpactRow(BaseModel):
    """The impact of the service's loss after some hours: financial, reputational,
    legal or regulatory, and on the service to the public."""

    analysis = models.ForeignKey(BusinessImpactAnalysis, on_delete=models.CASCADE,
                                 related_name="impacts", verbose_name="impact analysis")
    after_hours = models.DecimalField("after (hours)", max_digits=7, decimal_places=2,
                                      validators=HOURS,
                                      help_text="How long the service has been down.")
    financial = models.CharField(max_length=10, choices=Level.choices, default=Level.NONE)
    reputational = models.CharField(max_length=10, choices=Level.choices, default=Level.NONE)
    legal = models.CharField("legal or regulatory", max_length=10, choices=Level.choices,
                             default=Level.NONE)
    public_service = models.CharField("service to the public", max_length=10,
                                      choices=Level.choices, default=Level.NONE)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["analysis", "after_hours", "id"]
        verbose_name = "impact over time"
        verbose_name_plural = "impacts over time"
        constraints = [models.UniqueConstraint(fields=["analysis", "after_hours"],
                                               name="unique_impact_hours")]

    def __str__(self):
        analysis = self.analysis.reference if self.analysis_id else "?"
        return f"{analysis} after {hours_text(self.after_hours)}"

    def clean(self):
        errors = same_organisation_errors(self, ("analysis",))
        if errors:
            raise ValidationError(errors)


class PlanKind(models.TextChoices):
    CONTINUITY = "continuity", "Business continuity plan"
    DISASTER_RECOVERY = "disaster_recovery", "Disaster recovery plan"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class ContinuityPlan(BaseModel):
    """A continuity or disaster recovery plan for some business services or a site: when
    it is invoked, who does what, the steps, and the configuration items to recover in
    order. Approving it issues a numbered revision whose content stays readable."""

    reference_prefix = "CP"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PlanKind.choices,
                            default=PlanKind.DISASTER_RECOVERY)
    status = models.CharField(max_length=10, choices=PlanStatus.choices,
                              default=PlanStatus.DRAFT, editable=False)
    services = models.ManyToManyField(
        "catalogue.BusinessService", blank=True, related_name="+",
        verbose_name="business services",
        help_text="The services it recovers: their recovery objectives are what its tests "
                  "are measured against.")
    site = models.ForeignKey("organisation.Site", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             help_text="For a site's plan: the site whose loss it answers.")
    scope = models.TextField(blank=True, help_text="What it covers and what it does not.")
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text="Who keeps it current.")
    invocation_criteria = models.TextField(
        blank=True, help_text="When the plan is invoked, and who decides.")
    review_months = models.PositiveSmallIntegerField(
        "review every (months)", default=12, validators=REVIEW_MONTHS)
    revision = models.PositiveIntegerField(default=0, editable=False,
                                           help_text="The last revision issued (0: none).")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_due = models.DateField("review due", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = "continuity plan"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_plan_reference")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def clean(self):
        errors = same_organisation_errors(self, ("site", "owner"))
        if errors:
            raise ValidationError(errors)

    def clean_related(self, many_to_many: dict) -> None:
        if "services" not in many_to_many:
            return
        services = list(many_to_many["services"])
        if any(getattr(s, "organisation_id", self.organisation_id) != self.organisation_id
               for s in services):
            raise ValidationError({"services": "Choose services of this organisation."})

    def deletion_refusal(self) -> str | None:
        if not self.revision:
            return None
        return (f"{self.reference} has issued revisions: retire it instead, so they stay "
                "readable.")


class PlanRevision(BaseModel):
    """A plan as it was approved: its whole content (fields, contacts, steps, items to
    recover) kept as it read then, numbered 1, 2, 3…"""

    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE,
                             related_name="revisions")
    number = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    review_months = models.PositiveSmallIntegerField(default=12)
    note = models.TextField(blank=True)
    content = models.JSONField(default=dict)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = "plan revision"
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="unique_plan_revision")]

    def __str__(self):
        return f"{self.plan} revision {self.number}"


class PlanContact(BaseModel):
    """A role in the plan and who fills it: a person in Borough's directory, or a named
    external contact (a supplier's engineer, the link provider) with a phone number."""

    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE,
                             related_name="contacts")
    role = models.CharField(max_length=200, help_text="For example “Incident controller”.")
    person = models.ForeignKey("organisation.Person", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text="Someone in the directory; or give a name below.")
    name = models.CharField("external contact's name", max_length=200, blank=True)
    employer = models.CharField("their organisation", max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    position = models.PositiveSmallIntegerField("order", default=1)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = "plan contact"

    def __str__(self):
        who = self.person.full_name if self.person_id else self.name
        return f"{self.role}: {who}"

    @property
    def who(self) -> str:
        return self.person.full_name if self.person_id else self.name

    @property
    def telephone(self) -> str:
        if self.phone:
            return self.phone
        return getattr(self.person, "phone", "") if self.person_id else ""

    def clean(self):
        errors = same_organisation_errors(self, ("plan", "person"))
        if not self.person_id and not self.name.strip():
            errors["name"] = "Choose a person in the directory, or give a contact's name."
        elif not self.person_id and not self.phone.strip():
            errors["phone"] = ("Give the external contact's phone number: the plan is read "
                               "when other ways of finding it may be down.")
        if errors:
            raise ValidationError(errors)


class PlanStep(BaseModel):
    """One step of the plan, in order."""

    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    instruction = models.TextField()
    done_by = models.CharField("who does it", max_length=200, blank=True,
                               help_text="The plan's role that does it.")
    expected_minutes = models.PositiveIntegerField("expected minutes", null=True, blank=True)

    class Meta:
        ordering = ["plan", "number", "id"]
        verbose_name = "plan step"
        constraints = [models.UniqueConstraint(fields=["plan", "number"],
                                               name="unique_plan_step")]

    def __str__(self):
        plan = self.plan.reference if self.plan_id else "?"
        return f"{plan} step {self.number}"

    def clean(self):
        errors = same_organisation_errors(self, ("plan",))
        if errors:
            raise ValidationError(errors)


class RecoveryItem(BaseModel):
    """A configuration item the plan recovers, at its place in the recovery order."""

    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE,
                             related_name="recovery_items")
    configuration_item = models.ForeignKey("cmdb.ConfigurationItem", on_delete=models.PROTECT,
                                           related_name="+")
    position = models.PositiveSmallIntegerField(
        "recovery order", default=1, validators=[MinValueValidator(1)],
        help_text="1 is recovered first. “Order from the CMDB” on the plan suggests it.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "position", "configuration_item__name", "id"]
        verbose_name = "item to recover"
        verbose_name_plural = "items to recover"
        constraints = [models.UniqueConstraint(fields=["plan", "configuration_item"],
                                               name="unique_recovery_item")]

    def __str__(self):
        item = self.configuration_item.name if self.configuration_item_id else "?"
        plan = self.plan.reference if self.plan_id else "?"
        return f"{self.position}. {item} ({plan})"

    def clean(self):
        errors = same_organisation_errors(self, ("plan", "configuration_item"))
        if errors:
            raise ValidationError(errors)


class TestKind(models.TextChoices):
    WALKTHROUGH = "walkthrough", "Walkthrough"
    SIMULATION = "simulation", "Simulation"
    FULL_FAILOVER = "full_failover", "Full failover"


class TestResult(models.TextChoices):
    PASSED = "passed", "Passed"
    PASSED_WITH_ISSUES = "passed_with_issues", "Passed with issues"
    FAILED = "failed", "Failed"


def compare(achieved, target) -> bool | None:
    """Whether an achieved time is within its objective: True, False, or None when either
    is not known."""
    if achieved is None or target is None:
        return None
    return Decimal(str(achieved)) <= Decimal(str(target))


def objectives_of(plan) -> list[dict]:
    """The recovery objectives of the plan's services now, as a test keeps them."""
    return [{"id": s.pk, "reference": s.reference, "name": s.name,
             "rto_hours": None if s.rto_hours is None else str(s.rto_hours),
             "rpo_hours": None if s.rpo_hours is None else str(s.rpo_hours)}
            for s in plan.services.order_by("name", "pk")]


class ContinuityTest(BaseModel):
    """A DR test or exercise of a plan: the scenario, the kind, when and who, the result,
    and the recovery time and data loss achieved, measured against the recovery
    objectives its plan's services had when it was recorded (kept with the test)."""

    reference_prefix = "DRT"

    reference = models.CharField(max_length=20, editable=False)
    plan = models.ForeignKey(ContinuityPlan, on_delete=models.PROTECT, related_name="tests")
    scenario = models.TextField(help_text="What was assumed lost, and how the test went about "
                                          "it.")
    kind = models.CharField(max_length=20, choices=TestKind.choices,
                            default=TestKind.SIMULATION)
    tested_on = models.DateField("tested on")
    participants = models.ManyToManyField("organisation.Person", blank=True,
                                          related_name="+")
    other_participants = models.CharField(
        "other participants", max_length=500, blank=True,
        help_text="People outside the directory: suppliers' engineers, other councils.")
    result = models.CharField(max_length=20, choices=TestResult.choices)
    achieved_recovery_hours = models.DecimalField(
        "recovery time achieved (hours)", max_digits=7, decimal_places=2, null=True,
        blank=True, validators=HOURS,
        help_text="From the start of the failure to the service back for its users.")
    achieved_data_loss_hours = models.DecimalField(
        "data lost (hours of work)", max_digits=7, decimal_places=2, null=True, blank=True,
        validators=HOURS, help_text="How far back the recovered data reached.")
    lessons = models.TextField("lessons learned", blank=True)
    # The plan's services' objectives when the test was recorded (models.objectives_of):
    # what it is measured against, even if the objectives change later.
    objectives = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-tested_on", "-id"]
        verbose_name = "DR test"
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_drtest_reference")]
        indexes = [models.Index(fields=["organisation", "tested_on"], name="drt_tested")]

    def __str__(self):
        plan = self.plan.title if self.plan_id else "?"
        return f"{self.reference} {plan}" if self.reference else plan

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        record._loaded_plan_id = record.__dict__.get("plan_id")
        return record

    def clean(self):
        errors = same_organisation_errors(self, ("plan",))
        errors.update(_date_errors(self, ("tested_on",)))
        if self.tested_on and self.tested_on > timezone.localdate():
            errors["tested_on"] = "Record a test once it has happened: the date is in the future."
        if errors:
            raise ValidationError(errors)
        # Measured against the objectives of the plan's services when recorded, and again
        # when it is moved to another plan.
        if self.plan_id and (self.pk is None
                             or getattr(self, "_loaded_plan_id", None) != self.plan_id):
            self.objectives = objectives_of(self.plan)
            self._loaded_plan_id = self.plan_id

    def measured(self) -> list[dict]:
        """Each objective with what was achieved against it: met True/False/None."""
        return [{**o, "rto_met": compare(self.achieved_recovery_hours, o.get("rto_hours")),
                 "rpo_met": compare(self.achieved_data_loss_hours, o.get("rpo_hours"))}
                for o in self.objectives or []]

    def met_rto(self) -> bool | None:
        """Whether the recovery time met every objective it is measured against (None:
        not known — no time recorded, or no service with an objective)."""
        found = [m["rto_met"] for m in self.measured() if m["rto_met"] is not None]
        if not found:
            return None
        return all(found)

    def met_rpo(self) -> bool | None:
        found = [m["rpo_met"] for m in self.measured() if m["rpo_met"] is not None]
        if not found:
            return None
        return all(found)


class FollowUp(BaseModel):
    """An action a test left: what to do, who, by when, and the problem or change that
    carries it where there is one."""

    test = models.ForeignKey(ContinuityTest, on_delete=models.CASCADE,
                             related_name="follow_ups", verbose_name="DR test")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField("due on", null=True, blank=True)
    done = models.BooleanField(default=False)
    problem = models.ForeignKey("problems.Problem", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    change = models.ForeignKey("changes.Change", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["test", "done", "due_on", "id"]
        verbose_name = "follow-up action"

    def __str__(self):
        test = self.test.reference if self.test_id else "?"
        return f"{test}: {self.description[:80]}"

    def clean(self):
        errors = same_organisation_errors(self, ("test", "owner", "problem", "change"))
        errors.update(_date_errors(self, ("due_on",)))
        if errors:
            raise ValidationError(errors)
