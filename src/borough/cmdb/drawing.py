"""Server-drawn SVG pictures of the CMDB: the architecture map (systems and the interfaces
between them) and a CI's neighbourhood. Each is drawn from the same rows its page lists
as a table, which is the text equivalent; the SVG carries a title and a description and
is marked as an image. Every text in it is escaped here."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape

INK, ACCENT, MUTED, FILL = "#0b0c0c", "#00625e", "#505a5f", "#f3f2f1"
FONT = 'font-family="system-ui, Arial, sans-serif"'
LABEL_CHARS = 28


@dataclass(frozen=True)
class Node:
    key: int
    label: str
    group: str = ""


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    label: str = ""


def short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _open(slug: str, width: float, height: float, title: str, description: str,
          css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{slug}-title {slug}-desc" class="{css_class}">',
        f'<title id="{slug}-title">{escape(title)}</title>',
        f'<desc id="{slug}-desc">{escape(description)}</desc>',
        f'<g {FONT} font-size="13" fill="{INK}">',
    ]


def architecture_map(nodes: list[Node], edges: list[Edge], *, title: str) -> str:
    """Systems on a circle, ordered by group (service unit) then name, so a unit's systems
    sit together; each interface a curve bowed towards the centre. Labels sit outside the
    circle, level, on the side they belong to."""
    ordered = sorted(nodes, key=lambda n: (n.group.lower(), n.label.lower(), n.key))
    count = max(len(ordered), 1)
    radius = max(150.0, count * 15.0)
    label_room = 8.0 * LABEL_CHARS
    margin = 24.0
    centre_x = margin + label_room + radius
    centre_y = margin + radius + 10
    width = 2 * (margin + label_room + radius)
    height = 2 * (margin + radius + 10)
    where: dict[int, tuple[float, float, float]] = {}
    for i, node in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * i / count
        where[node.key] = (centre_x + radius * math.cos(angle),
                           centre_y + radius * math.sin(angle), angle)
    drawn = [e for e in edges if e.source in where and e.target in where]
    description = (f"{len(ordered)} system{'s' if len(ordered) != 1 else ''} and "
                   f"{len(drawn)} interface{'s' if len(drawn) != 1 else ''}. "
                   + " ".join(f"{_label(ordered, e.source)} interfaces with "
                              f"{_label(ordered, e.target)}"
                              + (f" through {e.label}" if e.label else "") + "."
                              for e in drawn))
    parts = _open("architecture-map", width, height, title, description, "borough-map")
    parts.append(f'<circle cx="{centre_x:.1f}" cy="{centre_y:.1f}" r="{radius:.1f}" '
                 f'fill="none" stroke="#b1b4b6" stroke-dasharray="3 4"/>')
    for edge in drawn:
        x1, y1, _ = where[edge.source]
        x2, y2, _ = where[edge.target]
        # The control point between the chord's middle and the centre: a bow inwards.
        cx = (x1 + x2) / 4 + centre_x / 2
        cy = (y1 + y2) / 4 + centre_y / 2
        parts.append(f'<path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" '
                     f'fill="none" stroke="{ACCENT}" stroke-width="1.5" opacity="0.7"/>')
    for node in ordered:
        x, y, angle = where[node.key]
        right = math.cos(angle) >= -1e-9
        lx = x + (10 if right else -10)
        ly = y + 4 + 6 * math.sin(angle)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{ACCENT}"/>')
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor='
                     f'"{"start" if right else "end"}">{escape(short(node.label))}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def _label(nodes: list[Node], key: int) -> str:
    return next((n.label for n in nodes if n.key == key), "?")


def neighbourhood(centre: Node, left: list[tuple[Node, str]], right: list[tuple[Node, str]],
                  *, title: str, left_heading: str, right_heading: str) -> str:
    """The item in the middle; on the left what points at it, on the right what it points
    at, each line labelled with the relationship's words."""
    column, gap, row = 230.0, 150.0, 40.0
    rows = max(len(left), len(right), 1)
    height = 56 + rows * row + 12
    width = column * 3 + gap * 2
    mid_x = column + gap
    mid_y = 56 + rows * row / 2
    description = " ".join([f"{n.label} {words} {centre.label}." for n, words in left]
                           + [f"{centre.label} {words} {n.label}." for n, words in right])
    parts = _open("neighbourhood", width, height, title, description or
                  f"{centre.label} has no relationships.", "borough-map")
    parts.append(f'<text x="{column / 2:.0f}" y="24" text-anchor="middle" fill="{MUTED}">'
                 f'{escape(left_heading)}</text>')
    parts.append(f'<text x="{width - column / 2:.0f}" y="24" text-anchor="middle" '
                 f'fill="{MUTED}">{escape(right_heading)}</text>')

    def box(x: float, y: float, node: Node, bold: bool = False) -> None:
        stroke = f'stroke="{ACCENT}" stroke-width="2"' if bold else f'stroke="{INK}"'
        weight = ' font-weight="bold"' if bold else ""
        parts.append(f'<rect x="{x:.0f}" y="{y - 15:.0f}" width="{column:.0f}" height="30" '
                     f'rx="4" fill="{FILL}" {stroke}/>')
        parts.append(f'<text x="{x + column / 2:.0f}" y="{y + 4:.0f}" text-anchor="middle"'
                     f'{weight}>{escape(short(node.label, 30))}</text>')

    for side, items in ((0, left), (1, right)):
        top = mid_y - len(items) * row / 2 + row / 2
        for i, (node, words) in enumerate(items):
            y = top + i * row
            x = 0 if side == 0 else mid_x + column + gap
            box(x, y, node)
            # From the node's inner edge to the centre box's nearer edge.
            node_x, centre_x = (column, mid_x) if side == 0 else (x, mid_x + column)
            parts.append(f'<line x1="{node_x:.0f}" y1="{y:.0f}" x2="{centre_x:.0f}" '
                         f'y2="{mid_y:.0f}" stroke="{ACCENT}" stroke-width="1.5"/>')
            label_x = node_x + 8 if side == 0 else node_x - 8
            parts.append(f'<text x="{label_x:.0f}" y="{y - 5:.0f}" font-size="11" '
                         f'fill="{MUTED}" text-anchor="{"start" if side == 0 else "end"}">'
                         f'{escape(short(words, 20))}</text>')
    box(mid_x, mid_y, centre, bold=True)
    parts.append("</g></svg>")
    return "".join(parts)
