"""Configuration library evidence rules for the standards module (see core.evidence).

Like every rule, these read the one organisation they are given through
`for_organisation` (no user: a rule runs for the organisation) and write nothing.

A document counts as published on `as_of` when its status is published, it was created
by then and one of its versions was published by then. Its review date is the one it has
now: the library keeps no history of review dates apart from the audit, so a check of a
past date reads today's dates (docs/library.md).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from borough.core.evidence import EvidenceLink, EvidenceResult, EvidenceRule, number, one_of, whole
from borough.library.models import Document, DocumentStatus, DocumentVersion, Kind, Topic


def published_by(organisation, as_of: datetime):
    versions = DocumentVersion.objects.for_organisation(organisation).filter(
        published_at__isnull=False, published_at__lte=as_of)
    return (Document.objects.for_organisation(organisation)
            .filter(status=DocumentStatus.PUBLISHED, created_at__lte=as_of,
                    pk__in=versions.values("document_id")).order_by())


def _list_link(label: str, **query) -> EvidenceLink:
    url = reverse("library:document_list")
    return EvidenceLink(label, f"{url}?{urlencode(query)}" if query else url)


def reviewed_within_period(organisation, params, as_of) -> EvidenceResult:
    minimum, most = params["min_documents"], params["max_overdue_percent"]
    on = timezone.localdate(as_of)
    published = published_by(organisation, as_of)
    total = published.count()
    overdue = published.filter(next_review_on__lt=on).count()
    share = round(overdue * 100 / total, 1) if total else 0.0
    # Compared exactly, not the rounded share: 1 of 10 overdue meets a 10% limit.
    met = total >= minimum and overdue * 100 <= most * total
    figures = {"published_documents": total, "overdue_for_review": overdue,
               "overdue_percent": share, "min_documents": minimum,
               "max_overdue_percent": most, "checked_on": on.isoformat()}
    if not total:
        summary = "The configuration library has no published documents."
    else:
        summary = (f"{total:,} published document{'' if total == 1 else 's'} in the "
                   f"configuration library; {overdue:,} ({share:g}%) overdue for review on "
                   f"{on:%-d %B %Y}. Needed: at least {minimum:,} documents and at most "
                   f"{most:g}% overdue.")
    links = (_list_link("Published documents", status=DocumentStatus.PUBLISHED),
             _list_link("Documents overdue for review", review_due="overdue"))
    return EvidenceResult(met, summary, figures, links)


def configuration_process_documented(organisation, params, as_of) -> EvidenceResult:
    on = timezone.localdate(as_of)
    found = list(published_by(organisation, as_of)
                 .filter(kind=Kind.PROCESS, topic=Topic.CONFIGURATION_MANAGEMENT)
                 .order_by("reference"))
    in_date = [d for d in found if d.next_review_on is None or d.next_review_on >= on]
    needs_review = params["review"] == "in_date"
    usable = in_date if needs_review else found
    figures = {"process_documents": [d.reference for d in found],
               "in_date": [d.reference for d in in_date], "review": params["review"]}
    if usable:
        names = ", ".join(f"{d.reference} {d.title}" for d in usable)
        summary = f"The configuration management process is documented: {names}."
    elif found:
        summary = (f"A configuration management process is published ({found[0].reference}) "
                   f"but overdue for review since {found[0].next_review_on:%-d %B %Y}.")
    else:
        summary = ("No published process document has the topic “Configuration "
                   "management”.")
    links = tuple(EvidenceLink(f"{d.reference} {d.title}",
                               reverse("library:document_detail", args=[d.pk]))
                  for d in found) or (_list_link("Process documents", kind=Kind.PROCESS),)
    return EvidenceResult(bool(usable), summary, figures, links)


RULES = [
    EvidenceRule(
        "library.reviewed-within-period", "The configuration library is reviewed within its "
        "period",
        "Counts the published documents of the configuration library (published by the day "
        "checked, with a published version) and those whose next review date is before the "
        "day checked. Met when there are at least the minimum number of documents and no "
        "more than the given share is overdue for review.",
        reviewed_within_period,
        (whole("min_documents", 5, minimum=1),
         number("max_overdue_percent", 10, minimum=0, maximum=100))),
    EvidenceRule(
        "library.configuration-process-documented",
        "A documented configuration management process exists",
        "Looks for a published document of kind “Process” whose topic is “Configuration "
        "management” (chosen on the document, not read from its title), with a published "
        "version. With review “in_date” (the default) it must also not be overdue for "
        "review; with “any”, being published is enough.",
        configuration_process_documented,
        (one_of("review", "in_date", ("in_date", "any")),)),
]
