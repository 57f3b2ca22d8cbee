"""The configuration library: documents (build guides, network diagrams, runbooks, the
configuration management process…), their numbered versions, and the links that attach
a document to configuration items and CI classes (and, when the catalogue lands, to
business services)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from borough.cmdb.models import DataClassification
from borough.core.models import BaseModel
from borough.core.querysets import ScopedQuerySet

# Reminders start this many days before a review falls due (docs/library.md).
REMIND_WITHIN_DAYS = 14


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, on the same day of the month or the month's last day
    (31 January + 1 month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


class Kind(models.TextChoices):
    BUILD_GUIDE = "build_guide", "Build guide"
    NETWORK_DIAGRAM = "network_diagram", "Network diagram"
    RUNBOOK = "runbook", "Runbook"
    PROCESS = "process", "Process"
    POLICY = "policy", "Policy"
    OTHER = "other", "Other"


class Topic(models.TextChoices):
    """What a process or policy document is the council's definitive text for. A chosen
    value, not words in the title, so the evidence rules find "the configuration management
    process" however the council names it."""

    NONE = "", "Not one of these"
    CONFIGURATION_MANAGEMENT = "configuration_management", "Configuration management"
    CHANGE_MANAGEMENT = "change_management", "Change management"
    INCIDENT_MANAGEMENT = "incident_management", "Incident management"
    BACKUP_AND_RECOVERY = "backup_and_recovery", "Backup and recovery"
    INFORMATION_SECURITY = "information_security", "Information security"
    ICT_PROCUREMENT = "ict_procurement", "ICT procurement"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Classifications whose files only some roles may download (docs/library.md): the
# permission each needs. Everyone who may view the document sees that it exists.
DOWNLOAD_PERMISSIONS = {
    DataClassification.OFFICIAL_SENSITIVE: "library.download_sensitive_document",
    DataClassification.SECRET: "library.download_secret_document",
}


class DocumentQuerySet(ScopedQuerySet):
    def review_due(self, on: date, within_days: int = REMIND_WITHIN_DAYS):
        """Published documents whose review date has passed or falls within the days."""
        return self.filter(status=DocumentStatus.PUBLISHED,
                           next_review_on__lte=on + timedelta(days=within_days))

    def overdue(self, on: date):
        return self.filter(status=DocumentStatus.PUBLISHED, next_review_on__lt=on)


class Document(BaseModel):
    """A controlled document of the configuration library, with an owner who reviews it
    every `review_period_months`."""

    reference_prefix = "DOC"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    topic = models.CharField(
        max_length=30, choices=Topic.choices, blank=True, default=Topic.NONE,
        help_text="If this is the council's definitive process or policy for one of these, "
                  "say which. The standards' evidence looks for the configuration "
                  "management process here.")
    description = models.TextField(blank=True)
    owner = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                              related_name="+",
                              help_text="The person who keeps it up to date and reviews it.")
    review_period_months = models.PositiveSmallIntegerField(
        "review period (months)", default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How often it must be reviewed, from 1 to 60 months.")
    next_review_on = models.DateField(
        "next review", null=True, blank=True,
        help_text="Leave blank to count the review period from today.")
    status = models.CharField(max_length=20, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFT, editable=False)
    classification = models.CharField(
        max_length=20, choices=DataClassification.choices,
        default=DataClassification.OFFICIAL,
        help_text="OFFICIAL-SENSITIVE and SECRET files can be downloaded only by the roles "
                  "cleared for them.")
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    last_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+",
                                         editable=False)
    last_review_note = models.TextField(blank=True, editable=False)

    objects = models.Manager.from_queryset(DocumentQuerySet)()

    audit_exclude = ("created_at", "updated_at", "updated_by", "version")

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_document_ref"),
        ]
        indexes = [models.Index(fields=["organisation", "status", "next_review_on"])]
        permissions = [
            ("download_sensitive_document", "Can download OFFICIAL-SENSITIVE documents"),
            ("download_secret_document", "Can download SECRET documents"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    def clean(self):
        if self.owner_id and self.owner.organisation_id != self.organisation_id:
            raise ValidationError({"owner": "Choose a person from this organisation."})
        if self.next_review_on is None and self.review_period_months:
            self.next_review_on = add_months(timezone.localdate(), self.review_period_months)

    def review_overdue(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.status == DocumentStatus.PUBLISHED and self.next_review_on is not None
                and self.next_review_on < on)

    def review_due_soon(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.status == DocumentStatus.PUBLISHED and self.next_review_on is not None
                and on <= self.next_review_on
                <= on + timedelta(days=REMIND_WITHIN_DAYS))

    def download_permission(self) -> str | None:
        return DOWNLOAD_PERMISSIONS.get(self.classification)


class DocumentVersion(BaseModel):
    """One uploaded file of a document, numbered 1, 2, 3… Uploading never replaces a
    version; the document's current version is its latest published one. The file is
    stored by core.attachments' rules (checked by content, generated name, outside the
    web root) and served only by the library's permission-checked download."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(editable=False)
    original_name = models.CharField("file name", max_length=255, editable=False)
    # Generated name under ATTACHMENTS_ROOT; never derived from user input.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    media_type = models.CharField(max_length=150, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    change_note = models.TextField(blank=True, help_text="What changed in this version.")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     editable=False)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = "document version"
        constraints = [
            models.UniqueConstraint(fields=["document", "number"],
                                    name="unique_document_version_number"),
        ]

    def __str__(self):
        return f"{self.document} version {self.number}" if self.document_id else \
            f"Version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def get_absolute_url(self) -> str:
        # A version has no page of its own: it is a row on its document's.
        from django.urls import reverse

        return reverse("library:document_detail", args=[self.document_id]) + "#versions"


class DocumentLink(BaseModel):
    """A document attached to one configuration item, one CI class or one business service
    (exactly one of the targets)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links")
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+")
    ci_class = models.ForeignKey("cmdb.CIClass", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+",
                                 verbose_name="CI class")
    business_service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                         on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True,
                            help_text="Why it applies, if that is not plain, for example "
                                      "“section 3 covers the restore”.")

    # The targets a link may have, in the order they are shown; one is set.
    TARGETS = ("configuration_item", "ci_class", "business_service")

    class Meta:
        ordering = ["document__title", "id"]
        verbose_name = "document link"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(configuration_item__isnull=False, ci_class__isnull=True,
                                    business_service__isnull=True)
                           | models.Q(configuration_item__isnull=True, ci_class__isnull=False,
                                      business_service__isnull=True)
                           | models.Q(configuration_item__isnull=True, ci_class__isnull=True,
                                      business_service__isnull=False)),
                name="document_link_one_target"),
            models.UniqueConstraint(fields=["document", "configuration_item"],
                                    condition=models.Q(configuration_item__isnull=False),
                                    name="unique_document_link_item"),
            models.UniqueConstraint(fields=["document", "ci_class"],
                                    condition=models.Q(ci_class__isnull=False),
                                    name="unique_document_link_class"),
            models.UniqueConstraint(fields=["document", "business_service"],
                                    condition=models.Q(business_service__isnull=False),
                                    name="unique_document_link_service"),
        ]

    def __str__(self):
        document = self.document.reference if self.document_id else "?"
        return f"{document} → {self.target or '?'}"

    @property
    def target(self):
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    def clean(self):
        chosen = [name for name in self.TARGETS if getattr(self, f"{name}_id")]
        if len(chosen) != 1:
            raise ValidationError("Choose one of a configuration item, a CI class or a "
                                  "business service (one link each).")
        for name in ("document", *chosen):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and related.organisation_id != self.organisation_id:
                raise ValidationError({name: "Choose one from this organisation."})
        same = DocumentLink.objects.filter(document_id=self.document_id,
                                           **{f"{chosen[0]}_id": getattr(self, f"{chosen[0]}_id")})
        if self.document_id and same.exclude(pk=self.pk).exists():
            raise ValidationError({chosen[0]: "This document is already linked to it."})
