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

Updates. An importer that can match a row to an existing record (`match_fields`: the
model's reference, else the natural key its registry entry declares as `import_key`;
the CMDB's items: the reference, else the name within the class) offers two modes:
"add new rows only" (a row that matches a record is a problem) and "add and update": a
matched row is validated by the same form bound to the record, and saved through
`services.update_record` with the version the preview saw, so a record changed since
the preview stops the import. A blank cell leaves the field as it is; `(none)` clears
an optional one (imports.CLEAR).

Speed: related records are looked up once per run (each row's form answers from them),
references are taken in blocks, audit events written in bulk (audit.deferred), and no
savepoint is made per row: a row that fails inside the services (a clash only the
database sees) makes the run start again with a savepoint per row ("careful"), so the
problems found are the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from borough.core import audit, imports, references, services
from borough.core.imports import Column, RowError, Sheet
from borough.core.registry import ModelEntry, registry

PREVIEW_ROWS = 10
ERRORS_KEPT = 1000
CHANGES_KEPT = 1000
REFERENCE = "reference"


class ImportMode:
    """What an import may do with a row that names an existing record."""

    ADD = "add"
    UPDATE = "update"
    CHOICES = [
        (ADD, "Add new rows only"),
        (UPDATE, "Add new rows and update the records that match"),
    ]
    HINTS = {
        ADD: "A row that matches an existing record is a problem, so nothing is changed "
             "by mistake.",
        UPDATE: "A row that matches an existing record changes it; the preview shows every "
                "change before anything is saved.",
    }


class _RollBack(Exception):
    pass


class _Careful(Exception):
    """A row failed inside the services without a savepoint: run again with one a row."""


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
    mode: str = ImportMode.ADD
    update_note: str = ""
    # Records changed and left as they were, by model label (as counts).
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    # What the changed rows change: [row, column heading, before, after], the first
    # CHANGES_KEPT of change_count.
    changes: list[list] = field(default_factory=list)
    change_count: int = 0
    # Each matched row: [row, record id, version] as this run found it. The import is
    # given the preview's (`expected`) and stops if a record moved on since.
    matches: list[list] = field(default_factory=list)
    expected: dict[int, tuple[int, int]] | None = None
    # No savepoint a row unless a row failed in the services (then run again with them).
    careful: bool = False
    save: bool = False

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

    def count(self, model: type[models.Model], n: int = 1, *, into: dict | None = None) -> None:
        label = model._meta.label_lower
        into = self.counts if into is None else into
        into[label] = into.get(label, 0) + n

    def change(self, number: int, key: str, before: str, after: str) -> None:
        self.change_count += 1
        if len(self.changes) < CHANGES_KEPT:
            self.changes.append([number, self.column_text(key), before, after])

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row, e.position))


class Importer:
    """The generic importer: the columns are the entry's form fields; each row is one
    new record made by the form, or (mode "update") a change to the record it matches.
    Apps subclass it for more and register the subclass in `registry.importers` (with a
    view passed to `crud_urls` as `import=`)."""

    # Query parameters the import page takes besides "template" and "mode" (its options).
    parameters: tuple[str, ...] = ()
    description = ""
    # What the upload form offers first when the importer can match rows to records.
    default_mode = ImportMode.ADD

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

    # --- matching rows to records ------------------------------------------------------

    @property
    def has_reference(self) -> bool:
        return bool(getattr(self.model, "reference_prefix", None)) and any(
            f.name == REFERENCE for f in self.model._meta.concrete_fields)

    def match_fields(self) -> tuple[str, ...]:
        """The fields whose values name an existing record: the reference (a column of its
        own) if the model has one, else the natural key the registry entry declares;
        none: the importer only adds."""
        if self.has_reference:
            return (REFERENCE,)
        return tuple(getattr(self.entry, "import_key", ()) or ())

    @property
    def can_update(self) -> bool:
        return bool(self.match_fields())

    def match_text(self) -> str:
        """How rows are matched, in words (the import page)."""
        if self.has_reference:
            return ("A row with a Reference (like the one Borough shows for the record) "
                    "matches that record; a row without one is a new record.")
        names = [self.column_name(f) for f in self.match_fields()]
        return (f"A row matches the {self.entry.verbose_name} with the same "
                + " and ".join(f"“{n}”" for n in names) + " (in any case).")

    def column_name(self, name: str) -> str:
        try:
            return capfirst(str(self.model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:
            return name

    def mode_of(self, options: dict) -> str:
        mode = (options or {}).get("mode") or self.default_mode
        return mode if self.can_update else ImportMode.ADD

    def reference_column(self) -> Column:
        return Column(REFERENCE, "Reference", forms.CharField(
            required=False, max_length=20, help_text=(
                "Leave it blank for a new record. To update a record, give its reference "
                "and choose “add and update”.")), "", heading="Reference")

    # --- options (chosen on the page, sent with the upload) -------------------------

    def options_form(self, data, *, user) -> forms.Form | None:
        """A form of the import's options (the CMDB's class), or None when it has none."""
        return None

    def clean_options(self, data, *, user) -> tuple[dict, list[str]]:
        """The options as stored with an upload (JSON: ids, not records), and problems.
        The mode ("add" or "update") is one of them when the importer can match rows."""
        form = self.options_form(data, user=user)
        options, problems = {}, []
        if form is not None:
            if not form.is_valid():
                problems = [m for messages in form.errors.values() for m in messages]
            else:
                options = {name: (value.pk if isinstance(value, models.Model) else value)
                           for name, value in form.cleaned_data.items()
                           if value not in (None, "")}
        if self.can_update:
            mode = (data or {}).get("mode") or self.default_mode
            if mode not in dict(ImportMode.CHOICES):
                problems.append("Choose whether to add new rows only (add) or to add and "
                                "update (update).")
            else:
                options["mode"] = mode
        return ({} if problems else options), problems

    def resolved_options(self, options: dict, *, user) -> dict:
        """Stored options back as the form's values (records, not ids)."""
        form = self.options_form(options or {}, user=user)
        if form is None or not form.is_valid():
            return {}
        return form.cleaned_data

    # --- columns -----------------------------------------------------------------

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        columns = imports.columns_for(self.entry, user=user, organisation_id=organisation_id)
        if self.has_reference:
            columns.insert(0, self.reference_column())
        return columns

    def template_headings(self, columns: list[Column]) -> list[str]:
        return [column.heading for column in columns]

    def start(self, sheet: Sheet, *, user, organisation_id, options, note="") -> Run:
        """Match the header to the columns (ImportFileError names every problem)."""
        values = self.resolved_options(options, user=user)
        columns = self.columns(user=user, organisation_id=organisation_id, options=values)
        matched = imports.match_columns(sheet, columns)
        run = Run(self, sheet, user, organisation_id, values, columns, matched, note=note,
                  mode=self.mode_of(options))
        self.begin(run)
        return run

    # --- the pass over the rows ------------------------------------------------------

    def run(self, sheet: Sheet, *, user, organisation_id, options, save: bool,
            progress=None, note: str = "", update_note: str = "",
            expected: dict | None = None) -> Run:
        """Every row validated and saved in one transaction, kept only if `save` and
        every row is good. `expected`: row -> (record id, version) as the preview matched
        them; a row that matches otherwise now is a problem (the record changed)."""
        careful = False
        while True:
            run = self.start(sheet, user=user, organisation_id=organisation_id,
                             options=options, note=note)
            run.update_note, run.expected, run.careful, run.save = (
                update_note or note, expected, careful, save)
            try:
                with transaction.atomic(), audit.deferred():
                    for done, (number, cells) in enumerate(sheet.rows(), start=1):
                        run.state["left"] = sheet.row_count - done + 1
                        self.import_row(run, number, cells)
                        if progress is not None:
                            progress.advance(done)
                    self.finish(run)
                    self.close(run)
                    if run.error_count or not save:
                        raise _RollBack
            except _RollBack:
                pass
            except _Careful:
                careful = True
                continue
            return run

    def begin(self, run: Run) -> None:
        run.state["converters"] = {c.key: self.converter_for(run, c)
                                   for c in run.matched.values()}
        # The related records each column names, loaded once: every row's form answers
        # from them rather than asking the database again (imports.prefer_loaded).
        run.state["loaded"] = {key: converter for key, converter in
                               run.state["converters"].items()
                               if isinstance(converter, imports.RelatedLookup)}
        run.state["in_file"] = {}  # record id -> the row that matched it
        # The organisation, loaded once: each new record holds it, so neither its audit
        # snapshot nor its validation asks for it again.
        run.state["organisation"] = apps.get_model(settings.BOROUGH_ORGANISATION_MODEL
                                                   )._default_manager.get(pk=run.organisation_id)
        prefix = getattr(self.model, "reference_prefix", None)
        run.state["references"] = (
            references.Block(run.organisation_id, prefix)
            if isinstance(prefix, str) and self.has_reference else None)
        # Matched in both modes: adding only, a row that names a record is a problem.
        run.state["index"] = self.match_index(run) if self.can_update else None

    def close(self, run: Run) -> None:
        block = run.state.get("references")
        if block is not None:
            block.close()

    def converter_for(self, run: Run, column: Column):
        if column.key == REFERENCE:
            return lambda cell: " ".join(imports._text(cell).split()).upper()
        return imports.converter_for(column.form_field)

    def read_cells(self, run: Run, number: int, cells: list[object]
                   ) -> tuple[dict, set[str], set[str]]:
        """The row's non-blank cells as form data, the keys of cells that could not be
        read (their problems already reported) and of cells that say to clear a field."""
        values: dict = {}
        reported: set[str] = set()
        cleared: set[str] = set()
        converters = run.state["converters"]
        for index, column in run.matched.items():
            cell = cells[index] if index < len(cells) else None
            if imports.is_blank(cell):
                continue
            if imports.is_clear(cell):
                values[column.key] = ""
                cleared.add(column.key)
                continue
            try:
                values[column.key] = converters[column.key](cell)
            except imports.CellError as exc:
                run.error(number, column.key, str(exc))
                reported.add(column.key)
                values[column.key] = column.default if column.default is not None else ""
        return values, reported, cleared

    def row_data(self, run: Run, number: int, cells: list[object]) -> tuple[dict, set[str]]:
        """Form data for a new record from the row's cells (defaults where blank); the
        keys of cells that could not be read (their problems already reported)."""
        values, reported, _cleared = self.read_cells(run, number, cells)
        return self.new_data(run, values), reported

    def new_data(self, run: Run, values: dict) -> dict:
        data = {c.key: c.default if c.default is not None else "" for c in run.columns}
        data.update(values)
        data.pop(REFERENCE, None)
        return data

    def build_form(self, run: Run, data: dict | None, instance=None) -> forms.BaseForm:
        if instance is None and any(f.name == "organisation"
                                    for f in self.model._meta.concrete_fields):
            instance = self.model(organisation=run.state["organisation"])
        form = imports.build_form(self.entry, user=run.user, organisation_id=run.organisation_id,
                                  data=data, instance=instance,
                                  scoped_querysets=run.state.setdefault("scoped", {}))
        self.use_loaded(run, form)
        return form

    @staticmethod
    def use_loaded(run: Run, form: forms.BaseForm) -> None:
        for key, lookup in run.state.get("loaded", {}).items():
            form_field = form.fields.get(key)
            if form_field is not None and not form_field.disabled:
                imports.prefer_loaded(form_field, lookup.loaded)

    def import_row(self, run: Run, number: int, cells: list[object]):
        """Validate and save one row; the record, or None when the row has problems."""
        values, reported, cleared = self.read_cells(run, number, cells)
        record = self.match(run, number, self.row_key(run, values), values)
        if record is False:
            return None
        if record is not None:
            return self.update_row(run, number, record, values, reported)
        form = self.build_form(run, self.new_data(run, values))
        if not self.form_accepts(run, number, form, reported):
            return None
        return self.save_form(run, number, form)

    # --- matching -------------------------------------------------------------------

    @staticmethod
    def key_text(value) -> str:
        if isinstance(value, models.Model):
            value = value.pk
        return " ".join(str(value if value is not None else "").split()).casefold()

    def matching_queryset(self, run: Run):
        """The records a row may match: the user's, in the import's organisation only."""
        return self.model._default_manager.visible_to(run.user).filter(
            organisation_id=run.organisation_id)

    def match_index(self, run: Run) -> dict[tuple, list[int]] | None:
        """Key -> ids of the records with it, read once (ids and keys only)."""
        fields = self.match_fields()
        if not fields:
            return None
        index: dict[tuple, list[int]] = {}
        for pk, *values in self.matching_queryset(run).values_list("pk", *fields):
            index.setdefault(tuple(self.key_text(v) for v in values), []).append(pk)
        return index

    def row_key(self, run: Run, values: dict) -> tuple | None:
        """The row's key in the index, or None when the row names no record."""
        fields = self.match_fields()
        if not fields or any(values.get(f) in (None, "") for f in fields):
            return None
        return tuple(self.key_text(values[f]) for f in fields)

    def describe(self, record: models.Model) -> str:
        return f"{self.entry.verbose_name} “{record}”"

    def load_matched(self, run: Run, pk: int) -> models.Model:
        related = [f.name for f in self.model._meta.concrete_fields
                   if f.many_to_one and f.name != "organisation"]
        return self.matching_queryset(run).select_related(*related).get(pk=pk)

    def match(self, run: Run, number: int, key: tuple | None, values: dict):
        """The record the row names (loaded), None for a new record, or False when the
        row's match is a problem (reported)."""
        index = run.state.get("index")
        if key is None or index is None:
            return self._expected_new(run, number)
        found = index.get(key, [])
        if not found:
            if REFERENCE in self.match_fields() and values.get(REFERENCE):
                run.error(number, REFERENCE, f"There is no {self.entry.verbose_name} with the "
                          f"reference {values[REFERENCE]} in this organisation. Leave "
                          "Reference blank to add a new one.")
                return False
            return self._expected_new(run, number)
        if len(found) > 1:
            named = self.matching_queryset(run).filter(pk__in=found).order_by("pk")
            listed = ", ".join(self.record_name(r) for r in named[:10])
            run.error(number, self.key_column(run), (
                f"This row matches more than one {self.entry.verbose_name}: {listed}. Add a "
                "Reference column and give the reference of the one this row updates."
                if self.has_reference else
                f"This row matches more than one {self.entry.verbose_name}: {listed}. "
                "Correct them so that only one matches."))
            return False
        return self.matched(run, number, found[0])

    def record_name(self, record) -> str:
        reference = getattr(record, REFERENCE, "")
        return reference if reference and self.has_reference else f"“{record}” (id {record.pk})"

    def key_column(self, run: Run) -> str:
        fields = self.match_fields()
        for name in fields:
            if name in run.positions:
                return name
        return NON_FIELD_ERRORS

    def _expected_new(self, run: Run, number: int):
        if run.expected is not None and number in run.expected:
            run.error(number, NON_FIELD_ERRORS, "The record this row updated at the preview "
                      "is no longer there. Nothing was imported: upload the file again to "
                      "see its preview now.")
            return False
        return None

    def matched(self, run: Run, number: int, pk: int):
        record = self.load_matched(run, pk)
        if run.mode != ImportMode.UPDATE:
            run.error(number, self.key_column(run), (
                f"The {self.describe(record)} already exists. To change it, import the file "
                "with “add new rows and update the records that match”; to add another, "
                "give it a different name."))
            return False
        earlier = run.state["in_file"].get(pk)
        if earlier is not None:
            run.error(number, self.key_column(run), f"Row {earlier} updates the same "
                      f"{self.describe(record)}: keep one of the two rows.")
            return False
        run.state["in_file"][pk] = number
        version = getattr(record, "version", None)
        if run.expected is not None:
            seen = run.expected.get(number)
            if seen is None or seen[0] != pk:
                run.error(number, NON_FIELD_ERRORS, (
                    f"The {self.describe(record)} was added or renamed after the preview, and "
                    "this row now matches it. Nothing was imported: upload the file again to "
                    "see its preview now."))
                return False
            if seen[1] != version:
                self.stale(run, number, record, seen[1])
                return False
        run.matches.append([number, pk, version])
        return record

    def stale(self, run: Run, number: int, record, seen_version) -> None:
        changes = services.changes_since(record, seen_version) if seen_version else []
        what = ", ".join(sorted({str(c.field).replace("_", " ") for c in changes}))
        who = ", ".join(sorted({c.who for c in changes})) or "Someone"
        run.error(number, NON_FIELD_ERRORS, (
            f"{who} changed the {self.describe(record)}"
            + (f" ({what})" if what else "")
            + " after the preview. Nothing was imported: upload the file again to see "
              "its changes against the record as it is now."))

    # --- updating ---------------------------------------------------------------------

    def current_data(self, run: Run, form: forms.BaseForm) -> dict:
        """The record as form data: what a blank cell leaves as it is."""
        data = {}
        for name in form.fields:
            if name in imports.SKIPPED_FIELDS:
                continue
            value = form[name].value()
            data[name] = "" if value is None else value
        return data

    def keep_key_spelling(self, record, values: dict, fields=None) -> None:
        """A key matched in another case or spacing ("housing" for "Housing") leaves the
        record's own spelling: the row named the record, it did not rename it."""
        for name in fields or self.match_fields():
            if name != REFERENCE and isinstance(values.get(name), str) and (
                    self.key_text(values[name]) == self.key_text(getattr(record, name, None))):
                values[name] = getattr(record, name)

    def update_row(self, run: Run, number: int, record, values: dict, reported: set[str]):
        self.keep_key_spelling(record, values)
        before = self.preview_values(run, record)
        data = self.current_data(run, self.build_form(run, None, instance=record))
        data.update({k: v for k, v in values.items() if k != REFERENCE})
        return self.update_form(run, number, record, data, reported, before)

    def update_form(self, run: Run, number: int, record, data: dict, reported: set[str],
                    before: list[str]):
        data["version"] = getattr(record, "version", "")
        form = self.build_form(run, data, instance=record)
        if not self.form_accepts(run, number, form, reported):
            return None
        changes = (form.model_data() if hasattr(form, "model_data") else
                   {n: form.cleaned_data[n] for n in form.changed_data if n != "version"})
        if not changes:
            run.count(type(record), into=run.unchanged)
            return record
        after = self.preview_values(run, form.instance, form=form)
        saved = self.update_record(run, number, record, changes)
        if saved is None:
            return None
        for (_, column), old, new in zip(sorted(run.matched.items()), before, after,
                                         strict=False):
            if old != new and column.key != REFERENCE:
                run.change(number, column.key, old, new)
        return saved

    def update_record(self, run: Run, number: int, record, data: dict, *, key_of=None):
        """Change one record through core.services, at the version the preview saw."""
        return self._write(run, number, key_of, lambda: services.update_record(
            record, actor=run.user, data=data, expected_version=getattr(record, "version", None),
            note=run.update_note, savepoint=run.careful), counted=run.changed)

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
        """Create one record through core.services; its problems go to the row (`key_of`
        maps a model field to the column key that reports it)."""
        block = run.state.get("references")
        if (block is not None and isinstance(record, self.model)
                and not getattr(record, REFERENCE, "")):
            record.reference = block.next(left=run.state.get("left", 1))

        def create():
            services.create_record(record, actor=run.user, note=run.note,
                                   savepoint=run.careful)
            if after is not None:
                after()
            return record

        return self._write(run, number, key_of, create, counted=run.counts)

    def _write(self, run: Run, number: int, key_of, write, *, counted: dict):
        """Run one write; without a savepoint (`run.careful` False) a failure sends the
        whole run round again with one, so its problems are reported the same way."""
        try:
            if run.careful:
                with transaction.atomic():
                    saved = write()
            else:
                saved = write()
        except ValidationError as exc:
            if not run.careful:
                raise _Careful from exc
            for name, messages in messages_of(exc).items():
                for message in messages:
                    run.error(number, key_of(name) if key_of else name, message)
            return None
        except services.StaleVersionError as exc:
            if not run.careful:
                raise _Careful from exc
            self.stale(run, number, exc.current, exc.expected)
            return None
        except IntegrityError as exc:
            if not run.careful:
                raise _Careful from exc
            run.error(number, NON_FIELD_ERRORS, "This row clashes with a record that already "
                      "exists (or with an earlier row of the file).")
            return None
        except DatabaseError as exc:
            if not run.careful:
                raise _Careful from exc
            raise
        run.count(type(saved), into=counted)
        return saved

    def finish(self, run: Run) -> None:
        """After every row: what joins rows together (the CMDB's interfaces)."""

    # --- the preview --------------------------------------------------------------------

    def preview_headings(self, run: Run) -> list[str]:
        return [run.headings[c.key] for _, c in sorted(run.matched.items())]

    def preview_values(self, run: Run, record: models.Model, form=None) -> list[str]:
        return [self.preview_value(record, column, form=form)
                for _, column in sorted(run.matched.items())]

    def preview_value(self, record: models.Model, column: Column, form=None) -> str:
        """A saved value as the record's page would show it (`form`: a row's valid form,
        whose many-to-many values are not saved on the record yet)."""
        try:
            model_field = record._meta.get_field(column.key)
        except FieldDoesNotExist:
            return ""
        if model_field.many_to_many:
            if form is not None and column.key in getattr(form, "cleaned_data", {}):
                chosen = form.cleaned_data[column.key] or []
            elif record.pk is None:
                return ""
            else:
                chosen = getattr(record, model_field.name).all()
            return "; ".join(sorted(str(o) for o in chosen))
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
