"""Live evidence beside each standard, and the level it supports.

`evaluate_rating(rating)` / `evaluate_cycle(cycle)` say, for each standard of a
cycle, which criteria are met — statement criteria by the assessor's
confirmation, evidence criteria by the registered rule — and the highest level
they support (`supported_level`). An approved cycle reads the snapshot written
at approval (`StandardAssessment.evidence_level` / `evidence_snapshot`) and
never runs a rule again, so what the committee saw stays what it saw.

Rules read records and never write; a rule that raises, or is no longer
registered, gives a "could not be checked" outcome (counted as not met), never
an error page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from borough.core import temporal
from borough.core.evidence import EvidenceLink, EvidenceResult
from borough.core.registry import registry
from borough.standards.models import (
    AssessmentCycle,
    Criterion,
    CriterionKind,
    CriterionResult,
    Level,
    StandardAssessment,
)

logger = logging.getLogger(__name__)

EVIDENCE = "evidence"
ASSESSOR = "assessor"


@dataclass(frozen=True)
class CriterionOutcome:
    criterion: Criterion
    met: bool
    # "evidence": a rule decided (`result` is its EvidenceResult, or None when it could
    # not be checked); "assessor": a statement the assessor confirms.
    source: str
    result: EvidenceResult | None = None
    # The assessor's note (statements), or why a rule could not be checked.
    note: str = ""
    # False when a rule could not run (not registered, or it failed).
    checked: bool = True
    # Statements: whether the assessor answered at all.
    answered: bool = True
    rule_title: str = ""
    method: str = ""

    @property
    def status(self) -> str:
        if not self.checked:
            return "could not be checked"
        if not self.answered:
            return "not answered"
        return "met" if self.met else "not met"

    def why_not(self) -> str:
        """Why this criterion is not met, in plain words."""
        if self.source == ASSESSOR:
            if not self.answered:
                return "the assessor has not confirmed it yet"
            return "the assessor says it is not met"
        if not self.checked:
            return f"it could not be checked ({self.note})"
        return f"live evidence: {self.result.summary}" if self.result else "not met"

    def as_snapshot(self) -> dict:
        return {
            "criterion": self.criterion.pk, "code": self.criterion.code,
            "level": self.criterion.level, "kind": self.criterion.kind, "met": self.met,
            "source": self.source, "result": self.result.as_dict() if self.result else None,
            "note": self.note, "checked": self.checked, "answered": self.answered,
            "rule_title": self.rule_title, "method": self.method,
        }


@dataclass(frozen=True)
class StandardOutcome:
    standard: object
    supported_level: int
    reasons: list[str]
    criteria: list[CriterionOutcome] = field(default_factory=list)
    # When the evidence was read (live) or approved (snapshot).
    as_of: datetime | None = None
    from_snapshot: bool = False

    @property
    def supported_label(self) -> str:
        return Level(self.supported_level).label

    def by_level(self) -> list[tuple[int, str, list[CriterionOutcome]]]:
        levels = sorted({c.criterion.level for c in self.criteria})
        return [(lv, Level(lv).label, [c for c in self.criteria if c.criterion.level == lv])
                for lv in levels]

    def as_snapshot(self) -> dict:
        return {
            "supported_level": self.supported_level, "reasons": list(self.reasons),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "criteria": [c.as_snapshot() for c in self.criteria],
        }


# --- the proposed level (pure) ----------------------------------------------------------

def supported_level(criteria: Iterable[tuple[int, bool]]) -> int:
    """The highest level L such that every criterion at every level ≤ L is met.

    `criteria` are (level, met) pairs. Only levels the framework gives criteria for can
    be reached: a standard whose criteria stop at Minimum cannot be shown to be
    Excellent by having nothing to check above it, and one without criteria supports
    Below Minimum."""
    by_level: dict[int, list[bool]] = {}
    for level, met in criteria:
        by_level.setdefault(int(level), []).append(bool(met))
    reached = Level.BELOW_MINIMUM
    for level in sorted(by_level):
        if not all(by_level[level]):
            break
        reached = level
    return int(reached)


def next_level(outcomes: list[CriterionOutcome], reached: int) -> int | None:
    """The next level above `reached` that has criteria, or None at the top."""
    above = sorted({c.criterion.level for c in outcomes if c.criterion.level > reached})
    return above[0] if above else None


def reasons_for(outcomes: list[CriterionOutcome], reached: int) -> list[str]:
    """The criteria that stop the standard being one level higher, in plain words."""
    if not outcomes:
        return ["The framework gives no criteria for this standard, so live evidence "
                "cannot support any level."]
    target = next_level(outcomes, reached)
    if target is None:
        return []
    label = Level(target).label
    return [
        f"Not {label}: “{c.criterion.text}” ({Level(c.criterion.level).label}) is not met — "
        f"{c.why_not()}."
        for c in outcomes if c.criterion.level <= target and not c.met
    ]


def outcome_for(standard, outcomes: list[CriterionOutcome], as_of=None) -> StandardOutcome:
    reached = supported_level((c.criterion.level, c.met) for c in outcomes)
    return StandardOutcome(standard, reached, reasons_for(outcomes, reached), outcomes,
                           as_of=as_of)


# --- running the rules ---------------------------------------------------------------

class RuleRunner:
    """Runs each distinct (rule, params) once for one organisation and moment."""

    def __init__(self, organisation, as_of: datetime):
        self.organisation = organisation
        self.as_of = as_of
        self.cache: dict[tuple[str, str], tuple[EvidenceResult | None, str]] = {}
        self.runs = 0
        # What the rules learn about which records changed since `as_of`, shared by them.
        self.moments: dict = {}

    def run(self, criterion: Criterion) -> tuple[EvidenceResult | None, str]:
        """(result, problem): problem is "" when the rule ran."""
        key = (criterion.rule, json.dumps(criterion.params or {}, sort_keys=True, default=str))
        if key not in self.cache:
            self.cache[key] = self._run(criterion)
        return self.cache[key]

    def _run(self, criterion: Criterion):
        rule = registry.evidence_rules.get(criterion.rule)
        if rule is None:
            return None, f"no check called “{criterion.rule}” is installed"
        self.runs += 1
        try:
            with temporal.remembering(self.moments):
                result = rule.run(self.organisation, criterion.params or {}, self.as_of)
        except Exception:  # noqa: BLE001 - a faulty rule must not break the page
            logger.exception("Evidence rule %s failed", criterion.rule)
            return None, "the check failed while reading the records; try again later"
        if not isinstance(result, EvidenceResult):
            logger.error("Evidence rule %s returned %r", criterion.rule, type(result))
            return None, "the check gave no usable answer"
        return result, ""


def _criterion_outcome(criterion: Criterion, result_row: CriterionResult | None,
                       runner: RuleRunner) -> CriterionOutcome:
    if criterion.kind == CriterionKind.EVIDENCE:
        rule = registry.evidence_rules.get(criterion.rule)
        title, method = (rule.title, rule.method) if rule is not None else (criterion.rule, "")
        result, problem = runner.run(criterion)
        if problem:
            return CriterionOutcome(criterion, False, EVIDENCE, None, note=problem, checked=False,
                                    rule_title=title, method=method)
        return CriterionOutcome(criterion, bool(result.met), EVIDENCE, result,
                                rule_title=title, method=method)
    met = result_row.met if result_row is not None else None
    return CriterionOutcome(criterion, met is True, ASSESSOR, None,
                            note=result_row.note if result_row is not None else "",
                            answered=met is not None)


def _live(ratings: list[StandardAssessment], runner: RuleRunner) -> dict[int, StandardOutcome]:
    standard_ids = [r.standard_id for r in ratings]
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(standard_id__in=standard_ids).order_by(
            "level", "order", "code"):
        criteria.setdefault(criterion.standard_id, []).append(criterion)
    answers = {
        (row.rating_id, row.criterion_id): row
        for row in CriterionResult.objects.filter(rating__in=[r.pk for r in ratings])
    }
    outcomes = {}
    for rating in ratings:
        rows = [_criterion_outcome(c, answers.get((rating.pk, c.pk)), runner)
                for c in criteria.get(rating.standard_id, [])]
        outcomes[rating.standard_id] = outcome_for(rating.standard, rows, as_of=runner.as_of)
    return outcomes


def _from_snapshot(rating: StandardAssessment, criteria: dict[int, Criterion],
                   approved_at) -> StandardOutcome:
    snap = rating.evidence_snapshot or {}
    if not snap:
        level = rating.evidence_level or Level.BELOW_MINIMUM
        return StandardOutcome(rating.standard, int(level),
                               ["No record of the live evidence was kept when this cycle "
                                "was approved."], [], as_of=approved_at, from_snapshot=True)
    rows = []
    for item in snap.get("criteria", []):
        criterion = criteria.get(item.get("criterion"))
        if criterion is None:
            continue
        raw = item.get("result")
        result = None
        if raw:
            result = EvidenceResult(
                met=bool(raw.get("met")), summary=raw.get("summary", ""),
                figures=raw.get("figures") or {},
                links=tuple(EvidenceLink(link.get("label", ""), link.get("url", ""))
                            for link in raw.get("links") or []))
        rows.append(CriterionOutcome(
            criterion, bool(item.get("met")), item.get("source", ASSESSOR), result,
            note=item.get("note", ""), checked=item.get("checked", True),
            answered=item.get("answered", True), rule_title=item.get("rule_title", ""),
            method=item.get("method", "")))
    as_of = snap.get("as_of")
    level = rating.evidence_level if rating.evidence_level is not None else snap.get(
        "supported_level", Level.BELOW_MINIMUM)
    return StandardOutcome(
        rating.standard, int(level), list(snap.get("reasons", [])), rows,
        as_of=datetime.fromisoformat(as_of) if as_of else approved_at, from_snapshot=True)


def _snapshots(ratings: list[StandardAssessment], approved_at) -> dict[int, StandardOutcome]:
    ids = {item.get("criterion") for r in ratings
           for item in (r.evidence_snapshot or {}).get("criteria", [])}
    criteria = Criterion.objects.in_bulk([i for i in ids if isinstance(i, int)])
    return {r.standard_id: _from_snapshot(r, criteria, approved_at) for r in ratings}


def evaluate_cycle(cycle: AssessmentCycle, *, as_of: datetime | None = None
                   ) -> dict[int, StandardOutcome]:
    """Outcomes by standard id for every rating of the cycle; each (rule, params) runs once."""
    ratings = list(StandardAssessment.objects.filter(cycle=cycle).select_related("standard"))
    if cycle.is_locked:
        return _snapshots(ratings, cycle.approved_at)
    return _live(ratings, RuleRunner(cycle.organisation, as_of or timezone.now()))


def evaluate_rating(rating: StandardAssessment, *, as_of: datetime | None = None
                    ) -> StandardOutcome:
    cycle = rating.cycle
    if cycle.is_locked:
        return _snapshots([rating], cycle.approved_at)[rating.standard_id]
    return _live([rating], RuleRunner(cycle.organisation, as_of or timezone.now()))[
        rating.standard_id]
