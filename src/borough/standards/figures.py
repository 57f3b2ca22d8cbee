"""The figures behind an evidence rule's answer, as people read them."""

from __future__ import annotations


def figure_rows(result) -> list[tuple[str, str]]:
    """(label, value) pairs from an EvidenceResult (or its snapshot dict): `period_from`
    reads "Period from", lists are comma-separated, numbers grouped."""
    figures = (result.get("figures") if isinstance(result, dict)
               else getattr(result, "figures", None)) or {}
    return [(str(key).replace("_", " ").capitalize(), format_figure(value))
            for key, value in figures.items()]


def format_figure(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
