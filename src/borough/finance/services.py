"""Every change of state in finance that is more than a generic create or update:
commitments made by other apps (procurement), recharge runs and their issue, and the
monthly budget review. Generic records (cost centres, budgets, cost lines, pools) go
through core.services from the generic pages, the API and the import."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from borough.core import audit, services
from borough.core.models import AuditAction
from borough.core.money import pence
from borough.finance import recharge
from borough.finance.models import (
    BudgetReview,
    Commitment,
    CommitmentStatus,
    CostCentre,
    RechargeLine,
    RechargeRun,
)
from borough.finance.years import FinancialYear


def commit(organisation_id: int, *, actor, amount, financial_year: FinancialYear | int,
           description: str, cost_centre: CostCentre | int | None = None, source=None,
           source_reference: str = "", date: datetime.date | None = None) -> Commitment:
    """Record spend the council has committed to (an approved procurement request): it
    counts in the year's forecast outturn until it is marked spent or cancelled.

    - `amount`: pounds (Decimal, int or str; rounded to the penny once, here);
    - `financial_year`: a FinancialYear or the calendar year it starts in (2025);
    - `cost_centre`: one of the organisation's cost centres (or its id), or None;
    - `source`: the record it comes from (any model instance of the organisation), kept
      as a generic relation: committing the same source again returns the commitment
      already made, so a retried approval commits once; and/or
    - `source_reference`: a reference in words (an order number);
    - `date`: the month it shows in; today, or the year's first day if today is not in
      the year.

    `actor` needs permission to add commitments (None: the system itself). Raises
    ValidationError with messages a person can act on."""
    year = (financial_year if isinstance(financial_year, FinancialYear)
            else FinancialYear(int(financial_year)))
    if isinstance(cost_centre, int):
        cost_centre = CostCentre.objects.filter(organisation_id=organisation_id,
                                                pk=cost_centre).first()
        if cost_centre is None:
            raise ValidationError({"cost_centre": "There is no such cost centre in this "
                                                  "organisation."})
    if cost_centre is not None and cost_centre.organisation_id != organisation_id:
        raise ValidationError({"cost_centre": "Choose a cost centre of this organisation."})
    if source is not None and getattr(source, "organisation_id", organisation_id) != (
            organisation_id):
        raise ValidationError("The commitment's source belongs to another organisation.")
    today = timezone.localdate()
    day = date or (today if today in year else year.start)
    record = Commitment(organisation_id=organisation_id, year=year.start_year,
                        cost_centre=cost_centre, amount=pence(amount),
                        description=description, date=day,
                        source_reference=source_reference[:100])
    with transaction.atomic():
        if source is not None:
            source_type = ContentType.objects.get_for_model(type(source))
            earlier = (Commitment.objects.select_for_update()
                       .filter(source_type=source_type, source_id=source.pk).first())
            if earlier is not None:
                return earlier
            record.source_type, record.source_id = source_type, source.pk
        return services.create_record(record, actor=actor,
                                      note=f"Committed from {source}" if source else "")


def release(commitment: Commitment, *, actor, status: str = CommitmentStatus.SPENT,
            expected_version: int | None = None) -> Commitment:
    """Mark a commitment spent (its cost lines are in) or cancelled: it leaves the
    forecast."""
    if status not in (CommitmentStatus.SPENT, CommitmentStatus.CANCELLED):
        raise ValidationError({"status": "A commitment is released as spent or cancelled."})
    return services.update_record(commitment, actor=actor, data={"status": status},
                                  expected_version=expected_version)


def record_review(organisation_id: int, year: FinancialYear, *, actor, note: str = "",
                  on: datetime.date | None = None) -> BudgetReview:
    """Record that `actor` reviewed the year's budget monitoring figures (today)."""
    return services.create_record(
        BudgetReview(organisation_id=organisation_id, year=year.start_year,
                     reviewed_on=on or timezone.localdate(), reviewed_by=actor, note=note),
        actor=actor)


def run_recharges(organisation_id: int, year: FinancialYear, *, actor) -> RechargeRun:
    """Share every cost pool of the year among the service units by its rule and keep the
    result as a new run (a draft until issued). ValidationError listing every problem
    (nothing saved) when a pool cannot be shared, or once the year's recharge is issued."""
    services.require(actor, "add", RechargeRun, organisation_id)
    with transaction.atomic():
        issued = (RechargeRun.objects.select_for_update()
                  .filter(organisation_id=organisation_id, year=year.start_year,
                          issued_at__isnull=False).first())
        if issued is not None:
            raise ValidationError(
                f"The recharge for {year} was issued on "
                f"{timezone.localtime(issued.issued_at):%d %B %Y} ({issued.reference}): it "
                "cannot be run again.")
        lines, unallocated, problems = recharge.plan(organisation_id, year)
        if problems:
            raise ValidationError(problems)
        total = sum((line.amount for line in lines), Decimal("0.00"))
        run = services.create_record(
            RechargeRun(organisation_id=organisation_id, year=year.start_year,
                        run_at=timezone.now(), run_by=actor, total=total,
                        unallocated=unallocated),
            actor=actor, note=f"{len(lines)} lines")
        RechargeLine.objects.bulk_create([
            RechargeLine(organisation_id=organisation_id, run=run,
                         service_unit_id=line.service_unit_id, pool=line.pool,
                         pool_name=line.pool.name, basis=line.pool.basis,
                         measure=line.measure, total_measure=line.total_measure,
                         pool_amount=line.pool_amount, amount=line.amount,
                         created_by=actor, updated_by=actor)
            for line in lines], batch_size=500)
    return run


def issue_run(run: RechargeRun, *, actor) -> RechargeRun:
    """Issue a run's statements to the service units: the year's recharge, final. Only
    the year's latest run may be issued (an earlier draft is superseded by it); the other
    drafts are kept, superseded, as the year's history."""
    services.require(actor, "change", RechargeRun, run.organisation_id)
    with transaction.atomic():
        locked = RechargeRun.objects.select_for_update().get(pk=run.pk)
        if locked.issued_at is not None:
            raise ValidationError(f"{locked.reference} was issued already.")
        other = RechargeRun.objects.filter(organisation_id=locked.organisation_id,
                                           year=locked.year,
                                           issued_at__isnull=False).exclude(pk=locked.pk)
        if other.exists():
            raise ValidationError(f"Another run of {FinancialYear(locked.year)} was issued "
                                  "already.")
        later = (RechargeRun.objects.filter(organisation_id=locked.organisation_id,
                                            year=locked.year)
                 .filter(Q(run_at__gt=locked.run_at) | Q(run_at=locked.run_at,
                                                         pk__gt=locked.pk))
                 .order_by("-run_at", "-pk").first())
        if later is not None:
            raise ValidationError(
                f"{locked.reference} is superseded: {later.reference} worked out the "
                f"{FinancialYear(locked.year)} recharge again after it. Issue that one.")
        locked.issued_at, locked.issued_by = timezone.now(), actor
        locked.version += 1
        locked.save(update_fields=["issued_at", "issued_by", "version", "updated_at"])
        audit.record(locked, AuditAction.UPDATE, actor=actor,
                     changes={"issued_at": [None, str(locked.issued_at)]},
                     note="Statements issued to the service units.")
    return locked
