"""Reads of suppliers and contracts that are more than a filter: a supplier's whole
history for its page, the renewals of the next twelve months, the contracts that cover a
configuration item and those that underpin a business service. Other apps read the
commercial records through here. Every read starts from `visible_to(user)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Case, Count, Exists, F, OuterRef, Q, Sum, When
from django.db.models.functions import TruncMonth

from borough.commercial.models import (
    Contract,
    ContractCover,
    RenewalTerms,
    Supplier,
    SupplierContact,
    SupplierReview,
    UncontractedSystem,
)
from borough.core import restricted, scope
from borough.core.money import pence
from borough.core.queries import none_recorded
from borough.organisation.models import Person

# --- a contract's dates as they stand ------------------------------------------------------


@dataclass
class ContractDates:
    """A contract with its dates worked out for `today` (commercial.dates)."""

    contract: Contract
    today: date
    term_end: date | None = None
    notice_by: date | None = None
    current: bool = False
    renewal_agreed: bool = False
    stored: bool = field(default=False, repr=False)  # from its stored dates (dates_on)

    def __post_init__(self):
        if self.stored:
            self.term_end, self.notice_by = self.contract.dates_on(self.today)
        else:
            self.term_end = self.contract.term_end(self.today)
            self.notice_by = self.contract.notice_by(self.today)
        self.current = self.contract.is_current(self.today, self.term_end, end_known=True)
        self.renewal_agreed = self.contract.renewal_agreed_for(self.notice_by)

    @property
    def notice_missed(self) -> bool:
        """The notice date has passed with no notice given and no decision to renew,
        while the term it belonged to still runs."""
        return (self.notice_by is not None and self.notice_by < self.today
                and not self.renewal_agreed and self.current)

    @property
    def notice_days_left(self) -> int | None:
        return (self.notice_by - self.today).days if self.notice_by else None

    @property
    def state(self) -> str:
        """In words, for tables: how the contract stands."""
        c = self.contract
        if c.start_date and c.start_date > self.today:
            return "Not started"
        if not self.current:
            return "Ended"
        if c.notice_given_on:
            return "Notice given"
        if self.notice_missed:
            return "Notice date passed"
        if self.renewal_agreed:
            return "Renewal agreed"
        return "Current"


VALUE_FIELDS = ("annual_value", "whole_life_value")


def shows_values(user, organisation_id: int | None = None) -> bool:
    """Whether `user`'s role shows every contract's values (finance roles)."""
    guard = restricted.guard(Contract)
    return guard is None or guard.sees_all(user, organisation_id)


def hide_values(contracts, user):
    """Blank, in memory and never saved, the values of the contracts `user` may not see
    (core.restricted: finance roles and each contract's owner see them), so that every
    page and answer built from them shows none and adds up only those shown. Whether the
    role shows every contract's values is asked once per organisation, not per contract
    (the renewals page reads thousands)."""
    guard = restricted.guard(Contract)
    if guard is None:
        return contracts
    shown: dict[int | None, bool] = {}
    for contract in contracts:
        organisation_id = getattr(contract, "organisation_id", None)
        if organisation_id not in shown:
            shown[organisation_id] = guard.sees_all(user, organisation_id)
        if not shown[organisation_id] and not restricted.sees(user, contract):
            for name in VALUE_FIELDS:
                setattr(contract, name, None)
    return contracts


def owns(user, contract) -> bool:
    """Whether `user` is the contract's owner (a person in the staff directory with their
    login); their people are read once per user object (a request's)."""
    if contract.owner_id is None:
        return False
    ids = getattr(user, "_borough_person_ids", None)
    if ids is None:
        ids = set(Person.objects.filter(user_id=user.pk).values_list("pk", flat=True))
        user._borough_person_ids = ids
    return contract.owner_id in ids


def with_dates(contracts, today: date) -> list[ContractDates]:
    return [ContractDates(c, today) for c in contracts]


# --- a supplier's page ---------------------------------------------------------------------


@dataclass
class SupplierHistory:
    contacts: list
    current: list[ContractDates]
    past: list[ContractDates]
    items: list  # configuration items its contracts cover (current ones first)
    services: list  # business services its contracts cover
    reviews: list
    last_review_on: date | None
    next_review_due: date | None
    annual_value: Decimal  # of the current contracts


def supplier_history(supplier: Supplier, user, today: date) -> SupplierHistory:
    contacts = list(SupplierContact.objects.visible_to(user).filter(supplier=supplier)
                    .order_by("-is_primary", "name", "pk"))
    contracts = with_dates(hide_values(list(
        Contract.objects.visible_to(user).filter(supplier=supplier)
        .select_related("owner").order_by("-start_date", "pk")), user), today)
    current = [c for c in contracts if c.current or (c.contract.start_date or today) > today]
    past = [c for c in contracts if c not in current]
    live_ids = {c.contract.pk for c in current}
    covers = (ContractCover.objects.visible_to(user)
              .filter(contract__supplier=supplier)
              .select_related("configuration_item__ci_class", "service", "contract")
              .order_by("configuration_item__name", "service__name", "pk"))
    items, services, seen = [], [], set()
    for cover in covers:
        thing = cover.configuration_item or cover.service
        key = (type(thing), thing.pk)
        if key in seen:
            continue
        seen.add(key)
        entry = {"thing": thing, "current": cover.contract_id in live_ids,
                 "contract": cover.contract}
        (items if cover.configuration_item_id else services).append(entry)
    items.sort(key=lambda e: (not e["current"], e["thing"].name))
    services.sort(key=lambda e: (not e["current"], e["thing"].name))
    reviews = list(SupplierReview.objects.visible_to(user).filter(supplier=supplier)
                   .select_related("reviewer")
                   .annotate(average=Avg("scores__score"), scored=Count("scores"))
                   .order_by("-held_on", "-pk"))
    last = reviews[0].held_on if reviews else None
    annual = pence(sum((c.contract.annual_value or Decimal(0) for c in current
                        if c.current), Decimal(0)))
    return SupplierHistory(contacts, current, past, items, services, reviews, last,
                           supplier.next_review_due(last), annual)


# --- renewals --------------------------------------------------------------------------------

NOTICE, END = "notice", "end"


@dataclass(frozen=True)
class RenewalEvent:
    day: date
    kind: str  # NOTICE or END
    contract: Contract

    @property
    def what(self) -> str:
        if self.kind == NOTICE:
            return "Last day for notice"
        if self.contract.renewal_terms == RenewalTerms.AUTO and not self.contract.notice_given_on:
            return "Renews automatically"
        return "Ends"

    @property
    def counted(self) -> Decimal:
        """The value at stake this event puts in its month: a term's end carries the
        contract's annual value; a notice date, nothing (its end is counted)."""
        return (self.contract.annual_value or Decimal(0)) if self.kind == END else Decimal(0)


@dataclass
class RenewalMonth:
    """A month of the renewals: how many dates it holds and the value at stake, and its
    dates themselves when they were asked for (`renewals(listed=...)`)."""

    start: date
    events: list[RenewalEvent] = field(default_factory=list)
    notices: int = 0
    ending: int = 0
    value: Decimal = Decimal(0)  # the annual value of the terms ending in it

    @property
    def dates(self) -> int:
        return self.notices + self.ending


@dataclass
class Renewals:
    today: date
    months: list[RenewalMonth]
    overdue: list[ContractDates]  # notice dates passed while the term runs

    @property
    def total(self) -> Decimal:
        return pence(sum((m.value for m in self.months), Decimal(0)))

    @property
    def dates(self) -> int:
        return sum(m.dates for m in self.months)

    @property
    def events(self) -> list[RenewalEvent]:
        """The dates of the months listed."""
        return [e for m in self.months for e in m.events]

    @property
    def until(self) -> date:
        return self.months[-1].start + relativedelta(months=1, days=-1)


def stale(today: date) -> Q:
    """The contracts whose stored dates `today` has moved on (dates.stale): auto-renewing
    terms ended since the daily alerts job rolled them, between midnight and its run.
    Few; their dates are worked out afresh (Contract.dates_on)."""
    return Q(renewal_terms=RenewalTerms.AUTO, renewal_months__gt=0,
             notice_given_on__isnull=True, next_term_end__lt=today)


def dated_between(first: date, last: date, today: date) -> Q:
    """The contracts with a stored notice or end date from `first` to `last`, and those
    whose stored dates are stale on `today` (the rest have no date then)."""
    return (Q(next_notice_by__range=(first, last)) | Q(next_term_end__range=(first, last))
            | stale(today))


# What the renewals read of each contract (its dates, its value, how it is shown): only
# these are loaded, as a council's every contract is read to find the year's dates; its
# supplier and owner only for the contracts shown (with_parties).
RENEWAL_FIELDS = ("organisation_id", "reference", "title", "kind", "annual_value",
                  "start_date", "end_date", "renewal_terms", "renewal_months",
                  "notice_period", "notice_unit", "notice_given_on", "renewal_agreed_on",
                  "next_term_end", "next_notice_by", "supplier_id", "owner_id")


def with_parties(contracts) -> None:
    """Load the supplier (its name) and owner of each of `contracts` (Contract objects
    read by `renewals`), two queries in all, before they are shown."""
    from django.db.models import Prefetch, prefetch_related_objects

    from borough.organisation.models import Person

    # Every object, not one per contract: a contract listed both in a month and among the
    # passed notice dates is two objects, and one left out read its parties one by one.
    prefetch_related_objects(
        list({id(c): c for c in contracts}.values()),
        Prefetch("supplier", Supplier.objects.only("organisation_id", "reference", "name")),
        Prefetch("owner", Person.objects.only("organisation_id", "full_name")))


def renewals(contracts, today: date, months: int = 12, *, user=None,
             listed: Callable[[list[RenewalMonth]], list[RenewalMonth]] | None = None
             ) -> Renewals:
    """The notice and end dates of `contracts` (a queryset the caller scoped and filtered)
    from today to the end of the month `months - 1` months on, by month; and the contracts
    whose notice date has passed without notice or a decision while their term runs.

    Each month's counts and value are summed by the database from the stored dates; the
    dates themselves are read for the months `listed` chooses from those (every month
    when not given). A council's every contract has a date in the year: read whole, the
    page read thousands of contracts a render to list one month of them. The contracts
    whose stored dates today has moved on (`stale`, few) are worked out one by one and
    added in."""
    first = today.replace(day=1)
    starts = [first + relativedelta(months=n) for n in range(months)]
    last = starts[-1] + relativedelta(months=1, days=-1)
    by_month = {s: RenewalMonth(s) for s in starts}
    fresh = contracts.exclude(stale(today))
    value = _shown_value(user)
    for kind, column in ((NOTICE, "next_notice_by"), (END, "next_term_end")):
        counted = (fresh.filter(**{f"{column}__range": (today, last)}).order_by()
                   .annotate(month=TruncMonth(column)).values("month")
                   .annotate(dates=Count("pk"), **({"value": Sum(value)} if kind == END
                                                     else {})))
        for row in counted:
            month = by_month[row["month"]]
            if kind == NOTICE:
                month.notices += row["dates"]
            else:
                month.ending += row["dates"]
                month.value += row["value"] or Decimal(0)
    moved = list(contracts.filter(stale(today)).only(*RENEWAL_FIELDS).order_by("pk"))
    if user is not None:  # values the reader may not see count for nothing
        moved = hide_values(moved, user)
    moved_dates = [ContractDates(c, today, stored=True) for c in moved]
    for event in _events(moved_dates, today, last):
        month = by_month[event.day.replace(day=1)]
        if event.kind == NOTICE:
            month.notices += 1
        else:
            month.ending += 1
            month.value += event.counted
    for month in by_month.values():
        month.value = pence(month.value)
    chosen = list(by_month.values()) if listed is None else listed(list(by_month.values()))
    if chosen:
        within = Q()
        for month in chosen:
            end = month.start + relativedelta(months=1, days=-1)
            lo, hi = max(month.start, today), min(end, last)
            within |= Q(next_notice_by__range=(lo, hi)) | Q(next_term_end__range=(lo, hi))
        rows = list(fresh.filter(within).only(*RENEWAL_FIELDS).order_by("pk"))
        if user is not None:
            rows = hide_values(rows, user)
        wanted = {month.start for month in chosen}
        for event in _events([*(ContractDates(c, today, stored=True) for c in rows),
                              *moved_dates], today, last):
            if event.day.replace(day=1) in wanted:
                by_month[event.day.replace(day=1)].events.append(event)
    for month in by_month.values():
        month.events.sort(key=lambda e: (e.day, e.kind != NOTICE, e.contract.title))
    # The notice dates passed while the term runs: by the stored dates, those with a
    # notice date before today and a term not yet ended; then the rules (a decision to
    # renew answers one) on those few.
    candidates = list(fresh.filter(next_notice_by__lt=today, next_term_end__gte=today,
                                   start_date__lte=today, notice_given_on__isnull=True)
                      .only(*RENEWAL_FIELDS).order_by("pk"))
    if user is not None:
        candidates = hide_values(candidates, user)
    overdue = [d for d in [*(ContractDates(c, today, stored=True) for c in candidates),
                           *moved_dates] if d.notice_missed]
    overdue.sort(key=lambda d: (d.notice_by, d.contract.pk))
    return Renewals(today, list(by_month.values()), overdue)


def _events(dated: list[ContractDates], today: date, last: date):
    for item in dated:
        for kind, day in ((NOTICE, item.notice_by), (END, item.term_end)):
            if day is not None and today <= day <= last:
                yield RenewalEvent(day, kind, item.contract)


def _shown_value(user):
    """A contract's annual value where `user` sees it, else nothing: hide_values's rule
    as an expression, for sums the database makes."""
    guard = restricted.guard(Contract)
    if user is None or guard is None or (user.is_superuser and user.is_active):
        return F("annual_value")
    seeing = scope.organisation_ids(user, guard.permission)
    people = Person.objects.filter(user_id=user.pk).values("pk")
    return Case(When(Q(organisation_id__in=list(seeing)) | Q(owner_id__in=people),
                     then=F("annual_value")), default=None)


def calendar_events(contracts, today: date, *, back_days: int = 92, months: int = 24,
                    user=None) -> list[RenewalEvent]:
    """Notice and end dates for a calendar: from `back_days` ago to `months` ahead."""
    first = today - relativedelta(days=back_days)
    last = today + relativedelta(months=months)
    events = []
    rows = (contracts.filter(dated_between(first, last, today))
            .select_related("supplier", "owner").order_by("pk"))
    if user is not None:
        rows = hide_values(list(rows), user)
    for contract in rows:
        end, notice = contract.dates_on(today)
        if contract.notice_given_on is None and end is not None and end < today:
            end = None  # a term already over: the next is the one to show
        for kind, day in ((NOTICE, notice), (END, end)):
            if day is not None and first <= day <= last:
                events.append(RenewalEvent(day, kind, contract))
    events.sort(key=lambda e: (e.day, e.kind, e.contract.pk))
    return events


# --- what covers a configuration item, what underpins a service ----------------------------------


def item_annotations() -> dict:
    """For a CI page's own read of the item (core.queries.with_record_extras): whether any
    cover or recorded reason names it, so the panel of an item with neither (most items)
    asks nothing."""
    return {"panel_contract_covers": Exists(ContractCover.objects.filter(
                configuration_item=OuterRef("pk"))),
            "panel_no_contract_reason": Exists(UncontractedSystem.objects.filter(
                configuration_item=OuterRef("pk")))}


def contracts_covering_item(item, user, today: date) -> dict:
    """The contracts that cover a configuration item (current first), their annual value,
    and the reason recorded when it has none."""
    covers = [] if none_recorded(item, "panel_contract_covers") else list(
        ContractCover.objects.visible_to(user).filter(configuration_item=item)
        .select_related("contract__supplier").order_by("contract__title", "pk"))
    contracts = with_dates(hide_values([c.contract for c in covers], user), today)
    # Not even compiled for an item no contract covers (most of them): Django builds the
    # statement before it finds the empty IN list makes it needless.
    shared = dict(ContractCover.objects.filter(contract__in=[c.contract for c in covers])
                  .values("contract_id").annotate(n=Count("pk")).values_list("contract_id", "n")
                  ) if covers else {}
    current = [c for c in contracts if c.current]
    past = [c for c in contracts if not c.current]
    reason = None if none_recorded(item, "panel_no_contract_reason") else (
        UncontractedSystem.objects.visible_to(user).filter(configuration_item=item).first())
    annual = pence(sum((c.contract.annual_value or Decimal(0) for c in current), Decimal(0)))
    return {"current": current, "past": past, "annual": annual, "reason": reason,
            "shared": shared}


def underpinning(service, component_item_ids, user, today: date) -> list[dict]:
    """The current contracts that cover the business service or one of its components'
    configuration items (`component_item_ids`: ids, or a values queryset read as a
    subquery), with what each covers: its support hours and response times are the
    underpinning contract of the service's agreements."""
    covers = (ContractCover.objects.visible_to(user)
              .filter(Q(service=service) | Q(configuration_item_id__in=component_item_ids))
              .select_related("contract__supplier", "configuration_item", "service")
              .order_by("contract__title", "pk"))
    found: dict[int, dict] = {}
    for cover in covers:
        contract = cover.contract
        if not contract.is_current(today):
            continue
        entry = found.setdefault(contract.pk, {"contract": contract, "covers": []})
        entry["covers"].append(cover.configuration_item or cover.service)
    return list(found.values())
