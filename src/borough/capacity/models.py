"""Utilisation: named metrics of configuration items, their raw points (kept for a
period), their hourly and daily rollups (kept for years), and each time measurements
were taken in (a push, an upload). docs/capacity.md."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from borough.core.models import BaseModel, same_organisation_errors


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    BYTES = "bytes", "bytes"
    BYTES_PER_SECOND = "bytes_per_second", "bytes/s"
    BITS_PER_SECOND = "bits_per_second", "bit/s"
    COUNT = "count", "count"
    PER_SECOND = "per_second", "per second"
    MILLISECONDS = "ms", "ms"
    SECONDS = "seconds", "seconds"
    SESSIONS = "sessions", "sessions"
    VISITS = "visits", "visits"
    OTHER = "other", "other"


class Kind(models.TextChoices):
    GAUGE = "gauge", "Level (CPU, memory, disk used)"
    THROUGHPUT = "throughput", "Rate (network, requests a second)"
    TALLY = "tally", "Count in a period (visits, sessions started)"
    RESPONSE = "response", "Response time"
    # A monitoring check (Prometheus' `up`, a ping): its runs of 0 are recorded as
    # outages of the services relying on the item (availability.services).
    UP_DOWN = "up_down", "Up or down (1 up, 0 down)"


# An up or down value below this is down: `up` is exactly 0 or 1, and an average over
# several targets is taken to the nearer.
DOWN_BELOW = 0.5


class Direction(models.TextChoices):
    ABOVE = "above", "Crossing upwards (too high is bad)"
    BELOW = "below", "Crossing downwards (too low is bad)"


class State(models.TextChoices):
    """Where a metric's latest value stands against its thresholds."""

    CRITICAL = "critical", "Critical"
    WARNING = "warning", "Warning"
    OK = "ok", "Within thresholds"
    NO_THRESHOLD = "no_threshold", "No threshold set"
    NO_DATA = "no_data", "No value yet"


class Mapping(models.TextChoices):
    MAPPED = "mapped", "Attached to an item"
    UNMAPPED = "unmapped", "Waiting to be attached"


class PrometheusAuth(models.TextChoices):
    NONE = "none", "None"
    BEARER = "bearer", "Bearer token"
    BASIC = "basic", "Basic (user name and password)"


ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


class PrometheusSource(BaseModel):
    """A Prometheus server Borough queries on a schedule over its HTTP API
    (/api/v1/query_range): each metric that names it and a PromQL query takes the values
    since its latest point (capacity.prometheus). Any secret stays in Borough's
    environment: only the name of the variable holding it is kept."""

    name = models.CharField(max_length=200, help_text="Like “Prometheus, data centre”.")
    base_url = models.URLField(
        "base URL", max_length=500,
        help_text="The server's address, like https://prometheus.example.gov.uk:9090 "
                  "(http or https; /api/v1/query_range is added).")
    auth = models.CharField("authentication", max_length=10, choices=PrometheusAuth.choices,
                            default=PrometheusAuth.NONE)
    username = models.CharField(
        "user name", max_length=200, blank=True, help_text="For basic authentication only.")
    secret_env = models.CharField(
        "environment variable holding the secret", max_length=100, blank=True,
        help_text="The NAME of an environment variable set where Borough runs, like "
                  "BOROUGH_PROMETHEUS_TOKEN, holding the bearer token or the basic "
                  "password. The secret itself is never stored in Borough.")
    step_seconds = models.PositiveIntegerField(
        "step (seconds)", default=300,
        validators=[MinValueValidator(1, "Give a step of at least 1 second."),
                    MaxValueValidator(86400, "Give a step of at most a day (86,400 s).")],
        help_text="The time between the points taken (Prometheus' step).")
    first_run_hours = models.PositiveIntegerField(
        "first run reads back (hours)", default=24,
        validators=[MinValueValidator(1, "Read back at least 1 hour."),
                    MaxValueValidator(24 * 90, "Read back at most 90 days (2,160 hours).")],
        help_text="How far back a metric with no points yet is read from.")
    is_active = models.BooleanField("active", default=True,
                                    help_text="Inactive sources are not queried.")
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = (*BaseModel.audit_exclude, "last_run_at")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "Prometheus source"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="capacity_unique_prometheus_name")]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        self.base_url = (self.base_url or "").strip().rstrip("/")
        if self.base_url and urlsplit(self.base_url).scheme.lower() not in ("http", "https"):
            errors["base_url"] = "Give an http:// or https:// address."
        self.secret_env = self.secret_env.strip()
        env_problem = ""
        if self.auth != PrometheusAuth.NONE:
            if not self.secret_env:
                env_problem = "Give the name of the environment variable holding the secret."
            elif not ENV_NAME.match(self.secret_env):
                env_problem = ("Give a variable's name in capitals, digits and underscores, "
                               "like BOROUGH_PROMETHEUS_TOKEN (not the secret itself).")
        elif self.secret_env:
            env_problem = "Choose an authentication, or leave this blank."
        if env_problem:
            errors["secret_env"] = env_problem
        if self.auth == PrometheusAuth.BASIC and not self.username.strip():
            errors["username"] = "Give the user name for basic authentication."
        if errors:
            raise ValidationError(errors)


class Metric(BaseModel):
    """One named measure of a configuration item, with its unit and thresholds: CPU used
    on a server, disk used on a volume, visits to the website. A series pushed that no
    metric names yet becomes one without an item ("unmapped") for an administrator to
    attach."""

    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.CASCADE,
        related_name="metrics",
        help_text="The server, storage, link, application or website it measures. Blank "
                  "only for a series pushed before anyone attached it.")
    name = models.CharField(
        max_length=200, help_text="Like cpu_used, memory_used, disk_used /srv or "
                                  "website_visits.")
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.PERCENT)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GAUGE)
    description = models.TextField(blank=True)
    warning_threshold = models.FloatField(
        null=True, blank=True, help_text="A value past this is a warning.")
    critical_threshold = models.FloatField(
        null=True, blank=True, help_text="A value past this is critical.")
    direction = models.CharField(
        "thresholds are crossed", max_length=10, choices=Direction.choices,
        default=Direction.ABOVE)
    capacity = models.FloatField(
        null=True, blank=True,
        help_text="What there is in all, in the metric's unit, where that means something "
                  "(a disk's size in bytes, a link's speed): headroom is measured to it.")
    forecast_horizon_days = models.PositiveSmallIntegerField(
        "forecast horizon (days)", default=90,
        validators=[MinValueValidator(7, "Look at least 7 days ahead."),
                    MaxValueValidator(730, "Look at most 730 days (two years) ahead.")],
        help_text="How far ahead the nightly forecast looks: the critical threshold forecast "
                  "to be crossed within it raises a capacity problem on the item.")
    shortest_outage_minutes = models.PositiveSmallIntegerField(
        "shortest outage (minutes)", default=5,
        validators=[MaxValueValidator(1440, "Give at most 1,440 minutes (a day).")],
        help_text="For an up or down metric: a stretch down shorter than this (from the "
                  "first 0 to the first 1 after it) is not recorded as an outage, like a "
                  "single failed scrape. 0 records every one.")
    source_key = models.CharField(
        "series", max_length=500, blank=True,
        help_text="The pushed series whose points are this metric's: the measurement, its "
                  "tags and the field, as line protocol writes them, like "
                  "“disk,host=file01,path=/srv used_percent”. Blank: it takes points only "
                  "from uploads.")
    prometheus_source = models.ForeignKey(
        PrometheusSource, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="metrics",
        help_text="The Prometheus server its points are queried from, with the query.")
    promql = models.TextField(
        "PromQL query", blank=True,
        help_text="Giving one series, like node_memory_MemAvailable_bytes{instance=\"file01:9100\"}"
                  " (docs/capacity.md, Prometheus).")
    mapping = models.CharField(max_length=10, choices=Mapping.choices,
                               default=Mapping.MAPPED, editable=False)
    # The newest point taken in, kept with the metric so lists need no look-up.
    latest_at = models.DateTimeField(null=True, blank=True, editable=False)
    latest_value = models.FloatField(null=True, blank=True, editable=False)
    # The earliest time of points taken in since the last rollup: the rollup job starts
    # there (None: nothing new).
    dirty_from = models.DateTimeField(null=True, blank=True, editable=False)

    audit_exclude = (*BaseModel.audit_exclude, "latest_at", "latest_value", "dirty_from")

    class Meta:
        ordering = ["configuration_item__name", "name", "pk"]
        permissions = [("push_metric", "Can push measurements (line protocol)")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_key"], condition=~Q(source_key=""),
                name="capacity_unique_metric_series"),
            models.UniqueConstraint(
                fields=["organisation", "configuration_item", "name"],
                name="capacity_unique_metric_name"),
        ]
        indexes = [models.Index(fields=["organisation", "dirty_from"],
                                name="capacity_metric_dirty")]

    def __str__(self):
        item = self.configuration_item.name if self.configuration_item_id else "unmapped"
        return f"{item}: {self.name}"

    def clean(self):
        errors = same_organisation_errors(self, ["configuration_item", "prometheus_source"])
        self.source_key = self.source_key.strip()
        self.promql = self.promql.strip()
        if self.prometheus_source_id is not None and not self.promql:
            errors.setdefault("promql", "Give the PromQL query to run on the source.")
        if self.promql and self.prometheus_source_id is None:
            errors.setdefault("prometheus_source", "Choose the Prometheus source to query.")
        if self.configuration_item_id is None and self.mapping == Mapping.MAPPED:
            errors.setdefault("configuration_item", "Choose the item it measures.")
        if self.configuration_item_id is not None:
            self.mapping = Mapping.MAPPED
        warning, critical = self.warning_threshold, self.critical_threshold
        if warning is not None and critical is not None:
            if self.direction == Direction.ABOVE and warning > critical:
                errors["warning_threshold"] = (
                    "A warning comes before critical: when crossing upwards, make it "
                    "lower than the critical threshold.")
            if self.direction == Direction.BELOW and warning < critical:
                errors["warning_threshold"] = (
                    "A warning comes before critical: when crossing downwards, make it "
                    "higher than the critical threshold.")
        if self.capacity is not None and self.capacity <= 0:
            errors["capacity"] = "Give a capacity above nothing, or leave it blank."
        if self.kind == Kind.UP_DOWN:
            for name in ("warning_threshold", "critical_threshold", "capacity"):
                if getattr(self, name) is not None:
                    errors[name] = (
                        "An up or down metric is 1 while up and 0 while down: it has no "
                        f"{self._meta.get_field(name).verbose_name}. Leave it blank; its "
                        "runs of 0 are recorded as outages instead.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_up_down(self) -> bool:
        return self.kind == Kind.UP_DOWN

    # --- where it stands --------------------------------------------------------------

    def crosses(self, value: float | None, threshold: float | None) -> bool:
        if value is None or threshold is None:
            return False
        return value >= threshold if self.direction == Direction.ABOVE else value <= threshold

    def state_of(self, value: float | None) -> str:
        if value is None:
            return State.NO_DATA
        if self.crosses(value, self.critical_threshold):
            return State.CRITICAL
        if self.crosses(value, self.warning_threshold):
            return State.WARNING
        if self.warning_threshold is None and self.critical_threshold is None:
            return State.NO_THRESHOLD
        return State.OK

    @property
    def state(self) -> str:
        return self.state_of(self.latest_value)

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def state_tag(self) -> str:
        return {State.CRITICAL: "govuk-tag--red", State.WARNING: "govuk-tag--orange",
                State.OK: "govuk-tag--green"}.get(self.state, "govuk-tag--grey")

    @property
    def headroom(self) -> float | None:
        """How far the latest value is from the limit: the critical threshold, else the
        capacity (for a metric crossed downwards, the critical threshold only). Negative:
        past it."""
        if self.latest_value is None:
            return None
        if self.direction == Direction.BELOW:
            if self.critical_threshold is None:
                return None
            return self.latest_value - self.critical_threshold
        limit = self.critical_threshold if self.critical_threshold is not None else self.capacity
        return None if limit is None else limit - self.latest_value

    @property
    def used_of_capacity(self) -> float | None:
        """The latest value as a percentage of the capacity, where there is one."""
        if self.latest_value is None or not self.capacity:
            return None
        return 100.0 * self.latest_value / self.capacity

    @staticmethod
    def state_q(state: str, prefix: str = "") -> Q:
        """The metrics whose latest value is in `state`, as a filter (the list's)."""
        p = prefix
        value = f"{p}latest_value"

        def crossed(threshold: str) -> Q:
            return (Q(**{f"{p}direction": Direction.ABOVE, f"{p}{threshold}__isnull": False,
                         f"{value}__gte": models.F(f"{p}{threshold}")})
                    | Q(**{f"{p}direction": Direction.BELOW, f"{p}{threshold}__isnull": False,
                           f"{value}__lte": models.F(f"{p}{threshold}")}))

        has_value = Q(**{f"{value}__isnull": False})
        critical = has_value & crossed("critical_threshold")
        warning = has_value & crossed("warning_threshold") & ~critical
        none_set = Q(**{f"{p}warning_threshold__isnull": True,
                        f"{p}critical_threshold__isnull": True})
        return {
            State.CRITICAL: critical,
            State.WARNING: warning,
            State.NO_DATA: ~has_value,
            State.NO_THRESHOLD: has_value & none_set,
            State.OK: has_value & ~none_set & ~critical & ~crossed("warning_threshold"),
        }[state]


class Point(models.Model):
    """One raw measurement, kept for CAPACITY_RAW_RETENTION_DAYS. Never edited by people;
    a point pushed again for the same time replaces the value (as InfluxDB does)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="points",
                               db_index=False)
    at = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        ordering = ["metric", "at"]
        # (metric, at) is the unique index that reads one metric's points; the time index
        # for the retention job is made by migration 0002: BRIN on PostgreSQL.
        constraints = [models.UniqueConstraint(fields=["metric", "at"],
                                               name="capacity_point_metric_at")]

    def __str__(self):
        return f"{self.metric_id} {self.at:%Y-%m-%d %H:%M:%S}: {self.value}"


class Period(models.TextChoices):
    HOUR = "hour", "Hour"
    DAY = "day", "Day"


class Rollup(models.Model):
    """A metric's figures for one hour (UTC) or one day (the installation's time zone),
    computed from its raw points and kept for years. `total` and `count` give the mean of
    any longer period exactly (the sum of totals over the sum of counts)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="rollups",
                               db_index=False)
    period = models.CharField(max_length=4, choices=Period.choices)
    start = models.DateTimeField()
    count = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    mean = models.FloatField()
    maximum = models.FloatField()
    p95 = models.FloatField("95th percentile")

    class Meta:
        ordering = ["metric", "period", "start"]
        constraints = [models.UniqueConstraint(fields=["metric", "period", "start"],
                                               name="capacity_rollup_bucket")]

    def __str__(self):
        return f"{self.metric_id} {self.period} {self.start:%Y-%m-%d %H:%M}"


class Source(models.TextChoices):
    PUSH = "push", "Line protocol push"
    UPLOAD = "upload", "Spreadsheet upload"
    PROMETHEUS = "prometheus", "Prometheus query"


class CollectionRun(BaseModel):
    """One taking-in of measurements and what became of it: a push, an upload or a query
    of a source. Written by Borough, never by people."""

    source = models.CharField(max_length=12, choices=Source.choices)
    detail = models.CharField(
        max_length=300, blank=True,
        help_text="Which token, file or source it came from.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    lines = models.PositiveIntegerField("lines or rows read", default=0)
    accepted = models.PositiveIntegerField("points kept", default=0)
    refused = models.PositiveIntegerField("lines or rows refused", default=0)
    skipped = models.PositiveIntegerField(
        "values skipped", default=0, help_text="Text fields, which are not measurements.")
    metrics_created = models.PositiveIntegerField("new metrics", default=0)
    # The first problems, each {"line": n, "message": "..."}.
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "collection run"
        indexes = [models.Index(fields=["organisation", "-started_at"],
                                name="capacity_run_started")]

    def __str__(self):
        return f"{self.get_source_display()}, {self.started_at:%d %b %Y %H:%M:%S}"


class OverloadAction(models.TextChoices):
    PROBLEM = "problem", "Raise a problem"
    CHANGE = "change", "Propose a change"


class CapacitySettings(BaseModel):
    """One per organisation: what Borough raises when a metric's critical threshold is
    forecast to be crossed (capacity.forecasts). None kept: a problem, as before."""

    overload_action = models.CharField(
        "when an overload is forecast", max_length=10, choices=OverloadAction.choices,
        default=OverloadAction.PROBLEM,
        help_text="A problem to investigate, or a draft change on the configuration item "
                  "for its owner to complete and submit to the change advisory board.")

    class Meta:
        verbose_name = "capacity settings"
        verbose_name_plural = "capacity settings"
        constraints = [models.UniqueConstraint(fields=["organisation"],
                                               name="one_capacity_settings")]

    def __str__(self):
        return f"Capacity settings of {self.organisation}"


class Forecast(models.Model):
    """A metric's latest forecast (capacity.forecasts), made each night from its daily
    figures: the expected value and interval of each day of its horizon, when its
    thresholds are expected to be crossed, how good such forecasts were on its own past,
    and the capacity problem or change raised for it."""

    metric = models.OneToOneField(Metric, on_delete=models.CASCADE, primary_key=True,
                                  related_name="forecast")
    made_at = models.DateTimeField()
    fitted_from = models.DateField()
    fitted_to = models.DateField()
    points = models.PositiveIntegerField("days fitted")
    # The daily figure forecast: the maximum when thresholds are crossed upwards (the
    # peaks overload), the minimum when downwards.
    figure = models.CharField(max_length=10)
    components = models.CharField(max_length=200)
    level = models.FloatField(default=0.95)
    # [[ISO day, expected, lower, upper], ...] for each day of the horizon.
    days = models.JSONField(default=list)
    warning_on = models.DateField(null=True, blank=True)
    critical_on = models.DateField(null=True, blank=True)
    critical_earliest = models.DateField(null=True, blank=True)
    critical_latest = models.DateField(null=True, blank=True)
    critical_already = models.BooleanField(default=False)
    backtest_days = models.PositiveSmallIntegerField(null=True, blank=True)
    backtest_error = models.FloatField(null=True, blank=True)
    backtest_percentage_error = models.FloatField(null=True, blank=True)
    backtest_coverage = models.FloatField(null=True, blank=True)
    problem = models.ForeignKey("problems.Problem", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    # The last change proposed for it, where the council proposes changes instead.
    change = models.ForeignKey("changes.Change", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    # The critical crossing the last capacity action (problem or change) was raised for:
    # a later forecast raises another only when it moves
    # (capacity.forecasts.ANSWERED_WITHIN_DAYS). Named before changes could be raised.
    problem_for = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["critical_on"], name="capacity_forecast_critical")]

    def __str__(self):
        return f"Forecast of {self.metric}"

    @property
    def overload_forecast(self) -> bool:
        return self.critical_already or self.critical_on is not None
