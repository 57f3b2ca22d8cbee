"""Choosing a person in a form, as someone would: type part of the name into the box
(the select enhanced by borough.js into an autocomplete) and pick the suggestion."""

from __future__ import annotations


def choose_person(page, label: str, name: str) -> None:
    box = page.get_by_role("combobox", name=label)
    box.fill(name.split()[0])
    page.get_by_role("option", name=name, exact=True).click()
