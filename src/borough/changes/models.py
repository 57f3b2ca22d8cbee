"""Change management (docs/changes.md): requests for change (CHG-…) of three kinds —
standard (from a template the council approved once), normal (assessed and authorised by
the change advisory board) and emergency (by the emergency board) — with the items and
services they touch, their risk and impact, plans and window; the boards, their seats
and deputies, meetings and votes; and the windows the forward schedule is read against
(blackouts, freezes and each service's maintenance hours)."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from borough.core.feeds import SecretFeed
from borough.core.models import BaseModel, same_organisation_errors

# Who may assess, schedule and close changes (the change manager's work).
MANAGE = "changes.manage_changes"
# The years a window may fall in: before 1847 Europe/London's offset is in seconds (local
# mean time), which RFC 3339 cannot write, and no council plans a change that far.
YEARS = (2000, 2099)


def moment_errors(record, *names) -> dict[str, str]:
    """{field: message} for each named moment outside YEARS."""
    errors = {}
    for name in names:
        value = getattr(record, name, None)
        if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
            errors[name] = f"Give a date between {YEARS[0]} and {YEARS[1]}."
    return errors


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


LEVEL_ORDER = {value: index for index, value in enumerate(Level.values)}


class ChangeType(models.TextChoices):
    STANDARD = "standard", "Standard (pre-approved)"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    ASSESSMENT = "assessment", "Assessment"
    AUTHORISATION = "authorisation", "Awaiting authorisation"
    SCHEDULED = "scheduled", "Scheduled"
    IMPLEMENTING = "implementing", "Implementing"
    REVIEW = "review", "Review"
    CLOSED = "closed", "Closed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


# The states a change is on the forward schedule in: planned, decided or being done.
PLANNED = (Status.ASSESSMENT, Status.AUTHORISATION, Status.SCHEDULED, Status.IMPLEMENTING)
# Before the board decides, the change's scope and window may still change.
OPEN_FOR_EDIT = (Status.DRAFT, Status.ASSESSMENT)
FINISHED = (Status.REVIEW, Status.CLOSED)
# No longer open: done (in review or closed), rejected or cancelled.
DONE_WITH = (*FINISHED, Status.REJECTED, Status.CANCELLED)


class Origin(models.TextChoices):
    """Where a change came from: raised by a person, or proposed by Borough itself from a
    capacity forecast (capacity.forecasts), so a board can tell the two apart."""

    MANUAL = "manual", "Raised by a person"
    CAPACITY = "capacity", "From a capacity forecast"


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", "Successful"
    FAILED = "failed", "Failed"
    BACKED_OUT = "backed_out", "Backed out"


class RiskQuestion(BaseModel):
    """A question the council asks of every normal and emergency change; a "yes" raises
    the change's risk to at least `raises_to`. The risk level is the highest any answer
    raises it to (low when every answer is no)."""

    question = models.CharField(max_length=300)
    help_text = models.CharField("guidance", max_length=500, blank=True)
    raises_to = models.CharField("a yes makes the risk at least", max_length=10,
                                 choices=Level.choices, default=Level.MEDIUM)
    position = models.PositiveSmallIntegerField(default=10)
    is_active = models.BooleanField("asked", default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "risk question"
        constraints = [models.UniqueConstraint(fields=["organisation", "question"],
                                               name="unique_risk_question")]

    def __str__(self):
        return self.question


class ChangeTemplate(BaseModel):
    """A standard change the council approved once and may make again without the board
    (a new starter's laptop from the standard build): its plans, risk and usual length."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    implementation_plan = models.TextField()
    test_plan = models.TextField(blank=True)
    backout_plan = models.TextField("back-out plan", blank=True)
    risk_level = models.CharField(max_length=10, choices=Level.choices, default=Level.LOW)
    usual_minutes = models.PositiveIntegerField(
        "usual length (minutes)", default=60, validators=[MaxValueValidator(60 * 24 * 14)])
    approved_by = models.ForeignKey("organisation.Person", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    help_text="Who approved it as a standard change.")
    approved_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField("in use", default=True)
    announce = models.BooleanField(
        "announce as planned work", default=False,
        help_text="Users notice this change while it is made (a service stops or slows): "
                  "announce each one on the service status page, as normal and emergency "
                  "changes are.")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "standard change template"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_change_template")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = same_organisation_errors(self, ("approved_by",))
        if errors:
            raise ValidationError(errors)


class BoardKind(models.TextChoices):
    CAB = "cab", "Change advisory board"
    EMERGENCY = "emergency", "Emergency change advisory board"


class Board(BaseModel):
    """A change advisory board: the CAB, which meets for normal changes, or the
    emergency CAB, which decides emergency changes between meetings. `quorum`: how many
    seats must have voted before the chair may decide."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=BoardKind.choices, default=BoardKind.CAB)
    chair = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                              related_name="+", help_text="Who decides, after the votes.")
    chair_deputy = models.ForeignKey("organisation.Person", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="chair's deputy",
                                     help_text="Decides when the chair cannot.")
    quorum = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="How many seats must have voted (approve, reject or abstain) before the "
                  "chair may decide.")

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = "change advisory board"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_board_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = same_organisation_errors(self, ("chair", "chair_deputy"))
        if self.chair_id and self.chair_deputy_id == self.chair_id:
            errors["chair_deputy"] = "The chair's deputy must be someone else."
        if errors:
            raise ValidationError(errors)


class BoardMember(BaseModel):
    """A seat on a board: its member, and the deputy who votes in their place. A seat
    has one vote per decision, whoever of the two casts it."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                               related_name="+")
    deputy = models.ForeignKey("organisation.Person", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               help_text="Votes for the seat when the member cannot.")
    represents = models.CharField(max_length=200, blank=True,
                                  help_text="The area they speak for, for example "
                                            "“Infrastructure” or “Revenues and benefits”.")
    is_active = models.BooleanField("sits", default=True)

    class Meta:
        ordering = ["board", "member__full_name", "id"]
        verbose_name = "board member"
        constraints = [models.UniqueConstraint(fields=["board", "member"],
                                               name="unique_board_seat")]

    def __str__(self):
        board = self.board.name if self.board_id else "?"
        member = self.member.full_name if self.member_id else "?"
        return f"{member} on {board}"

    def clean(self):
        errors = same_organisation_errors(self, ("board", "member", "deputy"))
        if self.member_id and self.deputy_id == self.member_id:
            errors["deputy"] = "The deputy must be someone other than the member."
        for name in ("member", "deputy"):
            person = getattr(self, name) if getattr(self, f"{name}_id") else None
            if person is not None and not person.user_id:
                errors[name] = (f"{person.full_name} cannot sign in to Borough, so cannot "
                                "vote: give them a login or choose someone else.")
        if errors:
            raise ValidationError(errors)


class Change(BaseModel):
    """A request for change: what, why, what it touches, its risk and impact, plans and
    window; then the board's decision, what happened and the review afterwards."""

    reference_prefix = "CHG"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField("what will be done", blank=True)
    reason = models.TextField("why", blank=True)
    change_type = models.CharField("type", max_length=10, choices=ChangeType.choices,
                                   default=ChangeType.NORMAL)
    template = models.ForeignKey(ChangeTemplate, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="changes",
                                 verbose_name="standard change template",
                                 help_text="For a standard change: the pre-approved change "
                                           "it repeats.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL,
                              editable=False)
    requester = models.ForeignKey("organisation.Person", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text="Who asked for it.")
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="change owner",
                              help_text="Who is responsible for making it.")
    configuration_items = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="+",
        verbose_name="configuration items",
        help_text="What it changes. The schedule checks other changes on these items and "
                  "on the items they depend on.")
    services = models.ManyToManyField(
        "catalogue.BusinessService", blank=True, related_name="+",
        verbose_name="business services",
        help_text="The services it affects: their maintenance hours and freezes apply.")
    problems = models.ManyToManyField(
        "problems.Problem", blank=True, related_name="+", verbose_name="problems it fixes",
        help_text="The problems whose permanent fix this change makes (problem management "
                  "raises the fix as a change).")
    impact_level = models.CharField("impact", max_length=10, choices=Level.choices,
                                    blank=True)
    impact = models.TextField("impact on the business", blank=True)
    risk_level = models.CharField("risk", max_length=10, choices=Level.choices, blank=True,
                                  editable=False)
    # The council's questions as they were asked and answered: [{question, answer, raises_to}].
    risk_answers = models.JSONField(default=list, blank=True, editable=False)
    # The CMDB's impact analysis as it stood when the change was assessed (kept: the
    # estate changes, the record of what was judged does not).
    impact_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    implementation_plan = models.TextField(blank=True)
    test_plan = models.TextField(blank=True)
    backout_plan = models.TextField("back-out plan", blank=True)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="changes", editable=False)
    round = models.PositiveSmallIntegerField(default=0, editable=False,
                                             help_text="How many times it went to a board.")
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    authorised_at = models.DateTimeField(null=True, blank=True, editable=False)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      editable=False)
    decision_note = models.TextField(blank=True, editable=False)
    # The conflicts the schedule showed when the board decided (in words).
    conflicts_at_decision = models.JSONField(default=list, blank=True, editable=False)
    actual_start = models.DateTimeField(null=True, blank=True, editable=False)
    actual_end = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True,
                               editable=False)
    outcome_note = models.TextField(blank=True, editable=False)
    review = models.TextField("post-implementation review", blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "change"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_change_reference"),
            models.CheckConstraint(condition=Q(planned_end__isnull=True)
                                   | Q(planned_start__isnull=True)
                                   | Q(planned_end__gt=models.F("planned_start")),
                                   name="change_window_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="chg_status"),
            models.Index(fields=["organisation", "planned_start", "planned_end"],
                         name="chg_window"),
        ]
        permissions = [("manage_changes", "Can assess, schedule, implement and close changes")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def is_emergency(self) -> bool:
        return self.change_type == ChangeType.EMERGENCY

    @property
    def is_standard(self) -> bool:
        return self.change_type == ChangeType.STANDARD

    def clean(self):
        errors = same_organisation_errors(self, ("template", "requester", "owner"))
        errors |= moment_errors(self, "planned_start", "planned_end")
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            errors["planned_end"] = "The window must end after it starts."
        if self.change_type == ChangeType.STANDARD and not self.template_id:
            errors["template"] = ("A standard change repeats a pre-approved template: choose "
                                  "it, or make this a normal change.")
        if self.template_id and self.change_type != ChangeType.STANDARD:
            errors["template"] = "Only a standard change comes from a template."
        if errors:
            raise ValidationError(errors)


class CausedIncident(BaseModel):
    """An incident the change caused: the link the figures count ("changes causing
    incidents") and the change's review reads."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="incidents")
    ticket = models.ForeignKey("servicedesk.Ticket", on_delete=models.PROTECT,
                               related_name="+", verbose_name="incident")
    note = models.CharField(max_length=300, blank=True,
                            help_text="How the change caused it.")

    class Meta:
        ordering = ["change", "ticket", "id"]
        verbose_name = "incident caused by a change"
        verbose_name_plural = "incidents caused by changes"
        constraints = [models.UniqueConstraint(fields=["change", "ticket"],
                                               name="unique_caused_incident")]

    def __str__(self):
        change = self.change.reference if self.change_id else "?"
        ticket = f"{self.ticket.reference} {self.ticket.title}" if self.ticket_id else "?"
        return f"{ticket} (caused by {change})"

    def clean(self):
        errors = same_organisation_errors(self, ("change", "ticket"))
        if self.ticket_id and not errors and self.ticket.ticket_type != "incident":
            errors["ticket"] = f"{self.ticket.reference} is a service request, not an incident."
        if errors:
            raise ValidationError(errors)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(BaseModel):
    """A meeting of a board: its agenda is the changes awaiting its authorisation
    (generated), and its minutes are what was said and decided."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    attendees = models.ManyToManyField("organisation.Person", blank=True, related_name="+")
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "CAB meeting"
        constraints = [models.UniqueConstraint(fields=["board", "starts_at"],
                                               name="unique_board_meeting")]

    def __str__(self):
        from django.utils import timezone

        board = self.board.name if self.board_id else "Board"
        when = timezone.localtime(self.starts_at) if self.starts_at else None
        return f"{board}, {when:%-d %B %Y %H:%M}" if when else board

    def clean(self):
        errors = same_organisation_errors(self, ("board",)) | moment_errors(self, "starts_at")
        if errors:
            raise ValidationError(errors)


class AgendaItem(BaseModel):
    """One change on a meeting's agenda, in order, with the decision taken on it there."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(default=1)
    decision = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "change"],
                                               name="unique_agenda_item")]

    def __str__(self):
        return f"{self.position}. {self.change}"


class VoteDecision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    ABSTAIN = "abstain", "Abstain"


class VoteChannel(models.TextChoices):
    PAGE = "page", "In Borough"
    EMAIL = "email", "By email reply"


class CabVote(BaseModel):
    """A seat's vote on a change in one round of authorisation: cast by its member or by
    their deputy, on the page or by answering the email. One per seat per round."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="votes")
    seat = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="votes")
    round = models.PositiveSmallIntegerField()
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    as_deputy = models.BooleanField(default=False)
    decision = models.CharField(max_length=10, choices=VoteDecision.choices)
    note = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=VoteChannel.choices,
                               default=VoteChannel.PAGE)

    class Meta:
        ordering = ["change", "round", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["change", "seat", "round"],
                                               name="one_vote_per_seat_per_round")]

    def __str__(self):
        return f"{self.get_decision_display()} on {self.change_id} (round {self.round})"


class WindowKind(models.TextChoices):
    BLACKOUT = "blackout", "Blackout: no changes"
    FREEZE = "freeze", "Freeze: emergency changes only"


class ScheduleWindow(BaseModel):
    """A period when changes are not made: a blackout (none at all; an emergency change
    in one is shown as a conflict for the chair to weigh) or a freeze (emergency changes
    only): year-end, elections, council tax billing. With services named, only changes
    to those services; with none, every change."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=WindowKind.choices,
                            default=WindowKind.FREEZE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    services = models.ManyToManyField("catalogue.BusinessService", blank=True,
                                      related_name="+", verbose_name="only for services",
                                      help_text="Leave empty for every change.")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "blackout or freeze window"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_window_name"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="schedule_window_ends_after_start"),
        ]
        indexes = [models.Index(fields=["organisation", "starts_at", "ends_at"],
                                name="chg_freeze_window")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = moment_errors(self, "starts_at", "ends_at")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The window must end after it starts."
        if errors:
            raise ValidationError(errors)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class MaintenanceWindow(BaseModel):
    """When a service may be changed, each week, in local (UK) time: a change to the
    service outside every one of its windows is a conflict. A service with no windows may
    be changed at any time. An end of 00:00 is midnight at the end of the day."""

    service = models.ForeignKey("catalogue.BusinessService", on_delete=models.CASCADE,
                                related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["service", "weekday", "starts", "id"]
        verbose_name = "maintenance window"
        constraints = [models.UniqueConstraint(fields=["service", "weekday", "starts"],
                                               name="unique_maintenance_window")]

    def __str__(self):
        service = self.service.name if self.service_id else "?"
        return (f"{service}: {self.get_weekday_display()} {self.starts:%H:%M}"
                f"–{self.ends:%H:%M}")

    def clean(self):
        errors = same_organisation_errors(self, ("service",))
        if self.starts is not None and self.ends is not None and self.ends != time(0) and (
                self.ends <= self.starts):
            errors["ends"] = ("The window must end after it starts (00:00 for midnight at "
                              "the end of the day; split one that runs past midnight).")
        if errors:
            raise ValidationError(errors)


class ScheduleFeed(SecretFeed):
    """A person's secret address for the forward schedule as iCalendar: every change
    they may read, or one service's (core.feeds)."""

    PREFIX = "chg_"
    NOUN = "Change schedule calendar"

    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"Change schedule {self.hint}…"
