"""Evidence rules: checks that modules register so the standards module can say,
from the records daily work leaves behind, whether a criterion is met.

A rule is a function `(organisation, params, as_of) -> EvidenceResult`. It reads
only the given organisation's records (it runs for whoever looks at the
assessment, so it takes no user) and must not write anything. Modules register
their rules in `AppConfig.ready()`:

    registry.evidence_rules["servicedesk.sla-policies-cover-priorities"] = EvidenceRule(...)

Criteria in a framework file name a rule and give its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class EvidenceLink:
    label: str
    url: str


@dataclass(frozen=True)
class EvidenceResult:
    met: bool
    # One sentence in plain words: what was found, with the numbers.
    summary: str
    # The figures behind it, e.g. {"compliance_percent": 91.2, "target_percent": 90}.
    figures: dict = field(default_factory=dict)
    links: tuple[EvidenceLink, ...] = ()

    def as_dict(self) -> dict:
        return {"met": self.met, "summary": self.summary, "figures": self.figures,
                "links": [{"label": link.label, "url": link.url} for link in self.links]}


@dataclass(frozen=True)
class EvidenceRule:
    name: str
    title: str
    # How the rule decides, in plain words, shown beside its result.
    method: str
    check: Callable[[object, dict, datetime], EvidenceResult]
    # Parameter names and their defaults; a framework file may override them.
    defaults: dict = field(default_factory=dict)

    def run(self, organisation, params: dict | None, as_of: datetime) -> EvidenceResult:
        merged = {**self.defaults, **(params or {})}
        return self.check(organisation, merged, as_of)
