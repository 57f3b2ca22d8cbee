"""Software licences: what the council has bought the right to use (entitlements, each for
a quantity over a term at a cost), how the use is counted from Borough's own records (or
entered by hand where no record exists), and so whether each licence is over-used (a
risk) or under-used (money to save). docs/licences.md."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from borough.cmdb.queries import APPLICATION_CLASS, STANDARD_BUILD_CLASS
from borough.core.models import BaseModel, same_organisation_errors
from borough.core.money import money_field
from borough.core.temporal import Version, version_indexes


class LicenceModel(models.TextChoices):
    NAMED_USER = "named_user", "Per named user"
    DEVICE = "device", "Per device"
    CONCURRENT = "concurrent", "Concurrent users"
    SITE = "site", "Site licence"
    CORE = "core", "Per core"
    SUBSCRIPTION = "subscription", "Subscription"


class CountedFrom(models.TextChoices):
    USERS = "users", "Users recorded in the systems catalogue"
    INSTALLATIONS = "installations", "Configuration items that use the software"
    DEVICES = "devices", "End-user devices"
    CORES = "cores", "CPU cores of the servers it runs on"
    ENTERED = "entered", "A count entered by hand"


# How each licence model may be counted. A concurrent-user peak is in no record Borough
# keeps, so it is entered; a site licence covers any use, so any count is for information.
ALLOWED_COUNTS = {
    LicenceModel.NAMED_USER: {CountedFrom.USERS, CountedFrom.ENTERED},
    LicenceModel.DEVICE: {CountedFrom.DEVICES, CountedFrom.INSTALLATIONS, CountedFrom.ENTERED},
    LicenceModel.CONCURRENT: {CountedFrom.ENTERED},
    LicenceModel.SITE: set(CountedFrom),
    LicenceModel.CORE: {CountedFrom.CORES, CountedFrom.ENTERED},
    LicenceModel.SUBSCRIPTION: set(CountedFrom),
}

# What one licence of each model is for, in words ("50 named users").
UNITS = {
    LicenceModel.NAMED_USER: ("named user", "named users"),
    LicenceModel.DEVICE: ("device", "devices"),
    LicenceModel.CONCURRENT: ("concurrent user", "concurrent users"),
    LicenceModel.SITE: ("site", "sites"),
    LicenceModel.CORE: ("core", "cores"),
    LicenceModel.SUBSCRIPTION: ("subscription", "subscriptions"),
}


class Licence(BaseModel):
    """The council's licence for one piece of software from one supplier, under one
    licence model. What it may use is the sum of its entitlements in force; what it uses
    is counted from the records chosen in `counted_from`."""

    reference_prefix = "LIC"

    reference = models.CharField(max_length=20, editable=False)
    name = models.CharField(max_length=200, help_text="For example “Financials named user "
                                                      "licences”.")
    software = models.ForeignKey(
        "cmdb.ConfigurationItem", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"ci_class__code": APPLICATION_CLASS},
        help_text="The application in the systems catalogue that is licensed.")
    supplier = models.ForeignKey("commercial.Supplier", on_delete=models.PROTECT,
                                 related_name="+")
    contract = models.ForeignKey(
        "commercial.Contract", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The contract the licence is held under, if any.")
    licence_model = models.CharField(max_length=20, choices=LicenceModel.choices,
                                     default=LicenceModel.NAMED_USER)
    counted_from = models.CharField(
        "use counted from", max_length=20, choices=CountedFrom.choices,
        default=CountedFrom.USERS,
        help_text="Which of Borough's records count the use of the licence. Choose “entered "
                  "by hand” where no record does (a concurrent-user peak from the "
                  "supplier's portal).")
    standard_build = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", limit_choices_to={"ci_class__code": STANDARD_BUILD_CLASS},
        help_text="For a licence counted by end-user devices: only the devices that use "
                  "this standard build. Leave blank to count every device.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_licence_ref"),
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="unique_licence_name"),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}" if self.reference else self.name

    def unit(self, count: int | None = None) -> str:
        one, many = UNITS[LicenceModel(self.licence_model)]
        return one if count == 1 else many

    def clean(self):
        errors = same_organisation_errors(self, ("software", "supplier", "contract",
                                           "standard_build"))
        if self.software_id and "software" not in errors and (
                self.software.ci_class.code != APPLICATION_CLASS):
            errors["software"] = (f"{self.software} is a {self.software.ci_class}: choose an "
                                  "application from the systems catalogue.")
        if self.standard_build_id and "standard_build" not in errors:
            if self.standard_build.ci_class.code != STANDARD_BUILD_CLASS:
                errors["standard_build"] = (f"{self.standard_build} is not a standard build: "
                                            "choose one, or leave it blank.")
            elif self.counted_from != CountedFrom.DEVICES:
                errors["standard_build"] = ("A standard build narrows only a count of "
                                            "end-user devices: leave it blank, or count the "
                                            "use from end-user devices.")
        if self.licence_model in ALLOWED_COUNTS and self.counted_from and (
                self.counted_from not in ALLOWED_COUNTS[self.licence_model]):
            allowed = [CountedFrom(c).label.lower() for c in CountedFrom
                       if c in ALLOWED_COUNTS[self.licence_model]]
            errors["counted_from"] = (f"A {self.get_licence_model_display().lower()} licence "
                                      f"is counted from {' or '.join(allowed)}.")
        if errors:
            raise ValidationError(errors)


class Entitlement(BaseModel):
    """A quantity of a licence bought for a term at a cost: 50 named users from 1 April 2026
    to 31 March 2027 for £4,250. A perpetual licence has no end."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="entitlements")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1, "Enter 1 or more.")])
    term_start = models.DateField("term starts")
    term_end = models.DateField("term ends", null=True, blank=True,
                                help_text="Leave blank for a perpetual licence.")
    cost = money_field("cost (£)", help_text="What the whole quantity cost for the whole "
                                             "term, in pounds and pence.")
    contract = models.ForeignKey("commercial.Contract", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text="The contract it was bought under, if any.")
    order_reference = models.CharField(max_length=100, blank=True,
                                       help_text="The purchase order or invoice number.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["licence__name", "-term_start", "-id"]
        indexes = [models.Index(fields=["licence", "term_start", "term_end"],
                                name="entitlement_terms")]

    def __str__(self):
        licence = self.licence.name if self.licence_id else "?"
        return f"{licence}: {self.quantity} from {self.term_start:%-d %B %Y}"

    @property
    def unit_cost(self) -> Decimal:
        """The cost of one licence for the term, exact (not rounded: core.money.pence
        rounds where an amount is shown or charged)."""
        return Decimal(self.cost) / self.quantity

    def in_force(self, day: datetime.date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)

    def clean(self):
        errors = same_organisation_errors(self, ("licence", "contract"))
        if self.term_start and self.term_end and self.term_end < self.term_start:
            errors["term_end"] = "The term must end on or after the day it starts."
        if errors:
            raise ValidationError(errors)


class ConsumptionCount(BaseModel):
    """The use of a licence counted by hand, where no record counts it: who counted, on
    which day, and how. The latest count is the licence's use."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="counts")
    count = models.PositiveIntegerField()
    counted_on = models.DateField(default=timezone.localdate)
    counted_by = models.ForeignKey("organisation.Person", null=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="Who counted it.")
    how = models.CharField("how it was counted", max_length=200, blank=True,
                           help_text="For example “peak concurrent users in March, from the "
                                     "supplier's portal”.")

    class Meta:
        ordering = ["licence__name", "-counted_on", "-id"]
        verbose_name = "entered count"
        indexes = [models.Index(fields=["licence", "counted_on"], name="count_latest")]

    def __str__(self):
        licence = self.licence.name if self.licence_id else "?"
        return f"{licence}: {self.count} on {self.counted_on:%-d %B %Y}"

    def clean(self):
        errors = same_organisation_errors(self, ("licence", "counted_by"))
        if self.counted_on and self.counted_on > timezone.localdate():
            errors["counted_on"] = "A count is of a day that has come: enter today or earlier."
        if self.licence_id and "licence" not in errors and (
                self.licence.counted_from != CountedFrom.ENTERED):
            errors["licence"] = (f"{self.licence} is counted from "
                                 f"{self.licence.get_counted_from_display().lower()}: a count "
                                 "entered by hand would not be used. Change how its use is "
                                 "counted first.")
        if errors:
            raise ValidationError(errors)


# --- history: every state of licences and entitlements (core.temporal) --------------------


class LicenceVersion(Version):
    """One state of a licence, for "where did the licences stand on 1 March"."""

    software_id = models.BigIntegerField(db_index=True)

    class Meta(Version.Meta):
        indexes = version_indexes("lic_licv")


class EntitlementVersion(Version):
    """One state of an entitlement: its quantity, term and cost as they were."""

    licence_id = models.BigIntegerField(db_index=True)

    class Meta(Version.Meta):
        indexes = version_indexes("lic_entv")
