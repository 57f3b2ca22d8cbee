"""A CI class's attribute schema and the checking of a CI's attributes against it.

Plain Python, no database: the model's `clean()` (so every write through the services:
pages, API and, later, imports), the CI form and the class form all call these, so each
path gives the same messages. A schema is a list of definitions:

    {"name": "cpu_cores", "label": "CPU cores", "type": "integer", "required": false,
     "choices": [], "help": "Physical cores"}

Values are stored as JSON: integers as numbers, decimals as strings (never floats: a
memory size of 0.1 GB must stay 0.1), booleans as true/false, dates as YYYY-MM-DD and IP
addresses in their normal form.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from decimal import Decimal, InvalidOperation

TYPES = {
    "text": "text",
    "integer": "whole number",
    "decimal": "number",
    "boolean": "yes or no",
    "date": "date",
    "choice": "choice from a list",
    "ip_address": "IP address",
}
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
KEYS = {"name", "label", "type", "required", "choices", "help"}
TEXT_LIMIT = 1000
YES = {"true", "yes", "y", "1", "on"}
NO = {"false", "no", "n", "0", "off", ""}


def schema_problems(schema) -> list[str]:
    """What is wrong with a class's schema, each in words an administrator can act on."""
    if not isinstance(schema, list):
        return ["The attributes must be a list of definitions, like "
                '[{"name": "hostname", "label": "Host name", "type": "text"}].']
    problems, seen = [], set()
    for number, item in enumerate(schema, start=1):
        where = f"Attribute {number}"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object with a name, a label and a type.")
            continue
        name = item.get("name")
        if isinstance(name, str) and name:
            where = f"Attribute {number} ({name})"
        if not isinstance(name, str) or not NAME.match(name):
            problems.append(f"{where}: give it a name of lower-case letters, digits and "
                            "underscores, starting with a letter (for example cpu_cores).")
        elif name in seen:
            problems.append(f"{where}: another attribute already has this name; "
                            "give each a different one.")
        seen.add(name)
        if unknown := sorted(set(item) - KEYS):
            problems.append(f"{where}: remove {', '.join(unknown)}; an attribute takes only "
                            f"{', '.join(sorted(KEYS))}.")
        if not isinstance(item.get("label"), str) or not item.get("label", "").strip():
            problems.append(f"{where}: give it a label, the words people see.")
        kind = item.get("type")
        if kind not in TYPES:
            problems.append(f"{where}: its type must be one of {', '.join(TYPES)}.")
        if not isinstance(item.get("required", False), bool):
            problems.append(f"{where}: required must be true or false.")
        if not isinstance(item.get("help", ""), str):
            problems.append(f"{where}: help must be text.")
        choices = item.get("choices", [])
        if not isinstance(choices, list) or not all(
                isinstance(c, str) and c.strip() for c in choices):
            problems.append(f"{where}: choices must be a list of words.")
        elif kind == "choice" and not choices:
            problems.append(f"{where}: a choice attribute needs its list of choices.")
        elif kind != "choice" and choices:
            problems.append(f"{where}: only a choice attribute takes choices; "
                            "remove them or make its type choice.")
    return problems


def definitions(schema) -> list[dict]:
    """The schema's definitions with their optional keys filled in (a valid schema)."""
    return [{"required": False, "choices": [], "help": "", **item} for item in schema or []
            if isinstance(item, dict)]


def clean_value(definition: dict, value):
    """The stored form of `value` for one attribute, or ValueError with what to do.
    Takes what a form posts (text) and what the API sends (JSON types) alike."""
    kind = definition["type"]
    if isinstance(value, str):
        value = value.strip()
    if kind == "text":
        if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
            raise ValueError("enter text")
        value = str(value)
        if len(value) > TEXT_LIMIT:
            raise ValueError(f"use {TEXT_LIMIT} characters or fewer")
        return value
    if kind == "integer":
        if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
            raise ValueError("enter a whole number, like 8")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError("enter a whole number, like 8") from None
    if kind == "decimal":
        if isinstance(value, bool):
            raise ValueError("enter a number, like 16 or 0.5")
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ValueError("enter a number, like 16 or 0.5") from None
        if not number.is_finite():
            raise ValueError("enter a number, like 16 or 0.5")
        return str(number)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in YES | NO:
            return value.lower() in YES
        raise ValueError("answer yes or no")
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("enter a date as year-month-day, like 2025-03-31") from None
    if kind == "choice":
        if value not in definition["choices"]:
            raise ValueError(f"choose one of {', '.join(definition['choices'])}")
        return value
    if kind == "ip_address":
        try:
            return str(ipaddress.ip_address(str(value)))
        except ValueError:
            raise ValueError("enter an IP address, like 10.1.2.3 or 2001:db8::1") from None
    raise ValueError("this attribute's type is not known; ask an administrator to fix "
                     "the class")


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_attributes(schema, values, class_name: str = "this class"
                     ) -> tuple[dict, dict[str, str]]:
    """`values` checked against `schema`: (the stored attributes, {attribute name: message}).

    Blank values are left out. Each message names the attribute by its label and says what
    to do. Attributes the class does not define are refused, so a typo is not kept."""
    cleaned, errors = {}, {}
    if values is None:
        values = {}
    if not isinstance(values, dict):
        return {}, {"": "Attributes must be an object of attribute names and values."}
    known = {d["name"]: d for d in definitions(schema)}
    for name in values:
        if name not in known:
            errors[str(name)] = (f"{name} is not an attribute of {class_name}: remove it, or "
                                 "ask an administrator to add it to the class.")
    for name, definition in known.items():
        value = values.get(name)
        if blank(value) and not (definition["type"] == "boolean" and value is not None):
            if definition["required"]:
                errors[name] = f"Enter the {definition['label']}: {class_name} needs it."
            continue
        try:
            cleaned[name] = clean_value(definition, value)
        except ValueError as exc:
            errors[name] = f"{definition['label']}: {exc}."
    return cleaned, errors


def display(definition: dict, value) -> str:
    """A stored value as people read it."""
    if value is None or value == "":
        return ""
    if definition["type"] == "boolean":
        return "Yes" if value else "No"
    if definition["type"] == "date":
        try:
            return f"{date.fromisoformat(value):%-d %B %Y}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)
