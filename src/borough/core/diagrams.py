"""A lifecycle's diagram, drawn from its declaration (core.lifecycle) as SVG on the server.

States are columns, in the order their field declares them; each transition is a row: a
dot under each state it leaves from and an arrow to the state it goes to, labelled with
the transition and who may take it. The same rows, as a table (`Lifecycle.rows`), are
its text equivalent; the SVG carries a title and a description for assistive technology
and is marked as an image."""

from __future__ import annotations

from django.utils.html import escape

from borough.core.lifecycle import Lifecycle

LABEL_WIDTH = 260
COLUMN = 112
HEADER = 58
ROW = 44
MARGIN = 12
INK, ACCENT, MUTED = "#0b0c0c", "#00625e", "#505a5f"


def _wrap(text: str, width: int = 14) -> list[str]:
    """Words in lines of about `width` characters (two lines at most: state names)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:2] if len(lines) <= 2 else [lines[0], " ".join(lines[1:])]


def svg(lifecycle: Lifecycle, *, title: str) -> str:
    states = list(lifecycle.states)
    x = {state: LABEL_WIDTH + COLUMN * i + COLUMN // 2 for i, state in enumerate(states)}
    transitions = list(lifecycle.transitions.values())
    width = LABEL_WIDTH + COLUMN * len(states) + MARGIN
    height = HEADER + ROW * len(transitions) + MARGIN
    slug = lifecycle.model._meta.label_lower.replace(".", "-")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{slug}-title {slug}-desc" class="borough-lifecycle">',
        f'<title id="{slug}-title">{escape(title)}</title>',
        f'<desc id="{slug}-desc">{escape(describe(lifecycle))}</desc>',
        f'<defs><marker id="{slug}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{ACCENT}"/></marker></defs>',
        '<g font-family="system-ui, Arial, sans-serif" font-size="13">',
    ]
    for state in states:
        left = x[state] - COLUMN // 2 + 4
        parts.append(f'<rect x="{left}" y="{MARGIN}" width="{COLUMN - 8}" height="36" rx="4" '
                     f'fill="#f3f2f1" stroke="{INK}"/>')
        lines = _wrap(lifecycle.label(state))
        for n, line in enumerate(lines):
            y = MARGIN + (23 if len(lines) == 1 else 16 + 14 * n)
            parts.append(f'<text x="{x[state]}" y="{y}" text-anchor="middle" '
                         f'font-weight="bold">{escape(line)}</text>')
        parts.append(f'<line x1="{x[state]}" y1="{MARGIN + 36}" x2="{x[state]}" '
                     f'y2="{height - MARGIN}" stroke="#b1b4b6" stroke-dasharray="3 3"/>')
    for row, transition in enumerate(transitions):
        y = HEADER + ROW * row + ROW // 2
        parts.append(f'<text x="{MARGIN}" y="{y - 3}" fill="{INK}" font-weight="bold">'
                     f'{escape(transition.label)}</text>')
        parts.append(f'<text x="{MARGIN}" y="{y + 13}" fill="{MUTED}" font-size="11">'
                     f'{escape(_short(transition.who.text))}</text>')
        target = x[transition.target]
        for source in transition.sources:
            start = x[source]
            end = target - 6 if start < target else target + 6
            parts.append(f'<line x1="{start}" y1="{y}" x2="{end}" y2="{y}" stroke="{ACCENT}" '
                         f'stroke-width="2" marker-end="url(#{slug}-arrow)" opacity="0.85"/>')
            parts.append(f'<circle cx="{start}" cy="{y}" r="5" fill="{ACCENT}"/>')
        if transition.approval is not None:
            parts.append(f'<text x="{target + 8}" y="{y - 6}" fill="{MUTED}" font-size="11">'
                         f'approval</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def describe(lifecycle: Lifecycle) -> str:
    """One sentence per transition, for the SVG's description."""
    return " ".join(
        f"{row['label']}: from {', '.join(row['from'])} to {row['to']}, by {row['who']}"
        + (f" ({row['conditions']})" if row["conditions"] else "") + "."
        for row in lifecycle.rows())


def markdown(lifecycle: Lifecycle, *, title: str, image: str) -> str:
    """The docs page: the picture, then the table that says the same."""
    lines = [f"# {title}", "", f"![{title}]({image})", "",
             "| Move | From | To | Who may | Conditions |", "|---|---|---|---|---|"]
    for row in lifecycle.rows():
        lines.append(f"| {row['label']} | {', '.join(row['from'])} | {row['to']} | "
                     f"{row['who']} | {row['conditions'] or '–'} |")
    return "\n".join(lines) + "\n"
