"""What the committee report says, gathered once for the HTML page and the PDF.

`build_report(cycle, user=...)` reads everything through `visible_to(user)` and
returns a `Report`: the title page facts, the strategy summary, where each
standard stands by theme (with the level live evidence supports and why), the
gaps, the action plan (Appendix B), its link to the corporate plan (Appendix C)
and the charts, each with its table (core.charts). Templates only lay it out.

Live evidence comes from one call, `live_evidence(cycle)`, which asks
`borough.standards.assessments.evidence.evaluate_cycle` (approved cycles answer
from the snapshot taken at approval).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch
from django.utils import timezone

from borough.core.charts import BAR, STACKED, Chart, Series
from borough.core.models import Attachment
from borough.standards import models as standards_models
from borough.standards.figures import figure_rows
from borough.standards.models import (
    NOT_RATED_PALETTE,
    OPEN_ACTION_STATUSES,
    RAG,
    Action,
    ActionUpdate,
    AssessmentCycle,
    CorporateObjective,
    CycleStatus,
    Evidence,
    Level,
    Standard,
    StandardAssessment,
    Target,
    TargetScope,
    Theme,
)

NOT_RATED = "Not rated"
LEVELS = list(Level)
# Chart colours for the level series (LEVELS, then NOT_RATED), as in every standards chart.
LEVEL_PALETTE = (*(standards_models.LEVEL_PALETTE[level] for level in LEVELS), NOT_RATED_PALETTE)


def level_label(value: int | None) -> str:
    return Level(value).label if value is not None else NOT_RATED


def live_evidence(cycle: AssessmentCycle) -> dict:
    """The one call site of the live-evidence contract (docs/standards.md):
    standard id -> StandardOutcome(standard, supported_level, reasons, criteria)."""
    from borough.standards.assessments.evidence import evaluate_cycle

    return evaluate_cycle(cycle)


# --- the pieces ------------------------------------------------------------------


@dataclass
class CriterionLine:
    level: str
    text: str
    met: bool | None
    source: str  # "evidence" (a rule decided) or "assessor" (a statement)
    summary: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""
    added: bool = False
    status: str = ""  # "met", "not met", "not answered", "could not be checked"
    rule_title: str = ""

    @property
    def status_label(self) -> str:
        return (self.status or {True: "met", False: "not met"}.get(self.met, "not answered")
                ).capitalize()


@dataclass
class EvidenceLine:
    title: str
    criterion: str = ""
    note: str = ""
    record: str = ""
    url: str = ""
    files: list[str] = field(default_factory=list)


@dataclass
class StandardLine:
    standard: Standard
    theme: Theme
    rating: StandardAssessment | None
    current: int | None
    target: int | None
    supported: int | None
    reasons: list[str]
    criteria: list[CriterionLine]
    evidence: list[EvidenceLine]
    actions: list[str] = field(default_factory=list)  # references of actions that close its gap

    @property
    def name(self) -> str:
        return self.standard.name

    @property
    def current_label(self) -> str:
        return level_label(self.current)

    @property
    def target_label(self) -> str:
        return level_label(self.target)

    @property
    def supported_label(self) -> str:
        return level_label(self.supported) if self.supported is not None else "Not assessed"

    @property
    def gap(self) -> int | None:
        if self.current is None or self.target is None:
            return None
        return max(self.target - self.current, 0)

    @property
    def evidence_differs(self) -> bool:
        """The assessor claims more than live evidence supports."""
        return None not in (self.current, self.supported) and self.current > self.supported

    @property
    def dom_id(self) -> str:
        return f"standard-{self.standard.pk}"


@dataclass
class ThemeSection:
    theme: Theme
    standards: list[StandardLine]

    @property
    def dom_id(self) -> str:
        return f"theme-{self.theme.pk}"


@dataclass
class ActionLine:
    action: Action
    theme: str
    owner: str
    due_on: datetime.date | None
    status: str
    rag: str
    rag_label: str
    overdue: bool
    latest_note: str
    latest_on: datetime.date | None
    standards: list[str]
    url: str | None = None

    @property
    def reference(self) -> str:
        return self.action.reference

    @property
    def title(self) -> str:
        return self.action.title


@dataclass
class PlanLink:
    """A corporate objective or a target, with the plan's actions that serve it."""

    code: str
    title: str
    detail: str
    actions: list[ActionLine]


@dataclass
class Figure:
    key: str
    heading: str
    method: str
    chart: Chart


@dataclass
class LevelChange:
    standard: str
    before: str
    after: str
    direction: str  # "up", "down"


@dataclass
class Report:
    """What the report says. `contents` is its sections as (heading id, heading), in
    order: the page's and the PDF's contents lists, and the ids _body.html gives the
    <h2> of each section."""

    cycle: AssessmentCycle
    organisation: object
    produced_at: datetime.datetime
    draft: bool
    status: str
    approved_by: str
    approved_on: datetime.date | None
    summary: list[str]
    themes: list[ThemeSection]
    gaps: list[StandardLine]
    plan: list[tuple[str, list[ActionLine]]]
    objectives: list[PlanLink]
    targets: list[tuple[str, list[PlanLink]]]
    figures: list[Figure]
    previous: AssessmentCycle | None
    changes: list[LevelChange]
    cycle_url: str | None

    contents = (
        ("at-a-glance", "At a glance"),
        ("standing", "Where each standard stands"),
        ("gaps", "The gaps"),
        ("charts", "Charts"),
        ("appendix-a", "Appendix A: the strategy summary"),
        ("appendix-b", "Appendix B: the action plan"),
        ("appendix-c", "Appendix C: link to the corporate plan"),
    )

    @property
    def standards(self) -> list[StandardLine]:
        return [line for section in self.themes for line in section.standards]

    @property
    def rated_count(self) -> int:
        return sum(1 for line in self.standards if line.current is not None)

    @property
    def actions(self) -> list[ActionLine]:
        return [line for _, lines in self.plan for line in lines]

    @property
    def overdue_count(self) -> int:
        return sum(1 for line in self.actions if line.overdue)

    @property
    def headlines(self) -> list[tuple[str, str]]:
        standards = self.standards
        at_target = sum(1 for s in standards if s.gap == 0)
        return [
            ("Standards", f"{len(standards)} in {len(self.themes)} themes"),
            ("Rated this cycle", str(self.rated_count)),
            ("At or above target", str(at_target)),
            ("Below target", str(len(self.gaps))),
            ("Actions in the plan", str(len(self.actions))),
            ("Overdue actions", str(self.overdue_count)),
        ]


# --- gathering ---------------------------------------------------------------------


def build_report(cycle: AssessmentCycle, *, user, today: datetime.date | None = None) -> Report:
    """Everything the report shows for `cycle`, read as `user` may see it."""
    if not AssessmentCycle.objects.visible_to(user).filter(pk=cycle.pk).exists():
        raise PermissionDenied("You cannot see this assessment cycle.")
    today = today or timezone.localdate()
    outcomes = live_evidence(cycle)
    framework = cycle.framework

    standards = list(Standard.objects.visible_to(user).filter(framework=framework)
                     .select_related("theme").order_by("theme__order", "theme__code", "order", "code"))
    ratings = {
        r.standard_id: r
        for r in StandardAssessment.objects.visible_to(user).filter(cycle=cycle)
        .select_related("assessor", "reviewed_by")
        .prefetch_related(Prefetch(
            "evidence", queryset=Evidence.objects.visible_to(user).select_related("criterion"),
            to_attr="visible_evidence"))
    }
    files = _evidence_files(user, [e for r in ratings.values() for e in r.visible_evidence])
    plan_actions = _plan_actions(cycle, user=user, today=today)
    closing: dict[str, list[str]] = {}
    for line in plan_actions:
        for code in {s.code for s in line.action.standards.all()}:
            closing.setdefault(code, []).append(line.reference)

    sections: dict[int, ThemeSection] = {}
    for standard in standards:
        rating = ratings.get(standard.pk)
        # Live evidence only beside a rating the user may see.
        line = _standard_line(standard, rating, outcomes.get(standard.pk) if rating else None, files)
        line.actions = closing.get(standard.code, [])
        sections.setdefault(standard.theme_id, ThemeSection(standard.theme, [])).standards.append(line)
    themes = list(sections.values())
    all_lines = [line for section in themes for line in section.standards]
    gaps = sorted((line for line in all_lines if line.gap),
                  key=lambda line: (-line.gap, line.theme.order, line.standard.order,
                                    line.standard.code))

    previous = (AssessmentCycle.objects.visible_to(user)
                .filter(organisation=cycle.organisation, framework__code=framework.code,
                        starts_on__lt=cycle.starts_on)
                .exclude(pk=cycle.pk).order_by("-starts_on").first())
    previous_levels = _levels_by_code(previous, user) if previous else {}
    changes = _changes(all_lines, previous_levels) if previous else []

    plan = _group_by_theme(plan_actions, [t.theme for t in themes])
    objectives, targets = _plan_links(cycle, plan_actions, user=user)
    approved = cycle.status == CycleStatus.APPROVED
    return Report(
        cycle=cycle,
        organisation=cycle.organisation,
        produced_at=timezone.localtime(),
        draft=not approved,
        status=cycle.get_status_display(),
        approved_by=(cycle.approved_by.get_full_name() or cycle.approved_by.get_username())
        if approved and cycle.approved_by else "",
        approved_on=timezone.localdate(cycle.approved_at) if approved and cycle.approved_at else None,
        summary=[p.strip() for p in cycle.summary.replace("\r\n", "\n").split("\n\n") if p.strip()],
        themes=themes,
        gaps=gaps,
        plan=plan,
        objectives=objectives,
        targets=targets,
        figures=_figures(cycle, themes, plan_actions, previous, previous_levels),
        previous=previous,
        changes=changes,
        cycle_url=_url_of(cycle),
    )


def _url_of(record) -> str | None:
    """The record's own page (get_absolute_url), or None while no page exists for it."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return None


def _evidence_files(user, evidence: list[Evidence]) -> dict[int, list[str]]:
    if not evidence:
        return {}
    content_type = ContentType.objects.get_for_model(Evidence)
    names: dict[int, list[str]] = {}
    for object_id, name in (Attachment.objects.visible_to(user)
                            .filter(content_type=content_type, object_id__in=[e.pk for e in evidence])
                            .order_by("created_at", "id").values_list("object_id", "original_name")):
        names.setdefault(object_id, []).append(name)
    return names


def _reasons(outcome) -> list[str]:
    reasons = getattr(outcome, "reasons", None) or []
    if isinstance(reasons, str):
        return [reasons]
    return [str(reason) for reason in reasons]


def _standard_line(standard, rating, outcome, files) -> StandardLine:
    criteria = []
    for item in getattr(outcome, "criteria", None) or []:
        criterion = item.criterion
        result = item.result
        answered = getattr(item, "answered", True) and getattr(item, "checked", True)
        criteria.append(CriterionLine(
            level=level_label(criterion.level),
            text=criterion.text,
            met=item.met if answered else None,
            source=item.source,
            status=getattr(item, "status", ""),
            rule_title=getattr(item, "rule_title", "") or "",
            summary=getattr(result, "summary", "") or "",
            figures=figure_rows(result),
            links=[(link.label, link.url) for link in getattr(result, "links", ()) or ()],
            note=getattr(item, "note", "") or "",
            added=criterion.added,
        ))
    evidence = [
        EvidenceLine(
            title=item.title,
            criterion=item.criterion.text if item.criterion_id else "",
            note=item.note,
            record=item.record_label,
            url=item.url,
            files=files.get(item.pk, []),
        )
        for item in (rating.visible_evidence if rating else [])
    ]
    supported = getattr(outcome, "supported_level", None)
    return StandardLine(
        standard=standard,
        theme=standard.theme,
        rating=rating,
        current=rating.current_level if rating else None,
        target=rating.target_level if rating else None,
        supported=int(supported) if supported is not None else None,
        reasons=_reasons(outcome),
        criteria=criteria,
        evidence=evidence,
    )


def _plan_actions(cycle: AssessmentCycle, *, user, today) -> list[ActionLine]:
    """The action plan for the cycle: the actions it raised, and the framework's other
    actions that were open during it or are still open (not those raised by a later cycle)."""
    code = cycle.framework.code
    in_framework = Q(standards__framework__code=code) | Q(theme__framework__code=code)
    live = Q(status__in=OPEN_ACTION_STATUSES) | Q(completed_on__gte=cycle.starts_on)
    later = Q(cycle__starts_on__gt=cycle.starts_on)
    ids = (Action.objects.visible_to(user).filter(organisation=cycle.organisation)
           .filter(Q(cycle=cycle) | (in_framework & live & ~later))
           .values("pk"))
    actions = (Action.objects.visible_to(user).filter(pk__in=ids)
               .select_related("owner", "theme")
               .prefetch_related(
                   Prefetch("standards", queryset=Standard.objects.select_related("theme")
                            .order_by("theme__order", "order", "code")),
                   Prefetch("updates", queryset=ActionUpdate.objects.visible_to(user)
                            .order_by("-created_at", "-id"), to_attr="visible_updates"),
                   "objectives", "targets")
               .order_by("due_on", "reference"))
    lines = []
    for action in actions:
        linked = list(action.standards.all())
        theme = action.theme or (linked[0].theme if linked else None)
        latest = action.visible_updates[0] if action.visible_updates else None
        is_open = action.status in OPEN_ACTION_STATUSES
        lines.append(ActionLine(
            action=action,
            theme=theme.code if theme else "",
            owner=action.owner.full_name if action.owner else "No owner",
            due_on=action.due_on,
            status=action.get_status_display(),
            rag=action.rag,
            rag_label=action.get_rag_display(),
            overdue=bool(is_open and action.due_on and action.due_on < today),
            latest_note=latest.note if latest else "",
            latest_on=timezone.localdate(latest.created_at) if latest else None,
            standards=[s.name for s in linked],
            url=_url_of(action),
        ))
    return lines


def _group_by_theme(lines: list[ActionLine], themes: list[Theme]) -> list[tuple[str, list[ActionLine]]]:
    """Actions under the cycle's themes in framework order (matched by theme code, so an
    action linked to an older version of the framework lands under the same theme)."""
    names = {theme.code: theme.name for theme in themes}
    order = [theme.code for theme in themes]
    groups: dict[str, list[ActionLine]] = {}
    for line in lines:
        groups.setdefault(line.theme if line.theme in names else "", []).append(line)
    result = [(names[code], groups[code]) for code in order if code in groups]
    if "" in groups:
        result.append(("Other actions", groups[""]))
    return result


def _plan_links(cycle, lines: list[ActionLine], *, user):
    by_objective: dict[int, list[ActionLine]] = {}
    by_target: dict[int, list[ActionLine]] = {}
    for line in lines:
        for objective in line.action.objectives.all():
            by_objective.setdefault(objective.pk, []).append(line)
        for target in line.action.targets.all():
            by_target.setdefault(target.pk, []).append(line)
    objectives = [
        PlanLink(o.code, o.title, o.plan, by_objective.get(o.pk, []))
        for o in CorporateObjective.objects.visible_to(user).filter(organisation=cycle.organisation)
        .filter(Q(is_active=True) | Q(pk__in=list(by_objective))).order_by("code")
    ]
    targets = []
    for scope in TargetScope:
        links = [
            PlanLink(t.code, t.title, t.description, by_target.get(t.pk, []))
            for t in Target.objects.visible_to(user).filter(organisation=cycle.organisation, scope=scope)
            .filter(Q(is_active=True) | Q(pk__in=list(by_target))).order_by("code")
        ]
        if links:
            targets.append((f"{scope.label} targets", links))
    return objectives, targets


def _levels_by_code(cycle: AssessmentCycle, user) -> dict[str, int | None]:
    return dict(StandardAssessment.objects.visible_to(user).filter(cycle=cycle)
                .values_list("standard__code", "current_level"))


def _changes(lines: Iterable[StandardLine], previous: dict[str, int | None]) -> list[LevelChange]:
    changes = []
    for line in lines:
        if line.standard.code not in previous:
            continue
        before, after = previous[line.standard.code], line.current
        if before == after or None in (before, after):
            continue
        changes.append(LevelChange(line.name, level_label(before), level_label(after),
                                   "up" if after > before else "down"))
    return changes


def _level_counts(levels: Iterable[int | None]) -> list[int]:
    levels = list(levels)
    return [sum(1 for v in levels if v == level) for level in LEVELS] + [
        sum(1 for v in levels if v is None)]


def _figures(cycle, themes, actions, previous, previous_levels) -> list[Figure]:
    level_names = [level.label for level in LEVELS] + [NOT_RATED]
    theme_names = [section.theme.name for section in themes]
    by_theme = [_level_counts(line.current for line in section.standards) for section in themes]
    figures = [Figure(
        key="levels-by-theme",
        heading="Standards by level in each theme",
        method="How many of each theme's standards the assessor placed at each level this cycle.",
        chart=Chart(
            title="Standards by current level in each theme",
            description="Stacked bars, one per theme: the number of its standards at each level.",
            x_labels=theme_names or ["No themes"],
            series=[Series(name, [counts[i] for counts in by_theme] or [0],
                           palette=LEVEL_PALETTE[i % len(LEVEL_PALETTE)])
                    for i, name in enumerate(level_names)],
            unit="standards", kind=STACKED, x_title="Theme", key="report-levels-by-theme",
            empty_text="No standard has been rated yet."),
    )]
    lines = [line for section in themes for line in section.standards]
    figures.append(Figure(
        key="current-and-target",
        heading="Where the standards are and where they should be",
        method="The number of standards at each level now, beside the number the council aims for.",
        chart=Chart(
            title="Standards at each level: current and target",
            description="Grouped bars per level: standards at that level now and standards "
                        "whose target is that level.",
            x_labels=level_names,
            series=[Series("Current", _level_counts(line.current for line in lines)),
                    Series("Target", _level_counts(line.target for line in lines))],
            unit="standards", kind=BAR, x_title="Level", key="report-current-and-target",
            empty_text="No standard has been rated yet."),
    ))
    if previous is not None:
        codes = {line.standard.code for line in lines}
        figures.append(Figure(
            key="progress",
            heading=f"Progress since {previous.name}",
            method=f"The number of standards at each level in {previous.name} and in {cycle.name}.",
            chart=Chart(
                title=f"Standards at each level: {previous.name} and {cycle.name}",
                description="Grouped bars per level comparing the previous cycle with this one.",
                x_labels=level_names,
                series=[Series(previous.name, _level_counts(
                            v for code, v in previous_levels.items() if code in codes)),
                        Series(cycle.name, _level_counts(line.current for line in lines))],
                unit="standards", kind=BAR, x_title="Level", key="report-progress"),
        ))
    open_lines = [line for line in actions if line.action.status in OPEN_ACTION_STATUSES]
    figures.append(Figure(
        key="actions-rag",
        heading="Open actions by RAG status",
        method="Open actions (not started, in progress or blocked) by their red, amber or green "
               "status; overdue ones are also counted on their own.",
        chart=Chart(
            title="Open actions by RAG status",
            description="Bars for red, amber and green open actions.",
            x_labels=[label for _, label in RAG.choices],
            series=[Series("Open actions", [sum(1 for line in open_lines if line.rag == value)
                                            for value, _ in RAG.choices]),
                    Series("Of which overdue", [sum(1 for line in open_lines
                                                    if line.rag == value and line.overdue)
                                                for value, _ in RAG.choices])],
            unit="actions", kind=BAR, x_title="RAG status", key="report-actions-rag",
            empty_text="There are no open actions."),
    ))
    return figures

