from __future__ import annotations

from pathlib import Path

import pytest

from borough.core.evidence import EvidenceResult, EvidenceRule, whole
from borough.core.registry import registry

HERE = Path(__file__).parent
SMALL = HERE / "small-framework.yaml"

# The rules and parameters docs/standards.md promises ("Evidence rules").
DOCUMENTED_RULES = {
    "servicedesk.sla-policies-cover-priorities": {"priorities": [1, 2, 3, 4, 5]},
    "servicedesk.sla-compliance": {"priorities": [1, 2], "target_percent": 90,
                                   "period_days": 91, "measure": "resolution"},
    "servicedesk.satisfaction-measured": {"period_days": 91, "min_ratings": 10,
                                          "min_average": 0},
    "servicedesk.desk-in-use": {"period_days": 91, "min_tickets": 50},
    "standards.report-reviewed": {"report": "servicedesk-statistics", "within_days": 92},
    "standards.annual-review": {"within_days": 400},
    "standards.action-plan-current": {"max_overdue_percent": 10},
    "cmdb.applications-owned": {"min_applications": 10},
    "cmdb.servers-placed-and-used": {},
    "cmdb.architecture-mapped": {"min_systems": 10, "max_unconnected_percent": 25},
    "cmdb.populated": {"min_items": 50, "min_related_percent": 75},
    "catalogue.live-services-have-agreed-slas": {},
    "catalogue.single-points-known": {},
    "library.configuration-process-documented": {"review": "in_date"},
    "library.reviewed-within-period": {"min_documents": 5, "max_overdue_percent": 10},
    "commercial.systems-under-contract": {"min_systems": 10},
    "commercial.no-notice-dates-missed": {"within_days": 365},
    "commercial.supplier-reviews-on-schedule": {"criticalities": ["critical", "high"],
                                                "grace_days": 30},
    "licences.compliant": {"max_over_used": 0, "count_within_days": 365},
    "finance.budget-monitored-monthly": {"months": 3},
    "finance.costs-known-per-service": {"target_percent": 100},
    "finance.recharges-issued": {},
    "procurement.procedure-published": {"review": "in_date"},
    "procurement.business-cases": {"min_value": 25000, "period_days": 365},
    "procurement.options-appraised": {"min_value": 25000, "period_days": 365},
    "status.outages-announced": {"period_days": 91, "target_percent": 80,
                                 "min_announcements": 1},
    "changes.authorised-before-implementation": {"period_days": 365, "types": ["normal"]},
    "changes.reviews-held": {"period_days": 365, "types": ["normal", "emergency"],
                             "grace_days": 30, "target_percent": 90},
    "problems.known-errors-with-workarounds": {"min_known_errors": 1},
    "problems.repeated-incidents-have-problems": {"period_days": 91, "window_days": 28,
                                                  "min_incidents": 3, "group_by": "ci",
                                                  "target_percent": 80},
    "problems.known-errors-used": {"period_days": 91, "min_fixed": 5},
    "releases.tested": {"period_days": 365, "types": ["major", "minor"]},
    "releases.planned-whole": {"period_days": 365, "types": ["major", "minor"]},
    "availability.measured-against-target": {"months": 3},
    "availability.targets-met": {"months": 3, "share": 90},
    "capacity.utilisation-collected": {"months": 3},
    "capacity.overload-answered": {"days": 14},
    "continuity.critical-services-planned": {"criticalities": ["critical"]},
    "continuity.tested-within-year": {"period_days": 365,
                                      "kinds": ["simulation", "full_failover"],
                                      "measure": "rto", "coverage": "any"},
}


def _never_met(organisation, params, as_of):
    return EvidenceResult(False, "A throwaway rule for the tests.")


def _add(rules: dict[str, dict]):
    added = []
    for name, defaults in rules.items():
        if name not in registry.evidence_rules:
            # Whole numbers are all the throwaway rule takes; the documented rules are the
            # real ones, which their apps register.
            params = tuple(whole(key, value) for key, value in defaults.items())
            registry.evidence_rules[name] = EvidenceRule(name, f"Test rule {name}", "For tests.",
                                                         _never_met, params)
            added.append(name)
    return added


@pytest.fixture
def test_rules():
    """The throwaway rule the small framework names, removed afterwards."""
    added = _add({"tests.counts-tickets": {"min_tickets": 1, "period_days": 91}})
    yield registry.evidence_rules
    for name in added:
        del registry.evidence_rules[name]


@pytest.fixture
def documented_rules():
    """The documented rules: the real ones where their modules register them, else
    stand-ins with the documented parameters (removed afterwards)."""
    added = _add(DOCUMENTED_RULES)
    yield registry.evidence_rules
    for name in added:
        del registry.evidence_rules[name]


@pytest.fixture
def small_text(test_rules) -> str:
    return SMALL.read_text()
