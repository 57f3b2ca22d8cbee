"""Server-rendered SVG charts, each with the table of its numbers.

A `Chart` holds the numbers once; `Chart.svg()` draws them and
`borough/includes/chart.html` renders the drawing beside a GOV.UK table of the
same numbers, so the page, a screen reader, a printout and a PDF all get them.

Kinds: `BAR` (vertical bars; several series are grouped side by side),
`STACKED` (vertical bars stacked), `LINE` (one line per series, gaps where a
value is None) and `HBAR` (horizontal bars, for long labels).

Markup is built only with `format_html` / `format_html_join`, which escape
every label, title and description; nothing is marked safe by hand. Colours
are SVG presentation attributes (`fill`, `stroke`) so a chart looks right on
its own; `borough/charts.css` refines them (fonts, forced colours). No inline
style attributes: the Content-Security-Policy has `style-src 'self'`.

Values must be numbers >= 0 or None (no value); negative values are drawn as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify

__all__ = ["BAR", "HBAR", "KINDS", "LINE", "STACKED", "Chart", "Series", "format_number"]

BAR = "bar"
STACKED = "stacked"
LINE = "line"
HBAR = "hbar"
KINDS = (BAR, STACKED, LINE, HBAR)

Number = int | float

# Colours with at least 3:1 contrast on white (WCAG 1.4.11); lines also differ by dash.
PALETTE = ("#00625e", "#d4351c", "#1d70b8", "#4c2c92", "#505a5f", "#912b88")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "1 4", "5 2 1 2")
TEXT = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#b1b4b6"

WIDTH = 720
PLOT_HEIGHT = 220
FONT_SIZE = 13
CHAR_WIDTH = 7.2  # rough width of a character at FONT_SIZE, for layout only
EMPTY = SafeString("")  # a constant: nothing to escape


def format_number(value: Number | None, decimals: int = 1) -> str | None:
    """A value as the table shows it: ints with thousands separators, floats rounded."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{decimals}f}"


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label. `unit` overrides the chart's for the
    table heading; `in_chart=False` shows the series in the table only (counts beside
    percentages, say)."""

    name: str
    values: Sequence[Number | None]
    unit: str | None = None
    in_chart: bool = True
    # Which PALETTE colour (and dash) to draw with; by default the series' position.
    # Set it where a colour carries meaning across charts (levels, RAG).
    palette: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(self.values))

    def heading(self, chart_unit: str) -> str:
        unit = chart_unit if self.unit is None else self.unit
        return f"{self.name} ({unit})" if unit else self.name


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    x_labels: Sequence[str]
    series: Sequence[Series]
    unit: str = ""
    kind: str = BAR
    x_title: str = ""
    y_max: Number | None = None
    decimals: int = 1
    key: str = ""
    empty_text: str = "There is nothing to show for this period."

    def __post_init__(self):
        object.__setattr__(self, "x_labels", tuple(str(label) for label in self.x_labels))
        object.__setattr__(self, "series", tuple(self.series))
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.x_labels):
                raise ValueError(
                    f"series {series.name!r} has {len(series.values)} values for "
                    f"{len(self.x_labels)} labels"
                )

    # --- the numbers -------------------------------------------------------------

    @property
    def dom_id(self) -> str:
        return "chart-" + (slugify(self.key or self.title) or "figure")

    @property
    def chart_series(self) -> tuple[Series, ...]:
        return tuple(s for s in self.series if s.in_chart)

    @property
    def has_data(self) -> bool:
        """Whether there is anything to draw: some value in the chart above zero."""
        return any(v is not None and v > 0 for s in self.chart_series for v in s.values)

    @property
    def headings(self) -> list[str]:
        return [self.x_title, *(s.heading(self.unit) for s in self.series)]

    @property
    def rows(self) -> list[dict]:
        """Table rows: {"label": x label, "cells": formatted values, None for no value}."""
        return [
            {"label": label,
             "cells": [format_number(s.values[i], self.decimals) for s in self.series]}
            for i, label in enumerate(self.x_labels)
        ]

    def table_values(self) -> list[list[object]]:
        """The table as raw values, heading row first (for CSV and spreadsheet exports)."""
        return [self.headings, *([label, *(s.values[i] for s in self.series)]
                                 for i, label in enumerate(self.x_labels))]

    # --- the drawing -------------------------------------------------------------

    def svg(self) -> SafeString:
        """The chart as accessible inline SVG; empty when there is nothing to draw."""
        if not self.has_data:
            return EMPTY
        if self.kind == HBAR:
            height, body = _horizontal(self)
        else:
            height, body = _vertical(self)
        ident = self.dom_id
        return format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="borough-chart__svg" role="img" '
            'focusable="false" aria-labelledby="{}-title {}-desc" viewBox="0 0 {} {}" '
            'width="{}" height="{}" font-size="{}">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
            ident, ident, WIDTH, _n(height), WIDTH, _n(height), FONT_SIZE,
            ident, self.title, ident, self.description, body,
        )


# --- drawing helpers ---------------------------------------------------------------

def _n(value: float) -> str:
    """A coordinate, short and locale-free."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _join(parts: Iterable) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _wrap(label: str, width: int) -> list[str] | None:
    """The label on two lines of at most `width` characters, as even as possible."""
    words = label.split()
    best = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) <= width and len(second) <= width:
            longest = max(len(first), len(second))
            if best is None or longest < best[0]:
                best = (longest, [first, second])
    return best[1] if best else None


def _value(value: Number | None) -> float:
    return max(float(value), 0.0) if value is not None else 0.0


def _nice_step(raw: float, integers: bool) -> float:
    if raw <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(raw))
    for multiple in ((1, 2, 5, 10) if integers else (1, 2, 2.5, 5, 10)):
        step = multiple * base
        if raw <= step * (1 + 1e-9):
            return max(step, 1.0) if integers else step
    return 10 * base


def _ticks(chart: Chart, largest: float) -> list[float]:
    """Gridline values from 0 to a round top at or above the largest value."""
    integers = all(isinstance(v, int) for s in chart.chart_series for v in s.values
                   if v is not None)
    top = max(largest, float(chart.y_max or 0)) or 1.0
    step = _nice_step(top / 4, integers)
    count = math.ceil(top / step - 1e-9)
    return [step * i for i in range(count + 1)]


def _tick_label(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def _tooltip(chart: Chart, label: str, series: Series, value: Number | None) -> SafeString:
    shown = format_number(value, chart.decimals)
    unit = chart.unit if series.unit is None else series.unit
    text = f"{label}, {series.name}: {shown if shown is not None else 'no value'}"
    if shown is not None and unit:
        text += f" {unit}"
    return format_html("<title>{}</title>", text)


def _legend(chart: Chart, y: float) -> tuple[float, SafeString]:
    """A legend across the top when there are several series; returns its height."""
    series = chart.chart_series
    if len(series) < 2:
        return 0.0, EMPTY
    parts, x, row = [], 8.0, 0
    for position, s in enumerate(series):
        index = _slot(s, position)
        name = _short(s.name, 40)
        width = 22 + len(name) * CHAR_WIDTH + 18
        if x + width > WIDTH and x > 8:
            x, row = 8.0, row + 1
        top = y + row * 22
        colour = PALETTE[index % len(PALETTE)]
        if chart.kind == LINE:
            swatch = format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" '
                'stroke-dasharray="{}" class="borough-chart__line borough-chart__series-{}"/>',
                _n(x), _n(top + 7), _n(x + 18), _n(top + 7), colour,
                DASHES[index % len(DASHES)] or "none", index % len(PALETTE) + 1)
        else:
            swatch = format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" '
                'class="borough-chart__bar borough-chart__series-{}"/>',
                _n(x + 2), _n(top), colour, index % len(PALETTE) + 1)
        parts.append(swatch)
        parts.append(format_html('<text x="{}" y="{}" dy="0.85em" fill="{}" '
                                 'class="borough-chart__legend">{}</text>',
                                 _n(x + 24), _n(top), TEXT, name))
        x += width
    return (row + 1) * 22 + 8, format_html('<g class="borough-chart__legend-group">{}</g>',
                                           _join(parts))


def _vertical(chart: Chart) -> tuple[float, SafeString]:
    series = chart.chart_series
    labels = chart.x_labels
    count = len(labels)
    if chart.kind == STACKED:
        largest = max((sum(_value(s.values[i]) for s in series) for i in range(count)), default=0)
    else:
        largest = max((_value(v) for s in series for v in s.values), default=0)
    ticks = _ticks(chart, largest)
    top_value = ticks[-1]

    legend_height, legend = _legend(chart, 8)
    top = 12 + legend_height
    tick_chars = max(len(_tick_label(t)) for t in ticks)
    left = 30 + tick_chars * CHAR_WIDTH + (16 if chart.unit else 0)
    right = 16
    plot_width = WIDTH - left - right
    slot = plot_width / count
    longest = max(len(label) for label in labels)
    fits = int((slot - 6) // CHAR_WIDTH)
    wrapped = None
    if longest > fits:  # two lines if every label fits that way, else slanted labels
        lines = [[label] if len(label) <= fits else _wrap(label, fits) for label in labels]
        wrapped = lines if all(lines) else None
    rotate = longest > fits and wrapped is None
    label_limit = 20
    if rotate:
        # A slanted label runs left of its bar by about 0.72 of its length: widen the
        # left margin so the first one is not cut off at the edge (a PDF clips there).
        reach = min(longest, label_limit) * CHAR_WIDTH * 0.72
        left = max(left, reach + 4 - slot / 2)
        slot = (WIDTH - left - right) / count
    every = max(1, math.ceil(18 / slot)) if rotate else 1
    bottom = (min(longest, label_limit) * CHAR_WIDTH * 0.72 + 24) if rotate else (
        50 if wrapped else 32)
    base = top + PLOT_HEIGHT
    height = base + bottom

    def y_of(value: float) -> float:
        return base - value / top_value * PLOT_HEIGHT

    parts = [legend]
    # Gridlines and y-axis labels.
    for tick in ticks:
        y = y_of(tick)
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1" '
            'class="borough-chart__grid"/>', _n(left), _n(y), _n(WIDTH - right), _n(y), GRID))
        parts.append(format_html(
            '<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}" '
            'class="borough-chart__tick">{}</text>', _n(left - 6), _n(y), MUTED, _tick_label(tick)))
    if chart.unit:
        middle = top + PLOT_HEIGHT / 2
        parts.append(format_html(
            '<text x="14" y="{}" text-anchor="middle" fill="{}" transform="rotate(-90 14 {})" '
            'class="borough-chart__axis-title">{}</text>', _n(middle), MUTED, _n(middle),
            _short(chart.unit, 30)))

    # The data.
    group_width = slot * (0.8 if len(series) > 1 else 0.66)
    show_values = chart.kind == BAR and len(series) == 1 and count <= 16
    for i, label in enumerate(labels):
        x0 = left + i * slot
        if chart.kind == LINE:
            continue
        if chart.kind == STACKED:
            stacked = 0.0
            for j, s in enumerate(series):
                value = _value(s.values[i])
                if value <= 0:
                    continue
                y_top = y_of(stacked + value)
                parts.append(_bar(x0 + (slot - group_width) / 2, y_top, group_width,
                                  y_of(stacked) - y_top, _slot(s, j),
                                  _tooltip(chart, label, s, s.values[i])))
                stacked += value
            continue
        bar_width = group_width / len(series)
        for j, s in enumerate(series):
            value = _value(s.values[i])
            bx = x0 + (slot - group_width) / 2 + j * bar_width
            if value > 0:
                parts.append(_bar(bx, y_of(value), max(bar_width - 1, 1), base - y_of(value),
                                  _slot(s, j),
                                  _tooltip(chart, label, s, s.values[i])))
            if show_values and s.values[i] is not None:
                parts.append(format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}" '
                    'class="borough-chart__value">{}</text>', _n(bx + bar_width / 2),
                    _n(y_of(value) - 5), TEXT, format_number(s.values[i], chart.decimals)))
    if chart.kind == LINE:
        for j, s in enumerate(series):
            parts.append(_line(chart, s, _slot(s, j), [left + (i + 0.5) * slot for i in range(count)], y_of))

    # The x axis and its labels.
    parts.append(format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1" '
        'class="borough-chart__axis"/>', _n(left), _n(base), _n(WIDTH - right), _n(base), TEXT))
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = left + (i + 0.5) * slot
        if rotate:
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}" transform="rotate(-45 {} {})" '
                'class="borough-chart__label">{}</text>', _n(x), _n(base + 14), TEXT, _n(x),
                _n(base + 14), _short(label, label_limit)))
        elif wrapped:
            lines = format_html_join("", '<tspan x="{}" dy="{}">{}</tspan>', (
                (_n(x), "0" if n == 0 else "1.2em", line) for n, line in enumerate(wrapped[i])))
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" '
                'class="borough-chart__label">{}</text>', _n(x), _n(base + 20), TEXT, lines))
        else:
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" '
                'class="borough-chart__label">{}</text>', _n(x), _n(base + 20), TEXT, label))
    return height, _join(parts)


def _slot(series: Series, index: int) -> int:
    return index if series.palette is None else series.palette


def _bar(x: float, y: float, width: float, height: float, index: int,
         tooltip: SafeString) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
        'class="borough-chart__bar borough-chart__series-{}">{}</rect>',
        _n(x), _n(y), _n(width), _n(max(height, 0.5)), PALETTE[index % len(PALETTE)],
        index % len(PALETTE) + 1, tooltip)


def _line(chart: Chart, series: Series, index: int, xs: list[float], y_of) -> SafeString:
    colour = PALETTE[index % len(PALETTE)]
    segments: list[list[tuple[float, float]]] = [[]]
    markers = []
    for i, value in enumerate(series.values):
        if value is None:
            segments.append([])
            continue
        point = (xs[i], y_of(_value(value)))
        segments[-1].append(point)
        markers.append(format_html(
            '<circle cx="{}" cy="{}" r="4" fill="{}" class="borough-chart__marker '
            'borough-chart__series-{}">{}</circle>', _n(point[0]), _n(point[1]), colour,
            index % len(PALETTE) + 1, _tooltip(chart, chart.x_labels[i], series, value)))
    paths = []
    for segment in segments:
        if len(segment) < 2:
            continue
        d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in segment)
        paths.append(format_html(
            '<path d="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" '
            'class="borough-chart__line borough-chart__series-{}"/>', d, colour,
            DASHES[index % len(DASHES)] or "none", index % len(PALETTE) + 1))
    return _join([*paths, *markers])


def _horizontal(chart: Chart) -> tuple[float, SafeString]:
    series = chart.chart_series
    labels = chart.x_labels
    largest = max((_value(v) for s in series for v in s.values), default=0)
    ticks = _ticks(chart, largest)
    top_value = ticks[-1]
    legend_height, legend = _legend(chart, 8)
    top = 12 + legend_height
    label_limit = 30
    left = min(max(len(label) for label in labels), label_limit) * CHAR_WIDTH + 16
    right = 56  # room for the value after the longest bar
    plot_width = WIDTH - left - right
    row = max(28.0, 16.0 * len(series) + 12)
    bar_height = (row - 10) / len(series)
    base = top + row * len(labels)
    height = base + 30

    def x_of(value: float) -> float:
        return left + value / top_value * plot_width

    parts = [legend]
    for tick in ticks:
        x = x_of(tick)
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1" '
            'class="borough-chart__grid"/>', _n(x), _n(top), _n(x), _n(base), GRID))
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" class="borough-chart__tick">{}'
            '</text>', _n(x), _n(base + 18), MUTED, _tick_label(tick)))
    for i, label in enumerate(labels):
        y0 = top + i * row + 5
        parts.append(format_html(
            '<text x="{}" y="{}" dy="0.35em" text-anchor="end" fill="{}" '
            'class="borough-chart__label">{}</text>', _n(left - 8), _n(top + (i + 0.5) * row),
            TEXT, _short(label, label_limit)))
        for j, s in enumerate(series):
            value = _value(s.values[i])
            y = y0 + j * bar_height
            if value > 0:
                parts.append(format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" '
                    'class="borough-chart__bar borough-chart__series-{}">{}</rect>',
                    _n(left), _n(y), _n(x_of(value) - left), _n(max(bar_height - 1, 1)),
                    PALETTE[_slot(s, j) % len(PALETTE)], _slot(s, j) % len(PALETTE) + 1,
                    _tooltip(chart, label, s, s.values[i])))
            if s.values[i] is not None:
                parts.append(format_html(
                    '<text x="{}" y="{}" dy="0.35em" fill="{}" class="borough-chart__value">{}'
                    '</text>', _n(x_of(value) + 5), _n(y + bar_height / 2), TEXT,
                    format_number(s.values[i], chart.decimals)))
    parts.append(format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1" '
        'class="borough-chart__axis"/>', _n(left), _n(top), _n(left), _n(base), TEXT))
    return height, _join(parts)
