"""Importing the finance system's export of actual cost lines (core.importers: preview,
then all or nothing; row-level problems; big files in the background).

The columns are the cost line's fields with the headings finance exports use as
aliases ("Posting date", "Value", "Narrative", "Cost centre", "Vendor"…). A cost centre
is named by its code (or code and name); a contract by its reference (CON-000012) or
its reference and title; a supplier by its name; a system or other item by its
reference or name; a business service by its name. Amounts take a leading £, thousands
separators and a credit written as -12.00 or (12.00). A line with the finance system's
transaction reference matches an existing line with the same reference (to update it,
or, adding only, to refuse it as imported already)."""

from __future__ import annotations

import re

from borough.core import imports
from borough.core.importers import Importer, Run
from borough.core.imports import CellError, Column, RelatedLookup

ALIASES = {
    "date": ("Posting date", "Transaction date", "Date posted", "Period date"),
    "amount": ("Value", "Net", "Net amount", "Amount (£)", "Amount £"),
    "description": ("Narrative", "Details", "Line description"),
    "cost_centre": ("Cost centre code", "Cost center", "CC", "Cost code"),
    "supplier": ("Vendor", "Supplier name", "Creditor"),
    "transaction_reference": ("Transaction reference", "Journal", "Invoice number",
                              "Document number", "Reference"),
    "configuration_item": ("System", "Configuration item", "Item"),
    "service": ("Service", "Business service"),
    "contract": ("Contract", "Contract reference"),
}
_MONEY = re.compile(r"^\(?-?£?-?[\d,]*\.?\d*\)?$", re.ASCII)


class KeyedLookup(RelatedLookup):
    """A related record by its display text, its id or one of `keys` (a cost centre's
    code, a contract's reference), ignoring case."""

    def __init__(self, form_field, keys: tuple[str, ...]):
        super().__init__(form_field)
        self.keys = keys

    def _load(self) -> None:
        super()._load()
        for obj in self.form_field.queryset:
            for key in self.keys:
                text = " ".join(str(getattr(obj, key) or "").split()).casefold()
                if text:
                    self._by_text.setdefault(text, [])
                    if obj not in self._by_text[text]:
                        self._by_text[text].append(obj)


def money_cell(cell) -> object:
    """An amount as a finance export writes it: 1234.5, "£1,234.50", "-12.00", "(12.00)"."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return cell
    text = imports._text(cell).replace(" ", "")
    if not _MONEY.match(text) or not any(ch.isdigit() for ch in text):
        raise CellError(f"“{imports._text(cell)}” is not an amount: write it like 1234.56, "
                        "£1,234.56 or -12.00 for a credit.")
    negative = text.startswith("(") and text.endswith(")") or "-" in text
    digits = text.strip("()").replace("£", "").replace(",", "").replace("-", "")
    return f"-{digits}" if negative else digits


class CostLineImporter(Importer):
    description = ("Import the actual cost lines exported from the council's finance "
                   "system: one row a line, with its date, amount (a credit negative), "
                   "description and cost centre code; the supplier, and what it is "
                   "allocated to (a system or item, a business service or a contract), "
                   "if known.")

    def match_fields(self) -> tuple[str, ...]:
        return ("transaction_reference",)

    def match_text(self) -> str:
        return ("A row matches the cost line with the same transaction reference (in any "
                "case); a row without one is always a new line.")

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        columns = super().columns(user=user, organisation_id=organisation_id,
                                  options=options)
        for column in columns:
            column.aliases = ALIASES.get(column.name, ())
        return columns

    def converter_for(self, run: Run, column: Column):
        if column.key == "cost_centre":
            return KeyedLookup(column.form_field, ("code", "name"))
        if column.key == "contract":
            return KeyedLookup(column.form_field, ("reference", "title"))
        if column.key == "service":
            return KeyedLookup(column.form_field, ("reference", "name"))
        if column.key == "amount":
            return money_cell
        return super().converter_for(run, column)
