"""How rows of a spreadsheet become records: the generic importer (any registered
model, through its form) and the hooks an app overrides for more (the CMDB's class
attributes and interfaces).

An importer runs over a whole sheet in one transaction. Each row is turned into form
data (core.imports), validated by the entry's form and saved through
`services.create_record`, so each record is audited; rows that pass are saved even when
others fail, so problems only the database sees (two rows with the same unique name)
are found in the same pass. Then everything is rolled back unless every row is good
and the run is the import itself: the check before the preview is the same run, rolled
back, so the import saves exactly what the preview showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from borough.core import imports, services
from borough.core.imports import Column, RowError, Sheet
from borough.core.registry import ModelEntry, registry

PREVIEW_ROWS = 10
ERRORS_KEPT = 1000


class _RollBack(Exception):
    pass


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [m for e in errors for m in e.messages]
                for name, errors in error.error_dict.items()}
    return {NON_FIELD_ERRORS: error.messages}


def count_pairs(counts: dict[str, int]) -> list[list]:
    """Counts as stored: [[model label, n], ...] in the order they were made, since
    PostgreSQL's jsonb keeps an object's keys in an order of its own."""
    return [[label, n] for label, n in counts.items()]


def count_text(counts) -> str:
    """{"cmdb.configurationitem": 25, "cmdb.relationship": 1} (or its pairs) -> "25
    configuration items and 1 relationship"."""
    parts = []
    for label, n in (counts.items() if isinstance(counts, dict) else counts):
        meta = apps.get_model(label)._meta
        parts.append(f"{n:,} {meta.verbose_name if n == 1 else meta.verbose_name_plural}")
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass
class Run:
    """One pass of an importer over a sheet, and what it found."""

    importer: Importer
    sheet: Sheet
    user: object
    organisation_id: int
    options: dict
    columns: list[Column]
    matched: dict[int, Column]
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    preview: list[list] = field(default_factory=list)
    # What an importer keeps between rows (look-ups, rows to finish).
    state: dict = field(default_factory=dict)

    def __post_init__(self):
        self.headings = {c.key: imports._header_text(self.sheet.header[i])
                         for i, c in self.matched.items()}
        self.positions = {c.key: i for i, c in self.matched.items()}
        self._seen: set[tuple] = set()

    def column_text(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return imports.WHOLE_ROW
        if key in self.headings:
            return self.headings[key]
        column = next((c for c in self.columns if c.key == key), None)
        if column is not None:
            return column.heading or column.label
        try:
            return capfirst(str(self.importer.model._meta.get_field(key).verbose_name))
        except FieldDoesNotExist:
            return imports.WHOLE_ROW

    def error(self, number: int, key: str, message: str) -> None:
        """A problem with row `number`, in the column that fills form field `key`."""
        found = RowError(number, self.column_text(key), str(message),
                         self.positions.get(key, imports.MAX_COLUMNS))
        if (found.row, found.column, found.message) in self._seen:
            return
        self._seen.add((found.row, found.column, found.message))
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(found)

    def count(self, model: type[models.Model], n: int = 1) -> None:
        label = model._meta.label_lower
        self.counts[label] = self.counts.get(label, 0) + n

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row, e.position))


class Importer:
    """The generic importer: the columns are the entry's form fields; each row is one
    new record made by the form. Apps subclass it for more and register the subclass
    in `registry.importers` (with a view passed to `crud_urls` as `import=`)."""

    # Query parameters the import page takes besides "template" (its options).
    parameters: tuple[str, ...] = ()
    description = ""

    def __init__(self, entry: ModelEntry, *, key: str = "", title: str = "",
                 url_name: str = ""):
        self.entry = entry
        self.key = key or f"{entry.app_label}.{entry.model_name}"
        self.title = title or f"Import {entry.verbose_name_plural}"
        # The import page (the model's own unless another importer has a page of its own).
        self.url_name = url_name or entry.url_name("import")

    @property
    def model(self) -> type[models.Model]:
        return self.entry.model

    @property
    def page_url(self) -> str:
        return reverse(self.url_name)

    @property
    def template_name(self) -> str:
        return f"{self.entry.model_name}-import-template"

    # --- options (chosen on the page, sent with the upload) -------------------------

    def options_form(self, data, *, user) -> forms.Form | None:
        """A form of the import's options (the CMDB's class), or None when it has none."""
        return None

    def clean_options(self, data, *, user) -> tuple[dict, list[str]]:
        """The options as stored with an upload (JSON: ids, not records), and problems."""
        form = self.options_form(data, user=user)
        if form is None:
            return {}, []
        if not form.is_valid():
            return {}, [m for messages in form.errors.values() for m in messages]
        return {name: (value.pk if isinstance(value, models.Model) else value)
                for name, value in form.cleaned_data.items() if value not in (None, "")}, []

    def resolved_options(self, options: dict, *, user) -> dict:
        """Stored options back as the form's values (records, not ids)."""
        form = self.options_form(options or {}, user=user)
        if form is None or not form.is_valid():
            return {}
        return form.cleaned_data

    # --- columns -----------------------------------------------------------------

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        return imports.columns_for(self.entry, user=user, organisation_id=organisation_id)

    def template_headings(self, columns: list[Column]) -> list[str]:
        return [column.heading for column in columns]

    def start(self, sheet: Sheet, *, user, organisation_id, options, note="") -> Run:
        """Match the header to the columns (ImportFileError names every problem)."""
        values = self.resolved_options(options, user=user)
        columns = self.columns(user=user, organisation_id=organisation_id, options=values)
        matched = imports.match_columns(sheet, columns)
        run = Run(self, sheet, user, organisation_id, values, columns, matched, note=note)
        self.begin(run)
        return run

    # --- the pass over the rows ------------------------------------------------------

    def run(self, sheet: Sheet, *, user, organisation_id, options, save: bool,
            progress=None, note: str = "") -> Run:
        """Every row validated and saved in one transaction, kept only if `save` and
        every row is good."""
        run = self.start(sheet, user=user, organisation_id=organisation_id, options=options,
                         note=note)
        try:
            with transaction.atomic():
                for done, (number, cells) in enumerate(sheet.rows(), start=1):
                    self.import_row(run, number, cells)
                    if progress is not None:
                        progress.advance(done)
                self.finish(run)
                if run.error_count or not save:
                    raise _RollBack
        except _RollBack:
            pass
        return run

    def begin(self, run: Run) -> None:
        run.state["converters"] = {c.key: self.converter_for(run, c)
                                   for c in run.matched.values()}

    def converter_for(self, run: Run, column: Column):
        return imports.converter_for(column.form_field)

    def row_data(self, run: Run, number: int, cells: list[object]) -> tuple[dict, set[str]]:
        """Form data from the row's cells; the keys of cells that could not be read
        (their problems already reported)."""
        data = {c.key: c.default if c.default is not None else "" for c in run.columns}
        reported: set[str] = set()
        converters = run.state["converters"]
        for index, column in run.matched.items():
            cell = cells[index] if index < len(cells) else None
            if imports.is_blank(cell):
                continue
            try:
                data[column.key] = converters[column.key](cell)
            except imports.CellError as exc:
                run.error(number, column.key, str(exc))
                reported.add(column.key)
                data[column.key] = column.default if column.default is not None else ""
        return data, reported

    def build_form(self, run: Run, data: dict) -> forms.BaseForm:
        return imports.build_form(self.entry, user=run.user,
                                  organisation_id=run.organisation_id, data=data)

    def import_row(self, run: Run, number: int, cells: list[object]):
        """Validate and save one row; the record, or None when the row has problems."""
        data, reported = self.row_data(run, number, cells)
        form = self.build_form(run, data)
        if not self.form_accepts(run, number, form, reported):
            return None
        return self.save_form(run, number, form)

    @staticmethod
    def form_accepts(run: Run, number: int, form: forms.BaseForm, reported) -> bool:
        """Whether the row's form is valid and nothing was reported already; each form
        error not already reported for its column goes on the row's errors."""
        if form.is_valid() and not reported:
            return True
        for key, messages in form.errors.items():
            if key not in reported:
                for message in messages:
                    run.error(number, key, message)
        return False

    def save_form(self, run: Run, number: int, form: forms.BaseModelForm):
        new = form.save(commit=False)
        new.organisation_id = run.organisation_id
        saved = self.save_record(run, number, new, after=form.save_m2m)
        if saved is not None and len(run.preview) < PREVIEW_ROWS:
            run.preview.append([number, *self.preview_values(run, saved)])
        return saved

    def save_record(self, run: Run, number: int, record: models.Model, *, key_of=None,
                    after=None):
        """Create one record through core.services in a savepoint; its problems go to
        the row (`key_of` maps a model field to the column key that reports it)."""
        try:
            with transaction.atomic():
                services.create_record(record, actor=run.user, note=run.note)
                if after is not None:
                    after()
        except ValidationError as exc:
            for name, messages in messages_of(exc).items():
                for message in messages:
                    run.error(number, key_of(name) if key_of else name, message)
            return None
        except IntegrityError:
            run.error(number, NON_FIELD_ERRORS, "This row clashes with a record that already "
                      "exists (or with an earlier row of the file).")
            return None
        run.count(type(record))
        return record

    def finish(self, run: Run) -> None:
        """After every row: what joins rows together (the CMDB's interfaces)."""

    # --- the preview --------------------------------------------------------------------

    def preview_headings(self, run: Run) -> list[str]:
        return [run.headings[c.key] for _, c in sorted(run.matched.items())]

    def preview_values(self, run: Run, record: models.Model) -> list[str]:
        return [self.preview_value(record, column) for _, column in sorted(run.matched.items())]

    def preview_value(self, record: models.Model, column: Column) -> str:
        """A saved value as the record's page would show it."""
        try:
            model_field = record._meta.get_field(column.key)
        except FieldDoesNotExist:
            return ""
        if model_field.many_to_many:
            return "; ".join(str(o) for o in getattr(record, model_field.name).all())
        value = getattr(record, model_field.name)
        if value is None or value == "":
            return ""
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)


def importer_for(key: str) -> Importer | None:
    """The importer called `key`: one an app registered, else the generic importer of a
    registered model whose import page exists (crud_urls decides, so the page and the
    API offer the same imports)."""
    if key in registry.importers:
        return registry.importers[key]
    app_label, _, model_name = key.partition(".")
    for entry in registry.all():
        if entry.app_label == app_label and entry.model_name == model_name:
            try:
                reverse(entry.url_name("import"))
            except NoReverseMatch:
                return None
            return Importer(entry)
    return None
