"""Spreadsheet imports of the estate (core.importers does the preview, the all-or-nothing
save and the background runs):

- configuration items of one class (chosen on the page) or of several (a "Class"
  column), with the item fields and the class's attributes as columns; attribute values
  are checked by `attributes.clean_attributes`, so the messages are the page's and the
  API's;
- a service unit's systems return: applications, with the return's own headings
  ("Business owner", "ICT support", "Classification") and an "Interfaces" column naming
  other systems, which become "interfaces with" relationships;
- relationships, their items named by reference or name and their type in words.

Items (and a return's systems) are matched to existing ones for an update: by the
Reference column (CI-000123) when it is given, else by name within the class, among the
organisation's items only. A return is sent in every year, so it adds and updates by
default; an update's interfaces add the links that are not there yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms
from django.db.models.functions import Lower

from borough.cmdb import attributes, queries, rules
from borough.cmdb import forms as cmdb_forms
from borough.cmdb import models as m
from borough.core import imports
from borough.core.importers import REFERENCE, Importer, ImportMode, Run
from borough.core.imports import CellError, Column

INTERFACES = "interfaces"
LOOKUP_CHUNK = 500

# Headings people use for the item fields besides the form's labels.
ITEM_ALIASES = {
    "ci_class": ("CI class",),
    "owner": ("Business owner",),
    "service_unit": ("Service unit",),
    "support_team": ("ICT support", "Supported by", "Who in ICT supports it"),
    "data_classification": ("Classification",),
}


@dataclass
class AttributeColumn(Column):
    """A column holding one attribute of the class (or, with a Class column, of the
    classes that define an attribute of that name)."""

    definitions: list[dict] = field(default_factory=list)

    def accepted(self) -> str:
        kinds = sorted({d["type"] for d in self.definitions})
        words = " or ".join(attributes.TYPES[k] for k in kinds if k in attributes.TYPES)
        text = f"An attribute of the class: {words or 'text'}."
        if "date" in kinds:
            text += " Dates as YYYY-MM-DD (or DD/MM/YYYY)."
        if "boolean" in kinds:
            text += " Yes or no."
        return text

    def choices(self) -> tuple[list[str], int]:
        every = list(dict.fromkeys(c for d in self.definitions for c in d["choices"]))
        return every[:imports.CHOICES_SHOWN], max(len(every) - imports.CHOICES_SHOWN, 0)


@dataclass
class InterfacesColumn(Column):
    def accepted(self) -> str:
        return ("The other systems this one exchanges data with, by name (or reference, like "
                f"CI-000123), separated by semicolons ({imports.LIST_SEPARATOR}): systems in "
                "this file or already in the CMDB. Each becomes an “interfaces with” "
                "relationship.")


def _attribute_cell(value):
    """A cell as clean_attributes takes it: spreadsheets give dates and whole numbers as
    their own types."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _for_definition(definition: dict, value):
    """A UK date (31/03/2025), common in spreadsheets, read as the ISO date it means."""
    if definition["type"] == "date" and isinstance(value, str):
        try:
            return datetime.datetime.strptime(value.strip(), "%d/%m/%Y").date().isoformat()
        except ValueError:
            return value
    if definition["type"] in ("text", "choice") and isinstance(value, int | float):
        return str(value)
    return value


def _form_text(value) -> str:
    """A stored attribute value as the CI form's field takes it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class ClassOptionForm(forms.Form):
    ci_class = forms.ModelChoiceField(
        queryset=m.CIClass.objects.none(), required=False, label="Which class are the items?",
        empty_label="Several classes: a “Class” column names each row's class",
        help_text="The columns below are the item's fields and the class's attributes.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_class"].queryset = m.CIClass.objects.visible_to(user).filter(
            is_active=True)


class ImportedItemForm(cmdb_forms.ConfigurationItemForm):
    """The item form as an import row uses it: the row's class is known already (loaded
    once per import), so the form does not look it up again for its attributes."""

    def __init__(self, *args, known_class: m.CIClass | None = None, **kwargs):
        self._known_class = known_class
        super().__init__(*args, **kwargs)

    def _chosen_class(self):
        if self._known_class is not None and not self.instance.pk:
            return self._known_class
        return super()._chosen_class()


class ConfigurationItemImporter(Importer):
    parameters = ("ci_class",)
    description = ("Import configuration items of one class, chosen here, or of several, "
                   "with a “Class” column naming each row's class.")

    def options_form(self, data, *, user):
        return ClassOptionForm(data, user=user)

    # --- columns -----------------------------------------------------------------

    def _classes(self, user, options) -> list[m.CIClass]:
        if options.get("ci_class") is not None:
            return [options["ci_class"]]
        return list(m.CIClass.objects.visible_to(user).filter(is_active=True))

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        chosen = options.get("ci_class")
        form = cmdb_forms.ConfigurationItemForm(user=user, instance=m.ConfigurationItem(
            organisation_id=organisation_id, ci_class=chosen))
        columns = []
        for name, form_field in form.fields.items():
            if (name in imports.SKIPPED_FIELDS or name.startswith(cmdb_forms.PREFIX)
                    or form_field.widget.is_hidden or form_field.disabled):
                continue
            initial = form[name].initial
            default = (form_field.prepare_value(initial) if initial not in (None, "")
                       else initial)
            columns.append(Column(name, str(form[name].label), form_field, default,
                                  aliases=ITEM_ALIASES.get(name, ())))
        columns += self._attribute_columns(self._classes(user, options))
        columns.append(InterfacesColumn(
            INTERFACES, "Interfaces", forms.CharField(required=False), "",
            aliases=("Interfaces to other systems", "Interfaces with")))
        columns.append(self.reference_column())
        labels = [c.label.casefold() for c in columns]
        for column in columns:
            column.heading = (column.label if labels.count(column.label.casefold()) == 1
                              else column.name)
        return columns

    def _attribute_columns(self, classes: list[m.CIClass]) -> list[AttributeColumn]:
        by_name: dict[str, AttributeColumn] = {}
        for ci_class in classes:
            for definition in ci_class.definitions():
                name = definition["name"]
                column = by_name.get(name)
                if column is None:
                    by_name[name] = AttributeColumn(
                        name, definition["label"],
                        forms.CharField(required=False, help_text=definition["help"]), "",
                        key=cmdb_forms.PREFIX + name, definitions=[definition])
                    continue
                column.definitions.append(definition)
                if (definition["label"].casefold() != column.label.casefold()
                        and definition["label"] not in column.aliases):
                    column.aliases = (*column.aliases, definition["label"])
        return list(by_name.values())

    # --- rows --------------------------------------------------------------------

    def begin(self, run: Run) -> None:
        run.state["classes"] = {c.pk: c for c in self._classes(run.user, run.options)}
        super().begin(run)
        run.state["attribute_columns"] = [c for c in run.matched.values()
                                          if isinstance(c, AttributeColumn)]
        run.state["pending"] = []  # (row, item, names) for the Interfaces column
        run.state["created"] = set()

    def converter_for(self, run: Run, column: Column):
        if isinstance(column, AttributeColumn):
            return _attribute_cell
        if isinstance(column, InterfacesColumn):
            return lambda cell: [p.strip() for p in imports._text(cell).split(
                imports.LIST_SEPARATOR) if p.strip()]
        if column.name == "ci_class":
            return self._class_lookup(run, super().converter_for(run, column))
        return super().converter_for(run, column)

    def _class_lookup(self, run: Run, by_name):
        """A class by its name, its id (as any related record) or its code."""
        def lookup(cell):
            code = imports._text(cell).casefold()
            found = [c for c in run.state["classes"].values() if c.code == code]
            return found[0].pk if len(found) == 1 else by_name(cell)

        return lookup

    def row_class(self, run: Run, data: dict) -> m.CIClass | None:
        chosen = run.options.get("ci_class")
        if chosen is not None:
            return chosen
        return run.state["classes"].get(data.get("ci_class"))

    # --- matching: the reference, else the name within the class --------------------

    def match_text(self) -> str:
        return ("A row with a Reference (like CI-000123) updates that item. A row without "
                "one matches the item of its class with the same name (in any case), in "
                "this organisation only; a row that matches none is a new item.")

    def match_index(self, run: Run):
        index: dict[tuple, list[int]] = {}
        rows = self.matching_queryset(run).values_list("pk", "reference", "ci_class_id", "name")
        for pk, reference, class_id, name in rows:
            index.setdefault(("ref", reference.upper()), []).append(pk)
            index.setdefault(("name", class_id, self.key_text(name)), []).append(pk)
        return index

    def item_key(self, values: dict, ci_class: m.CIClass | None) -> tuple | None:
        if values.get(REFERENCE):
            return ("ref", values[REFERENCE])
        if ci_class is None or values.get("name") in (None, ""):
            return None
        return ("name", ci_class.pk, self.key_text(values["name"]))

    def key_column(self, run: Run) -> str:
        return "name"

    def load_matched(self, run: Run, pk: int):
        return self.matching_queryset(run).select_related(
            "ci_class", "owner", "service_unit", "support_team", "site").get(pk=pk)

    def build_form(self, run: Run, data, instance=None, ci_class=None):
        form = ImportedItemForm(data=data, user=run.user, known_class=ci_class,
                                scoped_querysets=run.state.setdefault("scoped", {}),
                                instance=instance if instance is not None else
                                m.ConfigurationItem(organisation=run.state["organisation"]))
        self.use_loaded(run, form)
        classes = run.state["classes"]
        if not form.fields["ci_class"].disabled:
            imports.prefer_loaded(form.fields["ci_class"], lambda v: classes.get(
                int(v) if str(v).isdigit() else None))
        return form

    # --- rows --------------------------------------------------------------------

    def import_row(self, run: Run, number: int, cells: list[object]):
        values, reported, cleared = self.read_cells(run, number, cells)
        names = values.pop(INTERFACES, "") or []
        attribute_values, cleared_attributes = {}, set()
        for column in run.state["attribute_columns"]:
            value = values.pop(column.key, "")
            if column.key in cleared:
                cleared_attributes.add(column.name)
            elif not attributes.blank(value):
                attribute_values[column.name] = value
        ci_class = self.row_class(run, values)
        record = self.match(run, number, self.item_key(values, ci_class), values)
        if record is False:
            return None
        run.state["row_interfaces"] = names  # for the preview of this row
        if record is not None:
            item = self.update_item(run, number, record, ci_class, values, attribute_values,
                                    cleared_attributes, reported)
        else:
            item = self.add_item(run, number, ci_class, values, attribute_values, reported)
        if item is not None:
            run.state["created"].add(item.pk)
            if names:
                run.state["pending"].append((number, item, names))
        return item

    def add_item(self, run: Run, number: int, ci_class, values: dict, attribute_values: dict,
                 reported: set[str]):
        data = self.new_data(run, values)
        data.pop(INTERFACES, None)
        for column in run.state["attribute_columns"]:
            data.pop(column.key, None)
        if ci_class is not None:
            data["ci_class"] = ci_class.pk
            reported |= self._check_attributes(run, number, ci_class, attribute_values, data)
        form = self.build_form(run, data, ci_class=ci_class)
        if not self.form_accepts(run, number, form, reported):
            return None
        return self.save_form(run, number, form)

    def update_item(self, run: Run, number: int, record: m.ConfigurationItem, ci_class,
                    values: dict, attribute_values: dict, cleared_attributes: set[str],
                    reported: set[str]):
        if ci_class is not None and record.ci_class_id != ci_class.pk:
            run.error(number, REFERENCE, f"{record.reference} is a "
                      f"{record.ci_class.name.lower()}, not a {ci_class.name.lower()}: an "
                      "item's class cannot change. Correct the reference or the class.")
            return None
        if not values.get(REFERENCE):  # matched by name: the name is not a rename
            self.keep_key_spelling(record, values, fields=("name",))
        before = self.preview_values(run, record)
        data = self.current_data(run, self.build_form(run, None, instance=record))
        data.update({k: v for k, v in values.items() if k not in (REFERENCE, "ci_class")})
        known = {d["name"] for d in record.ci_class.definitions()}
        merged = {name: value for name, value in (record.attributes or {}).items()
                  if name in known and name not in cleared_attributes}
        merged.update(attribute_values)
        for name in cleared_attributes & known:
            data[cmdb_forms.PREFIX + name] = ""
        reported |= self._check_attributes(run, number, record.ci_class, merged, data)
        for name in cleared_attributes - known:
            run.error(number, cmdb_forms.PREFIX + name, f"{record.ci_class.name} has no "
                      f"attribute “{name}”: leave this cell blank.")
            reported.add(cmdb_forms.PREFIX + name)
        return self.update_form(run, number, record, data, reported, before)

    def _check_attributes(self, run: Run, number: int, ci_class: m.CIClass, values: dict,
                          data: dict) -> set[str]:
        """The row's attributes checked as the page and the API check them; the keys of
        the columns whose problems are reported."""
        reported = set()
        known = {d["name"]: d for d in ci_class.definitions()}
        for name in list(values):
            if name not in known:
                key = cmdb_forms.PREFIX + name
                run.error(number, key, f"{ci_class.name} has no attribute “{name}”: leave this "
                          f"cell blank for a {ci_class.name.lower()}, or ask an administrator "
                          "to add it to the class.")
                reported.add(key)
                del values[name]
        values = {name: _for_definition(known[name], v) for name, v in values.items()}
        stored, problems = attributes.clean_attributes(ci_class.attribute_schema, values,
                                                       class_name=str(ci_class))
        for name, message in problems.items():
            key = cmdb_forms.PREFIX + name
            run.error(number, key, message)
            reported.add(key)
        for name, value in stored.items():
            data[cmdb_forms.PREFIX + name] = _form_text(value)
        return reported

    # --- interfaces ----------------------------------------------------------------

    def finish(self, run: Run) -> None:
        pending = run.state["pending"]
        if not pending:
            return
        wanted = {name.casefold() for _, _, names in pending for name in names}
        found = self._items_named(run, wanted)
        # Links already there (an updated system's) are left as they are.
        existing = set(m.Relationship.objects.filter(
            source_id__in=[item.pk for _, item, _ in pending],
            relationship_type=m.RelationshipType.INTERFACES_WITH,
        ).values_list("source_id", "target_id"))
        made: set[tuple[int, int]] = set()
        for number, item, names in pending:
            for name in names:
                target = self._one(run, number, found.get(name.casefold(), []), name)
                if target is None:
                    continue
                if target.pk == item.pk:
                    run.error(number, INTERFACES, f"A system cannot interface with itself: "
                              f"remove “{name}”.")
                    continue
                if (item.pk, target.pk) in made:
                    continue
                made.add((item.pk, target.pk))
                if (item.pk, target.pk) in existing:
                    continue  # there already (an updated system's): left as it is
                link = m.Relationship(organisation_id=run.organisation_id, source=item,
                                      target=target,
                                      relationship_type=m.RelationshipType.INTERFACES_WITH)
                self.save_record(run, number, link, key_of=lambda _name: INTERFACES)

    def _items_named(self, run: Run, wanted: set[str]) -> dict[str, list[m.ConfigurationItem]]:
        """Items of the organisation (those this file just added among them) whose name or
        reference is one of `wanted`, by that name or reference (casefolded)."""
        found: dict[str, list[m.ConfigurationItem]] = {}
        scoped = m.ConfigurationItem.objects.visible_to(run.user).filter(
            organisation_id=run.organisation_id).select_related("ci_class")
        wanted_list = sorted(wanted)
        for start in range(0, len(wanted_list), LOOKUP_CHUNK):
            chunk = wanted_list[start:start + LOOKUP_CHUNK]
            upper = [w.upper() for w in chunk]
            for item in scoped.annotate(lname=Lower("name")).filter(lname__in=chunk):
                found.setdefault(item.name.casefold(), []).append(item)
            for item in scoped.filter(reference__in=upper):
                found.setdefault(item.reference.casefold(), []).append(item)
        return found

    def _one(self, run: Run, number: int, candidates: list, name: str):
        if not candidates:
            run.error(number, INTERFACES, f"There is no system “{name}” in this file or in "
                      "the CMDB. Check the spelling, or add a row for it.")
            return None
        unique = {c.pk: c for c in candidates}
        if len(unique) > 1:
            # The file's own systems come first: a return names its own applications.
            own = [c for c in unique.values() if c.pk in run.state["created"]]
            if len(own) == 1:
                return own[0]
            run.error(number, INTERFACES, f"“{name}” matches more than one configuration "
                      "item: use its reference, like CI-000123.")
            return None
        return next(iter(unique.values()))

    # --- the preview ----------------------------------------------------------------

    def preview_values(self, run: Run, record, form=None) -> list[str]:
        values = []
        for _, column in sorted(run.matched.items()):
            if isinstance(column, AttributeColumn):
                definition = next((d for d in record.ci_class.definitions()
                                   if d["name"] == column.name), None)
                values.append(attributes.display(definition, record.attributes.get(
                    column.name)) if definition else "")
            elif isinstance(column, InterfacesColumn):
                values.append("; ".join(run.state.get("row_interfaces", [])))
            else:
                values.append(self.preview_value(record, column, form=form))
        return values


# The systems return's own words for the item fields, as its template heads them.
RETURN_HEADINGS = {
    "owner": "Business owner",
    "support_team": "ICT support",
    "data_classification": "Classification",
}
RETURN_ORDER = ["name", "service_unit", "owner", "number_of_users", "supplier", "hosting",
                "support_team", "supplier_support", "data_held", "data_classification",
                INTERFACES]


class SystemsReturnImporter(ConfigurationItemImporter):
    """A service unit's return of its applications: items of the Application class, with
    the return's headings, and interfaces between them."""

    parameters = ()
    # A return is sent in every year with the same systems: updating is the usual case.
    default_mode = ImportMode.UPDATE
    description = ("A systems return lists a service unit's applications: their owning "
                   "service unit, business owner, number of users, supplier, hosting, who "
                   "in ICT supports them and the supplier's support, the data they hold and "
                   "its classification, and the other systems they interface with. Each row "
                   "adds an application to the CMDB, or updates the one with the same name "
                   "(or the Reference given); each system named under Interfaces "
                   "(in this file or already in the CMDB) an “interfaces with” "
                   "relationship.")

    def options_form(self, data, *, user):
        return None

    def resolved_options(self, options: dict, *, user) -> dict:
        application = (m.CIClass.objects.visible_to(user)
                       .filter(code=rules.APPLICATION, is_active=True).first())
        if application is None:
            raise imports.ImportFileError(
                "This organisation has no active Application class, so a systems return "
                "has nowhere to go. Ask an administrator to add it (the class with the code "
                f"{rules.APPLICATION}).")
        return {"ci_class": application}

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        columns = super().columns(user=user, organisation_id=organisation_id, options=options)
        for column in columns:
            if column.name in RETURN_HEADINGS:
                column.aliases = tuple(a for a in (*column.aliases, column.label)
                                       if a != RETURN_HEADINGS[column.name])
                column.label = column.heading = RETURN_HEADINGS[column.name]
        first = {name: n for n, name in enumerate(RETURN_ORDER)}
        return sorted(columns, key=lambda c: first.get(c.name, len(first)))


def relationship_type(cell) -> str:
    """A type by its words ("runs on", "backed up to", "is located at") or its code."""
    key = " ".join(imports._text(cell).replace("_", " ").split()).casefold()
    for value, label in m.RelationshipType.choices:
        words = {label.casefold(), value.replace("_", " "), label.casefold().removeprefix("is ")}
        if key in words:
            return value
    shown = ", ".join(label for _, label in m.RelationshipType.choices)
    raise CellError(f"“{imports._text(cell)}” is not a relationship type: use one of {shown}.")


class RelationshipImporter(Importer):
    description = ("Each row relates two configuration items, named by reference (like "
                   "CI-000123) or by name: “Payroll” runs on “PAYSRV01”.")

    def columns(self, *, user, organisation_id, options) -> list[Column]:
        columns = super().columns(user=user, organisation_id=organisation_id, options=options)
        for column in columns:
            if column.name in ("source", "target"):
                column.aliases = ("From",) if column.name == "source" else ("To",)
        return columns

    def begin(self, run: Run) -> None:
        super().begin(run)
        lookup = queries.ItemLookup(run.user, run.organisation_id)
        for column in run.matched.values():
            if column.name in ("source", "target"):
                run.state["converters"][column.key] = lookup
            elif column.name == "relationship_type":
                run.state["converters"][column.key] = relationship_type
