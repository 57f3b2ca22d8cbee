"""Writes for suppliers and contracts beyond create, change and delete (which go through
core.services, the rules being in the models' clean()): a contract's record actions —
give notice, record a decision to renew —, recording a supplier review with its scores,
the alerts of contracts' notice and end dates and of supplier reviews due (core.reminders),
and the secret addresses of the renewals calendar."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from borough.accounts.queries import members_in_role
from borough.commercial import dates, forms, queries
from borough.commercial.models import (
    DEFAULT_ALERT_DAYS,
    CalendarFeed,
    CommercialSettings,
    Contract,
    RenewalTerms,
    ReviewCriterion,
    Supplier,
    SupplierReview,
    SupplierReviewScore,
    SupplierStatus,
    parse_days,
)
from borough.core import feeds, notifications, reminders, roles, scope, services
from borough.core.actions import Actions


def _words(day: date) -> str:
    return f"{day:%-d %B %Y}"


# --- a contract's record actions ---------------------------------------------------------

def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("supplier").get(pk=contract.pk)


CONTRACT_ACTIONS = Actions(Contract, lock=_lock)


def _notice_outcome(contract: Contract) -> str:
    end = contract.term_end(contract.notice_given_on or timezone.localdate())
    if end is None:
        return f"Notice on {contract.reference} recorded."
    return f"Notice on {contract.reference} recorded: it ends on {_words(end)}."


@CONTRACT_ACTIONS.action("give-notice", label="Give notice", form=forms.GiveNoticeForm,
                         audit_note="Notice given", success=_notice_outcome)
def give_notice(contract: Contract, *, actor, given_on: date | None = None) -> Contract:
    """Record that notice was given to end the contract (or stop it renewing), on
    `given_on` (today if not said), and by whom. The term it falls in is then the last
    (dates.term_end: notice given after the notice date ends the term after)."""
    today = timezone.localdate()
    given_on = given_on or today
    if contract.notice_given_on is not None:
        raise ValidationError(f"Notice on {contract.reference} was already given on "
                              f"{_words(contract.notice_given_on)}.")
    if given_on > today:
        raise ValidationError({"given_on": "Record notice once it is given: the date cannot "
                                           "be in the future."})
    if contract.start_date and given_on < contract.start_date:
        raise ValidationError({"given_on": "Notice cannot be given before the contract "
                                           f"starts ({_words(contract.start_date)})."})
    if (contract.renewal_terms == RenewalTerms.FIXED and contract.end_date
            and contract.end_date < given_on):
        raise ValidationError(f"{contract.reference} ended on {_words(contract.end_date)}: "
                              "there is no notice to give.")
    contract.notice_given_on = given_on
    contract.notice_given_by = actor if getattr(actor, "pk", None) else None
    return contract


def _renewal_outcome(contract: Contract) -> str:
    return f"The decision to renew {contract.reference} is recorded."


@CONTRACT_ACTIONS.action("agree-renewal", label="Record a decision to renew",
                         form=forms.AgreeRenewalForm, audit_note="Renewal agreed",
                         success=_renewal_outcome)
def agree_renewal(contract: Contract, *, actor, agreed_on: date | None = None) -> Contract:
    """Record that the council decided, on `agreed_on` (today if not said), to let the
    current term renew (or to extend it): taken by its notice date, the date is not
    missed (evidence.no_notice_dates_missed) and no more notice alerts go for it."""
    today = timezone.localdate()
    agreed_on = agreed_on or today
    if contract.notice_given_on is not None:
        raise ValidationError(f"Notice on {contract.reference} was given on "
                              f"{_words(contract.notice_given_on)}: it is not renewing.")
    if agreed_on > today:
        raise ValidationError({"agreed_on": "Record the decision once taken: the date cannot "
                                            "be in the future."})
    if contract.start_date and agreed_on < contract.start_date:
        raise ValidationError({"agreed_on": "The decision cannot come before the contract "
                                            f"starts ({_words(contract.start_date)})."})
    if contract.notice_by(agreed_on) is None:
        raise ValidationError(f"{contract.reference} has no notice date to decide by (no "
                              "end date or notice period, or it rolls on).")
    contract.renewal_agreed_on = agreed_on
    contract.renewal_agreed_by = actor if getattr(actor, "pk", None) else None
    return contract


def actions_open(contract: Contract) -> set[str]:
    """The actions that make sense in the contract's state (the page offers only these;
    the services refuse the others with the reason)."""
    today = timezone.localdate()
    if contract.notice_given_on is not None:
        return set()
    open_ = {"give-notice"}
    notice = contract.notice_by(today)
    if notice is not None and not contract.renewal_agreed_for(notice):
        open_.add("agree-renewal")
    if (contract.renewal_terms == RenewalTerms.FIXED and contract.end_date
            and contract.end_date < today):
        open_.discard("give-notice")
    return open_


# --- supplier reviews ----------------------------------------------------------------------

# What a new council scores its suppliers on until it changes them (registry setup).
DEFAULT_CRITERIA = [
    ("Quality of service", "Does what the contract says, to the standard agreed."),
    ("Responsiveness", "Answers and fixes within the response times committed."),
    ("Account management", "Keeps the council informed; meets when agreed; escalates."),
    ("Value for money", "Costs as agreed; no surprises; improvements offered."),
    ("Meeting the council's standards", "Security, data protection and accessibility "
                                        "obligations met (NeSDS standards)."),
]


def set_up_organisation(organisation, *, actor=None) -> None:
    """Default review criteria for a new council (registry.organisation_setup)."""
    for position, (name, description) in enumerate(DEFAULT_CRITERIA, start=1):
        if not ReviewCriterion.objects.filter(organisation=organisation, name=name).exists():
            services.create_record(ReviewCriterion(
                organisation=organisation, name=name, description=description,
                position=position * 10), actor=None, note="Default review criterion")


def record_review(supplier: Supplier, *, actor, held_on: date, reviewer=None,
                  scores: dict[int, tuple[int, str]] | None = None, contracts=(),
                  service_levels: str = "", actions: str = "", summary: str = "",
                  idempotency_key: str | None = None) -> SupplierReview:
    """A review held on `held_on`, with a score (1 to 5, and a comment) for each of the
    council's active criteria given in `scores` (criterion id -> (score, comment)), in one
    transaction; the supplier's next review is then due its review period after it."""
    services.require(actor, "add", SupplierReview, supplier.organisation_id)
    scores = scores or {}
    criteria = {c.pk: c for c in ReviewCriterion.objects.for_organisation(
        supplier.organisation_id).filter(pk__in=list(scores))}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError("Score only the council's own review criteria.")
    with transaction.atomic():
        review = SupplierReview(organisation_id=supplier.organisation_id, supplier=supplier,
                                held_on=held_on, reviewer=reviewer,
                                service_levels=service_levels or "", actions=actions or "",
                                summary=summary or "")
        made = services.create_record(review, actor=actor, idempotency_key=idempotency_key,
                                      many_to_many={"contracts": list(contracts)},
                                      note="Supplier review recorded")
        if made.pk != review.pk:
            return made  # the same form sent twice: the first one's
        for criterion_id, (score, comment) in scores.items():
            services.create_record(SupplierReviewScore(
                organisation_id=supplier.organisation_id, review=made,
                criterion=criteria[criterion_id], score=score, comment=comment or ""),
                actor=actor)
    return made


def last_reviews(supplier_ids) -> dict[int, date]:
    """Each supplier's last review date (suppliers never reviewed are left out)."""
    return dict(SupplierReview.objects.filter(supplier_id__in=list(supplier_ids))
                .values("supplier_id").annotate(last=Max("held_on"))
                .values_list("supplier_id", "last"))


# --- alerts --------------------------------------------------------------------------------

def alert_days(organisation_id: int) -> tuple[int, ...]:
    found = CommercialSettings.objects.filter(organisation_id=organisation_id).first()
    return found.days if found is not None else DEFAULT_ALERT_DAYS


def _told(contract: Contract) -> tuple[list, list]:
    """Users to notify (in-app and email) and people to email: the contract's owner
    however reachable, and the organisation's ICT managers."""
    view = scope.permission_name(Contract, "view")
    user, person = reminders.reachable(contract.owner, contract.organisation_id, view)
    users = {u.pk: u for u in members_in_role(contract.organisation_id, roles.ICT_MANAGER)}
    if user is not None:
        users[user.pk] = user
    return list(users.values()), [person] if person is not None else []


def _left(due: date, on: date) -> str:
    days = (due - on).days
    return "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"


def notice_date(contract: Contract, on: date) -> date | None:
    """The notice date to alert about: none once notice is given or a decision to renew
    answers it."""
    day = contract.notice_by(on)
    return None if day is None or contract.renewal_agreed_for(day) else day


def _send_notice(contract: Contract, stage: str, on: date) -> None:
    due = notice_date(contract, on)
    end = contract.term_end(on)
    users, people = _told(contract)
    renews = contract.renewal_terms == RenewalTerms.AUTO
    consequence = (f"Without notice by then it renews on {_words(end)}"
                   f"{f' for {contract.renewal_months} months' if contract.renewal_months else ''}."
                   if renews else f"Its term ends on {_words(end)}.")
    notifications.notify(
        users, people=people, organisation_id=contract.organisation_id,
        event="contract-notice-due",
        context={"supplier": contract.supplier.name, "notice_by": _words(due),
                 "term_end": _words(end), "days_left": _left(due, on),
                 "consequence": consequence},
        subject=(f"Notice on {contract.reference} {contract.title} must be given by "
                 f"{_words(due)} ({_left(due, on)})"),
        body=(f"{contract.title}, with {contract.supplier.name}: the last day to give notice "
              f"is {_words(due)}. {consequence} Decide whether to keep it: to end it, give "
              "notice and record it on the contract's page (Give notice); to keep it, record "
              "the decision to renew."),
        url=contract.get_absolute_url(), thread=contract)


def _send_end(contract: Contract, stage: str, on: date) -> None:
    end = contract.term_end(on)
    users, people = _told(contract)
    renews = contract.renewal_terms == RenewalTerms.AUTO and contract.notice_given_on is None
    if renews:
        subject = (f"{contract.reference} {contract.title} renews automatically on "
                   f"{_words(end)} ({_left(end, on)})")
        body = (f"{contract.title}, with {contract.supplier.name}, renews on {_words(end)} "
                "unless notice has been given in time.")
    else:
        subject = f"{contract.reference} {contract.title} ends on {_words(end)} ({_left(end, on)})"
        body = (f"{contract.title}, with {contract.supplier.name}, ends on {_words(end)}. "
                "Make sure what it covers is replaced, renewed or no longer needed.")
    notifications.notify(users, people=people, organisation_id=contract.organisation_id,
                         event="contract-end-due", subject=subject, body=body,
                         url=contract.get_absolute_url(), thread=contract,
                         context={"supplier": contract.supplier.name,
                                  "term_end": _words(end), "days_left": _left(end, on),
                                  "renews_automatically": "yes" if renews else "no"})


def _contracts_with_dates(organisation_id: int, on: date):
    """The organisation's contracts that may have a notice or end date to come."""
    return (Contract.objects.for_organisation(organisation_id)
            .filter(Q(end_date__gte=on) | Q(renewal_terms=RenewalTerms.AUTO)
                    | Q(renewal_terms=RenewalTerms.ROLLING, notice_given_on__isnull=False))
            .select_related("owner__user", "supplier").order_by("pk"))


def contract_reminders(organisation_id: int, days: tuple[int, ...]
                       ) -> tuple[reminders.DateReminder, reminders.DateReminder]:
    def records(on, organisation_id=organisation_id):
        return _contracts_with_dates(organisation_id, on)

    return (reminders.DateReminder(records=records, date_of=notice_date, days_before=days,
                                   stage_prefix="notice-", send=_send_notice),
            reminders.DateReminder(records=records, date_of=lambda c, on: c.term_end(on),
                                   days_before=days, stage_prefix="end-", send=_send_end))


def roll_contract_dates(today: date) -> int:
    """Move on the stored dates (Contract.next_term_end, next_notice_by) that `today` has
    moved: auto-renewing terms that have ended and renewed (queries.stale), and any row
    written without them (a bulk load). Derived fields: no new version, no audit event.
    How many were moved."""
    unfilled = (Q(next_term_end__isnull=True)
                & ~Q(renewal_terms=RenewalTerms.ROLLING, notice_given_on__isnull=True))
    rows = list(Contract.objects.filter(queries.stale(today) | unfilled)
                .only(*queries.RENEWAL_FIELDS))
    for contract in rows:
        contract.stamp_dates(today)
    Contract.objects.bulk_update(rows, ["next_term_end", "next_notice_by"], batch_size=500)
    return len(rows)


def remind_contract_dates(now: datetime | None = None) -> int:
    """The daily job: tell each contract's owner and the organisation's ICT managers, in
    Borough and by email, when its notice date and its end date are the organisation's
    alert days away (180, 90 and 30 by default), each once (core.reminders: a second run,
    or a second worker, tells nobody twice; a new date is told afresh). How many were
    sent. First, each renewed term's stored dates are rolled on to today's: until the job
    runs, after midnight, the pages work those few out afresh (Contract.dates_on)."""
    roll_contract_dates(timezone.localdate(now) if now is not None else timezone.localdate())
    settings = {s.organisation_id: s.days for s in CommercialSettings.objects.all()}
    sent = 0
    for organisation_id in (Contract.objects.order_by().values_list("organisation_id", flat=True)
                            .distinct()):
        days = settings.get(organisation_id, DEFAULT_ALERT_DAYS)
        for reminder in contract_reminders(organisation_id, days):
            sent += reminders.run(reminder, now)
    return sent


# Supplier reviews: the supplier manager is told 30 days before one is due, once.
REVIEW_REMIND_DAYS = 30


def _supplier_review_due(supplier: Supplier, on: date) -> date | None:
    return supplier.next_review_due(getattr(supplier, "last_review_on", None))


def _send_review(supplier: Supplier, stage: str, on: date) -> None:
    due = _supplier_review_due(supplier, on)
    user, person = reminders.reachable(supplier.manager, supplier.organisation_id,
                                       scope.permission_name(Supplier, "view"))
    verb = "was" if due < on else "is"
    notifications.notify(
        [user] if user else [], people=[person] if person else [],
        organisation_id=supplier.organisation_id, event="supplier-review-due",
        context={"supplier": supplier.name, **reminders.dates_context(due, on)},
        subject=f"A review of {supplier.name} {verb} due {reminders.in_words(due, on)}",
        body=(f"You manage {supplier.name}. Hold its performance review with the supplier: "
              "score it against the council's criteria, go through its contracts' service "
              "levels and agree actions, then record the review on the supplier's page."),
        url=supplier.get_absolute_url(), thread=supplier)


SUPPLIER_REVIEW = reminders.DateReminder(
    records=lambda on: Supplier.objects.filter(status=SupplierStatus.ACTIVE,
                                               review_every_months__isnull=False)
    .annotate(last_review_on=Max("reviews__held_on")).select_related("manager__user")
    .order_by("pk"),
    date_of=_supplier_review_due, within_days=REVIEW_REMIND_DAYS, send=_send_review,
    two_stages=False)


def remind_supplier_reviews(now: datetime | None = None) -> int:
    """The daily job: tell each active supplier's manager when its review is due within
    REVIEW_REMIND_DAYS days (or overdue), once per due date: a review recorded moves the
    date on, and the next is told afresh."""
    return reminders.run(SUPPLIER_REVIEW, now)


# --- the renewals calendar's secret addresses -------------------------------------------------

def create_feed(user, organisation_id: int, *, actor, idempotency_key: str | None = None
                ) -> tuple[CalendarFeed | None, str | None]:
    """A new secret address for `user`'s renewals calendar and its secret:
    core.feeds.create."""
    return feeds.create(CalendarFeed, user, organisation_id, actor=actor, reads=Contract,
                        idempotency_key=idempotency_key)


def revoke_feed(feed: CalendarFeed, *, actor) -> CalendarFeed:
    return feeds.revoke(feed, actor=actor)


def feed_reader(raw: str):
    """The user a calendar address reads as, or None (core.feeds.reader)."""
    feed = feeds.reader(CalendarFeed, raw, reads=Contract)
    return None if feed is None else feed.user


__all__ = ["CONTRACT_ACTIONS", "actions_open", "agree_renewal", "alert_days", "create_feed",
           "dates", "feed_reader", "give_notice", "last_reviews", "parse_days",
           "record_review", "remind_contract_dates", "remind_supplier_reviews", "revoke_feed"]
