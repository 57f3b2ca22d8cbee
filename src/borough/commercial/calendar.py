"""The renewals calendar as iCalendar (RFC 5545), through the `icalendar` library, which
escapes text (commas, semicolons, backslashes, new lines) and folds long lines at 75
octets: each notice date and end date an all-day event, with a stable UID so a calendar
program updates an event when its date moves rather than adding another."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urljoin

import icalendar
from django.utils import timezone

from borough.commercial.queries import NOTICE, RenewalEvent
from borough.core.money import format_pounds

PRODUCT = "-//Borough//Contract renewals//EN"


def _summary(event: RenewalEvent) -> str:
    contract = event.contract
    return f"{event.what}: {contract.reference} {contract.title} ({contract.supplier.name})"


def _description(event: RenewalEvent) -> str:
    contract = event.contract
    lines = [f"{contract.reference} {contract.title}", f"Supplier: {contract.supplier.name}"]
    if contract.owner_id:
        lines.append(f"Owner: {contract.owner}")
    if contract.annual_value is not None:
        lines.append(f"Annual value: {format_pounds(contract.annual_value)}")
    if event.kind == NOTICE:
        end = contract.term_end(event.day)
        if end is not None:
            lines.append(f"The term ends on {end:%-d %B %Y}.")
        lines.append("Give notice by this day to end it or stop it renewing.")
    return "\n".join(lines)


def render(events: list[RenewalEvent], *, base_url: str, name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    host = base_url.split("//", 1)[-1].split("/", 1)[0] or "borough"
    stamp = timezone.now().replace(microsecond=0)
    for event in events:
        contract = event.contract
        item = icalendar.Event()
        item.add("uid", f"contract-{contract.pk}-{event.kind}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.day)
        item.add("dtend", event.day + timedelta(days=1))
        item.add("summary", _summary(event))
        item.add("description", _description(event))
        item.add("url", urljoin(base_url, contract.get_absolute_url()))
        item.add("transp", "TRANSPARENT")
        item.add("categories", ["Notice date" if event.kind == NOTICE else "Contract end"])
        cal.add_component(item)
    return cal.to_ical()
