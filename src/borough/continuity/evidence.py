"""Continuity management's evidence rules for the standards module (core.evidence; the
contract is in docs/standards.md; the rules in docs/continuity.md). They read only the
organisation they are given, write nothing, and say what they found as at a moment: an
analysis counts from its approval, a plan from the revision issued by then, a test from
its date.

- `continuity.critical-services-planned`: every live service of the given criticalities
  has an approved business impact analysis within its review period and a plan (not
  retired) recovering it, with a revision issued within the plan's review period.
- `continuity.tested-within-year`: a DR test of the given kinds in the period passed (with
  or without issues) and met the recovery time objective of every service it was measured
  against (and, if asked, the recovery point objective); with `coverage: critical`, such
  a test for every live critical service."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from borough.catalogue.models import BusinessService, ServiceStatus
from borough.cmdb.models import Criticality
from borough.continuity.models import (
    AnalysisStatus,
    BusinessImpactAnalysis,
    ContinuityPlan,
    ContinuityTest,
    PlanRevision,
    PlanStatus,
    TestKind,
    TestResult,
    add_months,
    compare,
)
from borough.core.evidence import (
    EvidenceLink,
    EvidenceResult,
    EvidenceRule,
    one_of,
    some_of,
    whole,
)


def _names(items: list[str], limit: int = 8) -> str:
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" and {more} more" if more > 0 else "")


def _services(organisation, criticalities):
    return list(BusinessService.objects.for_organisation(organisation).filter(
        status=ServiceStatus.LIVE, criticality__in=criticalities).order_by("name", "pk"))


def critical_services_planned(organisation, params, as_of) -> EvidenceResult:
    day = timezone.localdate(as_of)
    services = _services(organisation, params["criticalities"])
    ids = [s.pk for s in services]
    analysed = set()
    for service_id, approved_at, months in (
            BusinessImpactAnalysis.objects.for_organisation(organisation)
            .filter(service_id__in=ids, approved_at__lte=as_of,
                    status__in=(AnalysisStatus.APPROVED, AnalysisStatus.SUPERSEDED))
            .values_list("service_id", "approved_at", "review_months")):
        if add_months(timezone.localdate(approved_at), months) >= day:
            analysed.add(service_id)
    # The latest revision of each plan issued by then, and whether it is still in date.
    latest: dict[int, tuple] = {}
    for plan_id, number, issued_at, months in (
            PlanRevision.objects.for_organisation(organisation)
            .filter(issued_at__lte=as_of).exclude(plan__status=PlanStatus.RETIRED)
            .values_list("plan_id", "number", "issued_at", "review_months")):
        if plan_id not in latest or number > latest[plan_id][0]:
            latest[plan_id] = (number, issued_at, months)
    current = {pid for pid, (_n, issued, months) in latest.items()
               if add_months(timezone.localdate(issued), months) >= day}
    planned = set()
    if current:
        planned = set(ContinuityPlan.services.through.objects.filter(
            continuityplan_id__in=current, businessservice_id__in=ids)
            .values_list("businessservice_id", flat=True))
    short = {}
    for service in services:
        gaps = [gap for gap, missing in (
            ("no approved impact analysis in date", service.pk not in analysed),
            ("no plan reviewed within its period", service.pk not in planned)) if missing]
        if gaps:
            short[service.name] = gaps
    words = " or ".join(Criticality(c).label.lower() for c in params["criticalities"])
    figures = {"criticalities": params["criticalities"], "services": len(services),
               "analysed": len(analysed), "planned": len(planned & set(ids)),
               "short": short}
    if not services:
        summary = f"There is no live {words} service, so there is nothing to show."
    elif short:
        named = [f"{name} ({', '.join(g)})" for name, g in short.items()]
        summary = (f"{len(short)} of {len(services)} live {words} services are not covered: "
                   f"{_names(named)}.")
    else:
        summary = (f"Every one of the {len(services)} live {words} services has an approved "
                   "business impact analysis and a continuity plan reviewed within their "
                   "periods.")
    links = (EvidenceLink("Business impact analyses",
                          reverse("continuity:businessimpactanalysis_list")),
             EvidenceLink("Continuity plans", reverse("continuity:continuityplan_list")))
    return EvidenceResult(bool(services) and not short, summary, figures, links)


def _met(test: ContinuityTest, service_id: int | None, measure: str) -> bool:
    """Whether the test met its objectives (of one service, or of all it was measured
    against): every objective known and met."""
    rows = [o for o in test.objectives or [] if service_id is None or o["id"] == service_id]
    if not rows:
        return False
    for row in rows:
        if compare(test.achieved_recovery_hours, row.get("rto_hours")) is not True:
            return False
        if measure == "rto_and_rpo" and compare(test.achieved_data_loss_hours,
                                                row.get("rpo_hours")) is not True:
            return False
    return True


def tested_within_year(organisation, params, as_of) -> EvidenceResult:
    days, measure = params["period_days"], params["measure"]
    since = timezone.localdate(as_of) - timedelta(days=days)
    tests = list(ContinuityTest.objects.for_organisation(organisation).filter(
        kind__in=params["kinds"], tested_on__gt=since,
        tested_on__lte=timezone.localdate(as_of), created_at__lte=as_of)
        .order_by("-tested_on", "-pk"))
    passed = [t for t in tests if t.result != TestResult.FAILED]
    met = [t for t in passed if _met(t, None, measure)]
    kinds = " and ".join(TestKind(k).label.lower() for k in params["kinds"])
    what = "recovery time and point objectives" if measure == "rto_and_rpo" else \
        "recovery time objective"
    figures = {"period_days": days, "kinds": params["kinds"], "measure": measure,
               "coverage": params["coverage"], "tests": len(tests), "passed": len(passed),
               "met": [t.reference for t in met]}
    if params["coverage"] == "critical":
        services = _services(organisation, [Criticality.CRITICAL])
        untested = [s.name for s in services
                    if not any(_met(t, s.pk, measure) for t in passed)]
        figures.update(services=len(services), untested=untested)
        ok = bool(services) and not untested
        if not services:
            summary = "There is no live critical service, so there is nothing to show."
        elif untested:
            summary = (f"{len(untested)} of {len(services)} live critical services had no "
                       f"{kinds} test in the last {days} days that met their {what}: "
                       f"{_names(untested)}.")
        else:
            summary = (f"Every one of the {len(services)} live critical services had a {kinds} "
                       f"test in the last {days} days that met its {what}.")
    else:
        ok = bool(met)
        if not tests:
            summary = f"No {kinds} DR test was recorded in the last {days} days."
        elif met:
            summary = (f"{len(met)} of the {len(tests)} {kinds} DR tests in the last {days} "
                       f"days met the {what} of the services they recovered, the latest "
                       f"{met[0].reference} on {met[0].tested_on:%-d %B %Y}.")
        else:
            summary = (f"None of the {len(tests)} {kinds} DR tests in the last {days} days "
                       f"passed and met the {what} of the services they recovered.")
    links = (EvidenceLink("DR tests", reverse("continuity:continuitytest_list")),)
    return EvidenceResult(ok, summary, figures, links)


RULES = [
    EvidenceRule(
        "continuity.critical-services-planned",
        "Critical services analysed and planned for",
        "Of the live business services of the given criticalities (critical by default), "
        "those without an approved business impact analysis within its review period, or "
        "without a continuity plan (not retired) that recovers them with a revision issued "
        "within the plan's review period. Met when there is at least one such service and "
        "none is missing either.",
        critical_services_planned,
        (some_of("criticalities", [Criticality.CRITICAL], Criticality.values),)),
    EvidenceRule(
        "continuity.tested-within-year",
        "Continuity plans tested within the year",
        "The DR tests of the given kinds (simulation and full failover by default) dated in "
        "the period: met when one passed (with or without issues) and its achieved recovery "
        "time was within the recovery time objective of every service it was measured "
        "against (with measure rto_and_rpo, its data loss within their recovery point "
        "objectives too); with coverage critical, when every live critical service had "
        "such a test.",
        tested_within_year,
        (whole("period_days", 365, minimum=1, maximum=3660),
         some_of("kinds", [TestKind.SIMULATION, TestKind.FULL_FAILOVER], TestKind.values),
         one_of("measure", "rto", ("rto", "rto_and_rpo")),
         one_of("coverage", "any", ("any", "critical")))),
]
