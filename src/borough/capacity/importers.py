"""Uploading measurements from a spreadsheet (a perfmon CSV, a PRTG or vendor export
turned into one row a measurement), through core.importers: the preview, row-level
problems naming the row and column, and nothing saved until confirmed.

Columns: the configuration item (its reference, like CI-000123, or its name), the metric
(its name on that item), the time, the value, and the unit (needed only for a metric the
item does not have yet, which the upload then adds). Times without a zone are UK time.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from borough.capacity import ingest
from borough.capacity import models as m
from borough.cmdb.queries import ItemLookup
from borough.core import imports, scope
from borough.core.importers import PREVIEW_ROWS, Importer, Run
from borough.core.imports import CellError, Column

ALIASES = {
    "configuration_item": ("CI", "Item", "Server", "Host", "Device", "Sensor device"),
    "metric": ("Metric name", "Counter", "Channel", "Measure"),
    "at": ("Time", "Timestamp", "Date time", "Date", "Date Time"),
    "value": ("Value", "Reading", "Value (raw)"),
    "unit": ("Units",),
}
_VALUE = re.compile(r"^[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?\s*%?$", re.ASCII)
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
                "%d/%m/%Y %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d")


def time_cell(cell) -> datetime.datetime:
    """A time as exports write it: a spreadsheet date, 2025-03-31 08:00[:00], 31/03/2025
    08:00, or ISO 8601 with an offset. Without a zone, UK time."""
    if isinstance(cell, datetime.datetime):
        value = cell
    elif isinstance(cell, datetime.date):
        value = datetime.datetime.combine(cell, datetime.time())
    else:
        text = " ".join(imports._text(cell).split())
        value = None
        try:
            value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in TIME_FORMATS:
                try:
                    value = datetime.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
        if value is None:
            raise CellError(f"“{text}” is not a time: write it like 2025-03-31 08:00, "
                            "31/03/2025 08:00 or 2025-03-31T07:00:00Z.")
    if timezone.is_naive(value):
        value = value.replace(tzinfo=ingest.zone())
    return value.astimezone(datetime.UTC)


def value_cell(cell) -> float:
    """A number: 42, 42.5, "1,234.5", "87 %"."""
    if isinstance(cell, bool):
        raise CellError("Give a number, not yes or no.")
    if isinstance(cell, int | float):
        return float(cell)
    text = imports._text(cell).strip()
    if not _VALUE.match(text):
        raise CellError(f"“{text}” is not a number: write it like 42, 42.5 or 1,234.5.")
    return float(text.rstrip("%").strip().replace(",", ""))


def unit_cell(cell) -> str:
    key = imports._text(cell).strip().casefold()
    for value, label in m.Unit.choices:
        if key in (value, label.casefold()):
            return value
    shown = ", ".join(label for _, label in m.Unit.choices)
    raise CellError(f"“{imports._text(cell)}” is not a unit: use one of {shown}.")


class PointImporter(Importer):
    description = ("Upload measurements: one row a measurement, with the configuration item "
                   "(its reference or name), the metric's name, the time and the value; and "
                   "the unit for a metric the item does not have yet, which is then added. "
                   "Measurements older than the raw retention are refused (their days are "
                   "rolled up already).")

    def __init__(self, entry):
        super().__init__(entry, key="capacity.point", title="Upload measurements",
                         url_name="capacity:point_import")

    @property
    def template_name(self) -> str:
        return "measurements-import-template"

    def match_fields(self) -> tuple[str, ...]:
        return ()

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        columns = [
            Column("configuration_item", "Configuration item", forms.CharField(
                help_text="Its reference, like CI-000123, or its name."), None,
                heading="Configuration item"),
            Column("metric", "Metric", forms.CharField(
                max_length=200, help_text="Its name on that item, like cpu_used."), None,
                heading="Metric"),
            Column("at", "Time", forms.DateTimeField(
                help_text="UK time unless it carries an offset."), None, heading="Time"),
            Column("value", "Value", forms.FloatField(), None, heading="Value"),
            Column("unit", "Unit", forms.ChoiceField(
                choices=m.Unit.choices, required=False,
                help_text="Needed only for a metric the item does not have yet."), None,
                heading="Unit"),
        ]
        for column in columns:
            column.aliases = ALIASES.get(column.name, ())
        return columns

    def begin(self, run: Run) -> None:
        run.state["converters"] = {
            "configuration_item": ItemLookup(run.user, run.organisation_id), "metric": lambda c: " ".join(
                imports._text(c).split()),
            "at": time_cell, "value": value_cell, "unit": unit_cell}
        run.state["metrics"] = {
            (item_id, name.casefold()): pk for pk, item_id, name in
            m.Metric.objects.visible_to(run.user).filter(
                organisation_id=run.organisation_id, configuration_item__isnull=False
            ).values_list("pk", "configuration_item_id", "name")}
        run.state["points"] = []
        run.state["new"] = {}  # (item id, name) -> the row that adds it
        now = timezone.now()
        run.state["now"], run.state["cutoff"] = now, ingest.raw_cutoff(now)

    def close(self, run: Run) -> None:
        pass

    def import_row(self, run: Run, number: int, cells: list[object]):
        values, reported, _cleared = self.read_cells(run, number, cells)
        for key, label in (("configuration_item", "the configuration item"),
                           ("metric", "the metric's name"), ("at", "the time"),
                           ("value", "the value")):
            if key not in values and key not in reported:
                run.error(number, key, f"Give {label}.")
                reported.add(key)
        if reported:
            return None
        at = values["at"]
        if problem := ingest.time_problem(at, run.state["cutoff"], run.state["now"]):
            run.error(number, "at", problem[0].upper() + problem[1:] + ".")
            return None
        item_id, name = values["configuration_item"], values["metric"]
        metric_id = run.state["metrics"].get((item_id, name.casefold()))
        if metric_id is None:
            metric_id = self.add_metric(run, number, item_id, name, values.get("unit"))
            if metric_id is None:
                return None
        run.state["points"].append((metric_id, at, values["value"]))
        if len(run.preview) < PREVIEW_ROWS:
            run.preview.append([number, *(self.shown(run, cells, i)
                                          for i in sorted(run.matched))])
        return metric_id

    @staticmethod
    def shown(run: Run, cells, index: int) -> str:
        cell = cells[index] if index < len(cells) else None
        return "" if imports.is_blank(cell) else imports._text(cell)

    def add_metric(self, run: Run, number: int, item_id: int, name: str,
                   unit: str | None) -> int | None:
        if not unit:
            run.error(number, "unit", f"The item has no metric “{name}”: give its unit to "
                      "add it, or correct the name.")
            return None
        if not scope.can(run.user, "add", m.Metric, run.organisation_id):
            run.error(number, "metric", f"The item has no metric “{name}”, and you may not "
                      "add metrics.")
            return None
        metric = m.Metric(organisation_id=run.organisation_id, configuration_item_id=item_id,
                          name=name, unit=unit)
        saved = self.save_record(run, number, metric)
        if saved is None:
            return None
        run.state["metrics"][(item_id, name.casefold())] = saved.pk
        return saved.pk

    def save_record(self, run: Run, number: int, record, *, key_of=None, after=None):
        return super().save_record(run, number, record, key_of=key_of or (
            lambda name: "metric" if name in ("name", NON_FIELD_ERRORS) else name),
            after=after)

    def finish(self, run: Run) -> None:
        if run.error_count:
            return
        written = ingest.store(run.state["points"])
        run.count(m.Point, written)
        if run.save:
            outcome = ingest.Outcome(m.Source.UPLOAD, detail=run.note or "Spreadsheet upload",
                                     lines=run.sheet.row_count, accepted=written,
                                     metrics_created=run.counts.get("capacity.metric", 0))
            ingest.record_run(run.organisation_id, outcome, actor=run.user,
                              started_at=run.state["now"])

    def preview_headings(self, run: Run) -> list[str]:
        return [run.headings[c.key] for _, c in sorted(run.matched.items())]
