"""Core models: the base every domain model inherits, and the shared records
(audit history, comments, attachments, reference counters) that any model can use."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from borough.core.querysets import ScopedManager, ScopedQuerySet


class TrackedModel(models.Model):
    """Who created and last changed a record, when, and its version for optimistic locking."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Fields left out of history diffs (bookkeeping, secrets).
    audit_exclude: tuple[str, ...] = ("created_at", "updated_at", "updated_by", "version")

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        from borough.core.links import record_url

        opts = self._meta
        return record_url(f"{opts.app_label}:{opts.model_name}_detail", self.pk)

    def get_display(self) -> str:
        return str(self)

    def deletion_refusal(self) -> str | None:
        """Why this record may not be deleted as it stands (a submitted request, the
        software of a live release), or None. core.services.delete_record refuses with
        it, under the record's lock; the record and delete pages say it instead of
        offering the button; the API answers 400 with it."""
        return None


def same_organisation_errors(record, names) -> dict[str, str]:
    """{field: message} for each of the named related records that belongs to another
    organisation than `record`: the check every organisation-owned model's clean() makes
    of what it points at."""
    errors = {}
    for name in names:
        if getattr(record, f"{name}_id", None):
            related = getattr(record, name)
            if related.organisation_id != record.organisation_id:
                errors[name] = "Choose one from this organisation."
    return errors


class BaseModel(TrackedModel):
    """A record owned by one organisation; the base of every domain model."""

    organisation = models.ForeignKey(
        settings.BOROUGH_ORGANISATION_MODEL, on_delete=models.PROTECT, editable=False,
        related_name="+",
    )

    objects = ScopedManager()

    # Set on models people quote: "INC" gives INC-000123, unique per organisation.
    reference_prefix: str | None = None

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    COMMENT = "comment", "Commented"
    ATTACH = "attach", "Attached a file"
    EVENT = "event", "Event"


class AuditEventQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        # History is readable by whoever may view audit history in the organisation.
        return super().visible_to(user, action)

    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        )


class AuditEvent(models.Model):
    """Append-only history: written by services in the same transaction as the change."""

    organisation = models.ForeignKey(
        settings.BOROUGH_ORGANISATION_MODEL, null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField(db_index=True)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # {"field": [before, after]} with display values, so history survives renames.
    changes = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = models.Manager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr} by {self.actor_repr or 'system'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class ReferenceCounter(models.Model):
    """The last number given for a prefix in an organisation; see core.references."""

    organisation = models.ForeignKey(
        settings.BOROUGH_ORGANISATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    prefix = models.CharField(max_length=10)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "prefix"], name="unique_reference_prefix")
        ]
        default_permissions = ()

    def __str__(self):
        return f"{self.prefix} counter at {self.last_value}"


class AttachedToRecord(BaseModel):
    """A row that hangs off any other record (comments, attachments)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    target = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["content_type", "object_id"])]


class CommentQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        if not user.has_perm("core.view_internal_comment"):
            return self.filter(is_internal=False)
        return self


class Comment(AttachedToRecord):
    body = models.TextField()
    is_internal = models.BooleanField(
        default=False, help_text="Internal notes are hidden from requesters."
    )

    objects = models.Manager.from_queryset(CommentQuerySet)()

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("view_internal_comment", "Can see internal notes")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_comment_target")]

    def __str__(self):
        return f"Comment {self.pk}"


class Attachment(AttachedToRecord):
    original_name = models.CharField(max_length=255)
    # Generated name under ATTACHMENTS_ROOT; never derived from user input.
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(max_length=150)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attach_target")]

    def __str__(self):
        return self.original_name


class SubmissionKey(models.Model):
    """A create already done for an idempotency key, so a resubmission returns it."""

    key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    # Null only inside the transaction that claims the key, until its record is saved
    # (core.services.create_record).
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "key"],
                                    name="unique_submission_key_per_model")
        ]
        default_permissions = ()

    def __str__(self):
        return f"{self.key} → {self.object_id}"


class ReminderSent(models.Model):
    """A reminder sent about one date of one record at one stage (due soon, passed):
    claimed by its insert, so another run or a second worker sends nothing more for that
    date (core.reminders). A new date (a review recorded, an agreement renewed) is
    reminded of afresh."""

    organisation = models.ForeignKey(settings.BOROUGH_ORGANISATION_MODEL, null=True,
                                     blank=True, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    stage = models.CharField(max_length=20)
    for_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "stage", "for_date"],
                                    name="unique_reminder_per_date_and_stage")
        ]
        default_permissions = ()

    def __str__(self):
        return f"{self.stage} {self.for_date} → {self.content_type_id}:{self.object_id}"


class NotificationQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        return self.filter(recipient=user)


class Notification(BaseModel):
    """A message for one user about a record; email delivery builds on these."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    event = models.CharField(max_length=50)
    subject = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(NotificationQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject


class JobOutcome(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    RETRYING = "retrying", "Failed, will retry"
    FAILED = "failed", "Failed"


class JobRun(models.Model):
    """One run of a periodic job (core.jobs): installation-wide, for administrators."""

    name = models.CharField(max_length=100)
    via = models.CharField(max_length=20, help_text="celery, in-process or inline")
    attempt = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=JobOutcome.choices,
                               default=JobOutcome.RUNNING)
    result = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["name", "-started_at"])]
        default_permissions = ()

    def __str__(self):
        return f"{self.name} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Vote(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class ApprovalVote(BaseModel):
    """One person's vote on a transition that needs approval (core.lifecycle.Approval),
    for the record's current stay in the transition's source state: votes stop counting
    (`is_current` false) once the record leaves that state, so a resubmission starts a
    new round."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    transition = models.CharField(max_length=50)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Vote.choices)
    note = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(
            fields=["content_type", "object_id", "transition", "voter"],
            condition=models.Q(is_current=True), name="one_current_vote_per_voter")]
        indexes = [models.Index(fields=["content_type", "object_id", "is_current"])]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.voter} on {self.transition}"


class ScheduledStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused when due"
    CANCELLED = "cancelled", "Cancelled"


class ScheduledAction(BaseModel):
    """A record action to do later (core.scheduling): done when due by the periodic job,
    as the person who scheduled it, with every check made then."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=50)
    fields = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ScheduledStatus.choices,
                              default=ScheduledStatus.PENDING)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"{self.action} on {self.due_at:%Y-%m-%d %H:%M}"


class SavedViewQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        # One's own views, and the views shared with a team one belongs to (a person
        # is in a team once, and is one person per organisation: no repeated rows).
        return self.filter(models.Q(owner=user) | models.Q(
            team__is_active=True, team__memberships__person__user=user,
            team__memberships__person__is_active=True))


class SavedView(BaseModel):
    """A list as someone keeps coming back to it: its filters and sort (the query string)
    and its columns, under a name, for its owner or shared with a team; shown as a tab."""

    feeds_config_caches = True  # each process keeps a person's views (saved_views.for_list)

    list_key = models.CharField(max_length=100, help_text="The list: app_label.model.")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000, blank=True,
                             help_text="The filters and sort, as the list's query string.")
    columns = models.JSONField(default=list, blank=True,
                               help_text="The columns shown, in order; empty: the list's own.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(settings.BOROUGH_TEAM_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")

    objects = models.Manager.from_queryset(SavedViewQuerySet)()

    class Meta:
        ordering = ["name", "id"]
        # Leads share views with their own teams; these roles with any team.
        permissions = [("share_any_team_savedview", "Share saved views with any team")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True) ^ models.Q(team__isnull=True),
                name="saved_view_owner_or_team"),
            models.UniqueConstraint(fields=["organisation", "list_key", "owner", "name"],
                                    condition=models.Q(owner__isnull=False),
                                    name="unique_own_view_name"),
            models.UniqueConstraint(fields=["organisation", "list_key", "team", "name"],
                                    condition=models.Q(team__isnull=False),
                                    name="unique_team_view_name"),
        ]

    def __str__(self):
        return self.name


class ListPreferenceQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        return self.filter(user=user)


class ListPreference(BaseModel):
    """The columns one person chose for a list, shown whenever no saved view says otherwise."""

    feeds_config_caches = True  # kept with the person's views (saved_views.for_list)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    list_key = models.CharField(max_length=100)
    columns = models.JSONField(default=list, blank=True)

    objects = models.Manager.from_queryset(ListPreferenceQuerySet)()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "list_key"],
                                               name="one_list_preference")]

    def __str__(self):
        return f"Columns of {self.list_key}"


class TaskStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class BackgroundTaskQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        return self.filter(owner=user)


class BackgroundTask(BaseModel):
    """One piece of work a person started that runs in the background (core.background):
    what it is, whose it is, how far it has got, and how it ended."""

    name = models.CharField(max_length=100, help_text="The registered task "
                            "(registry.background_tasks).")
    title = models.CharField(max_length=200, help_text="What it does, in words.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    arguments = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=TaskStatus.choices,
                              default=TaskStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    outcome = models.TextField(blank=True, help_text="How it ended, in words.")
    errors = models.JSONField(default=list, blank=True)
    via = models.CharField(max_length=20, blank=True, help_text="celery, thread or worker")
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The page that shows the work the task does (an import's page), if any.
    url = models.CharField(max_length=300, blank=True)

    objects = models.Manager.from_queryset(BackgroundTaskQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (TaskStatus.SUCCEEDED, TaskStatus.FAILED)


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked"
    IMPORTING = "importing", "Importing"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Not imported"


class ImportUploadQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        return self.filter(owner=user)


class ImportUpload(BaseModel):
    """A spreadsheet uploaded to import (core.importing): kept with its hash until it is
    confirmed, so the import saves exactly the file that was previewed."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    importer = models.CharField(max_length=100, help_text="What it imports, e.g. "
                                "cmdb.configurationitem.")
    options = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.CHECKING)
    # What the check found: {"counts": [[model label, n], ...], "headings": [...],
    # "rows": [[row number, value, ...], ...]}.
    preview = models.JSONField(default=dict, blank=True)
    # What the import saved: [[model label, n], ...].
    added = models.JSONField(default=list, blank=True)
    # [[row, column, message], ...], at most core.importing.ERRORS_KEPT.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    task = models.ForeignKey(BackgroundTask, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = models.Manager.from_queryset(ImportUploadQuerySet)()

    audit_exclude = (*BaseModel.audit_exclude, "content", "preview", "errors")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name
