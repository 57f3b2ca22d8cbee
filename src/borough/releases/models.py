"""Release management (docs/releases.md): a release (REL-…) is a set of changes delivered
together, with its plan (the test and live dates), its stages (tested, then live), the
go/no-go decision between them, its release notes, and the software it delivers: each
application with the version it moves from and to, and the licence it is used under."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from borough.cmdb.queries import APPLICATION_CLASS
from borough.core.models import BaseModel, same_organisation_errors

# Who may plan, test, decide, deploy and close releases (change management's work).
MANAGE = "releases.manage_releases"
# The years a planned date may fall in (as a change's window).
YEARS = (2000, 2099)


class ReleaseType(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    EMERGENCY = "emergency", "Emergency"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PLANNED = "planned", "Planned"
    TESTING = "testing", "In test"
    READY = "ready", "Ready for live (go)"
    LIVE = "live", "Live"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# A release is open until it is closed or cancelled: a change belongs to at most one open
# release. Its changes and software are fixed once it is live.
OPEN = (Status.DRAFT, Status.PLANNED, Status.TESTING, Status.READY, Status.LIVE)
BEFORE_LIVE = (Status.DRAFT, Status.PLANNED, Status.TESTING, Status.READY)
DONE = (Status.LIVE, Status.CLOSED)


class TestResult(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class Decision(models.TextChoices):
    GO = "go", "Go"
    NO_GO = "no_go", "No-go"


class Release(BaseModel):
    """A set of changes delivered together: the plan, the test stage and its result, the
    go/no-go decision, going live, and the review that closes it."""

    reference_prefix = "REL"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField("what it delivers", blank=True)
    release_type = models.CharField("type", max_length=10, choices=ReleaseType.choices,
                                    default=ReleaseType.MINOR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="release owner",
                              help_text="Who is responsible for delivering it.")
    changes = models.ManyToManyField(
        "changes.Change", blank=True, related_name="+",
        help_text="The changes delivered together in this release. A change is in at most "
                  "one open release.")
    planned_test_date = models.DateField(null=True, blank=True,
                                         help_text="When testing is planned to start.")
    planned_live_date = models.DateField(null=True, blank=True,
                                         help_text="When it is planned to go live.")
    release_notes = models.TextField(blank=True,
                                     help_text="What users and the service desk are told: "
                                               "what is new, fixed or known not to work.")
    # Kept by Borough: the test stage, the decision, the live stage and the review.
    test_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_result = models.CharField(max_length=10, choices=TestResult.choices, blank=True,
                                   editable=False)
    test_notes = models.TextField(blank=True, editable=False)
    tested_at = models.DateTimeField("test result recorded", null=True, blank=True,
                                     editable=False)
    decision = models.CharField("go/no-go", max_length=5, choices=Decision.choices,
                                blank=True, editable=False)
    decision_note = models.TextField("go/no-go note", blank=True, editable=False)
    decided_at = models.DateTimeField("go/no-go decided", null=True, blank=True,
                                      editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   editable=False)
    licences_checked_for = models.DateField(
        "licences checked for", null=True, blank=True, editable=False,
        help_text="At the go: the live date for which every licence of its software was "
                  "found in force and covering the use counted.")
    no_go_count = models.PositiveSmallIntegerField("no-go decisions", default=0,
                                                   editable=False)
    deployed_at = models.DateTimeField("went live", null=True, blank=True, editable=False)
    live_notes = models.TextField("how the deployment went", blank=True, editable=False)
    review = models.TextField(blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "release"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_release_reference"),
            models.CheckConstraint(condition=Q(planned_live_date__isnull=True)
                                   | Q(planned_test_date__isnull=True)
                                   | Q(planned_live_date__gte=models.F("planned_test_date")),
                                   name="release_live_after_test"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="rel_status"),
                   models.Index(fields=["organisation", "deployed_at"], name="rel_deployed")]
        permissions = [("manage_releases", "Can plan, test, decide, deploy and close "
                                           "releases")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def tested_first(self) -> bool:
        """Whether it had a passed test before it went live (the evidence rule's test)."""
        return bool(self.test_result == TestResult.PASSED and self.tested_at
                    and (self.deployed_at is None or self.tested_at <= self.deployed_at))

    def clean_related(self, many_to_many: dict) -> None:
        """A change in at most one open release, checked with the changes locked (core.
        services calls this inside the write), so two releases made at once cannot both
        take the same change."""
        if "changes" not in many_to_many:
            return
        from borough.changes.models import Change
        from borough.releases.queries import changes_errors

        ids = sorted({getattr(c, "pk", c) for c in many_to_many["changes"]})
        locked = list(Change.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        problems = changes_errors(self, locked)
        if problems:
            raise ValidationError({"changes": problems})

    def deletion_refusal(self) -> str | None:
        # Cancelled, not deleted; a release that went live is the record of what did.
        if self.status not in DONE:
            return None
        return (f"{self.reference} went live: it stays on record, with the changes and "
                "software it delivered.")

    def clean(self):
        errors = same_organisation_errors(self, ("owner",))
        for name in ("planned_test_date", "planned_live_date"):
            value = getattr(self, name)
            if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
                errors[name] = f"Give a date between {YEARS[0]} and {YEARS[1]}."
        if (self.planned_test_date and self.planned_live_date
                and self.planned_live_date < self.planned_test_date
                and "planned_live_date" not in errors):
            errors["planned_live_date"] = "It cannot go live before its testing starts."
        if errors:
            raise ValidationError(errors)


class ReleaseItem(BaseModel):
    """A piece of software a release delivers: an application of the systems catalogue,
    the version it moves from and the version it moves to, and the licence it is used
    under (the commercial module's record of the right to use it)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="items")
    software = models.ForeignKey(
        "cmdb.ConfigurationItem", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"ci_class__code": APPLICATION_CLASS},
        help_text="The application in the systems catalogue that the release changes.")
    from_version = models.CharField("from version", max_length=50, blank=True,
                                    help_text="Blank for software new to the council.")
    to_version = models.CharField("to version", max_length=50)
    licence = models.ForeignKey(
        "licences.Licence", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The licence the new version is used under, if the "
                                    "council holds one for it.")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["release", "software__name", "id"]
        verbose_name = "software in a release"
        verbose_name_plural = "software in releases"
        constraints = [models.UniqueConstraint(fields=["release", "software"],
                                               name="unique_release_software")]

    def __str__(self):
        software = self.software.name if self.software_id else "?"
        release = self.release.reference if self.release_id else "?"
        moves = f"{self.from_version} → {self.to_version}" if self.from_version else \
            self.to_version
        return f"{software} {moves} ({release})"

    def deletion_refusal(self) -> str | None:
        if self.release.status in BEFORE_LIVE:
            return None
        return (f"{self.release.reference} is {self.release.get_status_display().lower()}: "
                "the software it delivered stays as it went live.")

    def clean(self):
        errors = same_organisation_errors(self, ("release", "software", "licence"))
        if self.software_id and "software" not in errors and (
                self.software.ci_class.code != APPLICATION_CLASS):
            errors["software"] = (f"{self.software} is a {self.software.ci_class}: choose an "
                                  "application from the systems catalogue.")
        if (self.licence_id and self.software_id and not errors
                and self.licence.software_id != self.software_id):
            errors["licence"] = (f"{self.licence} licenses {self.licence.software.name}, not "
                                 f"{self.software.name}: choose its own licence, or none.")
        if self.release_id and "release" not in errors and self.release.status not in (
                BEFORE_LIVE):
            errors["release"] = (f"{self.release.reference} is "
                                 f"{self.release.get_status_display().lower()}: the software "
                                 "it delivered stays as it went live.")
        if self.from_version and self.from_version.strip() == (self.to_version or "").strip():
            errors["to_version"] = "The new version must differ from the one it replaces."
        if errors:
            raise ValidationError(errors)
