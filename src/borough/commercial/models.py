"""Suppliers and their contracts: who supplies the council's systems, on what terms, what
each contract covers (systems, configuration items, business services), what it costs
and when it must be renewed or given notice (docs/commercial.md)."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from borough.cmdb.models import Criticality
from borough.commercial import dates
from borough.core.feeds import SecretFeed
from borough.core.models import BaseModel, same_organisation_errors
from borough.core.money import money_field
from borough.core.querysets import ScopedQuerySet
from borough.core.temporal import Version, version_indexes


class Risk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SupplierStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    FORMER = "former", "Former supplier"


# Companies House numbers: eight digits, or two letters and six digits (SC123456).
COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$", re.ASCII)


class SupplierCategory(BaseModel):
    """What a supplier provides, in the council's own words (software, hardware,
    telecoms, managed service…), to find suppliers by."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "supplier categories"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_supplier_category")]

    def __str__(self):
        return self.name


class Supplier(BaseModel):
    reference_prefix = "SUP"

    reference = models.CharField(max_length=20, editable=False)
    name = models.CharField(max_length=200)
    company_number = models.CharField(
        max_length=8, blank=True,
        help_text="Companies House number: eight digits, or two letters and six digits.")
    website = models.URLField(blank=True)
    address = models.TextField(blank=True)
    categories = models.ManyToManyField(SupplierCategory, blank=True, related_name="suppliers")
    status = models.CharField(max_length=20, choices=SupplierStatus.choices,
                              default=SupplierStatus.ACTIVE)
    criticality = models.CharField(max_length=20, choices=Criticality.choices,
                                   default=Criticality.MEDIUM,
                                   help_text="How much the council's services depend on it.")
    risk = models.CharField(max_length=20, choices=Risk.choices, default=Risk.MEDIUM,
                            help_text="The risk the supplier itself poses: its finances, "
                                      "its performance, how hard it would be to replace.")
    manager = models.ForeignKey("organisation.Person", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                verbose_name="supplier manager",
                                help_text="Who in the council manages the relationship.")
    review_every_months = models.PositiveSmallIntegerField(
        "review every (months)", null=True, blank=True, default=12,
        help_text="How often the supplier's performance is reviewed. Leave blank for no "
                  "scheduled reviews.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_supplier_ref"),
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="unique_supplier_name"),
        ]

    def __str__(self):
        return self.name

    def next_review_due(self, last_review_on: datetime.date | None) -> datetime.date | None:
        """When the next review is due: the review period after the last review held, or
        after the supplier was added when none has been; None with no scheduled reviews."""
        if not self.review_every_months:
            return None
        since = last_review_on or (timezone.localdate(self.created_at) if self.created_at
                                   else timezone.localdate())
        return dates.after(since, self.review_every_months, dates.MONTHS)

    def clean(self):
        errors = same_organisation_errors(self, ("manager",))
        number = (self.company_number or "").strip().upper().replace(" ", "")
        if number and len(number) < 8 and number.isdigit():
            number = number.zfill(8)  # Companies House drops no zeros; people do
        if number and not COMPANY_NUMBER.match(number):
            errors["company_number"] = ("Enter a Companies House number of eight digits, "
                                        "or two letters and six digits, like SC123456.")
        self.company_number = number
        if self.review_every_months == 0:
            errors["review_every_months"] = ("Enter a number of months from 1, or leave it "
                                             "blank for no scheduled reviews.")
        if errors:
            raise ValidationError(errors)


class SupplierContact(BaseModel):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True,
                            help_text="For example account manager, service desk, "
                                      "escalation.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField("main contact", default=False)

    class Meta:
        ordering = ["supplier__name", "-is_primary", "name", "id"]

    def __str__(self):
        supplier = self.supplier.name if self.supplier_id else "?"
        return f"{self.name} ({supplier})"

    def clean(self):
        errors = same_organisation_errors(self, ("supplier",))
        if not (self.email or self.phone):
            errors["email"] = "Give an email address or a phone number (or both)."
        if errors:
            raise ValidationError(errors)


class ContractKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    MAINTENANCE = "maintenance", "Maintenance agreement"
    SUPPORT = "support", "Support agreement"
    SUBSCRIPTION = "subscription", "Subscription"
    LEASE = "lease", "Lease"


class RenewalTerms(models.TextChoices):
    FIXED = dates.FIXED, "Fixed term: ends on its end date"
    AUTO = dates.AUTO, "Renews automatically unless notice is given"
    ROLLING = dates.ROLLING, "Rolling: runs until notice is given"


class NoticeUnit(models.TextChoices):
    DAYS = dates.DAYS, "days"
    MONTHS = dates.MONTHS, "months"


class ProcurementRoute(models.TextChoices):
    FRAMEWORK = "framework", "Call-off from a framework"
    OPEN_TENDER = "open", "Open tender"
    RESTRICTED = "restricted", "Restricted tender"
    QUOTATIONS = "quotations", "Quotations"
    DIRECT = "direct", "Direct award"
    OTHER = "other", "Other"


class Contract(BaseModel):
    """A contract or maintenance agreement with a supplier: what it covers, its value and
    its dates. A maintenance agreement's support hours and response times underpin the
    service level agreements of the services it covers."""

    reference_prefix = "CON"
    audit_exclude = (*BaseModel.audit_exclude, "next_term_end", "next_notice_by")

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField(max_length=200)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    kind = models.CharField(max_length=20, choices=ContractKind.choices,
                            default=ContractKind.CONTRACT)
    description = models.TextField(blank=True)
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name="contract owner",
                              help_text="Who in the council is responsible for it and is "
                                        "told when notice or renewal is due.")
    annual_value = money_field("annual value (£)", null=True, blank=True)
    whole_life_value = money_field(
        "whole-life value (£)", null=True, blank=True,
        help_text="What it costs over its whole term, extensions included.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True,
                                help_text="When the current term ends. Leave blank only for "
                                          "a rolling contract.")
    renewal_terms = models.CharField(max_length=20, choices=RenewalTerms.choices,
                                     default=RenewalTerms.FIXED)
    renewal_months = models.PositiveSmallIntegerField(
        "renews for (months)", null=True, blank=True,
        help_text="For a contract that renews automatically: the length of each renewal.")
    notice_period = models.PositiveSmallIntegerField(
        default=0, help_text="How much notice must be given to end it or stop it renewing.")
    notice_unit = models.CharField(max_length=10, choices=NoticeUnit.choices,
                                   default=NoticeUnit.MONTHS)
    notice_given_on = models.DateField(null=True, blank=True,
                                       help_text="When notice was given, if it has been.")
    notice_given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+",
                                        editable=False)
    # The current term's end and its last day for notice (commercial.dates, for the day
    # they were worked out): kept by save() and rolled on by the daily alerts job, so that
    # the renewals page and calendar ask the database. Derived, so not audited.
    next_term_end = models.DateField(null=True, blank=True, editable=False)
    next_notice_by = models.DateField(null=True, blank=True, editable=False)
    renewal_agreed_on = models.DateField(
        "renewal agreed on", null=True, blank=True, editable=False,
        help_text="When the council decided to let the current term renew or to extend "
                  "it: a decision taken by the notice date means the date was not missed.")
    renewal_agreed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+",
                                          editable=False)
    procurement_route = models.CharField(max_length=20, choices=ProcurementRoute.choices,
                                         blank=True)
    procurement_reference = models.CharField(
        max_length=100, blank=True, help_text="The framework lot, tender or order number.")
    support_hours = models.CharField(max_length=200, blank=True,
                                     help_text="For example “8am to 6pm on working days”.")
    response_times = models.TextField(
        blank=True, help_text="The supplier's committed response and fix times.")

    class Meta:
        ordering = ["end_date", "title", "id"]
        # Finance roles see what contracts cost (core.restricted; commercial/entries.py).
        permissions = [("view_contract_values", "Can see contract values")]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_contract_ref")]
        indexes = [models.Index(fields=["organisation", "end_date"], name="contract_ends"),
                   models.Index(fields=["organisation", "next_term_end"],
                                name="contract_term_ends"),
                   models.Index(fields=["organisation", "next_notice_by"],
                                name="contract_notice_by")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def terms(self) -> dates.Terms:
        return dates.Terms(self.start_date, self.end_date, self.renewal_terms,
                           self.renewal_months, self.notice_period or 0, self.notice_unit,
                           self.notice_given_on)

    def term_end(self, today: datetime.date) -> datetime.date | None:
        return dates.term_end(self.terms, today)

    def notice_by(self, today: datetime.date) -> datetime.date | None:
        return dates.notice_by(self.terms, today)

    def stamp_dates(self, today: datetime.date) -> None:
        """Work out and keep (on the instance; the caller saves) the stored dates."""
        terms = self.terms
        self.next_term_end = dates.term_end(terms, today)
        self.next_notice_by = dates.notice_by(terms, today)

    def dates_on(self, today: datetime.date) -> tuple[datetime.date | None,
                                                      datetime.date | None]:
        """The term's end and the notice date on `today`: the stored ones, worked out
        afresh only when the days have moved them on (dates.stale: an auto-renewing term
        ended since the alerts job last rolled it, between midnight and its run)."""
        if dates.stale(self.terms, self.next_term_end, today):
            return self.term_end(today), self.notice_by(today)
        return self.next_term_end, self.next_notice_by

    def save(self, *args, **kwargs):
        # Every writer (core.services' create and change, the record actions, imports)
        # saves through here, so the stored dates follow the terms they come from.
        self.stamp_dates(timezone.localdate())
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "next_term_end", "next_notice_by"}
        super().save(*args, **kwargs)

    def renewal_agreed_for(self, notice_date: datetime.date | None) -> bool:
        """Whether a decision to renew covers `notice_date` (dates.decided_for)."""
        return dates.decided_for(self.terms, self.renewal_agreed_on, notice_date)

    def is_current(self, today: datetime.date, end: datetime.date | None = None,
                   *, end_known: bool = False) -> bool:
        """In force on `today`: started, and its current term (ending on `end` when the
        caller knows it) not ended."""
        if self.start_date is None or self.start_date > today:
            return False
        end = end if end_known else self.term_end(today)
        return end is None or end >= today

    def clean(self):
        errors = same_organisation_errors(self, ("supplier", "owner"))
        rolling = self.renewal_terms == RenewalTerms.ROLLING
        if self.end_date is None and not rolling:
            errors["end_date"] = ("Give the date the contract ends, or choose “Rolling” if "
                                  "it runs until notice is given.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.renewal_terms == RenewalTerms.AUTO and not self.renewal_months:
            errors["renewal_months"] = ("Give how many months each automatic renewal lasts, "
                                        "for example 12.")
        if self.renewal_terms != RenewalTerms.AUTO and self.renewal_months:
            errors["renewal_months"] = ("Give a renewal length only for a contract that "
                                        "renews automatically.")
        if rolling and not self.notice_period:
            errors["notice_period"] = ("A rolling contract ends only with notice: give the "
                                       "notice period.")
        if self.notice_given_on and self.start_date and self.notice_given_on < self.start_date:
            errors["notice_given_on"] = "Notice cannot be given before the contract starts."
        if (self.annual_value is not None and self.whole_life_value is not None
                and self.whole_life_value < self.annual_value
                and self.end_date and self.start_date
                and (self.end_date - self.start_date).days >= 365):
            errors["whole_life_value"] = ("The whole-life value of a contract of a year or "
                                          "more cannot be less than its annual value.")
        if errors:
            raise ValidationError(errors)


class ContractCover(BaseModel):
    """One thing a contract covers: a system or other configuration item, or a business
    service. One at a time, so a contract covering a whole estate stays a list."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="covers")
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text="A system, server or other item the contract covers.")
    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+",
                                verbose_name="business service")
    note = models.CharField(max_length=200, blank=True,
                            help_text="For example “licences and support” or “hardware "
                                      "maintenance only”.")

    class Meta:
        ordering = ["contract__reference", "id"]
        verbose_name = "contract cover"
        constraints = [
            models.UniqueConstraint(fields=["contract", "configuration_item"],
                                    condition=models.Q(configuration_item__isnull=False),
                                    name="unique_contract_item"),
            models.UniqueConstraint(fields=["contract", "service"],
                                    condition=models.Q(service__isnull=False),
                                    name="unique_contract_service"),
            models.CheckConstraint(
                condition=(models.Q(configuration_item__isnull=False, service__isnull=True)
                           | models.Q(configuration_item__isnull=True,
                                      service__isnull=False)),
                name="contract_cover_one_thing"),
        ]

    def __str__(self):
        what = self.configuration_item or self.service
        contract = self.contract.reference if self.contract_id else "?"
        return f"{contract} covers {what}"

    def clean(self):
        errors = same_organisation_errors(self, ("contract", "configuration_item", "service"))
        if bool(self.configuration_item_id) == bool(self.service_id):
            errors["configuration_item"] = ("Choose a configuration item or a business "
                                            "service: one of them.")
        if errors:
            raise ValidationError(errors)


# --- what is settled per organisation ------------------------------------------------------

DEFAULT_ALERT_DAYS = (180, 90, 30)


def parse_days(text: str) -> tuple[int, ...]:
    """"180, 90, 30" -> (180, 90, 30), largest first; ValueError saying what is wrong."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text or "") if p.strip()]
    if not parts:
        raise ValueError("Give at least one number of days, for example 180, 90, 30.")
    days = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 730:
            raise ValueError(f"“{part}” is not a number of days from 1 to 730.")
        days.add(int(part))
    if len(days) > 6:
        raise ValueError("Give at most six numbers of days.")
    return tuple(sorted(days, reverse=True))


class CommercialSettings(BaseModel):
    """One per organisation: when contract owners and ICT managers are told that a
    contract's notice date or end date approaches."""

    alert_days = models.CharField(
        "tell this many days before", max_length=60, default="180, 90, 30",
        help_text="Days before a contract's notice date and its end date when its owner and "
                  "the ICT managers are told, separated by commas: each is sent once.")

    class Meta:
        verbose_name = "commercial settings"
        verbose_name_plural = "commercial settings"
        constraints = [models.UniqueConstraint(fields=["organisation"],
                                               name="one_commercial_settings")]

    def __str__(self):
        return f"Commercial settings of {self.organisation}"

    @property
    def days(self) -> tuple[int, ...]:
        try:
            return parse_days(self.alert_days)
        except ValueError:
            return DEFAULT_ALERT_DAYS

    def clean(self):
        try:
            self.alert_days = ", ".join(str(d) for d in parse_days(self.alert_days))
        except ValueError as exc:
            raise ValidationError({"alert_days": str(exc)}) from exc


# --- supplier reviews ---------------------------------------------------------------------


class ReviewCriterion(BaseModel):
    """Something the council scores its suppliers on at each review (quality of service,
    responsiveness, account management, value for money…)."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, help_text="What a reviewer looks at.")
    position = models.PositiveSmallIntegerField(default=10,
                                                help_text="Lower numbers are asked first.")
    is_active = models.BooleanField("asked at reviews", default=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name_plural = "review criteria"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="unique_review_criterion")]

    def __str__(self):
        return self.name


class Score(models.IntegerChoices):
    VERY_POOR = 1, "1 – Very poor"
    POOR = 2, "2 – Poor"
    SATISFACTORY = 3, "3 – Satisfactory"
    GOOD = 4, "4 – Good"
    EXCELLENT = 5, "5 – Excellent"


class SupplierReviewQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        # A review reads as "Supplier: review of 1 May 2026": fetch the supplier with it,
        # so a list of reviews (filter choices, form choices) is one query.
        return super().apply_object_rules(user).select_related("supplier")


class SupplierReview(BaseModel):
    """A review of a supplier's performance held on a day: scores against the council's
    criteria, how it performed against its contracts' service levels, actions agreed."""

    objects = models.Manager.from_queryset(SupplierReviewQuerySet)()

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField("held on")
    reviewer = models.ForeignKey("organisation.Person", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+",
                                 help_text="Who in the council led the review.")
    contracts = models.ManyToManyField(Contract, blank=True, related_name="reviews",
                                       verbose_name="contracts reviewed")
    service_levels = models.TextField(
        "performance against service levels", blank=True,
        help_text="How the supplier did against each contract's service levels: response "
                  "and fix times met, availability, credits due.")
    actions = models.TextField("actions agreed", blank=True,
                               help_text="Who does what by when.")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["supplier", "held_on"], name="supplier_review_held")]

    def __str__(self):
        supplier = self.supplier.name if self.supplier_id else "?"
        return f"{supplier}: review of {self.held_on:%-d %B %Y}" if self.held_on else supplier

    def clean(self):
        errors = same_organisation_errors(self, ("supplier", "reviewer"))
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = "A review is recorded once held: the date cannot be in the future."
        if errors:
            raise ValidationError(errors)


class SupplierReviewScore(BaseModel):
    review = models.ForeignKey(SupplierReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT,
                                  related_name="scores")
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["review", "criterion__position", "criterion__name", "id"]
        verbose_name = "review score"
        constraints = [models.UniqueConstraint(fields=["review", "criterion"],
                                               name="one_score_per_criterion")]

    def __str__(self):
        criterion = self.criterion.name if self.criterion_id else "?"
        return f"{criterion}: {self.get_score_display()}"

    def clean(self):
        errors = same_organisation_errors(self, ("review", "criterion"))
        if self.score is not None and self.score not in Score.values:
            errors["score"] = "Give a score from 1 (very poor) to 5 (excellent)."
        if errors:
            raise ValidationError(errors)


# --- systems without a contract -------------------------------------------------------------


class NoContractReason(models.TextChoices):
    IN_HOUSE = "in_house", "Built and supported in-house"
    FREE = "free", "Free or open-source software supported by ICT"
    OTHER_BODY = "other_body", "Covered by another organisation's contract"
    PROCURING = "procuring", "A contract is being procured"
    OTHER = "other", "Another reason"


class UncontractedSystem(BaseModel):
    """The recorded reason why a system (or other configuration item) has no contract, so
    that "every live system has a current contract or a reason" can be answered."""

    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", on_delete=models.CASCADE, related_name="+",
        verbose_name="system", help_text="The system or other item that has no contract.")
    reason = models.CharField(max_length=20, choices=NoContractReason.choices)
    explanation = models.TextField(help_text="Why, in a sentence or two, and who decided.")
    review_by = models.DateField(
        null=True, blank=True,
        help_text="When to look again (for example when the procurement should be done): "
                  "after it, the reason no longer counts.")

    class Meta:
        ordering = ["configuration_item__name", "id"]
        verbose_name = "reason for no contract"
        verbose_name_plural = "reasons for no contract"
        constraints = [models.UniqueConstraint(fields=["configuration_item"],
                                               name="one_no_contract_reason")]

    def __str__(self):
        item = self.configuration_item.name if self.configuration_item_id else "?"
        return f"{item}: {self.get_reason_display().lower()}"

    def clean(self):
        errors = same_organisation_errors(self, ("configuration_item",))
        if not (self.explanation or "").strip():
            errors["explanation"] = "Say why the system has no contract."
        if errors:
            raise ValidationError(errors)


# --- the renewals calendar feed ---------------------------------------------------------------


class CalendarFeed(SecretFeed):
    """A person's secret address for the renewals calendar (notice and end dates) of the
    contracts they may read (core.feeds)."""

    PREFIX = "cal_"
    NOUN = "Renewals calendar"

    def __str__(self):
        return f"Renewals calendar {self.hint}…"


# --- history: every state of contracts and what they cover (core.temporal) --------------


class ContractVersion(Version):
    """One state of a contract, for "which contracts were current on 1 March" and the
    notice dates as they stood."""

    supplier_id = models.BigIntegerField(db_index=True)

    class Meta(Version.Meta):
        indexes = version_indexes("com_conv")


class ContractCoverVersion(Version):
    contract_id = models.BigIntegerField(db_index=True)

    class Meta(Version.Meta):
        indexes = version_indexes("com_covv")


class SupplierVersion(Version):
    """One state of a supplier, for "which suppliers had reviews due on 1 March"."""

    class Meta(Version.Meta):
        indexes = version_indexes("com_supv")


class UncontractedSystemVersion(Version):
    class Meta(Version.Meta):
        indexes = version_indexes("com_ncrv")
