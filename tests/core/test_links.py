"""core.links.record_url gives what reverse() gives, for every registered model's page."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from borough.core.links import record_url
from borough.core.registry import registry


def detail_names() -> list[str]:
    return [entry.url_name("detail") for entry in registry.all()]


@pytest.mark.parametrize("pk", [0, 1, 42, 2**63 - 1])
def test_every_record_page_is_what_reverse_gives(pk):
    names = detail_names()
    assert names
    for name in names:
        try:
            expected = reverse(name, args=[pk])
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                record_url(name, pk)
            continue
        assert record_url(name, pk) == expected


def test_the_script_prefix_is_followed():
    name = detail_names()[0]
    plain = record_url(name, 7)
    set_script_prefix("/borough/")
    try:
        assert record_url(name, 7) == reverse(name, args=[7]) == "/borough" + plain
    finally:
        clear_script_prefix()
    assert record_url(name, 7) == plain


@pytest.mark.parametrize("pk", ["7", -1, True, None])
def test_anything_but_a_plain_id_goes_through_reverse(pk):
    name = detail_names()[0]
    try:
        expected = reverse(name, args=[pk])
    except NoReverseMatch:
        with pytest.raises(NoReverseMatch):
            record_url(name, pk)
    else:
        assert record_url(name, pk) == expected
