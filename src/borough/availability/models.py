"""Availability management (docs/availability.md): an outage (OUT-…) is a stretch of time
a business service was down, planned or not, recorded by hand, from a major incident,
from a change's window, or from monitoring (an up or down metric's runs of 0).
Availability per service per month is computed from outages in queries.py, never
stored."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from borough.core.models import BaseModel, same_organisation_errors


class Kind(models.TextChoices):
    UNPLANNED = "unplanned", "Unplanned"
    PLANNED = "planned", "Planned"


class Source(models.TextChoices):
    MANUAL = "manual", "Recorded by hand"
    MAJOR_INCIDENT = "major_incident", "Major incident"
    CHANGE = "change", "Change"
    # An up or down metric's run of 0 (services.record_from_monitoring), or a monitoring
    # system's report through the API.
    MONITORING = "monitoring", "Monitoring"


def _when(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%-d %b %Y %H:%M") if value else "ongoing"


class Outage(BaseModel):
    """A business service down from `started_at` until `ended_at` (empty while it lasts).
    One outage is one service: a major incident that stops three services records three."""

    reference_prefix = "OUT"

    reference = models.CharField(max_length=20, editable=False)
    service = models.ForeignKey("catalogue.BusinessService", on_delete=models.PROTECT,
                                related_name="+", verbose_name="business service")
    started_at = models.DateTimeField("started")
    ended_at = models.DateTimeField("ended", null=True, blank=True,
                                    help_text="Leave empty while the service is still down.")
    kind = models.CharField("planned or unplanned", max_length=10, choices=Kind.choices,
                            default=Kind.UNPLANNED,
                            help_text="Planned: agreed beforehand (a change's window). It "
                                      "does not count against availability.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    cause = models.TextField(blank=True, help_text="What took the service down.")
    ticket = models.ForeignKey("servicedesk.Ticket", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               verbose_name="major incident",
                               limit_choices_to={"is_major_incident": True})
    change = models.ForeignKey("changes.Change", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # What monitoring saw go down. Kept (emptied) when the metric or item is deleted:
    # the outage is history.
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="monitored item",
        help_text="The configuration item monitoring saw down.")
    metric = models.ForeignKey("capacity.Metric", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name="monitored by",
                               help_text="The up or down metric this outage was read from.")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "outage"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_outage_reference"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True)
                                   | Q(ended_at__gt=models.F("started_at")),
                                   name="outage_ends_after_start"),
        ]
        indexes = [models.Index(fields=["organisation", "service", "started_at"],
                                name="outage_service_start"),
                   models.Index(fields=["metric", "started_at"], name="outage_metric_start")]

    def __str__(self):
        service = self.service.name if self.service_id else "?"
        return f"{self.reference} {service}" if self.reference else service

    @property
    def is_ongoing(self) -> bool:
        return self.ended_at is None

    def clean(self):
        errors = same_organisation_errors(self, ("service", "ticket", "change",
                                                 "configuration_item", "metric"))
        if self.started_at and self.ended_at and self.ended_at <= self.started_at:
            errors["ended_at"] = (f"The end ({_when(self.ended_at)}) must be after the start "
                                  f"({_when(self.started_at)}).")
        if self.source == Source.MAJOR_INCIDENT and not self.ticket_id:
            errors["ticket"] = "Name the major incident this outage was recorded from."
        if self.ticket_id and "ticket" not in errors and not self.ticket.is_major_incident:
            errors["ticket"] = (f"{self.ticket.reference} is not a major incident: only major "
                                "incidents record outages.")
        if self.source == Source.CHANGE and not self.change_id:
            errors["change"] = "Name the change whose window this outage was."
        if not errors and self.service_id and self.started_at:
            clash = self.overlapping().first()
            if clash is not None:
                errors["started_at"] = (
                    f"{clash.reference} already records {self.service.name} down from the "
                    f"same source ({clash.get_source_display().lower()}) from "
                    f"{_when(clash.started_at)} to {_when(clash.ended_at)}: change that "
                    "outage rather than recording the time twice.")
        if errors:
            raise ValidationError(errors)

    def overlapping(self):
        """Other outages of the same service from the same source that share some time
        with this one (an ongoing outage lasts for ever). Monitoring's are compared per
        metric: two servers of one service down at once are two outages, each following
        its own points (availability counts the time once)."""
        found = Outage.objects.filter(organisation_id=self.organisation_id,
                                      service_id=self.service_id, source=self.source)
        if self.source == Source.MONITORING:
            found = found.filter(metric_id=self.metric_id)
        found = found.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=self.started_at))
        if self.ended_at is not None:
            found = found.filter(started_at__lt=self.ended_at)
        return found.exclude(pk=self.pk) if self.pk else found
