"""ICT finance: cost centres, budgets per financial year, the actual cost lines of the
finance system, commitments, cost pools with the rule each is recharged by, and the
recharge runs that give each service unit its statement (docs/finance.md).

Money is `Decimal` pounds and pence (core.money); a financial year is stored as the
calendar year it starts in (2025 for 2025/26, finance.years)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from borough.core.models import BaseModel, same_organisation_errors
from borough.core.money import allocate, money_field, pence
from borough.core.perf.validation import LeanValidation
from borough.core.querysets import ScopedQuerySet
from borough.finance.years import FinancialYear


def year_field(**kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        "financial year", validators=[MinValueValidator(1990), MaxValueValidator(2200)],
        help_text="The calendar year it starts in: 2025 for 2025/26 (April to March).",
        **kwargs)


class CostCentre(BaseModel):
    """A cost centre of the council's ledger that ICT spends against."""

    code = models.CharField(max_length=30, help_text="As the finance system writes it.")
    name = models.CharField(max_length=200)
    service_unit = models.ForeignKey("organisation.ServiceUnit", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     help_text="The service unit it belongs to.")
    is_active = models.BooleanField("in use", default=True)

    class Meta:
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"],
                                               name="unique_cost_centre_code")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        self.code = " ".join((self.code or "").split()).upper()
        errors = same_organisation_errors(self, ("service_unit",))
        if errors:
            raise ValidationError(errors)


class Budget(BaseModel):
    """The ICT budget of one cost centre for one financial year, with how it is spread
    over the months: a profile of twelve amounts, or evenly (to the penny)."""

    year = year_field()
    cost_centre = models.ForeignKey(CostCentre, on_delete=models.PROTECT,
                                    related_name="budgets")
    amount = money_field("budget (£)")
    # Twelve amounts (April to March) as strings of pounds, or empty for an even spread.
    monthly_profile = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-year", "cost_centre__code", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "cost_centre"],
                                               name="unique_budget_year_centre")]

    def __str__(self):
        centre = self.cost_centre.code if self.cost_centre_id else "?"
        return f"{centre} budget {FinancialYear(self.year)}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    def months(self) -> list[Decimal]:
        """Twelve amounts, April to March, that add up to the budget to the penny."""
        if self.monthly_profile:
            return [pence(v) for v in self.monthly_profile]
        return allocate(self.amount, [1] * 12)

    def clean(self):
        errors = same_organisation_errors(self, ("cost_centre",))
        if self.monthly_profile:
            try:
                amounts = [pence(v) for v in self.monthly_profile]
            except (ValueError, TypeError, InvalidOperation):
                amounts = None
            if amounts is None or len(amounts) != 12:
                errors["monthly_profile"] = ("Give twelve monthly amounts, April to March, or "
                                             "none to spread the budget evenly.")
            elif self.amount is not None and sum(amounts) != pence(self.amount):
                errors["monthly_profile"] = (
                    f"The twelve months add up to £{sum(amounts):,.2f}, not the budget of "
                    f"£{pence(self.amount):,.2f}: correct them so they match to the penny.")
            else:
                self.monthly_profile = [str(a) for a in amounts]
        if errors:
            raise ValidationError(errors)


class CostLine(LeanValidation, BaseModel):
    """One line of actual spend from the finance system (a credit is negative), and what
    it is allocated to: a system or other configuration item, a business service or a
    contract (one of them), or nothing yet.

    Imported by the hundred thousand (bench/commercial): related records a form or the
    import loaded are not looked up again, and the one-allocation constraint is left to
    clean() (which says the same in words) and the database (core.perf.validation)."""

    db_enforced_constraints = frozenset({"costline_one_allocation"})

    date = models.DateField(help_text="The date the finance system posted it.")
    year = year_field(editable=False)
    amount = money_field("amount (£)", allow_negative=True,
                         help_text="A credit (a refund, a correction) is negative.")
    description = models.CharField(max_length=300)
    cost_centre = models.ForeignKey(CostCentre, on_delete=models.PROTECT,
                                    related_name="cost_lines")
    supplier = models.ForeignKey("commercial.Supplier", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    transaction_reference = models.CharField(
        max_length=60, blank=True,
        help_text="The finance system's own reference for the line (its journal or invoice "
                  "number): a line imported again is matched by it.")
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="system or configuration item",
        help_text="Allocate it to one system, server or other item…")
    service = models.ForeignKey("catalogue.BusinessService", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+",
                                verbose_name="business service",
                                help_text="…or to one business service…")
    contract = models.ForeignKey("commercial.Contract", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="…or to one contract; or leave all three blank.")

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organisation", "year", "cost_centre"],
                                name="costline_year_centre"),
                   models.Index(fields=["organisation", "year", "configuration_item"],
                                name="costline_year_item"),
                   models.Index(fields=["organisation", "year", "service"],
                                name="costline_year_service")]
        constraints = [models.CheckConstraint(
            condition=(models.Q(configuration_item__isnull=True, service__isnull=True)
                       | models.Q(configuration_item__isnull=True, contract__isnull=True)
                       | models.Q(service__isnull=True, contract__isnull=True)),
            name="costline_one_allocation")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.description[:60]} £{self.amount}"

    def save(self, *args, **kwargs):
        if self.date:
            self.year = FinancialYear.of(self.date).start_year
        super().save(*args, **kwargs)

    @property
    def allocated_to(self):
        return self.configuration_item or self.service or self.contract

    def clean(self):
        if self.date:
            self.year = FinancialYear.of(self.date).start_year
        errors = same_organisation_errors(self, ("cost_centre", "supplier", "configuration_item",
                                           "service", "contract"))
        chosen = [n for n in ("configuration_item", "service", "contract")
                  if getattr(self, f"{n}_id")]
        if len(chosen) > 1:
            errors["configuration_item"] = ("Allocate the line to one thing: a system or item, "
                                            "a business service or a contract, not several.")
        if self.amount is not None and self.amount == 0:
            errors["amount"] = "Enter an amount other than £0."
        if errors:
            raise ValidationError(errors)


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open: spend to come"
    SPENT = "spent", "Spent: the cost lines are in"
    CANCELLED = "cancelled", "Cancelled"


class Commitment(BaseModel):
    """Spend the council has committed to but not yet paid (an approved procurement
    request, an order): counted in the forecast outturn while open."""

    reference_prefix = "CMT"

    reference = models.CharField(max_length=20, editable=False)
    year = year_field()
    cost_centre = models.ForeignKey(CostCentre, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="commitments")
    amount = money_field("amount (£)")
    description = models.CharField(max_length=300)
    date = models.DateField(help_text="When it was committed: the month it shows in.")
    status = models.CharField(max_length=20, choices=CommitmentStatus.choices,
                              default=CommitmentStatus.OPEN)
    # What it came from: a record of another app (an approved procurement request) and/or
    # a reference in words (an order number).
    source_type = models.ForeignKey(ContentType, null=True, blank=True, editable=False,
                                    on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField(null=True, blank=True, editable=False)
    source = GenericForeignKey("source_type", "source_id")
    source_reference = models.CharField(max_length=100, blank=True,
                                        help_text="For example the order or request number.")

    class Meta:
        ordering = ["-year", "-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_commitment_ref"),
            models.UniqueConstraint(fields=["source_type", "source_id"],
                                    condition=models.Q(source_id__isnull=False),
                                    name="one_commitment_per_source"),
        ]

    def __str__(self):
        return f"{self.reference} {self.description[:60]}" if self.reference else self.description

    def clean(self):
        errors = same_organisation_errors(self, ("cost_centre",))
        if self.date and self.year and self.date not in FinancialYear(self.year):
            errors["date"] = (f"The date must fall in the financial year "
                              f"{FinancialYear(self.year)} (1 April to 31 March).")
        if errors:
            raise ValidationError(errors)


class BudgetReview(BaseModel):
    """Someone responsible reviewed the budget monitoring figures of a year in a month:
    the record the "budget monitored monthly" evidence rule counts."""

    year = year_field()
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return f"Budget {FinancialYear(self.year)} reviewed on {self.reviewed_on:%d/%m/%Y}"


# --- what staff time costs ------------------------------------------------------------------


class FinanceSettings(BaseModel):
    """One per council: what an hour of ICT staff time costs, to price the time logged on
    tickets in the total cost of systems and services."""

    staff_hourly_rate = money_field(
        "staff cost per hour (£)", null=True, blank=True,
        help_text="What an hour of ICT staff time costs the council (salary, on-costs and "
                  "overheads). Leave blank not to count staff time in total costs.")

    class Meta:
        verbose_name = "finance settings"
        verbose_name_plural = "finance settings"
        constraints = [models.UniqueConstraint(fields=["organisation"],
                                               name="one_finance_settings")]

    def __str__(self):
        return f"Finance settings of {self.organisation}"


class TeamStaffRate(BaseModel):
    """An hourly staff cost that differs from the council's (finance settings): a team's
    own (an infrastructure team of engineers, a first-line desk), for one financial year
    or for every year without one of its own; or the council's rate for one year, as pay
    awards change it. Time is priced at the rate of the year it was worked in, so an
    earlier year's costs stay as they were when the rate changes."""

    team = models.ForeignKey("organisation.Team", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+",
                             help_text="Leave blank for the council's rate in the year "
                                       "(every team without a rate of its own).")
    year = year_field(null=True, blank=True)
    hourly_rate = money_field("staff cost per hour (£)")

    class Meta:
        ordering = [models.F("year").desc(nulls_last=True), "team__name", "id"]
        verbose_name = "staff cost rate"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "team", "year"], name="one_staff_rate_per_team_year",
                condition=models.Q(team__isnull=False, year__isnull=False),
                violation_error_message="This team already has a rate for that year: change "
                                        "that one."),
            models.UniqueConstraint(
                fields=["organisation", "team"], name="one_staff_rate_per_team",
                condition=models.Q(team__isnull=False, year__isnull=True),
                violation_error_message="This team already has a rate for every year: "
                                        "change that one, or choose a year."),
            models.UniqueConstraint(
                fields=["organisation", "year"], name="one_council_staff_rate_per_year",
                condition=models.Q(team__isnull=True, year__isnull=False),
                violation_error_message="The council already has a rate for that year: "
                                        "change that one."),
        ]

    def __str__(self):
        who = self.team.name if self.team_id else "The council"
        when = f" in {FinancialYear(self.year)}" if self.year else ""
        return f"{who}: £{self.hourly_rate} an hour{when}"

    def clean(self):
        errors = same_organisation_errors(self, ("team",))
        if self.team_id is None and self.year is None:
            errors["team"] = ("The council's rate for every year is set in the finance "
                              "settings: choose a team, or a year for the council's rate.")
        if errors:
            raise ValidationError(errors)


# --- recharging --------------------------------------------------------------------------


class Basis(models.TextChoices):
    USERS = "users", "Number of users (people in the service unit)"
    DEVICES = "devices", "Number of devices (end-user devices of the service unit)"
    TICKETS = "tickets", "Tickets raised (by people of the service unit, in the year)"
    PERCENTAGE = "percentage", "A fixed percentage for each service unit"
    DIRECT = "direct", "Direct: to the unit owning what each cost is allocated to"


class CostPool(BaseModel):
    """A pool of ICT cost recharged to service units by one rule: the year's cost lines of
    its cost centres (or a fixed amount)."""

    year = year_field()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    basis = models.CharField("allocated by", max_length=20, choices=Basis.choices)
    cost_centres = models.ManyToManyField(
        CostCentre, blank=True, related_name="pools",
        help_text="The pool holds the year's cost lines of these cost centres…")
    amount = money_field("fixed amount (£)", null=True, blank=True,
                         help_text="…or, if given, this amount instead.")

    class Meta:
        ordering = ["-year", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "name"],
                                               name="unique_pool_year_name")]

    def __str__(self):
        return f"{self.name} ({FinancialYear(self.year)})"

    def clean(self):
        if self.basis == Basis.DIRECT and self.amount is not None:
            raise ValidationError({"amount": "A pool recharged directly shares its cost lines "
                                              "by what each is allocated to: leave the fixed "
                                              "amount blank."})


class PoolShare(BaseModel):
    """A service unit's fixed percentage of a pool allocated by percentage."""

    pool = models.ForeignKey(CostPool, on_delete=models.CASCADE, related_name="shares")
    service_unit = models.ForeignKey("organisation.ServiceUnit", on_delete=models.CASCADE,
                                     related_name="+")
    percent = models.DecimalField(
        "percentage", max_digits=6, decimal_places=3,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    class Meta:
        ordering = ["pool", "service_unit__name", "id"]
        constraints = [models.UniqueConstraint(fields=["pool", "service_unit"],
                                               name="unique_pool_share")]

    def __str__(self):
        unit = self.service_unit.name if self.service_unit_id else "?"
        return f"{unit}: {self.percent}%"

    def clean(self):
        errors = same_organisation_errors(self, ("pool", "service_unit"))
        if self.pool_id and self.pool.basis != Basis.PERCENTAGE:
            errors["pool"] = "Only a pool allocated by fixed percentages takes shares."
        if errors:
            raise ValidationError(errors)


class RechargeRun(BaseModel):
    """One recharge of a financial year's pools to the service units; issued once checked,
    when its statements are the year's recharge."""

    reference_prefix = "RCH"

    reference = models.CharField(max_length=20, editable=False)
    year = year_field()
    run_at = models.DateTimeField()
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                               on_delete=models.SET_NULL, related_name="+")
    total = money_field("total recharged (£)", allow_negative=True)
    unallocated = money_field("not recharged (£)", allow_negative=True, default=Decimal(0),
                              help_text="Pool cost that no rule could place (a direct cost "
                                        "on something no unit owns).")
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year", "-run_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"],
                                               name="unique_recharge_run_ref")]

    def __str__(self):
        return f"{self.reference} recharge {FinancialYear(self.year)}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("finance:recharge_run", args=[self.pk])


class RechargeLineQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        # Finance roles (who read the runs) read every unit's lines; a head of service,
        # granted the lines alone, their own unit's.
        if user.has_perm("finance.view_rechargerun"):
            return self
        return self.filter(service_unit__head__user=user)


class RechargeLine(BaseModel):
    """One pool's share for one service unit in a run: a line of the unit's statement,
    with the basis and the figures it was worked out from."""

    run = models.ForeignKey(RechargeRun, on_delete=models.CASCADE, related_name="lines")
    service_unit = models.ForeignKey("organisation.ServiceUnit", on_delete=models.PROTECT,
                                     related_name="+")
    pool = models.ForeignKey(CostPool, null=True, on_delete=models.SET_NULL, related_name="+")
    pool_name = models.CharField(max_length=200)
    basis = models.CharField(max_length=20, choices=Basis.choices)
    # The unit's measure (users, devices, tickets, percentage; for direct, the pounds
    # allocated to what it owns) and the total of everyone's.
    measure = models.DecimalField(max_digits=18, decimal_places=3)
    total_measure = models.DecimalField(max_digits=18, decimal_places=3)
    pool_amount = money_field(allow_negative=True)
    amount = money_field(allow_negative=True)

    objects = models.Manager.from_queryset(RechargeLineQuerySet)()

    class Meta:
        ordering = ["run", "service_unit__name", "pool_name", "id"]
        indexes = [models.Index(fields=["run", "service_unit"], name="rechargeline_unit")]

    def __str__(self):
        return f"{self.pool_name}: £{self.amount}"

    @property
    def share_percent(self) -> Decimal | None:
        if not self.total_measure:
            return None
        return (self.measure * 100 / self.total_measure).quantize(Decimal("0.01"))
