"""The business service catalogue: the services ICT provides to the council (Council
Tax, Payroll, Email…), the configuration items that deliver them, the service level
agreements heads of service sign and the operational level agreements between ICT teams.

Criticality is the CMDB's (`cmdb.models.Criticality`), so a service and the items under
it are judged in the same four words."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from borough.cmdb.models import Criticality
from borough.core.models import BaseModel, same_organisation_errors
from borough.core.temporal import Version, version_indexes

PER_CENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class ServiceHours(models.TextChoices):
    BUSINESS = "business", "The council's working hours (its business calendar)"
    ALWAYS = "24x7", "24 hours a day, 7 days a week"




def _hours(value) -> str:
    return f"{value.normalize():f} hours" if value is not None else ""


class BusinessService(BaseModel):
    """A service the council's staff or residents use (Council Tax, Email…), delivered
    by configuration items. Its status says whether it is in use: planned, live, retired."""

    reference_prefix = "SVC"

    reference = models.CharField(max_length=20, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ServiceStatus.choices,
                              default=ServiceStatus.PLANNED)
    service_unit = models.ForeignKey(
        "organisation.ServiceUnit", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="owning service unit",
        help_text="The service unit whose work depends on it and whose head signs its "
                  "service level agreement.")
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="service owner",
                              help_text="The person in ICT accountable for the service.")
    support_team = models.ForeignKey("organisation.Team", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    criticality = models.CharField(max_length=20, choices=Criticality.choices,
                                   default=Criticality.MEDIUM)
    service_hours = models.CharField(max_length=20, choices=ServiceHours.choices,
                                     default=ServiceHours.BUSINESS)
    service_hours_note = models.CharField(
        max_length=200, blank=True, verbose_name="service hours note",
        help_text="Anything the hours leave out, for example “online payments 24x7, "
                  "telephone support 8am to 5pm”.")
    availability_target = models.DecimalField(
        "availability target (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PER_CENT, help_text="The share of service hours it should be available, "
                                       "in per cent, for example 99.5.")
    rto_hours = models.DecimalField(
        "recovery time objective (hours)", max_digits=7, decimal_places=2, null=True,
        blank=True, validators=NOT_NEGATIVE,
        help_text="How soon after an outage the service must be back.")
    rpo_hours = models.DecimalField(
        "recovery point objective (hours)", max_digits=7, decimal_places=2, null=True,
        blank=True, validators=NOT_NEGATIVE,
        help_text="How much recent data, in hours of work, the council can afford to lose.")
    mto_hours = models.DecimalField(
        "maximum tolerable outage (hours)", max_digits=7, decimal_places=2, null=True,
        blank=True, validators=NOT_NEGATIVE,
        help_text="How long the service can be down before the harm to the council is "
                  "unacceptable. The recovery time objective must not be longer.")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "business service"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_business_service_ref"),
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="unique_business_service_name"),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}" if self.reference else self.name

    def clean(self):
        errors = same_organisation_errors(self, ("service_unit", "owner", "support_team"))
        if self.rto_hours is not None and self.mto_hours is not None and (
                self.rto_hours > self.mto_hours):
            errors["rto_hours"] = (
                f"The recovery time objective ({_hours(self.rto_hours)}) is longer than the "
                f"maximum tolerable outage ({_hours(self.mto_hours)}): recovery must come "
                "before the outage becomes intolerable. Shorten the recovery time objective "
                "or lengthen the maximum tolerable outage.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_live(self) -> bool:
        return self.status == ServiceStatus.LIVE


class ServiceComponent(BaseModel):
    """A configuration item that delivers a service. Components of one service with the
    same redundancy group label are alternatives (as cmdb.Relationship's): the service
    needs one of them. A component without a label is needed on its own."""

    service = models.ForeignKey(BusinessService, on_delete=models.CASCADE,
                                related_name="components")
    configuration_item = models.ForeignKey("cmdb.ConfigurationItem", on_delete=models.PROTECT,
                                           related_name="+")
    redundancy_group = models.CharField(
        max_length=50, blank=True,
        help_text="Give alternatives the same label, for example “web servers”: the "
                  "service needs only one component of the group. Leave blank if this one "
                  "is needed.")
    role = models.CharField(max_length=200, blank=True,
                            help_text="What it does for the service, for example "
                                      "“the Council Tax application” or “the database”.")

    class Meta:
        ordering = ["service__name", "configuration_item__name", "id"]
        verbose_name = "service component"
        constraints = [
            models.UniqueConstraint(fields=["service", "configuration_item"],
                                    name="unique_service_component"),
        ]

    def __str__(self):
        service = self.service.name if self.service_id else "?"
        item = self.configuration_item.name if self.configuration_item_id else "?"
        return f"{item} delivers {service}"

    def clean(self):
        errors = same_organisation_errors(self, ("service", "configuration_item"))
        if errors:
            raise ValidationError(errors)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed"
    EXPIRED = "expired", "Expired"


# The service desk's priorities an agreement gives targets for (servicedesk.Priority's
# numbers; P5, planning, has none).
PRIORITIES = (1, 2, 3, 4)


def _target(priority: int, kind: str, words: str):
    return models.DecimalField(
        f"P{priority} {kind} (hours)", max_digits=7, decimal_places=2, null=True, blank=True,
        validators=NOT_NEGATIVE, help_text=words if priority == 1 else "")


class ServiceLevelAgreement(BaseModel):
    """What ICT agrees with a head of service about a business service: availability,
    response and resolution per priority, hours and contacts, until the review date.
    Its status moves by record actions (agree, expire, reopen as a draft)."""

    reference_prefix = "SLA"

    reference = models.CharField(max_length=20, editable=False)
    service = models.ForeignKey(BusinessService, on_delete=models.PROTECT,
                                related_name="agreements")
    customer_service_unit = models.ForeignKey(
        "organisation.ServiceUnit", on_delete=models.PROTECT, related_name="+",
        verbose_name="customer service unit", help_text="The service unit ICT agrees it with.")
    signatory = models.ForeignKey("organisation.Person", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text="The head of service who signs it.")
    status = models.CharField(max_length=20, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT, editable=False)
    availability_target = models.DecimalField(
        "availability target (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PER_CENT)
    p1_response_hours = _target(1, "response", "Time to first response, in hours.")
    p1_resolution_hours = _target(1, "resolution", "Time to resolve, in hours.")
    p2_response_hours = _target(2, "response", "")
    p2_resolution_hours = _target(2, "resolution", "")
    p3_response_hours = _target(3, "response", "")
    p3_resolution_hours = _target(3, "resolution", "")
    p4_response_hours = _target(4, "response", "")
    p4_resolution_hours = _target(4, "resolution", "")
    service_hours = models.CharField(max_length=20, choices=ServiceHours.choices,
                                     default=ServiceHours.BUSINESS)
    service_hours_note = models.CharField(max_length=200, blank=True,
                                          verbose_name="service hours note")
    ict_contact = models.ForeignKey("organisation.Person", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name="ICT contact")
    customer_contact = models.ForeignKey("organisation.Person", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    start_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True,
                                   help_text="When it must be reviewed and agreed again.")
    notes = models.TextField(blank=True, help_text="Anything else agreed: exclusions, "
                                                    "responsibilities, how to escalate.")
    agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+", editable=False,
                                  help_text="Who recorded the agreement in Borough.")
    agreed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["service__name", "-start_date", "id"]
        verbose_name = "service level agreement"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_sla_ref"),
        ]

    def __str__(self):
        service = self.service.name if self.service_id else "?"
        return f"{self.reference} {service}" if self.reference else service

    def clean(self):
        errors = same_organisation_errors(self, ("service", "customer_service_unit", "signatory",
                                           "ict_contact", "customer_contact"))
        for p in PRIORITIES:
            response = getattr(self, f"p{p}_response_hours")
            resolution = getattr(self, f"p{p}_resolution_hours")
            if response is not None and resolution is not None and response > resolution:
                errors[f"p{p}_response_hours"] = (
                    f"The P{p} response ({_hours(response)}) must not be longer than the P{p} "
                    f"resolution ({_hours(resolution)}).")
        if self.start_date and self.review_date and self.review_date < self.start_date:
            errors["review_date"] = "The review date must be on or after the start date."
        if errors:
            raise ValidationError(errors)

    def target_rows(self) -> list[tuple[int, Decimal | None, Decimal | None]]:
        """(priority, response hours, resolution hours) for each priority."""
        return [(p, getattr(self, f"p{p}_response_hours"),
                 getattr(self, f"p{p}_resolution_hours")) for p in PRIORITIES]


class OperationalLevelAgreement(BaseModel):
    """What one ICT team provides to another so that a service can meet its SLA (the
    network team's link repairs for the service desk, say)."""

    reference_prefix = "OLA"

    reference = models.CharField(max_length=20, editable=False)
    service = models.ForeignKey(BusinessService, on_delete=models.PROTECT,
                                related_name="operational_agreements")
    provider_team = models.ForeignKey("organisation.Team", on_delete=models.PROTECT,
                                      related_name="+", verbose_name="providing team")
    receiving_team = models.ForeignKey("organisation.Team", on_delete=models.PROTECT,
                                       related_name="+")
    provides = models.TextField(verbose_name="what is provided",
                                help_text="The support or work the providing team gives.")
    targets = models.TextField(blank=True, help_text="The times or levels it commits to, "
                                                      "for example “P1 network faults "
                                                      "answered within 30 minutes”.")
    status = models.CharField(max_length=20, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT)
    review_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["service__name", "provider_team__name", "id"]
        verbose_name = "operational level agreement"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_ola_ref"),
        ]

    def __str__(self):
        provider = self.provider_team.name if self.provider_team_id else "?"
        receiver = self.receiving_team.name if self.receiving_team_id else "?"
        name = f"{provider} to {receiver}"
        return f"{self.reference} {name}" if self.reference else name

    def clean(self):
        errors = same_organisation_errors(self, ("service", "provider_team", "receiving_team"))
        if (self.provider_team_id and self.provider_team_id == self.receiving_team_id
                and "receiving_team" not in errors):
            errors["receiving_team"] = ("Choose another team: an operational level agreement "
                                        "is between two teams.")
        if errors:
            raise ValidationError(errors)


# --- history: every state of services, components and agreements (core.temporal) --------


class BusinessServiceVersion(Version):
    """One state of a business service; `status` and `criticality` are copied, so "the
    live critical services on 1 March" is a filter on columns."""

    status = models.CharField(max_length=20, choices=ServiceStatus.choices)
    criticality = models.CharField(max_length=20, choices=Criticality.choices)

    class Meta(Version.Meta):
        indexes = version_indexes("cat_svcv")


class ServiceComponentVersion(Version):
    """One state of a service component: which item delivered which service, when."""

    service_id = models.BigIntegerField(db_index=True)

    class Meta(Version.Meta):
        indexes = version_indexes("cat_compv")


class ServiceLevelAgreementVersion(Version):
    """One state of a service level agreement: whether it stood agreed on a past date."""

    service_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=20, choices=AgreementStatus.choices)

    class Meta(Version.Meta):
        indexes = version_indexes("cat_slav")
