"""How availability figures are shown: hours and minutes, per cent, month names."""

from __future__ import annotations

from datetime import date

from borough.availability import queries


def hours(minutes: float | None) -> str:
    """Minutes as hours and minutes, for people: 1 h 05 min, 45 min."""
    if minutes is None:
        return "–"
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    return f"{whole // 60} h {whole % 60:02d} min"


def per_cent(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}%"


def month_label(month: date) -> str:
    return month.strftime("%b %Y")


def row(figures: queries.Figures) -> dict:
    return {"availability": per_cent(figures.availability), "met": figures.met,
            "complete": figures.complete, "agreed": hours(figures.agreed_minutes),
            "downtime": hours(figures.downtime_minutes),
            "planned": hours(figures.planned_minutes), "failures": figures.failures,
            "mtbf": hours(figures.mtbf_minutes), "mtrs": hours(figures.mtrs_minutes)}
