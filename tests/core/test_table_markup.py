"""The list table's cells drawn by core's borough_tables tags give the markup the template
gave (borough/includes/html_attrs.html and the <td> written out), and record choices in a
filter panel are read as one list, not through a server-side cursor."""

from __future__ import annotations

import django_tables2 as tables
import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe

from borough.core.filters import ListedChoices, ScopedFilterSet
from borough.core.tables import BaseTable
from borough.organisation.models import Person, ServiceUnit

# The markup borough/table.html wrote for a cell before the tags, kept here to compare.
OLD_CELL = Template(
    '{% load django_tables2 %}{% for column, cell in row.items %}'
    '<td class="govuk-table__cell{% if column.attrs.td.class %} {{ column.attrs.td.class }}'
    '{% endif %}"{% include "borough/includes/html_attrs.html" with attrs=column.attrs.td %}'
    '{% if stacks %} role="cell" data-label="{{ column.header }}"{% endif %}>'
    '{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}'
    '{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>'
    '{% endfor %}')
NEW_CELL = Template('{% load borough_tables %}{% for column, cell in row.items %}'
                    '{% table_cell column cell stacks %}{% endfor %}')


class Row:
    def __init__(self, **values):
        self.__dict__.update(values)


class MarkupTable(BaseTable):
    name = tables.Column(attrs={"td": {"class": "govuk-!-font-weight-bold",
                                       "data-x": lambda record: f"<{record.name}>",
                                       "hidden": True, "title": None, "lang": False}})
    count = tables.Column(verbose_name="How <many>", localize=True,
                          attrs={"td": {"class": "govuk-table__cell--numeric"}})
    raw = tables.Column(localize=False)
    link = tables.Column(empty_values=())

    def render_link(self, record):
        return mark_safe(f'<a href="/{record.count}">{record.name}</a>')  # noqa: S308


@pytest.mark.parametrize("stacks", [True, False])
def test_cells_are_what_the_template_wrote(settings, stacks):
    settings.USE_THOUSAND_SEPARATOR = True
    table = MarkupTable([Row(name="A & B", count=12345, raw=67890),
                         Row(name='"quoted"', count=None, raw=1.5)])
    for row in table.rows:
        context = {"row": row, "stacks": stacks}
        old = OLD_CELL.render(Context(context))
        assert NEW_CELL.render(Context(context)) == old
        assert "&lt;" in old  # the values were escaped, both ways


def test_html_attrs_is_the_include():
    attrs = {"class": "x", "id": "a<b", "hidden": True, "title": None, "lang": False,
             "td": {"class": "y"}, "colspan": 2}
    old = Template('{% include "borough/includes/html_attrs.html" %}').render(
        Context({"attrs": attrs}))
    new = Template("{% load borough_tables %}{% html_attrs attrs %}").render(
        Context({"attrs": attrs}))
    assert new == old == ' id="a&lt;b" hidden colspan="2"'


class UnitFilterSet(ScopedFilterSet):
    import django_filters as filters

    service_unit = filters.ModelChoiceFilter(queryset=ServiceUnit.objects.all())
    units = filters.ModelMultipleChoiceFilter(queryset=ServiceUnit.objects.all(),
                                              field_name="service_unit")

    class Meta:
        model = Person
        fields = ["service_unit"]


def test_record_choices_are_read_as_one_list_without_a_server_side_cursor(rf, org_a, admin_a):
    units = [ServiceUnit.objects.create(organisation=org_a, name=f"Unit {i}")
             for i in range(3)]
    request = rf.get("/")
    request.user = admin_a
    form = UnitFilterSet(None, queryset=Person.objects.all(), request=request).form
    for name in ("service_unit", "units"):
        field = form.fields[name]
        assert isinstance(field.iterator(field), ListedChoices)
        with CaptureQueriesContext(connection) as captured:
            values = [str(value) for value, _ in field.choices]
        assert len(captured) == 1
        assert "DECLARE" not in captured[0]["sql"]
        assert {str(u.pk) for u in units} <= set(values)
    assert form.fields["service_unit"].choices.__iter__().__next__() == ("", "---------")
