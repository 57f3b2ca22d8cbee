"""Reading spreadsheets to import: the file, its columns and its cells.

Councils keep registers in spreadsheets. An upload (CSV in UTF-8, or an Excel .xlsx
workbook, told apart by content) is read into a header row and data rows; the header
cells are matched to the entry's form fields by name or label; every row is turned
into form data (related records matched by their display text or id among the records
the form offers, which are already scoped to the user). `core.importers` validates and
saves the rows; `core.importing` keeps the upload between its preview and its import.
Every problem comes back as "Row N, <column>: <message>", with N the row number a
spreadsheet shows (the header is row 1).

Cells are data, never code: a cell holding "=SUM(A1:A3)" is stored as that text
(exports neutralise such values on the way out; nothing here evaluates them).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import filetype
from django import forms
from django.conf import settings
from django.core.validators import EMPTY_VALUES
from django.db import models
from django.template.defaultfilters import filesizeformat

from borough.core import archives
from borough.core.registry import ModelEntry

MAX_COLUMNS = 200
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
)
TRUE_WORDS = {"yes", "true", "1"}
FALSE_WORDS = {"no", "false", "0"}
LIST_SEPARATOR = ";"
# Text files that are not tables, refused by content like binary ones.
TEXT_SIGNATURES = ("%pdf-", "{\\rtf", "<?xml", "<!doctype", "<html", "<svg")
# Fields a person fills in on the page but never in a spreadsheet.
SKIPPED_FIELDS = {"version", "submission_key"}
WHOLE_ROW = "whole row"
CHOICES_SHOWN = 25
# A cell that clears an optional field of a record an import updates (a blank cell leaves
# the field as it is). Any case; for a new record it means blank, not the default.
CLEAR = "(none)"


class ImportFileError(Exception):
    """The file as a whole cannot be imported; each message says what to change."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__(" ".join(messages))


class CellError(Exception):
    """One cell's value cannot be understood."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    # Where the column sits in the file, to list a row's problems left to right.
    position: int = field(default=MAX_COLUMNS, compare=False, repr=False)

    def __str__(self) -> str:
        # A message that already names its column ("CPU cores: enter a whole number, like
        # 8.", as the page and the API word it) is not prefixed with the column again.
        if self.message.casefold().startswith(f"{self.column.casefold()}:"):
            return f"Row {self.row}, {self.message}"
        return f"Row {self.row}, {self.column}: {self.message}"


@dataclass
class Sheet:
    """What was read from the upload: its header cells, how many non-blank data rows it
    has, and for each column the first row with a value in it. `rows()` reads the data
    rows again, one at a time, each with its spreadsheet row number."""

    header: list[object]
    row_count: int
    first_values: dict[int, int]
    raw: Callable[[], Iterator[tuple[int, list[object]]]] = field(repr=False)
    digest: str = ""

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        for number, cells in self.raw():
            if number > 1 and (cells := _trimmed(cells)):
                yield number, cells


# --- Columns ---------------------------------------------------------------------------


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_clear(value) -> bool:
    return isinstance(value, str) and value.strip().casefold() == CLEAR


def _related_plural(model_field: forms.ModelChoiceField) -> tuple[str, str]:
    meta = model_field.queryset.model._meta
    return str(meta.verbose_name), str(meta.verbose_name_plural)


def _flat_choices(choices) -> Iterable[tuple[object, str]]:
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield value, str(label)


def _display(value, form_field: forms.Field) -> str:
    """How a default value reads on the page."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(form_field, forms.ModelChoiceField):
        obj = form_field.queryset.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    if isinstance(form_field, forms.ChoiceField):
        return next((label for v, label in _flat_choices(form_field.choices)
                     if str(v) == str(value)), str(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass
class Column:
    """One field of the entry's form that a spreadsheet column can fill."""

    name: str
    label: str
    form_field: forms.Field
    default: object  # form data used when the cell is blank or the column left out
    heading: str = ""  # what the template file calls it
    # Other headings that mean this column (a systems return's "Business owner").
    aliases: tuple[str, ...] = ()
    # The form data key it fills; the name unless the column is not a form field's own.
    key: str = ""

    def __post_init__(self):
        self.key = self.key or self.name

    @property
    def required(self) -> bool:
        return self.form_field.required and self.default in EMPTY_VALUES

    @property
    def default_text(self) -> str:
        if self.default in EMPTY_VALUES:
            return ""
        return _display(self.default, self.form_field)

    @property
    def help_text(self) -> str:
        return str(self.form_field.help_text or "")

    def accepted(self) -> str:
        """What a cell may hold, in words."""
        f = self.form_field
        if isinstance(f, forms.ModelMultipleChoiceField):
            one, plural = _related_plural(f)
            return (f"The names of {plural} as Borough shows them, or their ids, separated by "
                    f"semicolons (;). Only {plural} you can choose in this organisation match.")
        if isinstance(f, forms.ModelChoiceField):
            one, plural = _related_plural(f)
            return (f"The name of a {one} as Borough shows it, or its id. Only {plural} you "
                    "can choose in this organisation match.")
        if isinstance(f, forms.NullBooleanField):
            return "yes or no (also true/false or 1/0); blank means not known."
        if isinstance(f, forms.BooleanField):
            return "yes or no (also true/false or 1/0)."
        if isinstance(f, forms.MultipleChoiceField):
            return "One or more of the values below, separated by semicolons (;)."
        if isinstance(f, forms.ChoiceField):
            return "One of the values below (the wording or the code)."
        if isinstance(f, forms.DateTimeField):
            return "A date and time: YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM (UK time)."
        if isinstance(f, forms.DateField):
            return "A date: YYYY-MM-DD or DD/MM/YYYY, for example 2025-03-31 or 31/03/2025."
        if isinstance(f, forms.TimeField):
            return "A time: HH:MM, for example 08:30."
        if isinstance(f, forms.IntegerField):
            return "A whole number."
        if isinstance(f, forms.DecimalField | forms.FloatField):
            return "A number."
        if isinstance(f, forms.EmailField):
            return "An email address."
        if isinstance(f, forms.CharField) and f.max_length:
            return f"Text, at most {f.max_length:,} characters."
        return "Text."

    def choices(self) -> tuple[list[str], int]:
        """Accepted values to list on the page (at most CHOICES_SHOWN), and how many more."""
        f = self.form_field
        if isinstance(f, forms.ModelChoiceField):
            shown = [str(f.label_from_instance(o)) for o in f.queryset[:CHOICES_SHOWN]]
            more = f.queryset.count() - len(shown) if len(shown) == CHOICES_SHOWN else 0
            return shown, more
        if isinstance(f, forms.ChoiceField):
            every = [label if str(value) == label else f"{label} ({value})"
                     for value, label in _flat_choices(f.choices) if value not in EMPTY_VALUES]
            return every[:CHOICES_SHOWN], max(len(every) - CHOICES_SHOWN, 0)
        return [], 0


def build_form(entry: ModelEntry, *, user, organisation_id, data=None, instance=None,
               scoped_querysets: dict | None = None) -> forms.BaseForm:
    """The entry's form for a new record of the organisation (or for `instance`), as the
    add (or edit) page builds it. `scoped_querysets`: see ScopedModelForm."""
    from borough.core.forms import ScopedModelForm

    if instance is None:
        instance = entry.model(organisation_id=organisation_id)
    extra = ({"scoped_querysets": scoped_querysets}
             if scoped_querysets is not None and issubclass(entry.form, ScopedModelForm) else {})
    return entry.form(data=data, user=user, instance=instance, **extra)


def columns_for(entry: ModelEntry, *, user, organisation_id) -> list[Column]:
    form = build_form(entry, user=user, organisation_id=organisation_id)
    columns = []
    for name, form_field in form.fields.items():
        if (name in SKIPPED_FIELDS or form_field.disabled or form_field.widget.is_hidden
                or isinstance(form_field, forms.FileField)):
            continue
        bound = form[name]
        initial = bound.initial
        default = form_field.prepare_value(initial) if initial not in EMPTY_VALUES else initial
        columns.append(Column(name, str(bound.label), form_field, default))
    labels = [c.label.casefold() for c in columns]
    for column in columns:
        column.heading = column.label if labels.count(column.label.casefold()) == 1 else column.name
    return columns


# --- Reading the upload ------------------------------------------------------------------


def size_text(n: int) -> str:
    return str(filesizeformat(n)).replace("\xa0", " ")


def read_upload(upload) -> Sheet:
    """Read a Django UploadedFile as CSV or XLSX, by its content, within the limits."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ImportFileError(
            f"The file is {size_text(upload.size)}. Upload a file of at most "
            f"{size_text(limit)}, or split it into smaller files."
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(f"The file is larger than {size_text(limit)}. Upload a file of "
                              f"at most {size_text(limit)}, or split it into smaller files.")
    return read_bytes(data)


def read_bytes(data: bytes) -> Sheet:
    """The file as a Sheet: read once through to check it (type, header, limits) and
    count its rows; its rows are read again, one at a time, when they are imported."""
    if not data.strip():
        raise ImportFileError("The file is empty. Upload a spreadsheet with a header row "
                              "and at least one row of data.")
    # By content, not by name: a workbook is a zip archive, anything else must be text.
    raw = _xlsx_rows(data) if archives.is_zip(data) else _csv_rows(data)
    sheet = _scan(raw)
    sheet.digest = hashlib.sha256(data).hexdigest()
    if all(is_blank(c) for c in sheet.header) and not sheet.row_count:
        raise ImportFileError("The file is empty. Upload a spreadsheet with a header row "
                              "and at least one row of data.")
    if all(is_blank(c) for c in sheet.header):
        raise ImportFileError("Row 1 is blank. The first row must hold the column headings.")
    if not sheet.row_count:
        raise ImportFileError("The file has column headings but no rows of data to import.")
    return sheet


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def _trimmed(cells: list[object]) -> list[object]:
    while cells and is_blank(cells[-1]):
        cells.pop()
    return cells


def _scan(raw: Callable[[], Iterator[tuple[int, list[object]]]]) -> Sheet:
    """Check every row against the limits and note what matching the header needs,
    keeping no row: a file of 20,000 rows costs its counts, not its cells."""
    header: list[object] = []
    count = 0
    first_values: dict[int, int] = {}
    limit = max_rows()
    for number, cells in raw():
        cells = _trimmed(cells)
        if number == 1:
            if len(cells) > MAX_COLUMNS:
                raise ImportFileError(f"The file has more than {MAX_COLUMNS} columns.")
            header = cells
            continue
        if not cells:
            continue
        if len(cells) > MAX_COLUMNS:
            raise ImportFileError(
                f"Row {number} has more than {MAX_COLUMNS} columns. Remove the columns "
                "Borough does not need."
            )
        count += 1
        if count > limit:
            raise ImportFileError(
                f"The file has more than {limit:,} rows of data. Split it into files of "
                f"at most {limit:,} rows and import them one by one."
            )
        for index, cell in enumerate(cells):
            if index not in first_values and not is_blank(cell):
                first_values[index] = number
    return Sheet(header, count, first_values, raw)


def _not_a_spreadsheet(data: bytes) -> ImportFileError:
    kind = filetype.guess(data[:8192])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return ImportFileError(
            "The file is in the old Excel format (.xls). Save it as an Excel workbook (.xlsx) "
            "or as “CSV UTF-8”, then upload it again."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ImportFileError(
            "The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 (Comma "
            "delimited)” or as an Excel workbook (.xlsx), then upload it again."
        )
    looks = f" It looks like a {kind.extension.upper()} file." if kind is not None else ""
    return ImportFileError(f"The file is not a CSV file or an Excel workbook (.xlsx).{looks} "
                           "Upload a CSV file in UTF-8 or an .xlsx workbook.")



def _csv_rows(data: bytes) -> Callable[[], Iterator[tuple[int, list[object]]]]:
    """Text is told from other files by decoding it: byte signatures would mistake a CSV
    whose first heading starts with "BM" or "MZ" for an image or a program."""
    if b"\x00" in data or data.startswith((b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
        raise _not_a_spreadsheet(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if filetype.guess(data[:8192]) is not None:
            raise _not_a_spreadsheet(data) from None
        raise ImportFileError(
            "The file is not in UTF-8, so Borough cannot read its text reliably. In Excel, "
            "use Save As and choose “CSV UTF-8 (Comma delimited)”, or upload the workbook "
            "(.xlsx) itself."
        ) from None
    if text.lstrip()[:20].lower().startswith(TEXT_SIGNATURES):
        raise _not_a_spreadsheet(data)

    def rows() -> Iterator[tuple[int, list[object]]]:
        reader = csv.reader(io.StringIO(text, newline=""))
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, list(record)
        except csv.Error as exc:
            raise ImportFileError(
                f"Row {number + 1} could not be read as CSV ({exc}). Check its quotes and "
                "separators, or upload the workbook (.xlsx) instead."
            ) from None

    return rows


def _check_archive(data: bytes) -> None:
    """A workbook is a ZIP archive: refuse one beyond the archive limits (SECURITY.md
    rule 19) from its central directory, before openpyxl unpacks anything."""
    try:
        members = archives.inspect_zip(data, label="The workbook")
    except archives.ArchiveError as exc:
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise _not_a_spreadsheet(data) from None
        raise ImportFileError(exc.message) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise ImportFileError(
            "The file is a zip archive or another office document, not an Excel workbook "
            "(.xlsx). Upload a CSV file in UTF-8 or an .xlsx workbook."
        )


def _cell(value) -> object:
    # Array and data-table formulas come back as objects; keep their text as given.
    if value is None or isinstance(
        value, str | int | float | bool | datetime.date | datetime.time | datetime.timedelta
    ):
        return value
    return str(getattr(value, "text", value))


def column_letter(number: int) -> str:
    """A, B, ..., Z, AA, AB...: a spreadsheet's name for column `number` (from 1)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _xlsx_rows(data: bytes) -> Callable[[], Iterator[tuple[int, list[object]]]]:
    _check_archive(data)

    def rows() -> Iterator[tuple[int, list[object]]]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
                from openpyxl import load_workbook  # here: ~10 MB a worker, for .xlsx only

                # read_only: rows are parsed as they are asked for, never held together.
                workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
            raise ImportFileError(
                "The workbook could not be opened. Open it in Excel, save it again as .xlsx "
                "(or as CSV UTF-8) and upload it again."
            ) from None
        try:
            if not workbook.worksheets:
                raise ImportFileError("The workbook has no worksheet.")
            sheet = workbook.worksheets[0]
            # Ignore the size the file claims, so a forged one cannot pad every row.
            sheet.reset_dimensions()
            number = 0
            try:
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield number, [_cell(v) for v in values]
            except ImportFileError:
                raise
            except Exception:  # noqa: BLE001 - a damaged sheet fails in openpyxl's parser
                raise ImportFileError(
                    f"Row {number + 1} of the first sheet could not be read. Open the "
                    "workbook in Excel, save it again and upload it again."
                ) from None
        finally:
            workbook.close()

    return rows



# --- Matching the header -------------------------------------------------------------------


def _header_text(value) -> str:
    return " ".join(str(value).split()) if not is_blank(value) else ""


def match_columns(sheet: Sheet, columns: list[Column]) -> dict[int, Column]:
    """Position in the row -> column, or ImportFileError naming every problem."""
    by_name = {c.name.casefold(): c for c in columns}
    by_label: dict[str, list[Column]] = {}
    for column in columns:
        for label in {column.label.casefold(), *(a.casefold() for a in column.aliases)}:
            by_label.setdefault(label, []).append(column)
    problems: list[str] = []
    matched: dict[int, Column] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(sheet.header):
        text = _header_text(cell)
        if not text:
            continue
        key = text.casefold()
        column = by_name.get(key)
        if column is None and len(by_label.get(key, [])) == 1:
            column = by_label[key][0]
        if column is None:
            problem = (f"Column {column_letter(index + 1)} “{text}” is not a column Borough "
                       "accepts here. Rename it to one of the columns listed on this page, or "
                       "delete it.")
            separator = next((s for s in (";", "\t") if s in str(cell)), None)
            if separator is not None:
                shown = "tab" if separator == "\t" else "“;”"
                problem += (f" The columns look separated by {shown}: save the file as "
                            "“CSV UTF-8 (Comma delimited)”, or upload the .xlsx workbook.")
            problems.append(problem)
            continue
        if column.name in seen:
            problems.append(f"The columns “{seen[column.name]}” and “{text}” are both "
                            f"“{column.label}”. Keep one of them.")
            continue
        seen[column.name] = text
        matched[index] = column
    for index, first in sorted(sheet.first_values.items()):
        if index in matched or (index < len(sheet.header) and _header_text(sheet.header[index])):
            continue
        if first is not None:
            problems.append(
                f"Column {column_letter(index + 1)} has values (from row {first}) but no "
                "heading in row 1. Give it a heading or delete it."
            )
    present = {c.name for c in matched.values()}
    for column in columns:
        if column.required and column.name not in present:
            problems.append(f"The file has no “{column.heading}” column, which is required.")
    if problems:
        raise ImportFileError(*problems)
    return matched


# --- Turning cells into form data ------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


class RelatedLookup:
    """Display text or id -> the form's value, among the field's (scoped) queryset only,
    so a record of another organisation fails exactly like one that does not exist."""

    def __init__(self, form_field: forms.ModelChoiceField):
        self.form_field = form_field
        self.one, self.plural = _related_plural(form_field)
        self._by_text: dict[str, list[models.Model]] | None = None
        self._by_id: dict[str, models.Model] = {}

    def _load(self) -> None:
        self._by_text = {}
        for obj in self.form_field.queryset:
            for text in {str(obj), str(self.form_field.label_from_instance(obj))}:
                self._by_text.setdefault(" ".join(text.split()).casefold(), []).append(obj)
            self._by_id[str(obj.pk)] = obj

    def loaded(self, value) -> models.Model | None:
        """The record with id `value` among those loaded, if any."""
        if self._by_text is None:
            self._load()
        return self._by_id.get(str(value.pk if isinstance(value, models.Model) else value))

    def __call__(self, value) -> object:
        if self._by_text is None:
            self._load()
        text = " ".join(_text(value).split())
        found = {o.pk: o for o in self._by_text.get(text.casefold(), [])}
        if text in self._by_id:
            found.setdefault(self._by_id[text].pk, self._by_id[text])
        if not found:
            raise CellError(f"There is no {self.one} “{text}” you can choose. Use the name "
                            f"Borough shows for the {self.one}, or its id.")
        if len(found) > 1:
            raise CellError(f"“{text}” matches more than one {self.one}. Use the id of the one "
                            "you mean.")
        return self.form_field.prepare_value(next(iter(found.values())))


def prefer_loaded(form_field: forms.ModelChoiceField,
                  find: Callable[[object], models.Model | None]) -> None:
    """Let one row's form field answer from records loaded once from the same scoped
    queryset (`find(value)`, a RelatedLookup's `loaded`), instead of a query a row. A
    value not loaded goes to the field's own look-up, so what is valid and every message
    stay the field's."""
    if (not isinstance(form_field, forms.ModelChoiceField)
            or isinstance(form_field, forms.ModelMultipleChoiceField)
            or form_field.to_field_name not in (None, form_field.queryset.model._meta.pk.name)):
        return  # matched by another field than the id: left to the field
    original = form_field.to_python

    def to_python(value):
        if value in form_field.empty_values:
            return None
        found = find(value)
        return found if found is not None else original(value)

    form_field.to_python = to_python


def _choice_lookup(form_field: forms.ChoiceField) -> Callable[[object], object]:
    by_value: dict[str, object] = {}
    by_label: dict[str, object] = {}
    for value, label in _flat_choices(form_field.choices):
        if value in EMPTY_VALUES:
            continue
        by_value.setdefault(str(value).casefold(), value)
        by_label.setdefault(" ".join(label.split()).casefold(), value)
    labels = [label for value, label in _flat_choices(form_field.choices)
              if value not in EMPTY_VALUES]

    def lookup(cell) -> object:
        key = " ".join(_text(cell).split()).casefold()
        if key in by_value:
            return by_value[key]
        if key in by_label:
            return by_label[key]
        shown = ", ".join(labels[:CHOICES_SHOWN]) + (", …" if len(labels) > CHOICES_SHOWN else "")
        raise CellError(f"“{_text(cell)}” is not one of the choices: {shown}.")

    return lookup


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    key = _text(value).casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError("Enter yes or no (or true/false, 1/0), or leave it blank.")


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError("Enter a date as YYYY-MM-DD or DD/MM/YYYY, for example 2025-03-31 "
                    "or 31/03/2025.")


def _datetime(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time())
    text = " ".join(_text(value).split())
    for fmt in DATETIME_FORMATS + DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise CellError("Enter a date and time as YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM.")


def _time(value) -> object:
    if isinstance(value, datetime.datetime):
        return value.time()
    if isinstance(value, datetime.time):
        return value
    return _text(value)


def _number(value) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value) if isinstance(value, float) and value.is_integer() else value
    return _text(value)


def _many(convert: Callable[[object], object]) -> Callable[[object], list]:
    def split(value) -> list:
        parts = [p for p in _text(value).split(LIST_SEPARATOR) if p.strip()]
        return [convert(p) for p in parts]

    return split


def converter_for(form_field: forms.Field) -> Callable[[object], object]:
    """A function from a non-blank cell to the value the form expects as data."""
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return _many(RelatedLookup(form_field))
    if isinstance(form_field, forms.ModelChoiceField):
        return RelatedLookup(form_field)
    if isinstance(form_field, forms.BooleanField):  # NullBooleanField too
        return _boolean
    if isinstance(form_field, forms.MultipleChoiceField):
        return _many(_choice_lookup(form_field))
    if isinstance(form_field, forms.ChoiceField):
        return _choice_lookup(form_field)
    if isinstance(form_field, forms.DateTimeField):
        return _datetime
    if isinstance(form_field, forms.DateField):
        return _date
    if isinstance(form_field, forms.TimeField):
        return _time
    if isinstance(form_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return _number
    return _text
