"""The configuration management database: CI classes with their attribute schemas,
configuration items and the relationships between them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from borough.cmdb import attributes, rules
from borough.core.models import BaseModel
from borough.core.perf.validation import LeanValidation
from borough.core.temporal import Version, version_indexes


class CIClass(BaseModel):
    """A kind of configuration item (physical server, application…) and the attributes
    its items carry. Administrators extend `attribute_schema` without a migration."""

    code = models.SlugField(max_length=50, help_text="Short code, for example "
                            "physical-server. Lower case letters, numbers and hyphens.")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    attribute_schema = models.JSONField(
        default=list, blank=True, verbose_name="attributes",
        help_text='A list of attribute definitions, for example [{"name": "hostname", '
                  '"label": "Host name", "type": "text", "required": true}]. Types: '
                  + ", ".join(attributes.TYPES) + ".")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "CI class"
        verbose_name_plural = "CI classes"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unique_ciclass_code"),
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_ciclass_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if problems := attributes.schema_problems(self.attribute_schema):
            raise ValidationError({"attribute_schema": problems})

    def definitions(self) -> list[dict]:
        return attributes.definitions(self.attribute_schema)


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_BUILD = "in_build", "In build"
    LIVE = "live", "Live"
    RETIRING = "retiring", "Retiring"
    RETIRED = "retired", "Retired"


# Where a CI may go from each status. Backwards steps exist because builds get paused and
# retirements get cancelled; a retired CI stays retired (add a new one if it comes back).
MOVES = {
    Status.PLANNED: {Status.IN_BUILD, Status.LIVE, Status.RETIRED},
    Status.IN_BUILD: {Status.PLANNED, Status.LIVE, Status.RETIRED},
    Status.LIVE: {Status.RETIRING, Status.RETIRED},
    Status.RETIRING: {Status.LIVE, Status.RETIRED},
    Status.RETIRED: set(),
}


class Criticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class DataClassification(models.TextChoices):
    """The Government Security Classifications (2018, as updated 2023) a council uses."""

    NOT_HELD = "not_held", "No information held"
    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"
    SECRET = "secret", "SECRET"


class MissingReason(models.TextChoices):
    GONE = "gone", "No longer in the directory"
    DISABLED = "disabled", "Disabled in the directory"


class ConfigurationItem(LeanValidation, BaseModel):
    """Something ICT manages: a server, an application, a link…, with the attributes its
    class defines."""

    reference_prefix = "CI"
    # The reference comes from the counter; the database guards it (core/perf/validation).
    # Foreign keys loaded by the form or the import are not looked up again: an import of
    # 10,000 rows made 12 such queries a row (bench/imports).
    # The discovery key is set only by discovery (never by a form, the API or an import),
    # and Django checks a conditional constraint with a query of its own (two a row in an
    # import: the form's and the service's validation).
    db_enforced_constraints = frozenset({"unique_ci_ref", "unique_ci_discovery_key"})

    reference = models.CharField(max_length=20, editable=False)
    name = models.CharField(max_length=200)
    ci_class = models.ForeignKey(CIClass, on_delete=models.PROTECT, related_name="items",
                                 verbose_name="class")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text="The person accountable for it.")
    service_unit = models.ForeignKey(
        "organisation.ServiceUnit", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="owning service unit",
        help_text="The service unit that owns it (for an application, the one that uses it "
                  "most and pays for it).")
    support_team = models.ForeignKey("organisation.Team", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    site = models.ForeignKey("organisation.Site", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    criticality = models.CharField(max_length=20, choices=Criticality.choices,
                                   default=Criticality.MEDIUM)
    data_classification = models.CharField(
        max_length=20, choices=DataClassification.choices, default=DataClassification.OFFICIAL,
        help_text="The highest classification of the information it holds or processes.")
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    # Discovery from the directory (cmdb.discovery): which source found it, the directory's
    # stable key for it (objectGUID), what the directory said last, and whether it has
    # gone from the directory (or been disabled there): flagged, never deleted.
    discovery_source = models.ForeignKey(
        "cmdb.DirectorySource", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="items")
    discovery_key = models.CharField(max_length=200, blank=True, editable=False)
    discovered_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    missing_from_directory_since = models.DateTimeField(null=True, blank=True, editable=False)
    missing_reason = models.CharField(max_length=10, blank=True, editable=False,
                                      choices=MissingReason.choices)
    directory_values = models.JSONField(default=dict, blank=True, editable=False)

    # last_seen_at moves on every run for every computer seen: bookkeeping, not a change.
    audit_exclude = (*BaseModel.audit_exclude, "last_seen_at")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "configuration item"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="unique_ci_ref"),
            models.UniqueConstraint(fields=["organisation", "discovery_key"],
                                    condition=~models.Q(discovery_key=""),
                                    name="unique_ci_discovery_key"),
        ]
        indexes = [models.Index(fields=["organisation", "ci_class", "status"]),
                   models.Index(fields=["discovery_source", "missing_from_directory_since"]),
                   # The list's default order (and its first page) without a sort.
                   models.Index(fields=["organisation", "name", "id"], name="cmdb_ci_by_name")]

    def __str__(self):
        return f"{self.reference} {self.name}" if self.reference else self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The status as stored, so clean() can check the move to a new one on every write
        # path (update_record loads the locked row, sets the fields, then cleans).
        instance._stored_status = instance.__dict__.get("status")
        return instance

    def clean(self):
        errors = {}
        for name in ("owner", "service_unit", "support_team", "site", "ci_class"):
            related = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if related is not None and related.organisation_id != self.organisation_id:
                errors[name] = "Choose one from this organisation."
        before = getattr(self, "_stored_status", None)
        if before and self.status != before and self.status not in MOVES.get(before, set()):
            allowed = ", ".join(Status(s).label.lower() for s in Status if s in MOVES[before])
            errors["status"] = (f"A {Status(before).label.lower()} configuration item cannot "
                                f"become {Status(self.status).label.lower()}"
                                + (f"; it can become {allowed}." if allowed else
                                   "; a retired item stays retired (add a new one)."))
        if self.ci_class_id and "ci_class" not in errors:
            cleaned, problems = attributes.clean_attributes(
                self.ci_class.attribute_schema, self.attributes, class_name=str(self.ci_class))
            if problems:
                errors["attributes"] = list(problems.values())
            else:
                self.attributes = cleaned
        if errors:
            raise ValidationError(errors)

    def attribute_rows(self) -> list[tuple[str, str]]:
        """(label, value) of each attribute the class defines, in the schema's order."""
        return [(d["label"], attributes.display(d, self.attributes.get(d["name"])))
                for d in self.ci_class.definitions()]


class RelationshipType(models.TextChoices):
    RUNS_ON = "runs_on", "runs on"
    DEPENDS_ON = "depends_on", "depends on"
    CONNECTS_TO = "connects_to", "connects to"
    BACKED_UP_TO = "backed_up_to", "is backed up to"
    LOCATED_AT = "located_at", "is located at"
    USES = "uses", "uses"
    INTERFACES_WITH = "interfaces_with", "interfaces with"


class Relationship(LeanValidation, BaseModel):
    """`source` <type> `target`: "Payroll runs on PAYSRV01". Relationships of the same
    source, type and redundancy group are alternatives: one of them is enough."""

    source = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE,
                               related_name="outgoing")
    relationship_type = models.CharField("type", max_length=20,
                                         choices=RelationshipType.choices)
    target = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE,
                               related_name="incoming")
    redundancy_group = models.CharField(
        max_length=50, blank=True,
        help_text="Give alternatives the same label, for example “links”: the source needs "
                  "only one relationship of the group. Leave blank if this one is needed.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["source__name", "relationship_type", "target__name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "relationship_type"],
                                    name="unique_ci_relationship"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")),
                                   name="ci_relationship_not_to_itself"),
        ]
        # Impact analysis reads edges by either end; every column it reads is in the
        # index, so PostgreSQL answers from the index alone (cmdb/impact.py).
        indexes = [models.Index(fields=["target", "organisation", "relationship_type", "source",
                                        "redundancy_group"], name="cmdb_rel_by_target"),
                   models.Index(fields=["source", "organisation", "relationship_type", "target",
                                        "redundancy_group"], name="cmdb_rel_by_source")]

    def __str__(self):
        source = self.source.name if self.source_id else "?"
        target = self.target.name if self.target_id else "?"
        return f"{source} {self.get_relationship_type_display()} {target}"

    def clean(self):
        if not (self.source_id and self.target_id):
            return
        if self.source_id == self.target_id:
            raise ValidationError({"target": "Choose another item: a configuration item "
                                             "cannot be related to itself."})
        for name in ("source", "target"):
            if getattr(self, name).organisation_id != self.organisation_id:
                raise ValidationError({name: "Choose one from this organisation."})
        if problem := rules.pair_problem(self.relationship_type, self.source.ci_class,
                                         self.target.ci_class):
            raise ValidationError({"relationship_type": problem})


# --- history: every state of items and relationships (core.temporal) --------------------


class ConfigurationItemVersion(Version):
    """One state of a configuration item; `status` and `ci_class_id` are copied so that
    "the live items on 3 March" is a filter on indexed columns."""

    ci_class_id = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices)

    class Meta(Version.Meta):
        indexes = version_indexes("cmdb_civ")


class RelationshipVersion(Version):
    """One state of a relationship; its ends are copied, to find an item's relationships
    at a past moment."""

    source_id = models.BigIntegerField(db_index=True)
    target_id = models.BigIntegerField(db_index=True)
    relationship_type = models.CharField(max_length=20, choices=RelationshipType.choices)

    class Meta(Version.Meta):
        indexes = version_indexes("cmdb_relv")


# --- baselines: a frozen set of items and their relationships ----------------------------


class BaselineScope(models.TextChoices):
    LIVE = "live", "All live configuration items"
    CI_CLASS = "class", "The items of one class, except retired ones"
    CHOSEN = "chosen", "Items I choose"
    # Later: the CIs a business service uses (the catalogue app), once it exists.


class Baseline(BaseModel):
    """The chosen configuration items and their relationships as they were when it was
    taken, to compare any later state with. Never changed after it is taken."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.CharField(max_length=20, choices=BaselineScope.choices,
                             default=BaselineScope.LIVE,
                             help_text="Which configuration items it freezes.")
    ci_class = models.ForeignKey(CIClass, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="class",
                                 help_text="For a baseline of one class.")
    taken_at = models.DateTimeField(editable=False)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, editable=False,
                                 on_delete=models.SET_NULL, related_name="+")
    item_count = models.PositiveIntegerField("items", default=0, editable=False)
    relationship_count = models.PositiveIntegerField("relationships", default=0,
                                                     editable=False)

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_baseline_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if not self._state.adding:
            raise ValidationError("A baseline cannot be changed once it is taken: take a new "
                                  "one instead.")
        if self.scope == BaselineScope.CI_CLASS:
            if not self.ci_class_id:
                raise ValidationError({"ci_class": "Choose the class whose items to freeze."})
            if self.ci_class.organisation_id != self.organisation_id:
                raise ValidationError({"ci_class": "Choose one from this organisation."})
        elif self.ci_class_id:
            raise ValidationError({"ci_class": "Choose a class only for a baseline of one "
                                               "class."})

    def scope_text(self) -> str:
        if self.scope == BaselineScope.CI_CLASS:
            return (f"The items of the class {self.ci_class or '(since deleted)'}, "
                    "except retired ones")
        return self.get_scope_display()


class BaselineItem(models.Model):
    """One configuration item as it was when its baseline was taken."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="frozen_items")
    item_id = models.BigIntegerField()  # the item's id; it may since have been deleted
    values = models.JSONField(default=dict)
    display = models.JSONField(default=dict)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["baseline", "item_id"],
                                               name="unique_baseline_item")]

    def __str__(self):
        return f"{self.display.get('reference', '')} {self.display.get('name', '')}".strip()


class BaselineRelationship(models.Model):
    """One relationship of a baseline's items as it was when the baseline was taken."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE,
                                 related_name="frozen_relationships")
    relationship_id = models.BigIntegerField()
    source_id = models.BigIntegerField()
    target_id = models.BigIntegerField()
    relationship_type = models.CharField(max_length=20, choices=RelationshipType.choices)
    values = models.JSONField(default=dict)
    display = models.JSONField(default=dict)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["baseline", "relationship_id"],
                                               name="unique_baseline_relationship")]

    def __str__(self):
        return f"{self.display.get('source')} {self.get_relationship_type_display()} " \
               f"{self.display.get('target')}"


# Discovery's models belong to this app; they live beside the code that uses them.
from borough.cmdb.discovery.models import (  # noqa: E402
    DirectorySource,
    DiscoveryRun,
    RunOutcome,
    Trigger,
)

__all__ = ["MOVES", "CIClass", "ConfigurationItem", "Criticality", "DataClassification",
           "DirectorySource", "DiscoveryRun", "MissingReason", "Relationship",
           "RelationshipType", "RunOutcome", "Status", "Trigger"]


# --- the dependency graph's generation ----------------------------------------------------


class GraphGeneration(models.Model):
    """A number that moves whenever any of an organisation's relationships is written:
    processes keep the organisation's dependency graph with the generation it was read at
    (cmdb.graphcache). Written only by database triggers on the relationships (migration
    0008), so bulk loads, cascades and raw SQL move it too, in the writer's transaction.
    Not a foreign key: the triggers write it for whatever organisation id a row has."""

    organisation_id = models.BigIntegerField(primary_key=True)
    generation = models.BigIntegerField()

    class Meta:
        db_table = "cmdb_graph_generation"

    def __str__(self):
        return f"organisation {self.organisation_id}: graph generation {self.generation}"
