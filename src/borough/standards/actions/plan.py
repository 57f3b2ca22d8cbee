"""Reading the action plan: grouping (by theme, owner or due date) and the spreadsheet
rows, shared by the pages and the API. Callers pass a queryset that started from
`Action.objects.visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from borough.standards.actions import services
from borough.standards.models import ActionUpdate

STATUS_TAGS = {"not-started": "grey", "in-progress": "blue", "blocked": "orange",
               "done": "green", "cancelled": "grey"}
RAG_TAGS = {"red": "red", "amber": "orange", "green": "green"}
GROUPINGS = {"theme": "Theme", "owner": "Owner", "due": "Due date"}
NO_THEME, NO_OWNER, NO_DATE = "No theme", "No owner", "No due date"


def with_related(qs):
    """Everything a plan page or export shows, in a fixed number of queries."""
    return (qs.prefetch_related(None).select_related("theme", "owner", "cycle")
            .prefetch_related("standards__theme", "objectives", "targets",
                              Prefetch("updates", queryset=ActionUpdate.objects.select_related(
                                  "created_by")))
            .order_by("due_on", "reference"))


def effective_theme(action):
    """Where the plan lists the action: its own theme, else its first standard's."""
    if action.theme is not None:
        return action.theme
    standards = sorted(action.standards.all(), key=lambda s: (s.theme.order, s.order, s.pk))
    return standards[0].theme if standards else None


def latest_update(action):
    updates = list(action.updates.all())  # newest first (ActionUpdate.Meta.ordering)
    return updates[0] if updates else None


@dataclass
class Row:
    action: object
    overdue: bool
    days_overdue: int
    latest: object
    theme: object

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS.get(self.action.status, "grey")

    @property
    def rag_tag(self) -> str:
        return RAG_TAGS.get(self.action.rag, "grey")


@dataclass
class Group:
    key: str
    label: str
    rows: list[Row] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rows if r.overdue)


def rows_for(actions, on: date | None = None) -> list[Row]:
    on = on or services.today()
    rows = []
    for action in actions:
        overdue = services.is_overdue(action, on)
        rows.append(Row(action, overdue, (on - action.due_on).days if overdue else 0,
                        latest_update(action), effective_theme(action)))
    return rows


def group(rows: list[Row], by: str, on: date | None = None) -> list[Group]:
    """Groups in the order a reader expects: themes in framework order, owners by name,
    due dates with overdue first, then by month; the "none" group last."""
    on = on or services.today()
    groups: dict[str, Group] = {}
    order: dict[str, tuple] = {}
    for row in rows:
        action = row.action
        if by == "theme":
            theme = row.theme
            key = f"theme-{theme.pk}" if theme else "none"
            label = theme.name if theme else NO_THEME
            sort = (0, theme.framework_id, theme.order, theme.name) if theme else (1,)
        elif by == "owner":
            owner = action.owner
            key = f"owner-{owner.pk}" if owner else "none"
            label = owner.full_name if owner else NO_OWNER
            sort = (0, label.lower()) if owner else (1,)
        else:
            if row.overdue:
                key, label, sort = "overdue", "Overdue", (0,)
            elif action.due_on is None:
                key, label, sort = "none", NO_DATE, (3,)
            else:
                month = action.due_on.replace(day=1)
                key = f"due-{month:%Y-%m}"
                label = f"Due in {month:%B %Y}"
                sort = (1, month)
        groups.setdefault(key, Group(key, label)).rows.append(row)
        order.setdefault(key, sort)
    return sorted(groups.values(), key=lambda g: order[g.key])


EXPORT_HEADER = ["Reference", "Title", "Description", "Theme", "Owner", "Due date", "Status",
                 "RAG", "Overdue", "Completed on", "Standards", "Corporate plan objectives",
                 "National and local targets", "Latest progress note", "Latest note on",
                 "Raised by review"]


def _date(value) -> str:
    return value.isoformat() if value else ""


def export_rows(qs, on: date | None = None) -> list[list[object]]:
    """The plan as a spreadsheet: one row per action; cells a spreadsheet would run as a
    formula are neutralised by core.exports."""
    from borough.core.exports import neutralise

    rows = [EXPORT_HEADER]
    for row in rows_for(with_related(qs), on):
        a = row.action
        rows.append([
            a.reference, a.title, a.description, row.theme.name if row.theme else "",
            a.owner.full_name if a.owner else "", _date(a.due_on), a.get_status_display(),
            a.get_rag_display(), "Yes" if row.overdue else "No", _date(a.completed_on),
            "; ".join(s.name for s in a.standards.all()),
            "; ".join(str(o) for o in a.objectives.all()),
            "; ".join(str(t) for t in a.targets.all()),
            row.latest.note if row.latest else "",
            _date(timezone.localtime(row.latest.created_at).date()) if row.latest else "",
            a.cycle.name if a.cycle else "",
        ])
    return [[neutralise(cell) for cell in r] for r in rows]
