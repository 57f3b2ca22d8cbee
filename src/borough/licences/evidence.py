"""The licences' evidence rule for the standards module (core.evidence; the contract is
in docs/standards.md): the council knows where every licence stands and none is
over-used. It reads only the organisation it is given and writes nothing.

As of a past moment it replays the records' versions (core.temporal.states_at): the
licences as they stood then (deleted ones included, how each was counted), the
entitlements as they stood then and in force on that day, and the counts entered by hand
by then. The CMDB's records (users, installations, devices, cores) are counted as they are
now.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from borough.cmdb.models import ConfigurationItem
from borough.core import temporal
from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, whole
from borough.licences import queries
from borough.licences.models import (
    CountedFrom,
    Entitlement,
    EntitlementVersion,
    Licence,
    LicenceVersion,
)

LICENCE_FIELDS = ("reference", "name", "software_id", "supplier_id", "contract_id",
                  "licence_model", "counted_from", "standard_build_id")
ENTITLEMENT_FIELDS = ("licence_id", "quantity", "term_start", "term_end", "cost",
                      "contract_id")


def licences_as_at(organisation, as_of) -> list[Licence]:
    """The council's licences as they stood at `as_of` (unsaved instances from their
    versions), by name, with their software and standard build (as they are now)."""
    rows = temporal.states_at(LicenceVersion, Licence, organisation, as_of,
                              fields=LICENCE_FIELDS)
    items = {item.pk: item for item in ConfigurationItem.objects.filter(
        pk__in={r[f] for r in rows for f in ("software_id", "standard_build_id") if r[f]}
    ).select_related("ci_class")}
    found = []
    for row in rows:
        if row["software_id"] not in items:
            continue  # its software is gone: nothing can count it
        licence = Licence(id=row["id"], organisation_id=organisation.pk,
                          **{f: row[f] for f in LICENCE_FIELDS})
        licence.software = items[row["software_id"]]
        licence.standard_build = items.get(row["standard_build_id"])
        found.append(licence)
    return sorted(found, key=lambda lic: (lic.name or "", lic.pk))


def entitlements_as_at(organisation, as_of) -> list[Entitlement]:
    return [Entitlement(id=row["id"], organisation_id=organisation.pk,
                        **{f: row[f] for f in ENTITLEMENT_FIELDS})
            for row in temporal.states_at(EntitlementVersion, Entitlement, organisation,
                                          as_of, fields=ENTITLEMENT_FIELDS)]


def _names(positions, limit: int = 10) -> str:
    names = [p.licence.name for p in positions]
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def licences_compliant(organisation, params, as_of) -> EvidenceResult:
    day = timezone.localtime(as_of).date()
    licences = licences_as_at(organisation, as_of)
    found = queries.positions(licences, day, counts_entered_by=as_of,
                              entitlements=entitlements_as_at(organisation, as_of)
                              if licences else [])
    stale = []
    for position in found:
        count = position.consumption.entered
        if (position.licence.counted_from == CountedFrom.ENTERED and count is not None
                and (day - count.counted_on).days > params["count_within_days"]):
            stale.append(position)
    unknown = [p for p in found if p.status == queries.Status.UNKNOWN]
    over = [p for p in found if p.status == queries.Status.OVER]
    figures = {"licences": len(found), "not_known": [p.licence.reference for p in unknown],
               "counts_out_of_date": [p.licence.reference for p in stale],
               "over_used": [p.licence.reference for p in over],
               "max_over_used": params["max_over_used"],
               "count_within_days": params["count_within_days"]}
    problems = []
    if unknown:
        problems.append(f"the use of {len(unknown)} is not known ({_names(unknown)})")
    if stale:
        problems.append(f"{len(stale)} were last counted more than "
                        f"{params['count_within_days']} days before ({_names(stale)})")
    if len(over) > params["max_over_used"]:
        problems.append(f"{len(over)} are over-used ({_names(over)})")
    if not found:
        summary = "No software licences are recorded, so there is nothing to show."
    elif problems:
        summary = f"Of {len(found)} software licences, " + "; ".join(problems) + "."
    else:
        also = f", {len(over)} over-used (allowed: {params['max_over_used']})" if over else ""
        summary = (f"The use of all {len(found)} software licences is known from Borough's "
                   f"records or a recent count{also}.")
    links = (EvidenceLink("Licence compliance", reverse("licences:compliance")),)
    return EvidenceResult(bool(found) and not problems, summary, figures, links)


RULES = [
    EvidenceRule(
        "licences.compliant",
        "Software licences are known and compliant",
        "Every software licence recorded has its use counted, from the systems catalogue, "
        "the CMDB or a count entered within the period, and no more than the number allowed "
        "are over-used on the day, against the entitlements then in force.",
        licences_compliant,
        params=(whole("max_over_used", 0), whole("count_within_days", 365, minimum=1)),
    ),
]
