"""Councils and their structure: service units, sites, people, teams and calendars."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper

from borough.core.models import BaseModel, TrackedModel
from borough.core.perf.stamps import ConfigStamped
from borough.core.querysets import ScopedQuerySet


class Nation(models.TextChoices):
    ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class OrganisationQuerySet(ScopedQuerySet):
    organisation_field = "id"


class Organisation(TrackedModel, ConfigStamped):
    """A council served by this installation. `config_version` keys what processes cache of
    its configuration (core/perf/stamps.py)."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(
        max_length=20, unique=True, help_text="Short code, for example cbc. Lower case letters, "
        "numbers and hyphens."
    )
    nation = models.CharField(
        max_length=20, choices=Nation.choices, default=Nation.ENGLAND_AND_WALES,
        help_text="Decides which bank holidays the business calendar observes.",
    )
    email_domain = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    objects = models.Manager.from_queryset(OrganisationQuerySet)()

    audit_exclude = (*TrackedModel.audit_exclude, "config_version")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceUnit(BaseModel):
    """A department of the council (Finance, Planning, Housing...)."""

    feeds_config_caches = True  # in the desk configuration each process keeps

    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, blank=True)
    head = models.ForeignKey(
        "organisation.Person", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="headed_service_units",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_service_unit_name")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.head is not None and self.head.organisation_id != self.organisation_id:
            raise ValidationError({"head": "Choose a person from this organisation."})


class Site(BaseModel):
    """An office or building, for example The Copeland Centre, Whitehaven."""

    feeds_config_caches = True  # in the desk configuration each process keeps

    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_site_name")
        ]

    def __str__(self):
        return self.name


class Person(BaseModel):
    """Someone in the staff directory; not every person has a login."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    service_unit = models.ForeignKey(
        ServiceUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="people",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=models.Q(user__isnull=False),
                name="one_person_per_user_per_organisation",
            )
        ]
        # Incoming mail finds its sender by address, whatever its case (email__iexact).
        indexes = [models.Index("organisation", Upper("email"), name="person_email_ci")]

    def __str__(self):
        return self.full_name

    def clean(self):
        for name in ("service_unit", "site"):
            related = getattr(self, name)
            if related is not None and related.organisation_id != self.organisation_id:
                raise ValidationError({name: "Choose one from this organisation."})


class Team(BaseModel):
    """An assignment group, for example Service Desk or Infrastructure."""

    feeds_config_caches = True  # in the desk configuration each process keeps

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Person, through="TeamMembership", related_name="teams")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_team_name")
        ]

    def __str__(self):
        return self.name


class TeamMembership(BaseModel):
    # Who leads and belongs to a team decides the saved views shared with it, which each
    # process keeps (core.saved_views.for_list).
    feeds_config_caches = True

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_memberships")
    is_lead = models.BooleanField(default=False)

    class Meta:
        ordering = ["team__name", "person__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="unique_team_member")
        ]

    def __str__(self):
        return f"{self.person} in {self.team}"

    def clean(self):
        if self.team_id and self.person_id and (
            self.team.organisation_id != self.organisation_id
            or self.person.organisation_id != self.organisation_id
        ):
            raise ValidationError("The team and the person must belong to this organisation.")


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


DEFAULT_WORKING_HOURS = [(day, time(8, 30), time(17, 0)) for day in range(5)]


class WorkingPeriod(BaseModel):
    """Hours the ICT service works on a weekday, in local (Europe/London) time."""

    feeds_config_caches = True  # in the business calendar each process keeps

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is None or self.end is None:
            return
        if self.start >= self.end:
            raise ValidationError({"end": "The end must be later than the start."})
        overlapping = WorkingPeriod.objects.filter(
            organisation_id=self.organisation_id, weekday=self.weekday,
            start__lt=self.end, end__gt=self.start,
        ).exclude(pk=self.pk).first()
        if overlapping is not None:
            raise ValidationError(
                f"This overlaps the working period {overlapping}. Change that one instead."
            )


class ClosureDay(BaseModel):
    """A day the organisation is closed besides bank holidays (for example 27 December)."""

    feeds_config_caches = True  # in the business calendar each process keeps

    date = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "date"], name="unique_closure_day")
        ]

    def __str__(self):
        return f"{self.date:%d %B %Y}: {self.name}"
