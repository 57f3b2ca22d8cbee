"""The forward schedule as iCalendar (RFC 5545), through the `icalendar` library, which
escapes text and folds long lines: each change an event over its window (its actual
times once made), with a stable UID so a calendar program moves the event when the
change is rescheduled rather than adding another."""

from __future__ import annotations

from urllib.parse import urljoin

import icalendar
from django.utils import timezone

from borough.changes.models import Change, Status

PRODUCT = "-//Borough//Forward schedule of change//EN"


def _description(change: Change) -> str:
    lines = [f"{change.reference} {change.title}",
             f"{change.get_change_type_display()} change, {change.get_status_display().lower()}."]
    if change.risk_level:
        lines.append(f"Risk: {change.get_risk_level_display()}.")
    if change.description:
        lines.append(change.description)
    return "\n".join(lines)


def render(changes: list[Change], *, base_url: str, name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    host = base_url.split("//", 1)[-1].split("/", 1)[0] or "borough"
    stamp = timezone.now().replace(microsecond=0)
    for change in changes:
        start = change.actual_start or change.planned_start
        end = change.actual_end or change.planned_end
        if start is None or end is None or end <= start:
            continue
        event = icalendar.Event()
        event.add("uid", f"change-{change.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{change.reference} {change.title}")
        event.add("description", _description(change))
        event.add("url", urljoin(base_url, change.get_absolute_url()))
        event.add("status", "TENTATIVE" if change.status in (
            Status.ASSESSMENT, Status.AUTHORISATION) else "CONFIRMED")
        event.add("categories", [change.get_change_type_display()])
        cal.add_component(event)
    return cal.to_ical()
