"""CSV and XLSX exports of a table, with spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import re

from django.http import HttpResponse
from django.utils import timezone

# The control characters XML 1.0, and so a worksheet, cannot carry (openpyxl's own
# pattern, kept here so that start-up does not load openpyxl: ~10 MB a worker).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> object:
    """A cell a spreadsheet would run as a formula is prefixed with a quote (SECURITY.md 14)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_rows(table) -> list[list[object]]:
    return [[neutralise(cell) for cell in row] for row in table.as_values()]


def filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def csv_response(rows: list[list[object]], stem: str) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "csv")}"'
    return response


def xlsx_cell(value) -> object:
    """A value a worksheet can hold: numbers as they are; text without the control
    characters that XML 1.0, and so a worksheet, cannot carry (openpyxl refuses them)."""
    if isinstance(value, int | float | bool) or value is None:
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def xlsx_response(rows: list[list[object]], stem: str) -> HttpResponse:
    from openpyxl import Workbook  # here, not at start-up: ~10 MB a worker, for exports only

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(stem[:31])
    for row in rows:
        sheet.append([xlsx_cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(stem, "xlsx")}"'
    return response


FORMATS = {"csv": csv_response, "xlsx": xlsx_response}
