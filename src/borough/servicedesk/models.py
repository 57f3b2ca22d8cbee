"""Incidents and service requests, their SLA clocks, timeline and satisfaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from borough.core import scope
from borough.core.models import BaseModel
from borough.core.perf.validation import LeanValidation
from borough.core.querysets import ScopedQuerySet


class TicketType(models.TextChoices):
    INCIDENT = "incident", "Incident"
    REQUEST = "request", "Service request"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    WALK_IN = "walk-in", "Walk-in"
    API = "api", "API"


class Level(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class Priority(models.IntegerChoices):
    P1 = 1, "P1 – Critical"
    P2 = 2, "P2 – High"
    P3 = 3, "P3 – Medium"
    P4 = 4, "P4 – Low"
    P5 = 5, "P5 – Planning"


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in-progress", "In progress"
    AWAITING_CUSTOMER = "awaiting-customer", "Awaiting customer"
    AWAITING_THIRD_PARTY = "awaiting-third-party", "Awaiting third party"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER,
                 Status.AWAITING_THIRD_PARTY]
PAUSED_STATUSES = [Status.AWAITING_CUSTOMER, Status.AWAITING_THIRD_PARTY]
DONE_STATUSES = [Status.RESOLVED, Status.CLOSED, Status.CANCELLED]

# What a requester reads instead of our status names.
PLAIN_STATUS = {
    Status.NEW: "We have received it",
    Status.ASSIGNED: "Someone has been assigned to it",
    Status.IN_PROGRESS: "We are working on it",
    Status.AWAITING_CUSTOMER: "We are waiting for a reply from you",
    Status.AWAITING_THIRD_PARTY: "We are waiting for a supplier",
    Status.RESOLVED: "We think it is fixed – please confirm",
    Status.CLOSED: "Closed",
    Status.CANCELLED: "Cancelled",
}


class ResolutionCode(models.TextChoices):
    """How a ticket was resolved (ITIL's closure codes), for reporting what the desk fixes
    and what it only works around."""

    FIXED = "fixed", "Fixed permanently"
    WORKAROUND = "workaround", "Workaround given"
    ADVICE = "advice", "Advice or training given"
    FULFILLED = "fulfilled", "Request fulfilled"
    NOT_REPRODUCED = "not-reproduced", "Could not reproduce"
    DUPLICATE = "duplicate", "Duplicate of another ticket"
    WITHDRAWN = "withdrawn", "Withdrawn by requester"
    SUPPLIER = "supplier", "Resolved by supplier"


class DeskSettings(BaseModel):
    """One per organisation: service desk knobs administrators change."""

    feeds_config_caches = True  # in the desk configuration each process keeps

    reopen_days = models.PositiveSmallIntegerField(
        default=10, help_text="Days after resolution in which the requester can reopen."
    )
    auto_close_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days after which resolved tickets close by themselves."
    )
    warning_percent = models.PositiveSmallIntegerField(
        default=75, help_text="Warn when this share of an SLA target has elapsed."
    )
    # The note of how it was resolved is always required; the code is the desk's choice
    # (off by default, so councils that do not report on codes are not asked for one).
    require_resolution_code = models.BooleanField(
        default=False, help_text="Ask staff to choose how each ticket was resolved "
                                 "(fixed, workaround, advice…) when they resolve it.")

    class Meta:
        verbose_name = "service desk settings"
        verbose_name_plural = "service desk settings"
        constraints = [models.UniqueConstraint(fields=["organisation"], name="one_desk_settings")]

    def __str__(self):
        return f"Service desk settings of {self.organisation}"


class CategoryQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        # A category reads as "Parent › Name": fetch the parent with it, so a list of
        # categories (filter choices, form choices) is one query, not one per category.
        return super().apply_object_rules(user).select_related("parent")


class Category(BaseModel):
    feeds_config_caches = True  # in the desk configuration each process keeps

    name = models.CharField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    ticket_type = models.CharField(max_length=10, choices=TicketType.choices)
    is_active = models.BooleanField(default=True)

    objects = models.Manager.from_queryset(CategoryQuerySet)()

    class Meta:
        ordering = ["ticket_type", "parent__name", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["organisation", "ticket_type", "parent", "name"],
                                               name="unique_category")]

    def __str__(self):
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id:
            if self.parent.organisation_id != self.organisation_id:
                raise ValidationError({"parent": "Choose a category from this organisation."})
            if self.parent.ticket_type != self.ticket_type:
                raise ValidationError({"parent": "The parent must be for the same type of ticket."})
            if self.parent.parent_id:
                raise ValidationError({"parent": "Categories go two levels deep at most."})


class PriorityRule(BaseModel):
    """One cell of the impact × urgency matrix."""

    feeds_config_caches = True  # in the desk configuration each process keeps

    impact = models.PositiveSmallIntegerField(choices=Level.choices)
    urgency = models.PositiveSmallIntegerField(choices=Level.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [models.UniqueConstraint(fields=["organisation", "impact", "urgency"],
                                               name="unique_priority_cell")]

    def __str__(self):
        return (f"{self.get_impact_display()} impact, {self.get_urgency_display()} urgency → "
                f"P{self.priority}")


DEFAULT_MATRIX = {(1, 1): 1, (1, 2): 2, (1, 3): 3, (2, 1): 2, (2, 2): 3, (2, 3): 4,
                  (3, 1): 3, (3, 2): 4, (3, 3): 5}


class SLAPolicy(BaseModel):
    """Response and resolution targets for a priority, optionally for one ticket type."""

    feeds_config_caches = True  # in the desk configuration each process keeps

    name = models.CharField(max_length=120)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    ticket_type = models.CharField(max_length=10, choices=TicketType.choices, blank=True,
                                   help_text="Leave blank to apply to both types.")
    business_service = models.ForeignKey(
        "catalogue.BusinessService", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Only for tickets about this service (its own targets, "
                                    "as its service level agreement says). Leave blank for "
                                    "every service.")
    response_minutes = models.PositiveIntegerField(help_text="Time to first response, in minutes.")
    resolution_minutes = models.PositiveIntegerField(help_text="Time to resolve, in minutes.")
    business_hours = models.BooleanField(
        default=True, help_text="Count only working hours (otherwise round the clock)."
    )
    compliance_target = models.PositiveSmallIntegerField(
        "compliance target (%)", default=90, validators=[MaxValueValidator(100)],
        help_text="The share of tickets, in per cent, that should be resolved within the "
                  "resolution time: the home page compares the month so far against it.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "ticket_type"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"

    def __str__(self):
        return self.name

    def clean(self):
        if self.response_minutes and self.resolution_minutes and (
            self.response_minutes > self.resolution_minutes
        ):
            raise ValidationError({"response_minutes": "Response must come before resolution."})
        if self.business_service_id and (
                self.business_service.organisation_id != self.organisation_id):
            raise ValidationError({"business_service": "Choose one from this organisation."})


class TicketQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        # Requesters see their own tickets only (SECURITY.md rule 1).
        if user.has_perm("servicedesk.view_all_tickets"):
            return self
        return self.filter(requester__user=user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Ticket(LeanValidation, BaseModel):
    reference = models.CharField(max_length=20, editable=False)
    ticket_type = models.CharField(max_length=10, choices=TicketType.choices,
                                   default=TicketType.INCIDENT)
    title = models.CharField(max_length=200)
    description = models.TextField()
    requester = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                                  related_name="tickets")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    service_unit = models.ForeignKey("organisation.ServiceUnit", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="tickets")
    site = models.ForeignKey("organisation.Site", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tickets")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="tickets")
    impact = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.LOW)
    urgency = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.LOW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P5)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    team = models.ForeignKey("organisation.Team", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tickets")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_tickets")
    is_major_incident = models.BooleanField(default=False)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children",
                               help_text="The major incident this ticket belongs to.")
    # What the ticket concerns: the configuration item (cmdb) and the business service
    # (catalogue), chosen with suggestions. PROTECT: a CI or service with tickets is
    # retired, not deleted, so a ticket's history keeps what it was about.
    ci = models.ForeignKey("cmdb.ConfigurationItem", null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+",
                           verbose_name="configuration item")
    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name="business service")
    # The words the requester or agent used, kept as typed: matched to the records above
    # where they could be (servicedesk.matching), and kept as text where they could not.
    business_service = models.CharField("service as reported", max_length=200, blank=True)
    configuration_item = models.CharField("system as reported", max_length=200, blank=True)

    # SLA clock. Elapsed minutes are banked whenever the clock pauses.
    sla_policy = models.ForeignKey(SLAPolicy, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="tickets", editable=False)
    clock_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    clock_paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    banked_minutes = models.FloatField(default=0, editable=False)
    response_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Working minutes from logging to responded_at and to resolved_at (see elapsed.py).
    minutes_to_respond = models.FloatField(null=True, blank=True, editable=False)
    minutes_to_resolve = models.FloatField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Once set, never cleared: a breach stays recorded whatever later edits do.
    response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    warning_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    warning_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_contact_resolution = models.BooleanField(default=False, editable=False)
    reopen_count = models.PositiveSmallIntegerField(default=0, editable=False)
    resolution_note = models.TextField(blank=True, editable=False)
    resolution_code = models.CharField(max_length=20, choices=ResolutionCode.choices,
                                       blank=True, editable=False)

    objects = models.Manager.from_queryset(TicketQuerySet)()

    reference_prefixes = {TicketType.INCIDENT: "INC", TicketType.REQUEST: "REQ"}
    # Derived from the timestamps, which are audited.
    audit_exclude = (*BaseModel.audit_exclude, "minutes_to_respond", "minutes_to_resolve")
    # Not checked by a query before each save (core.perf.validation): the reference comes
    # from core.references.allocate under the counter's row lock, and is not editable; the
    # working minutes come from elapsed.py, never from input. The database enforces all three.
    db_enforced_constraints = frozenset({
        "unique_ticket_ref", "ticket_minutes_to_respond_with_response",
        "ticket_minutes_to_resolve_with_resolution"})

    class Meta:
        ordering = ["resolution_due_at", "-created_at"]
        permissions = [
            ("view_all_tickets", "Can see everyone's tickets"),
            ("work_tickets", "Can assign, reply, note and change tickets"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="unique_ticket_ref"),
            models.CheckConstraint(
                condition=models.Q(responded_at__isnull=True, minutes_to_respond__isnull=True)
                | models.Q(responded_at__isnull=False, minutes_to_respond__isnull=False),
                name="ticket_minutes_to_respond_with_response"),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, minutes_to_resolve__isnull=True)
                | models.Q(resolved_at__isnull=False, minutes_to_resolve__isnull=False),
                name="ticket_minutes_to_resolve_with_resolution"),
        ]
        indexes = [
            # The queues: open tickets by SLA due time. Partial, so a million closed
            # tickets are never walked to find 25 open ones (bench/README figures).
            models.Index(fields=["organisation", "resolution_due_at"],
                         condition=models.Q(status__in=OPEN_STATUSES), name="ticket_open_by_due"),
            # The statistics' backlog: open tickets counted by team, service unit and age,
            # read from the index alone (18,000 open tickets: 3.5 to 11 ms, as the
            # visibility map allows, against 19 ms through the table).
            models.Index(fields=["organisation", "team", "service_unit", "created_at"],
                         condition=models.Q(status__in=OPEN_STATUSES), name="ticket_open_backlog"),
            models.Index(fields=["organisation", "status", "resolution_due_at"]),
            models.Index(fields=["organisation", "assignee", "status"]),
            models.Index(fields=["organisation", "team", "status"]),
            models.Index(fields=["organisation", "created_at"]),
            # The statistics' 90th percentiles read the working minutes of the tickets
            # resolved in a period, narrowed by team and unit; on PostgreSQL this index
            # holds those columns (an index-only scan). Counts come from the daily totals.
            # SQLite ignores INCLUDE.
            models.Index(fields=["organisation", "resolved_at"],
                         include=["team", "service_unit", "minutes_to_respond",
                                  "minutes_to_resolve"],
                         name="ticket_resolved_minutes"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference_prefix(self):
        return self.reference_prefixes[self.ticket_type]

    # The records a ticket points at that belong to other apps: same organisation only.
    CONCERNS = ("ci", "service")

    def clean(self):
        errors = {}
        for name in self.CONCERNS:
            if getattr(self, f"{name}_id") is None:
                continue
            related = getattr(self, name)
            if related.organisation_id != self.organisation_id:
                label = self._meta.get_field(name).verbose_name
                errors[name] = f"Choose a {label} of this organisation."
        if errors:
            raise ValidationError(errors)

    @property
    def plain_status(self) -> str:
        return PLAIN_STATUS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.clock_paused_at is not None


class EntryKind(models.TextChoices):
    REPLY = "reply", "Public reply"
    NOTE = "note", "Internal note"
    STATUS = "status", "Status change"
    ASSIGNMENT = "assignment", "Assignment"
    PRIORITY = "priority", "Priority change"
    SLA = "sla", "SLA event"
    LINK = "link", "Link"
    SATISFACTION = "satisfaction", "Satisfaction"


PUBLIC_KINDS = [EntryKind.REPLY, EntryKind.STATUS, EntryKind.SATISFACTION]


class TimelineQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        qs = self
        if not user.has_perm("servicedesk.view_all_tickets"):
            qs = qs.filter(ticket__requester__user=user)
        if not user.has_perm("servicedesk.work_tickets"):
            qs = qs.filter(kind__in=PUBLIC_KINDS)
        return qs


class TimelineEntry(BaseModel):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    body = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = models.Manager.from_queryset(TimelineQuerySet)()
    # An internal note's files hang off the note (core.views.attached.visible_target).
    holds_attachments = True

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind in PUBLIC_KINDS

    @property
    def old_status_label(self) -> str:
        return _status_label(self.data.get("old"))

    @property
    def new_status_label(self) -> str:
        return _status_label(self.data.get("new"))


def _status_label(value) -> str:
    return Status(value).label if value in Status.values else ""


class LinkKind(models.TextChoices):
    DUPLICATE_OF = "duplicate-of", "Duplicate of"
    RELATED_TO = "related-to", "Related to"
    CHILD_OF = "child-of", "Child of"


class TicketLink(BaseModel):
    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_ticket", "to_ticket", "kind"],
                                               name="unique_ticket_link")]

    def __str__(self):
        return f"{self.from_ticket_id} {self.get_kind_display().lower()} {self.to_ticket_id}"

    def clean(self):
        if self.from_ticket_id == self.to_ticket_id:
            raise ValidationError("A ticket cannot be linked to itself.")


MAX_LOGGED_MINUTES = 24 * 60  # one entry is one person's work on one day


class WorkLogQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        # Staff time is the desk's own record: never a requester's to read, even on their
        # own ticket (they hold no permission on it; this keeps a granted one honest).
        if not user.has_perm("servicedesk.view_all_tickets"):
            return self.none()
        return self


class WorkLog(BaseModel):
    """Time someone spent working a ticket: who, on which day, how many minutes and what
    they did. Finance counts it, priced at the staff cost rate, in the total cost of the
    system or service the ticket concerns (docs/finance.md)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="work_logs")
    worked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="who")
    worked_on = models.DateField("day worked")
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1, "Enter 1 minute or more."),
                    MaxValueValidator(MAX_LOGGED_MINUTES,
                                      "Enter at most 1,440 minutes (a whole day).")])
    note = models.CharField(max_length=300, blank=True)
    # The ticket's team when the time was logged: its staff cost rate prices it.
    team = models.ForeignKey("organisation.Team", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", editable=False)

    objects = models.Manager.from_queryset(WorkLogQuerySet)()

    class Meta:
        ordering = ["-worked_on", "-id"]
        verbose_name = "time logged"
        verbose_name_plural = "time logged"
        permissions = [("correct_worklogs", "Can correct time anyone logged")]
        indexes = [models.Index(fields=["organisation", "worked_on"], name="worklog_day"),
                   models.Index(fields=["ticket", "worked_on"], name="worklog_ticket")]

    def __str__(self):
        return f"{self.minutes} min on {self.worked_on:%d/%m/%Y}"


class CannedResponse(BaseModel):
    title = models.CharField(max_length=120)
    body = models.TextField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title


class Satisfaction(BaseModel):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="satisfaction")
    score = models.PositiveSmallIntegerField(choices=[(i, str(i)) for i in range(1, 6)])
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "satisfaction ratings"
        # Statistics count the ratings given in a period without touching every ticket.
        indexes = [models.Index(fields=["organisation", "created_at"],
                                name="satisfaction_by_org_created")]

    def __str__(self):
        return f"{self.score}/5 for {self.ticket_id}"


# --- daily totals for the statistics ---------------------------------------------------

NO_RECORD = 0  # the key of "no team", "no service unit" or "no category" in the daily totals


class DailyTotalQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        # Totals describe every ticket of an organisation: readable where the user may
        # view tickets and sees everyone's (managers), never by requesters.
        org_ids = scope.organisation_ids(user, scope.permission_name(Ticket, action))
        if not org_ids or not user.has_perm("servicedesk.view_all_tickets"):
            return self.none()
        return self.filter(organisation_id__in=org_ids)


class DailyTotal(models.Model):
    """Counts of tickets for one local day of one organisation, kept by `daily.py` as
    tickets are saved, so the statistics add up days instead of reading every ticket.
    Team, unit and category are plain numbers (their pk, or NO_RECORD): a key with no
    NULL in it is unique on every database, which the upsert needs."""

    organisation = models.ForeignKey(settings.BOROUGH_ORGANISATION_MODEL,
                                     on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    team_pk = models.PositiveIntegerField()
    service_unit_pk = models.PositiveIntegerField()
    tickets = models.IntegerField(db_default=0)

    objects = DailyTotalQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.tickets} tickets on {self.day}"


class DailyOpened(DailyTotal):
    """Tickets logged on the day, by team, service unit and category."""

    category_pk = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["organisation", "day", "team_pk", "service_unit_pk", "category_pk"],
            name="daily_opened_key")]


class DailyResolved(DailyTotal):
    """Tickets last resolved on the day, by team, service unit and priority, with what the
    statistics add up: working time is summed in whole seconds (adding and taking away
    stays exact), and counted in MINUTE_BANDS (`respond_in_0` …, `resolve_in_0` …), which
    tell the 90th percentile which band to sort (see statistics.business_times)."""

    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    first_contact = models.IntegerField(db_default=0)
    with_sla = models.IntegerField(db_default=0)
    sla_met = models.IntegerField(db_default=0)
    responded = models.IntegerField(db_default=0)
    respond_seconds = models.BigIntegerField(db_default=0)
    resolve_seconds = models.BigIntegerField(db_default=0)

    class Meta:
        verbose_name_plural = "daily resolved"
        constraints = [models.UniqueConstraint(
            fields=["organisation", "day", "team_pk", "service_unit_pk", "priority"],
            name="daily_resolved_key")]


# Working minutes in doubling bands: [0, 1), [1, 2), [2, 4) … [4096, 8192), 8192 and over.
MINUTE_BANDS = (0, *(2 ** i for i in range(14)))
for _measure in ("respond", "resolve"):
    for _band in range(len(MINUTE_BANDS)):
        DailyResolved.add_to_class(f"{_measure}_in_{_band}", models.IntegerField(db_default=0))
