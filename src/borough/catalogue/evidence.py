"""The catalogue's evidence rules for the standards module (core.evidence; the contract
is in docs/standards.md). Each reads only the organisation it is given, through
`for_organisation` (a rule runs for the council, not for a person), writes nothing,
and returns the figures and links behind its answer.

What `as_of` can and cannot do here: services, their components and agreements are read
as they stood then, from their versions (core.temporal.states_at); an agreement counts
only if it stood agreed then and its review date had not passed. The single points of
failure a service has are computed from the CMDB as it is now.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from borough.catalogue import graph
from borough.catalogue.models import (
    AgreementStatus,
    BusinessService,
    BusinessServiceVersion,
    ServiceComponent,
    ServiceComponentVersion,
    ServiceLevelAgreement,
    ServiceLevelAgreementVersion,
    ServiceStatus,
)
from borough.cmdb.models import Criticality
from borough.cmdb.queries import single_points_of_failure_of_each
from borough.core import temporal
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, some_of

CRITICALITIES = [c.value for c in Criticality]


def criticalities(default: list[str]):
    return some_of("criticalities", default, CRITICALITIES)


def _live(organisation, params, as_of) -> list[dict]:
    """The live services of the chosen criticalities as they stood at `as_of`."""
    rows = temporal.states_at(BusinessServiceVersion, BusinessService, organisation, as_of,
                              fields=["name", "reference"],
                              where={"status": ServiceStatus.LIVE,
                                     "criticality__in": params["criticalities"]})
    return sorted(rows, key=lambda s: (s["name"], s["id"]))


def _names(services, limit: int = 10) -> str:
    names = [s["name"] for s in services]
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def _words(params) -> str:
    chosen = params["criticalities"]
    if sorted(chosen) == sorted(CRITICALITIES):
        return "live"
    return "live " + " or ".join(Criticality(c).label.lower() for c in chosen)


def live_services_have_agreed_slas(organisation, params, as_of) -> EvidenceResult:
    services = _live(organisation, params, as_of)
    day = timezone.localtime(as_of).date()
    agreed = temporal.states_at(
        ServiceLevelAgreementVersion, ServiceLevelAgreement, organisation, as_of,
        fields=["service_id", "agreed_at", "review_date"],
        where={"status": AgreementStatus.AGREED, "service_id__in": [s["id"] for s in services]})
    covered = {a["service_id"] for a in agreed
               if a["agreed_at"] and a["agreed_at"] <= as_of
               and a["review_date"] and a["review_date"] >= day}
    missing = [s for s in services if s["id"] not in covered]
    figures = {"criticalities": params["criticalities"], "live_services": len(services),
               "with_agreed_sla": len(services) - len(missing),
               "without": [s["reference"] for s in missing]}
    kind = _words(params)
    if not services:
        summary = f"No {kind} business services are recorded, so there is nothing to show."
    elif missing:
        summary = (f"{len(missing)} of {len(services)} {kind} business services have no agreed "
                   f"service level agreement within its review date: {_names(missing)}.")
    else:
        summary = (f"Every one of the {len(services)} {kind} business services has an agreed "
                   "service level agreement within its review date.")
    links = (EvidenceLink("Business services", reverse("catalogue:businessservice_list")
                          + "?status=live"),
             EvidenceLink("Service level agreements",
                          reverse("catalogue:servicelevelagreement_list")))
    return EvidenceResult(bool(services) and not missing, summary, figures, links)


def single_points_known(organisation, params, as_of) -> EvidenceResult:
    services = _live(organisation, params, as_of)
    with_components = {c["service_id"] for c in temporal.states_at(
        ServiceComponentVersion, ServiceComponent, organisation, as_of, fields=["service_id"],
        where={"service_id__in": [s["id"] for s in services]})}
    unknown = [s for s in services if s["id"] not in with_components]
    known = [s for s in services if s["id"] in with_components]
    points = single_points_of_failure_of_each(
        [graph.service_node(s["id"]) for s in known], graph.database_graph(organisation.pk)
    ) if known else {}
    figures = {"criticalities": params["criticalities"], "services": len(services),
               "with_components": len(known), "without": [s["reference"] for s in unknown],
               "single_points": {s["reference"]: len(points[graph.service_node(s["id"])])
                                 for s in known}}
    kind = _words(params)
    if not services:
        summary = f"No {kind} business services are recorded, so there is nothing to show."
    elif unknown:
        summary = (f"{len(unknown)} of {len(services)} {kind} business services have no "
                   f"components recorded, so their single points of failure are not known: "
                   f"{_names(unknown)}.")
    else:
        total = sum(figures["single_points"].values())
        summary = (f"The single points of failure of all {len(services)} {kind} business "
                   f"services are known from their recorded components: {total} in all.")
    query = "&".join(f"criticality={c}" for c in params["criticalities"])
    links = (EvidenceLink("Single points of failure",
                          f"{reverse('catalogue:single_points')}?{query}"),)
    return EvidenceResult(bool(services) and not unknown, summary, figures, links)


RULES = [
    EvidenceRule(
        "catalogue.live-services-have-agreed-slas",
        "Every live business service has an agreed SLA",
        "Looks at the live business services of the listed criticalities recorded by the "
        "date checked. Met when each has a service level agreement that was agreed by "
        "then and whose review date had not passed; with no such services, not met.",
        live_services_have_agreed_slas, (criticalities(CRITICALITIES),)),
    EvidenceRule(
        "catalogue.single-points-known",
        "Single points of failure are known for every critical service",
        "Looks at the live business services of the listed criticalities (critical by "
        "default) recorded by the date checked. A service's single points of failure are "
        "known when at least one component (a configuration item that delivers it) is "
        "recorded: Borough then computes them from the components and the relationships "
        "between configuration items. Met when every such service has components; with no "
        "such services, not met. The figures give each service's number of single points.",
        single_points_known, (criticalities([Criticality.CRITICAL.value]),)),
]
