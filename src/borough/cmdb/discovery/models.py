"""Where the CMDB reads computers from (a directory source) and each time it did (a
discovery run). Imported by cmdb.models, whose app they belong to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from borough.cmdb.discovery import validation as v
from borough.core.models import BaseModel


class DirectorySource(BaseModel):
    """A directory (Active Directory, or any LDAP server) and the part of it whose
    computer objects become servers and end-user devices in the CMDB. Passwords are read
    from the environment, never stored."""

    name = models.CharField(max_length=200)
    is_enabled = models.BooleanField(
        "Enabled", default=True,
        help_text="Untick to stop its runs, on schedule and on demand, without losing it.")
    server_uri = models.CharField(
        "Server", max_length=300, blank=True,
        help_text="ldaps://dc1.council.local:636 or ldap://dc1.council.local. Leave blank to "
                  "use the directory that sign-in uses (LDAP_SERVER_URI and its account).")
    start_tls = models.BooleanField(
        "Use StartTLS", default=False,
        help_text="Upgrade an ldap:// connection to TLS before signing in to it.")
    bind_dn = models.CharField(
        "Account", max_length=500, blank=True,
        help_text="The account Borough reads the directory as, like "
                  "CN=svc-borough,OU=Service Accounts,DC=council,DC=local or "
                  "svc-borough@council.local. Blank: read anonymously.")
    password_env = models.CharField(
        "Environment variable with the password", max_length=100, blank=True,
        help_text="The name of the variable on the Borough server that holds the account's "
                  "password; it must start with DISCOVERY_ and your organisation's code, "
                  "like DISCOVERY_CBC_PASSWORD. Passwords are never stored in Borough.")
    base_dn = models.CharField(
        "Search base", max_length=500,
        help_text="Where the computers are, like DC=council,DC=local or "
                  "OU=Computers,DC=council,DC=local. Everything below it is searched.")
    search_filter = models.CharField(
        max_length=1000, default="(objectClass=computer)",
        help_text="Which entries are computers. Active Directory: (objectClass=computer).")
    attribute_map = models.JSONField(
        "Attribute names", default=dict, blank=True,
        help_text="Leave empty for Active Directory. For another directory, name the "
                  'attributes that differ, like {"key": "entryUUID", "changed": '
                  '"modifyTimestamp"}. Keys: ' + ", ".join(v.DEFAULT_ATTRIBUTES) + ".")
    page_size = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(1), MaxValueValidator(v.MAX_PAGE_SIZE)],
        help_text="Entries asked for at a time (Active Directory gives at most 1,000).")
    server_class = models.ForeignKey(
        "cmdb.CIClass", on_delete=models.PROTECT, related_name="+",
        verbose_name="class for servers",
        help_text="New computers that are servers become items of this class.")
    device_class = models.ForeignKey(
        "cmdb.CIClass", on_delete=models.PROTECT, related_name="+",
        verbose_name="class for other computers",
        help_text="Every other new computer becomes an item of this class (desktops, "
                  "laptops: end-user device).")
    server_os_contains = models.CharField(
        "A server's operating system contains", max_length=200, default="Server",
        blank=True,
        help_text="Words separated by commas, like Server, Linux; case does not matter.")
    server_ous = models.TextField(
        "Servers are also everything under", blank=True,
        help_text="One OU a line, like OU=Servers,DC=council,DC=local: computers below it "
                  "are servers whatever their operating system.")
    site = models.ForeignKey(
        "organisation.Site", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The site new computers are given.")
    run_every_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 7)],
        help_text="How often it runs by itself; 0 runs it only when someone presses Run now.")

    class Meta:
        ordering = ["name"]
        verbose_name = "directory source"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_directory_source_name")]

    def __str__(self):
        return self.name

    @property
    def uses_sign_in_directory(self) -> bool:
        return not self.server_uri

    def attribute_names(self) -> dict[str, str]:
        return v.attribute_names(self.attribute_map)

    def clean(self):
        errors = {}
        self.server_uri = self.server_uri.strip()
        self.password_env = self.password_env.strip()
        if problem := v.uri_problem(self.server_uri):
            errors["server_uri"] = problem
        if not self.server_uri:
            for name in ("bind_dn", "password_env"):
                if getattr(self, name):
                    errors[name] = ("Leave this blank, or give a server: the directory "
                                    "sign-in uses comes with its own account.")
        if self.organisation_id and (problem := v.password_env_problem(
                self.password_env, self.organisation.code)):
            errors.setdefault("password_env", problem)
        if self.base_dn and (problem := v.dn_problem(self.base_dn)):
            errors["base_dn"] = problem
        if problem := v.filter_problem(self.search_filter):
            errors["search_filter"] = problem
        if problems := v.attribute_map_problems(self.attribute_map):
            errors["attribute_map"] = problems
        bad_ous = [p for line in v.ou_lines(self.server_ous) if (p := v.dn_problem(line))]
        if bad_ous:
            errors["server_ous"] = bad_ous
        for name in ("server_class", "device_class", "site"):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            if related is not None and related.organisation_id != self.organisation_id:
                errors[name] = "Choose one from this organisation."
        if errors:
            raise ValidationError(errors)


class Trigger(models.TextChoices):
    ON_DEMAND = "on_demand", "On demand"
    SCHEDULE = "schedule", "On schedule"


class RunOutcome(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class DiscoveryRun(BaseModel):
    """One reading of a directory source and what it changed in the CMDB. Written by
    Borough (cmdb.discovery.services), never by people."""

    source = models.ForeignKey(DirectorySource, on_delete=models.PROTECT, related_name="runs")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, choices=RunOutcome.choices,
                               default=RunOutcome.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The computers read, and what became of them: seen = created + changed + unchanged +
    # skipped. Vanished and returned count items flagged and unflagged.
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField("new", default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    vanished = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Computers that could not be taken in, each in words (a clash, a class's rule).
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "discovery run"
        indexes = [models.Index(fields=["source", "outcome", "-created_at"])]

    def __str__(self):
        when = self.started_at or self.created_at
        if when is None:
            return str(self.source)
        return f"{self.source}, {timezone.localtime(when):%d %b %Y %H:%M}"

    @property
    def finished(self) -> bool:
        return self.outcome in (RunOutcome.SUCCEEDED, RunOutcome.FAILED)
