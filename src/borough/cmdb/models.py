"""The configuration management database: CI classes with their attribute schemas,
configuration items and the relationships between them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from borough.cmdb import attributes, rules
from borough.core.models import BaseModel
from borough.core.perf.validation import LeanValidation


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


class ConfigurationItem(LeanValidation, BaseModel):
    """Something ICT manages: a server, an application, a link…, with the attributes its
    class defines."""

    reference_prefix = "CI"
    # The reference comes from the counter; the database guards it (core/perf/validation).
    # Foreign keys loaded by the form or the import are not looked up again: an import of
    # 10,000 rows made 12 such queries a row (bench/imports).
    db_enforced_constraints = frozenset({"unique_ci_ref"})

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

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "configuration item"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="unique_ci_ref"),
        ]
        indexes = [models.Index(fields=["organisation", "ci_class", "status"])]

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
        indexes = [models.Index(fields=["target", "relationship_type"])]

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
