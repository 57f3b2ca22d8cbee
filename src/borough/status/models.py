"""Service status (docs/status.md): announcements telling the council's staff that a
business service is down, degraded or about to have planned work, with the updates
posted while it lasts; who subscribed to hear about a service; and the record of each
email sent about an announcement, so nobody is told the same thing twice."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from borough.core import scope
from borough.core.models import BaseModel
from borough.core.querysets import ScopedQuerySet

# Who reads everyone's subscriptions, and who changes or removes anyone's (the rest,
# their own).
VIEW_ALL_SUBSCRIPTIONS = "status.view_all_subscriptions"
MANAGE_ALL_SUBSCRIPTIONS = "status.manage_all_subscriptions"
MAX_TEXT = 20_000


class Kind(models.TextChoices):
    OUTAGE = "outage", "Outage"
    DEGRADED = "degraded", "Degraded service"
    PLANNED = "planned", "Planned work"
    INFORMATION = "information", "Information"


# How bad each kind is, for a service's state (the worst current announcement wins).
SEVERITY = {Kind.OUTAGE: 4, Kind.DEGRADED: 3, Kind.PLANNED: 2, Kind.INFORMATION: 1}


class State(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"


class Announcement(BaseModel):
    """An announcement about one or more business services: an outage or degraded
    service (often from a major incident), planned work (often from a scheduled change)
    or information; from when, until when it is expected to last, the updates posted
    while it is open, and when it was resolved. `source` is the record it came from (a
    ticket, a change), closed with it."""

    reference_prefix = "STA"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200, help_text="What people will notice, in a "
                                                       "line: “Email is not working”.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OUTAGE)
    services = models.ManyToManyField(
        "catalogue.BusinessService", related_name="+", blank=True,
        verbose_name="business services affected",
        help_text="Leave empty for news about everything (the telephones, the network).")
    description = models.TextField(
        "what people should know", blank=True,
        help_text="What is affected, what to do meanwhile, who to call. Shown to everyone "
                  "in the council.")
    starts_at = models.DateTimeField("starts")
    expected_end_at = models.DateTimeField("expected to end", null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN,
                             editable=False)
    resolved_at = models.DateTimeField("ended", null=True, blank=True, editable=False)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, editable=False,
                                    on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True, editable=False)
    source = GenericForeignKey("source_type", "source_id")
    source_text = models.CharField("from", max_length=250, blank=True, editable=False,
                                   help_text="The record it was announced from.")

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "announcement"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_announcement_ref"),
        ]
        indexes = [models.Index(fields=["organisation", "state", "starts_at"],
                                name="announcement_state"),
                   models.Index(fields=["source_type", "source_id"],
                                name="announcement_source")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    def has_started(self, now) -> bool:
        return self.starts_at <= now

    def clean(self):
        if self.expected_end_at and self.starts_at and self.expected_end_at <= self.starts_at:
            raise ValidationError({"expected_end_at": "The expected end must be after the "
                                                      "start."})
        if len(self.description or "") > MAX_TEXT:
            raise ValidationError({"description": f"Keep it to {MAX_TEXT:,} characters."})


class AnnouncementUpdate(BaseModel):
    """A note posted on an announcement while it lasts ("Engineers are on site"), or the
    closing note: its timeline, which people read and subscribers are emailed."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="updates")
    body = models.TextField()
    author_name = models.CharField(max_length=200, blank=True)
    # What the update did: a note, or the announcement's resolution or cancellation.
    closing = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "announcement update"

    def __str__(self):
        return self.body[:80]


class SubscriptionQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        """A requester reads their own subscriptions, staff everyone's (who is told about
        a service); each person changes or removes their own, ICT management anyone's."""
        if action == "view":
            return super().visible_to(user, action)
        found = super().visible_to(user, action)
        anyone = scope.organisation_ids(user, MANAGE_ALL_SUBSCRIPTIONS)
        return found.filter(Q(organisation_id__in=anyone) | Q(user=user))

    def apply_object_rules(self, user):
        everyone = scope.organisation_ids(user, VIEW_ALL_SUBSCRIPTIONS)
        return self.filter(Q(organisation_id__in=everyone) | Q(user=user))


class Subscription(BaseModel):
    """A person who wants an email when a business service has an announcement opened,
    updated or closed."""

    service = models.ForeignKey("catalogue.BusinessService", on_delete=models.CASCADE,
                                related_name="+", verbose_name="business service")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", editable=False, verbose_name="person")

    objects = models.Manager.from_queryset(SubscriptionQuerySet)()

    class Meta:
        ordering = ["service__name", "id"]
        verbose_name = "subscription"
        constraints = [models.UniqueConstraint(
            fields=["service", "user"], name="one_subscription_per_service",
            violation_error_message="That person is already subscribed to that service.")]
        permissions = [("view_all_subscriptions",
                        "Can read everyone's status subscriptions in the organisation"),
                       ("manage_all_subscriptions",
                        "Can change or remove anyone's status subscriptions")]

    def __str__(self):
        name = self.user.get_full_name() or self.user.username if self.user_id else "?"
        return f"{self.service} – {name}"

    def clean(self):
        if self.service_id and self.service.organisation_id != self.organisation_id:
            raise ValidationError({"service": "Choose one from this organisation."})


class AnnouncementEmail(models.Model):
    """One email about one stage of an announcement (opened, an update, closed) to one
    subscriber: claimed by inserting this row, so a retry or a second worker never sends
    it again."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE,
                                     related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    # "opened", "update-<id>", "closed", "reopened-<n>".
    stage = models.CharField(max_length=40)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user", "stage"],
                                               name="one_email_per_stage")]

    def __str__(self):
        return f"{self.announcement_id} {self.stage} → {self.user_id}"
