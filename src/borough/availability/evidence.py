"""Availability management's evidence rules for the standards (core.evidence; the
contract is in docs/standards.md): every live service with an agreed SLA has an
availability target and its availability measured each month of the period; and the
share of those services that met their target. They read only the organisation given,
write nothing, and count only outages recorded by `as_of`. The months are the whole
months before the one `as_of` falls in."""

from __future__ import annotations

from copy import copy
from datetime import date

from django.urls import reverse
from django.utils import timezone

from borough.availability import queries
from borough.availability.models import Outage
from borough.catalogue.models import (
    AgreementStatus,
    BusinessService,
    ServiceLevelAgreement,
    ServiceStatus,
)
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, whole


def _names(names: list[str], limit: int = 10) -> str:
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _period(params, as_of) -> list[date]:
    today = timezone.localtime(as_of).date()
    first = date(today.year, today.month, 1)
    return queries.last_months(first, params["months"] + 1)[:-1]


def _agreed_services(organisation) -> list[tuple[BusinessService, object]]:
    """(service, its target) for each live service with an agreed SLA: the agreement's
    target, else the service's own; None when neither sets one. The service comes in
    the agreement's service hours."""
    agreements = (ServiceLevelAgreement.objects.for_organisation(organisation)
                  .filter(status=AgreementStatus.AGREED, service__status=ServiceStatus.LIVE)
                  .select_related("service").order_by("service__name", "id"))
    found: dict[int, tuple] = {}
    for agreement in agreements:
        # Measured in the hours the agreement sets, as its page shows.
        service = copy(agreement.service)
        service.service_hours = agreement.service_hours
        target = agreement.availability_target
        if target is None:
            target = service.availability_target
        if service.pk not in found or (found[service.pk][1] is None and target is not None):
            found[service.pk] = (service, target)
    return list(found.values())


def _measure(organisation, params, as_of):
    months = _period(params, as_of)
    pairs = _agreed_services(organisation)
    outages = Outage.objects.for_organisation(organisation).filter(created_at__lte=as_of)
    found = queries.availability([s for s, _t in pairs], None, months, now=as_of,
                                 outages=outages) if pairs else []
    return months, pairs, {row.service.pk: row for row in found}


def _links() -> tuple[EvidenceLink, ...]:
    return (EvidenceLink("Availability report", reverse("availability:report") + "?months=12"),
            EvidenceLink("Outages", reverse("availability:outage_list")))
MONTHS = whole("months", 3, minimum=1, maximum=24)


def measured_against_target(organisation, params, as_of) -> EvidenceResult:
    """Every live service with an agreed SLA has a target and a measured availability
    (agreed service time to measure against) in each whole month of the period."""
    months, pairs, found = _measure(organisation, params, as_of)
    no_target = [s.name for s, target in pairs if target is None]
    unmeasured = [s.name for s, _t in pairs
                  if len(found[s.pk].months) < len(months)
                  or any(f.availability is None for _m, f in found[s.pk].months)]
    figures = {"months": params["months"], "services": len(pairs),
               "without_target": no_target, "not_measured": unmeasured,
               "availability": {s.name: [round(f.availability, 3) if f.availability is not None
                                         else None for _m, f in found[s.pk].months]
                                for s, _t in pairs}}
    span = f"the last {len(months)} whole month{'s' if len(months) != 1 else ''}"
    if not pairs:
        summary = "No live service has an agreed service level agreement, so there is nothing to show."
    elif no_target or unmeasured:
        parts = []
        if no_target:
            parts.append(f"{len(no_target)} have no availability target ({_names(no_target)})")
        if unmeasured:
            parts.append(f"{len(unmeasured)} have no availability measured in some month of "
                         f"{span} ({_names(unmeasured)})")
        summary = f"Of {len(pairs)} live services with an agreed SLA, " + "; ".join(parts) + "."
    else:
        summary = (f"Each of the {len(pairs)} live services with an agreed SLA has an "
                   f"availability target and its availability measured in each of {span}.")
    return EvidenceResult(bool(pairs) and not no_target and not unmeasured, summary,
                          figures, _links())


def targets_met(organisation, params, as_of) -> EvidenceResult:
    """The share of live services with an agreed SLA and a target that met it in every
    whole month of the period, against the share asked for."""
    months, pairs, found = _measure(organisation, params, as_of)
    judged, missed = 0, []
    for service, target in pairs:
        if target is None:
            continue
        judged += 1
        if any(f.availability is None or round(f.availability, 3) < float(target)
               for _m, f in found[service.pk].months):
            missed.append(service.name)
    share = 100 * (judged - len(missed)) / judged if judged else None
    figures = {"months": params["months"], "services": judged, "met": judged - len(missed),
               "missed": missed, "met_percent": round(share, 1) if share is not None else None,
               "target_percent": params["share"]}
    span = f"each of the last {len(months)} whole month{'s' if len(months) != 1 else ''}"
    if not judged:
        summary = ("No live service with an agreed SLA has an availability target, so there "
                   "is nothing to show.")
    else:
        summary = (f"{judged - len(missed)} of {judged} live services with an agreed SLA "
                   f"({share:.1f}%) met their availability target in {span}, against "
                   f"{params['share']:g}% asked for"
                   + (f"; missed: {_names(missed)}." if missed else "."))
    return EvidenceResult(share is not None and share >= params["share"], summary, figures,
                          _links())


RULES = [
    EvidenceRule(
        "availability.measured-against-target",
        "Availability measured against target for every service with an SLA",
        "Every live service with an agreed service level agreement has an availability "
        "target (the agreement's, or the service's own) and its availability, computed "
        "from the outages recorded within its service hours, measured for each whole month "
        "of the period (3 by default). Met when there is at least one such service and "
        "none lacks either.",
        measured_against_target, (MONTHS,)),
    EvidenceRule(
        "availability.targets-met",
        "Services meeting their availability target",
        "Of the live services with an agreed service level agreement and an availability "
        "target, the share that met it in every whole month of the period (3 by default). "
        "Met when that share is at least the one asked for (90% by default).",
        targets_met, (MONTHS, number("share", 90, minimum=0, maximum=100))),
]
