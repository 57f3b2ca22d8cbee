"""The commercial module's evidence rules for the standards module (core.evidence; the
contract is in docs/standards.md). Each reads only the organisation it is given, writes
nothing, and answers as at `as_of` from the records' versions (core.temporal.states_at):
live systems, what contracts covered them and on what terms, the reasons recorded for
those with none, suppliers and their review periods, as they stood then. Reviews count
when recorded by `as_of` and held by its day (they are not versioned: one deleted since is
not counted).

- commercial.systems-under-contract: every live system has a current contract or a
  recorded reason (whose review date has not passed).
- commercial.no-notice-dates-missed: no contract's notice date in the period (a year by
  default; the terms as they stood at the end of that day) passed without notice given
  or a decision to renew taken by it, as recorded by the date checked (docs/commercial.md).
- commercial.supplier-reviews-on-schedule: every active key supplier with a review
  period was reviewed within it (with some days' grace).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from borough.cmdb.models import ConfigurationItem, ConfigurationItemVersion, Criticality, Status
from borough.cmdb.queries import application_class_ids
from borough.commercial import dates
from borough.commercial.models import (
    Contract,
    ContractCover,
    ContractCoverVersion,
    ContractVersion,
    Supplier,
    SupplierReview,
    SupplierStatus,
    SupplierVersion,
    UncontractedSystem,
    UncontractedSystemVersion,
)
from borough.core import temporal
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, some_of, whole

LONDON = ZoneInfo("Europe/London")
TERM_FIELDS = ["start_date", "end_date", "renewal_terms", "renewal_months", "notice_period",
               "notice_unit", "notice_given_on", "renewal_agreed_on"]


def _day(as_of) -> datetime.date:
    return timezone.localtime(as_of, LONDON).date()


def _end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day`, in London: how a record stood at the end of it."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                     tzinfo=LONDON)


def terms_of(row: dict) -> dates.Terms:
    return dates.Terms(row["start_date"], row["end_date"], row["renewal_terms"],
                       row["renewal_months"], row["notice_period"] or 0, row["notice_unit"],
                       row["notice_given_on"])


def _current(row: dict, day: datetime.date) -> bool:
    if row["start_date"] is None or row["start_date"] > day:
        return False
    end = dates.term_end(terms_of(row), day)
    return end is None or end >= day


def _names(rows, limit: int = 5) -> str:
    names = [r["name"] for r in rows[:limit]]
    more = len(rows) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


# --- every live system has a current contract or a reason ---------------------------------------


def systems_under_contract(organisation, params, as_of) -> EvidenceResult:
    day = _day(as_of)
    systems = sorted(temporal.states_at(
        ConfigurationItemVersion, ConfigurationItem, organisation, as_of,
        fields=["name", "reference"],
        where={"ci_class_id__in": application_class_ids(organisation),
               "status": Status.LIVE}), key=lambda s: (s["name"] or "", s["id"]))
    ids = {s["id"] for s in systems}
    covered, reasons = set(), set()
    if systems:  # with none, nothing more to read
        covers = [c for c in temporal.states_at(
            ContractCoverVersion, ContractCover, organisation, as_of,
            fields=["contract_id", "configuration_item_id"])
            if c["configuration_item_id"] in ids]
        contracts = {c["id"]: c for c in temporal.states_at(
            ContractVersion, Contract, organisation, as_of, fields=TERM_FIELDS)} if covers else {}
        covered = {c["configuration_item_id"] for c in covers
                   if c["contract_id"] in contracts
                   and _current(contracts[c["contract_id"]], day)}
        reasons = {r["configuration_item_id"] for r in temporal.states_at(
            UncontractedSystemVersion, UncontractedSystem, organisation, as_of,
            fields=["configuration_item_id", "review_by"])
            if r["review_by"] is None or r["review_by"] >= day}
    with_reason = [s for s in systems if s["id"] not in covered and s["id"] in reasons]
    missing = [s for s in systems if s["id"] not in covered and s["id"] not in reasons]
    minimum = params["min_systems"]
    figures = {"live_systems": len(systems), "under_contract": len(covered & ids),
               "with_reason": len(with_reason), "without": [s["reference"] for s in missing],
               "min_systems": minimum}
    if len(systems) < minimum:
        summary = (f"{len(systems)} live system{'s are' if len(systems) != 1 else ' is'} "
                   f"recorded; at least {minimum} are expected in the systems catalogue.")
    elif missing:
        summary = (f"{len(missing)} of {len(systems)} live systems have neither a current "
                   f"contract nor a recorded reason for having none: {_names(missing)}.")
    else:
        summary = (f"Every one of the {len(systems)} live systems has a current contract "
                   f"({len(covered & ids)}) or a recorded reason for having none "
                   f"({len(with_reason)}).")
    links = (EvidenceLink("Contracts", reverse("commercial:contract_list")),
             EvidenceLink("Reasons for no contract",
                          reverse("commercial:uncontractedsystem_list")),
             EvidenceLink("Systems catalogue", reverse("cmdb:systems_catalogue") + "?unit=all"))
    return EvidenceResult(len(systems) >= minimum and not missing, summary, figures, links)


# --- no notice date missed ----------------------------------------------------------------------


def _contract_states(organisation, as_of) -> list[dict]:
    """Every state of the organisation's contracts recorded by `as_of`: dicts of the
    terms with `valid_from`, `valid_to`, `id`, `title` and `reference`. A contract kept
    before versions were (a benchmark's seed) stands as it is, from when it was made."""
    versions = (ContractVersion.objects.filter(organisation=organisation,
                                               valid_from__lte=as_of)
                .values("record_id", "valid_from", "valid_to", "values").order_by())
    parse = {name: Contract._meta.get_field(name).to_python
             for name in [*TERM_FIELDS, "title", "reference"]}
    states = []
    for version in versions:
        values = version["values"] or {}
        row = {name: convert(values.get(name)) for name, convert in parse.items()}
        row.update(id=version["record_id"], valid_from=version["valid_from"],
                   valid_to=version["valid_to"])
        states.append(row)
    versioned = ContractVersion.objects.filter(organisation=organisation).values("record_id")
    for contract in (Contract.objects.for_organisation(organisation)
                     .filter(created_at__lte=as_of).exclude(pk__in=versioned)
                     .values("id", "created_at", "title", "reference", *TERM_FIELDS)):
        contract["valid_from"], contract["valid_to"] = contract.pop("created_at"), None
        states.append(contract)
    return states


def _answered(terms: dates.Terms, notice: datetime.date, states: list[dict]) -> bool:
    """Whether any state of the contract recorded by the date checked says that notice
    was given by `notice`, or that a decision to renew answering it was taken: a notice
    given on time but recorded a few days later counts; a later term's decision, which
    replaced this one's on the record, does not hide it."""
    for state in states:
        given = state["notice_given_on"]
        if given is not None and given <= notice:
            return True
        if dates.decided_for(terms, state["renewal_agreed_on"], notice):
            return True
    return False


def notice_dates_missed(organisation, params, as_of) -> EvidenceResult:
    day = _day(as_of)
    first = day - datetime.timedelta(days=params["within_days"])
    by_contract: dict[int, list[dict]] = {}
    for row in _contract_states(organisation, as_of):
        by_contract.setdefault(row["id"], []).append(row)
    checked, missed = set(), {}
    for states in by_contract.values():
        for row in states:
            terms = terms_of(row)
            for notice in dates.notice_dates(terms, first, day - datetime.timedelta(days=1)):
                moment = _end_of(notice)
                if not (row["valid_from"] <= moment and (row["valid_to"] is None
                                                         or row["valid_to"] > moment)):
                    continue  # the terms that stood on that day were another state's
                if row["start_date"] and notice < row["start_date"]:
                    continue
                checked.add((row["id"], notice))
                if not _answered(terms, notice, states):
                    missed[(row["id"], notice)] = row
    contracts = set(by_contract)
    late = sorted(missed.items(), key=lambda item: item[0][1])
    figures = {"within_days": params["within_days"], "contracts": len(contracts),
               "notice_dates": len(checked), "missed": len(late),
               "missed_contracts": [{"reference": row["reference"], "notice_by": n.isoformat()}
                                    for (_id, n), row in late]}
    if not contracts:
        summary = "No contracts are recorded, so there are no notice dates to show."
    elif late:
        shown = "; ".join(f"{row['reference']} {row['title']} (by {n:%-d %B %Y})"
                          for (_id, n), row in late[:5])
        more = f" and {len(late) - 5} more" if len(late) > 5 else ""
        summary = (f"{len(late)} of {len(checked)} notice dates in the last "
                   f"{params['within_days']} days passed with no notice given and no decision "
                   f"to renew recorded by then: {shown}{more}.")
    elif checked:
        summary = (f"All {len(checked)} notice dates in the last {params['within_days']} "
                   "days were met: notice given or a decision to renew recorded by each.")
    else:
        summary = (f"No contract had a notice date in the last {params['within_days']} days; "
                   f"{len(contracts)} contracts are recorded.")
    links = (EvidenceLink("Renewals", reverse("commercial:renewals")),
             EvidenceLink("Contracts", reverse("commercial:contract_list")))
    return EvidenceResult(bool(contracts) and not late, summary, figures, links)


# --- supplier reviews held on schedule ------------------------------------------------------------

CRITICALITIES = [c.value for c in Criticality]


def supplier_reviews_on_schedule(organisation, params, as_of) -> EvidenceResult:
    day = _day(as_of)
    suppliers = sorted(
        (s for s in temporal.states_at(
            SupplierVersion, Supplier, organisation, as_of,
            fields=["name", "reference", "status", "criticality", "review_every_months"])
         if s["status"] == SupplierStatus.ACTIVE and s["review_every_months"]
         and s["criticality"] in params["criticalities"]),
        key=lambda s: (s["name"] or "", s["id"]))
    ids = [s["id"] for s in suppliers]
    added = dict(Supplier.objects.for_organisation(organisation).filter(pk__in=ids)
                 .values_list("pk", "created_at")) if ids else {}
    last = dict(SupplierReview.objects.for_organisation(organisation)
                .filter(created_at__lte=as_of, held_on__lte=day, supplier_id__in=ids)
                .values("supplier_id").annotate(last=Max("held_on"))
                .values_list("supplier_id", "last")) if ids else {}
    grace = params["grace_days"]
    overdue = []
    for supplier in suppliers:
        since = last.get(supplier["id"])
        if since is None:
            made = added.get(supplier["id"])
            since = timezone.localtime(made, LONDON).date() if made else day
        due = dates.after(since, supplier["review_every_months"], dates.MONTHS)
        supplier["due"] = due
        if due + datetime.timedelta(days=grace) < day:
            overdue.append(supplier)
    words = " or ".join(Criticality(c).label.lower() for c in params["criticalities"])
    figures = {"criticalities": params["criticalities"], "grace_days": grace,
               "suppliers": len(suppliers), "reviewed_on_schedule": len(suppliers) - len(overdue),
               "overdue": [{"reference": s["reference"], "due": s["due"].isoformat()}
                           for s in overdue]}
    if not suppliers:
        summary = (f"No active {words} suppliers with scheduled reviews are recorded, so there "
                   "is nothing to show.")
    elif overdue:
        summary = (f"{len(overdue)} of {len(suppliers)} active {words} suppliers are overdue "
                   f"for their review: {_names(overdue)}.")
    else:
        summary = (f"All {len(suppliers)} active {words} suppliers with scheduled reviews were "
                   "reviewed within their review period.")
    links = (EvidenceLink("Supplier reviews", reverse("commercial:supplierreview_list")),
             EvidenceLink("Suppliers", reverse("commercial:supplier_list")))
    return EvidenceResult(bool(suppliers) and not overdue, summary, figures, links)


RULES = [
    EvidenceRule(
        "commercial.systems-under-contract",
        "Every live system has a current contract or a recorded reason",
        "Looks at the live applications (the systems catalogue) as they stood on the date "
        "checked. A system counts when a contract covering it was current that day (started, "
        "and its term not ended: an auto-renewing contract renews until notice is given), or "
        "when a reason for it having no contract was recorded and its review date had not "
        "passed. Met when every live system counts and there are at least the minimum number "
        "of live systems.",
        systems_under_contract, (whole("min_systems", 1, minimum=1),)),
    EvidenceRule(
        "commercial.no-notice-dates-missed",
        "No contract notice date was missed",
        "Looks at every notice date in the period before the date checked of every contract "
        "recorded by then (a fixed term's one; one for each term of an auto-renewing "
        "contract; none for a rolling contract), from the contract's terms as they stood at "
        "the end of that day (a date before the contract was recorded is not judged). A "
        "notice date is missed when, on the record by the date checked, notice was not given "
        "on or before it and no decision to renew was taken on or before it (for an "
        "auto-renewing contract, after the term before's notice date). Met when none was "
        "missed; with no contracts recorded, not met.",
        notice_dates_missed, (whole("within_days", 365, minimum=1, maximum=1830),)),
    EvidenceRule(
        "commercial.supplier-reviews-on-schedule",
        "Key suppliers are reviewed on schedule",
        "Looks at the active suppliers of the listed criticalities that have a review period, "
        "as they stood on the date checked. Each is due for review its review period after "
        "its last review held by then (after it was added when it has none); it is overdue "
        "when that date plus the days of grace has passed. Met when none is overdue; with no "
        "such suppliers, not met.",
        supplier_reviews_on_schedule,
        (some_of("criticalities", [Criticality.CRITICAL.value, Criticality.HIGH.value],
                 CRITICALITIES),
         whole("grace_days", 30, minimum=0, maximum=365))),
]
