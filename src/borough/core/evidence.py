"""Evidence rules: checks that modules register so the standards module can say,
from the records daily work leaves behind, whether a criterion is met.

A rule is a declared object: its name, title, method in plain words, the check
`(organisation, params, as_of) -> EvidenceResult`, and the parameters it takes
(`Param`s, each with a default and what values it accepts). Core validates the
parameters a framework file gives, both when the file is loaded (each problem named
with its line) and before every run (a bad value makes the result "cannot run", never an
error page), so a check receives clean values and validates nothing by hand.

A check reads only the given organisation's records (it runs for whoever looks at the
assessment, so it takes no user) and must not write anything. Modules declare their
rules in `<app>/evidence.py` and register them from `<app>/entries.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


class BadParameter(ValueError):
    """A framework file gave a rule a parameter it cannot use."""


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


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


@dataclass(frozen=True)
class Param:
    """One parameter a rule takes: its default, and the values it accepts. Build them with
    `whole`, `number`, `one_of` and `some_of`."""

    name: str
    default: object
    kind: str  # "whole", "number", "one", "some"
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()

    def clean(self, value):
        """The value to give the check, or BadParameter saying what is wrong, in words a
        framework author can act on."""
        name = self.name
        if self.kind in ("whole", "number"):
            if not _is_number(value) or (self.kind == "whole" and value != int(value)):
                noun = "a whole number" if self.kind == "whole" else "a number"
                raise BadParameter(f"{name} must be {noun} (it is {value!r}).")
            value = int(value) if self.kind == "whole" else value
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                upper = f" and {high:g}" if high is not None else ""
                raise BadParameter(f"{name} must be between {low:g}{upper} (it is {value}).")
            return value
        words = ", ".join(str(c) for c in self.choices)
        if self.kind == "one":
            if isinstance(value, bool) or value not in self.choices:
                raise BadParameter(f"{name} must be one of {words} (it is {value!r}).")
            return value
        if (not isinstance(value, list | tuple) or not value
                or any(isinstance(v, bool) or v not in self.choices for v in value)):
            raise BadParameter(f"{name} must be a list of some of {words} (it is {value!r}).")
        return sorted(set(value))


def whole(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> Param:
    return Param(name, default, "whole", minimum, maximum)


def number(name: str, default: float, *, minimum: float, maximum: float) -> Param:
    return Param(name, default, "number", minimum, maximum)


def one_of(name: str, default, choices) -> Param:
    return Param(name, default, "one", choices=tuple(choices))


def some_of(name: str, default: list, choices) -> Param:
    return Param(name, default, "some", choices=tuple(choices))


@dataclass(frozen=True)
class EvidenceRule:
    name: str
    title: str
    # How the rule decides, in plain words, shown beside its result.
    method: str
    check: Callable[[object, dict, datetime], EvidenceResult]
    # What a framework file may set; every other name is refused.
    params: tuple[Param, ...] = ()

    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def clean(self, params: dict | None) -> dict:
        """The defaults overridden by `params`, each value checked."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(params or {}) - set(declared))
        if unknown:
            takes = ", ".join(declared) or "no parameters"
            raise BadParameter(f"there is no parameter {', '.join(unknown)} (it takes: {takes}).")
        merged = {**self.defaults, **(params or {})}
        return {name: declared[name].clean(value) for name, value in merged.items()}

    def run(self, organisation, params: dict | None, as_of: datetime) -> EvidenceResult:
        """The check's answer; wrong parameters make it say so as its result (not met)
        instead of failing the whole assessment page."""
        try:
            cleaned = self.clean(params)
        except BadParameter as exc:
            return EvidenceResult(False, f"This check cannot run: {exc}", {"error": str(exc)})
        return self.check(organisation, cleaned, as_of)
