"""Procurement with business cases (docs/procurement.md): a request for ICT spend with the
options appraised, the approval steps each council sets by value, the route a submitted
request takes through them, the decisions made on it, and the contracts bought without
a business case by a recorded exception."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from borough.core import roles, scope
from borough.core.models import BaseModel, same_organisation_errors
from borough.core.money import format_pounds, money_field
from borough.core.querysets import ScopedQuerySet

ROLE_CHOICES = [(role, role) for role in roles.STAFF_ROLES]
# Who reads every request in an organisation (others read the ones they are part of).
VIEW_ALL = "procurement.view_all_procurementrequests"




class ApprovalStepQuerySet(ScopedQuerySet):
    def in_order(self):
        """Lowest limit first; the step with no limit (above every other) last."""
        return self.order_by(models.F("up_to").asc(nulls_last=True), "id")


class ApprovalStep(BaseModel):
    """One step of the council's approval route: who approves requests up to a value.
    A request goes through every step up to the first whose limit covers its value, in
    turn (up to £5,000 the ICT manager; up to £25,000 the ICT manager then the head of
    finance; above that, both then the Executive)."""

    name = models.CharField(max_length=100, help_text="For example “ICT manager”, "
                                                      "“Head of finance” or “Executive”.")
    up_to = money_field(
        "up to (£)", null=True, blank=True,
        help_text="The highest whole-life value this step is the last to approve, in "
                  "pounds. Leave blank for the step above all the others.")
    approver_role = models.CharField(
        "approvers' role", max_length=40, choices=ROLE_CHOICES, blank=True,
        help_text="Anyone with this role in the council may approve at this step.")
    approvers = models.ManyToManyField(
        "organisation.Person", blank=True, related_name="+", verbose_name="named approvers",
        help_text="People who may approve at this step (with a login to Borough), as well "
                  "as or instead of a role.")
    approvals_needed = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="How many of them must approve before the request moves on.")
    remind_after_days = models.PositiveSmallIntegerField(
        "remind after (days)", null=True, blank=True, default=5,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Remind the approvers who have not decided when a request has waited "
                  "this many days at this step (once). Leave blank for no reminder.")

    objects = models.Manager.from_queryset(ApprovalStepQuerySet)()

    class Meta:
        ordering = [models.F("up_to").asc(nulls_last=True), "id"]
        verbose_name = "approval step"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "up_to"],
                                    name="unique_approval_step_limit"),
            models.UniqueConstraint(fields=["organisation"], condition=Q(up_to__isnull=True),
                                    name="one_approval_step_without_limit"),
            models.UniqueConstraint(fields=["organisation", "name"],
                                    name="unique_approval_step_name"),
        ]

    def __str__(self):
        limit = f"up to {format_pounds(self.up_to)}" if self.up_to is not None else "above"
        return f"{self.name} ({limit})"

    def clean(self):
        if self.up_to is not None and self.up_to <= 0:
            raise ValidationError({"up_to": "Give a limit above £0, or leave it blank for "
                                            "the step above all the others."})
        clash = ApprovalStep.objects.filter(organisation_id=self.organisation_id).exclude(
            pk=self.pk)
        if self.up_to is None and clash.filter(up_to__isnull=True).exists():
            raise ValidationError({"up_to": "Another step has no limit: only the top step "
                                            "can be without one. Give this one a limit."})
        if self.up_to is not None and clash.filter(up_to=self.up_to).exists():
            raise ValidationError({"up_to": f"Another step already ends at "
                                            f"{format_pounds(self.up_to)}."})


def check_approvers(role: str, people, needed: int | None) -> dict[str, str]:
    """The rules on a step's approvers that span its many-to-many field (forms and the
    API check them before saving): a role or named people, and enough named people."""
    people = list(people or [])
    if not role and not people:
        return {"approver_role": "Choose the approvers' role, or name the people who "
                                 "approve, or both."}
    without_login = [p.full_name for p in people if not p.user_id]
    if without_login:
        return {"approvers": f"{', '.join(without_login)} cannot sign in to Borough, so "
                             "cannot approve: give them a login or choose someone else."}
    if not role and needed and needed > len(people):
        return {"approvals_needed": f"Only {len(people)} people are named: they cannot give "
                                    f"{needed} approvals."}
    return {}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_APPROVAL = "in_approval", "In approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    RETURNED = "returned", "Returned for changes"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The states a request's business case can be changed in; waiting, it is being decided.
EDITABLE = (Status.DRAFT, Status.RETURNED)
WAITING = (Status.SUBMITTED, Status.IN_APPROVAL)


class FundingSource(models.TextChoices):
    REVENUE = "revenue", "Revenue budget"
    CAPITAL = "capital", "Capital programme"
    GRANT = "grant", "Grant"
    RESERVES = "reserves", "Reserves"
    INVEST_TO_SAVE = "invest_to_save", "Invest to save"
    OTHER = "other", "Other"


FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$", re.ASCII)


def financial_year_errors(value: str) -> str | None:
    """A council's financial year, April to March, written 2026/27."""
    match = FINANCIAL_YEAR.match(value or "")
    if not match:
        return "Write the financial year like 2026/27 (April 2026 to March 2027)."
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        return f"{value} is not a financial year: after {start} comes {(start + 1) % 100:02d}."
    return None


class RequestQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        """Those who read every request (ICT management, administrators, the auditor) do;
        anyone else reads the requests they raised or own, those of the service unit they
        head, and those they are an approver of (named, by role, or as a deputy) in any
        round."""
        everything = scope.organisation_ids(user, VIEW_ALL)
        from borough.accounts.models import Membership

        held = Membership.objects.filter(user=user, is_active=True).values_list(
            "organisation_id", "role__name")
        by_role = Q(pk__in=[])
        for organisation_id, role in held:
            by_role |= Q(organisation_id=organisation_id, approver_role=role)
        approver = Exists(RouteStep.objects.filter(request=OuterRef("pk")).filter(
            Q(approvers__user=user) | by_role | Q(delegations__deputy__user=user)))
        return self.filter(Q(organisation_id__in=everything) | Q(requester__user=user)
                           | Q(owner__user=user) | Q(service_unit__head__user=user)
                           | approver)


class OptionQuerySet(ScopedQuerySet):
    def apply_object_rules(self, user):
        """An option is read by whoever reads its request (its costs are the request's)."""
        return self.filter(request__in=ProcurementRequest.objects.all().apply_object_rules(
            user).values("pk"))


class ProcurementRequest(BaseModel):
    """A request for ICT spend with its business case: what, why, what it serves, the
    options appraised, the funding, and the approval it went through."""

    reference_prefix = "PRQ"

    reference = models.CharField(max_length=20, editable=False)
    title = models.CharField("what", max_length=200,
                             help_text="What is to be bought, in a line.")
    description = models.TextField("what, in detail", blank=True)
    justification = models.TextField(
        "why", help_text="The need it meets and what happens if nothing is bought.")
    service_unit = models.ForeignKey("organisation.ServiceUnit", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     help_text="The service unit it is for.")
    requester = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                                  related_name="+", help_text="Who asks for it.")
    owner = models.ForeignKey("organisation.Person", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text="Who is responsible for buying it and for the "
                                        "contract that follows.")
    objectives = models.ManyToManyField("standards.CorporateObjective", blank=True,
                                        related_name="+",
                                        verbose_name="corporate objectives served")
    standards = models.ManyToManyField("standards.Standard", blank=True, related_name="+",
                                       verbose_name="ICT standards served")
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices,
                                      blank=True)
    financial_year = models.CharField(max_length=7, blank=True,
                                      help_text="The year the money is spent from, like "
                                                "2026/27.")
    cost_centre = models.CharField(max_length=50, blank=True,
                                   help_text="The cost centre code the spend is charged to.")
    needed_by = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT,
                              editable=False)
    # The recommended option's whole-life cost, kept by the option services.
    value = money_field("value (£)", null=True, blank=True, editable=False)
    round = models.PositiveSmallIntegerField(default=0, editable=False,
                                             help_text="How many times it was submitted.")
    current_step = models.ForeignKey("procurement.RouteStep", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+",
                                     editable=False, verbose_name="waiting for")
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    contract = models.ForeignKey("commercial.Contract", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False,
                                 help_text="The contract it became.")
    budget_commitment = models.CharField(max_length=100, blank=True, editable=False,
                                         help_text="The finance system's commitment.")

    objects = models.Manager.from_queryset(RequestQuerySet)()

    audit_exclude = ("created_at", "updated_at", "updated_by", "version")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "procurement request"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"],
                                    name="unique_procurement_request_ref"),
            models.UniqueConstraint(fields=["contract"], condition=Q(contract__isnull=False),
                                    name="one_request_per_contract"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="prq_status")]
        permissions = [("view_all_procurementrequests",
                        "Can read every procurement request of the organisation")]

    def __str__(self):
        return f"{self.reference} {self.title}" if self.reference else self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def deletion_refusal(self) -> str | None:
        # Once sent for approval a request is part of the record of what was decided:
        # it is withdrawn, never deleted.
        if self.status in EDITABLE:
            return None
        return (f"{self.reference} is {self.get_status_display().lower()}: a request that "
                "has gone for approval stays on record. Withdraw it instead, if it is "
                "still waiting.")

    def clean(self):
        errors = same_organisation_errors(self, ("service_unit", "requester", "owner"))
        if self.financial_year:
            self.financial_year = self.financial_year.strip()
            if (problem := financial_year_errors(self.financial_year)):
                errors["financial_year"] = problem
        if errors:
            raise ValidationError(errors)


class Provider(models.TextChoices):
    INTERNAL = "internal", "Internal (the council's own staff or systems)"
    EXTERNAL = "external", "External supplier"
    SHARED = "shared", "Shared with a partner"


class ProcurementOption(BaseModel):
    """One option appraised in a request's business case: its whole-life cost, benefits
    and risks, who would provide it, and whether it is the one recommended."""

    request = models.ForeignKey(ProcurementRequest, on_delete=models.CASCADE,
                                related_name="options", verbose_name="procurement request")
    description = models.CharField(max_length=200)
    provider = models.CharField(max_length=10, choices=Provider.choices,
                                default=Provider.EXTERNAL)
    supplier = models.ForeignKey("commercial.Supplier", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="For an external option: who would supply it.")
    whole_life_cost = money_field("whole-life cost (£)",
                                  help_text="Everything it costs over its life: purchase, "
                                            "implementation, support, staff time.")
    annual_cost = money_field("annual running cost (£)", null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(
        "term (months)", null=True, blank=True, validators=[MaxValueValidator(600)],
        help_text="How long the contract would run, in months.")
    benefits = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    is_recommended = models.BooleanField("recommended", default=False)

    objects = models.Manager.from_queryset(OptionQuerySet)()

    class Meta:
        ordering = ["request", "-is_recommended", "whole_life_cost", "id"]
        verbose_name = "procurement option"
        constraints = [models.UniqueConstraint(
            fields=["request"], condition=Q(is_recommended=True),
            name="one_recommended_option")]

    def __str__(self):
        request = self.request.reference if self.request_id else "?"
        return f"{request}: {self.description}"

    def clean(self):
        errors = same_organisation_errors(self, ("request", "supplier"))
        if self.supplier_id and self.provider == Provider.INTERNAL:
            errors["supplier"] = "An internal option has no supplier: leave it blank."
        if errors:
            raise ValidationError(errors)


class StepState(models.TextChoices):
    WAITING = "waiting", "Not yet"
    CURRENT = "current", "Deciding now"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    RETURNED = "returned", "Returned for changes"
    CANCELLED = "cancelled", "Stopped"


class RouteStep(BaseModel):
    """A step of the route a request took when it was submitted (round 1, 2…): a copy of
    the council's approval step then, so a change to the steps later does not change a
    route under way."""

    request = models.ForeignKey(ProcurementRequest, on_delete=models.PROTECT,
                                related_name="route")
    round = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    up_to = money_field(null=True, blank=True)
    approver_role = models.CharField(max_length=40, blank=True)
    approvers = models.ManyToManyField("organisation.Person", blank=True, related_name="+")
    approvals_needed = models.PositiveSmallIntegerField(default=1)
    remind_after_days = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=StepState.choices,
                             default=StepState.WAITING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "round", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "round", "position"],
                                               name="unique_route_step")]

    def __str__(self):
        return f"{self.name} (step {self.position})"

    def who_text(self) -> str:
        names = [p.full_name for p in self.approvers.all()]
        parts = ([f"anyone with the {self.approver_role} role"] if self.approver_role
                 else []) + ([", ".join(names)] if names else [])
        said = " or ".join(parts) or "nobody"
        handed = [f"{d.delegated_by} delegated to {d.deputy.full_name}"
                  for d in self.delegations.all()]
        return f"{said} ({'; '.join(handed)})" if handed else said


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approved"
    REFUSE = "refuse", "Refused"
    RETURN = "return", "Returned for changes"


class Decision(BaseModel):
    """One person's decision on a step of a request's route, with their note: who
    decided, when (created_at), on which step and round."""

    request = models.ForeignKey(ProcurementRequest, on_delete=models.PROTECT,
                                related_name="decisions")
    step = models.ForeignKey(RouteStep, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "created_at", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()} by {self.decided_by} at {self.step}"


class Delegation(BaseModel):
    """An approver handing their decision at one step of a request's route to a deputy
    (away, or the deputy knows the subject): the deputy decides in their place, and the
    one who delegated no longer decides that step."""

    request = models.ForeignKey(ProcurementRequest, on_delete=models.PROTECT,
                                related_name="delegations")
    step = models.ForeignKey(RouteStep, on_delete=models.PROTECT, related_name="delegations")
    delegated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    deputy = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                               related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "delegated_by"],
                                               name="one_delegation_per_approver_step")]

    def __str__(self):
        return f"{self.step} delegated by {self.delegated_by} to {self.deputy}"


class ProcurementException(BaseModel):
    """A contract bought without an approved business case, and why (an emergency
    replacement, a statutory change with no alternative): the standards' evidence counts
    it instead of a request."""

    contract = models.ForeignKey("commercial.Contract", on_delete=models.CASCADE,
                                 related_name="+")
    reason = models.TextField(help_text="Why there was no business case.")
    agreed_by = models.ForeignKey("organisation.Person", on_delete=models.PROTECT,
                                  related_name="+",
                                  help_text="Who agreed to buy without one.")
    agreed_on = models.DateField()

    class Meta:
        ordering = ["-agreed_on", "id"]
        verbose_name = "procurement exception"
        constraints = [models.UniqueConstraint(fields=["contract"],
                                               name="one_exception_per_contract")]

    def __str__(self):
        return f"Exception for {self.contract if self.contract_id else '?'}"

    def clean(self):
        errors = same_organisation_errors(self, ("contract", "agreed_by"))
        if errors:
            raise ValidationError(errors)
