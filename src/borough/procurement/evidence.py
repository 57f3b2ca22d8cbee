"""Procurement's evidence rules for the standards module (core.evidence; the contract is in
docs/standards.md), for the strategic sourcing criteria: the ICT procurement procedure is
published, procurement over a council-set value was decided on an approved business case,
and sourcing decisions compared internal and external providers. Each reads only the
organisation it is given, writes nothing, and returns the figures and links behind it.

As at a date: contracts are read as they stood then (their versions, core.temporal); a
request counts as approved if it was decided by then, an exception if it was recorded by
then; the procedure must have had a version published by then."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from borough.commercial.models import Contract, ContractVersion
from borough.core import temporal
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, one_of, whole
from borough.core.money import format_pounds
from borough.library import queries as library_queries
from borough.library.models import Topic
from borough.procurement.models import (
    ProcurementException,
    ProcurementOption,
    ProcurementRequest,
    Provider,
    Status,
)


def min_value(default: int):
    return number("min_value", default, minimum=0, maximum=10**12)


def period_days():
    return whole("period_days", 365, minimum=1, maximum=3660)


def _names(rows, limit: int = 10) -> str:
    names = [r["reference"] for r in rows]
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _window(params, as_of):
    day = timezone.localtime(as_of).date()
    return day - timedelta(days=params["period_days"] - 1), day


def business_cases(organisation, params, as_of) -> EvidenceResult:
    """Contracts over the value that started in the period: each from an approved request
    or with a recorded exception."""
    first, last = _window(params, as_of)
    limit = Decimal(str(params["min_value"]))
    contracts = temporal.states_at(
        ContractVersion, Contract, organisation, as_of,
        fields=["reference", "title", "whole_life_value", "annual_value", "start_date"])
    over = sorted((c for c in contracts
                   if c["start_date"] and first <= c["start_date"] <= last
                   and (c["whole_life_value"] if c["whole_life_value"] is not None
                        else c["annual_value"] or 0) > limit),
                  key=lambda c: c["reference"])
    ids = [c["id"] for c in over]
    approved = set(ProcurementRequest.objects.for_organisation(organisation).filter(
        contract_id__in=ids, status=Status.APPROVED, decided_at__lte=as_of)
        .values_list("contract_id", flat=True))
    excepted = set(ProcurementException.objects.for_organisation(organisation).filter(
        contract_id__in=ids, agreed_on__lte=last, created_at__lte=as_of)
        .values_list("contract_id", flat=True))
    missing = [c for c in over if c["id"] not in approved | excepted]
    figures = {"min_value": str(limit), "period_days": params["period_days"],
               "contracts_over_value": len(over),
               "from_approved_requests": len([c for c in over if c["id"] in approved]),
               "by_exception": len([c for c in over if c["id"] in excepted - approved]),
               "without": [c["reference"] for c in missing]}
    words = (f"over {format_pounds(limit)} that started between {first:%-d %B %Y} and "
             f"{last:%-d %B %Y}")
    if not over:
        summary = f"No contracts {words}, so there is nothing to show."
    elif missing:
        summary = (f"{len(missing)} of {len(over)} contracts {words} came from no approved "
                   f"business case and have no recorded exception: {_names(missing)}.")
    else:
        summary = (f"Every one of the {len(over)} contracts {words} came from an approved "
                   "business case or has a recorded exception.")
    links = (EvidenceLink("Approved procurement requests",
                          reverse("procurement:procurementrequest_list") + "?status=approved"),
             EvidenceLink("Procurement exceptions",
                          reverse("procurement:procurementexception_list")))
    return EvidenceResult(bool(over) and not missing, summary, figures, links)


def procedure_published(organisation, params, as_of) -> EvidenceResult:
    day = timezone.localtime(as_of).date()
    found = library_queries.current_documents(organisation.pk, Topic.ICT_PROCUREMENT, as_of)
    in_date = [d for d in found if d.next_review_on is None or d.next_review_on >= day]
    usable = in_date if params["review"] == "in_date" else found
    figures = {"procedure_documents": [d.reference for d in found],
               "in_date": [d.reference for d in in_date], "review": params["review"]}
    if usable:
        summary = ("The ICT procurement procedure is published: "
                   + ", ".join(f"{d.reference} {d.title}" for d in usable) + ".")
    elif found:
        summary = (f"The ICT procurement procedure ({found[0].reference}) is published but "
                   f"overdue for review since {found[0].next_review_on:%-d %B %Y}.")
    else:
        summary = "No published document in the library has the topic “ICT procurement”."
    links = tuple(EvidenceLink(f"{d.reference} {d.title}",
                               reverse("library:document_detail", args=[d.pk]))
                  for d in found) or (EvidenceLink(
                      "The library", reverse("library:document_list")
                      + f"?topic={Topic.ICT_PROCUREMENT}"),)
    return EvidenceResult(bool(usable), summary, figures, links)


INTERNAL = {Provider.INTERNAL}
EXTERNAL = {Provider.EXTERNAL, Provider.SHARED}


def options_appraised(organisation, params, as_of) -> EvidenceResult:
    """Requests over the value submitted in the period: each compared an internal option
    with an external one."""
    first, last = _window(params, as_of)
    limit = Decimal(str(params["min_value"]))
    requests = list(ProcurementRequest.objects.for_organisation(organisation).filter(
        submitted_at__isnull=False, submitted_at__lte=as_of, value__gt=limit,
        created_at__lte=as_of).exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .values("id", "reference", "submitted_at").order_by("reference"))
    requests = [r for r in requests
                if first <= timezone.localtime(r["submitted_at"]).date() <= last]
    kinds: dict[int, set] = {}
    for request_id, provider in ProcurementOption.objects.filter(
            request_id__in=[r["id"] for r in requests], created_at__lte=as_of
    ).values_list("request_id", "provider"):
        kinds.setdefault(request_id, set()).add(provider)
    missing = [r for r in requests
               if not (kinds.get(r["id"], set()) & INTERNAL
                       and kinds.get(r["id"], set()) & EXTERNAL)]
    figures = {"min_value": str(limit), "period_days": params["period_days"],
               "requests_over_value": len(requests),
               "compared": len(requests) - len(missing),
               "not_compared": [r["reference"] for r in missing]}
    words = (f"procurement requests over {format_pounds(limit)} submitted between "
             f"{first:%-d %B %Y} and {last:%-d %B %Y}")
    if not requests:
        summary = f"No {words}, so there is nothing to show."
    elif missing:
        summary = (f"{len(missing)} of {len(requests)} {words} did not compare an internal "
                   f"option with an external one: {_names(missing)}.")
    else:
        summary = (f"Every one of the {len(requests)} {words} compared an internal option "
                   "with an external one.")
    links = (EvidenceLink("Procurement requests",
                          reverse("procurement:procurementrequest_list")
                          + f"?value_from={limit}"),)
    return EvidenceResult(bool(requests) and not missing, summary, figures, links)


RULES = [
    EvidenceRule(
        "procurement.procedure-published", "An ICT procurement procedure is published",
        "Looks in the library for a published document whose topic is “ICT procurement”, "
        "with a version published by the date checked. With review “in_date” (the default) "
        "it must also not be overdue for review; with “any”, being published is enough.",
        procedure_published, (one_of("review", "in_date", ("in_date", "any")),)),
    EvidenceRule(
        "procurement.business-cases",
        "Procurement over the threshold was decided on an approved business case",
        "Looks at the contracts (as they stood on the date checked) that started in the "
        "period before it and whose whole-life value (or, without one, annual value) is "
        "above the minimum value. Met when each came from a procurement request approved "
        "by then, or has a procurement exception recorded by then; with no such contracts, "
        "not met.",
        business_cases, (min_value(25_000), period_days())),
    EvidenceRule(
        "procurement.options-appraised",
        "Sourcing decisions compare internal and external providers",
        "Looks at the procurement requests submitted in the period before the date checked "
        "whose value is above the minimum value (withdrawn ones aside). Met when each "
        "appraised at least one internal option and one external (or shared) one; with no "
        "such requests, not met.",
        options_appraised, (min_value(25_000), period_days())),
]
