from __future__ import annotations

import django_tables2 as tables
from django.db.models import QuerySet


class BaseTable(tables.Table):
    """Declares columns; joins the related rows its columns show, so no N+1."""

    class Meta:
        template_name = "borough/table.html"
        # Each row stacks into a block on a phone (borough/table.html, _brand.scss).
        attrs = {"class": "borough-stack"}
        empty_text = "No records match."

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QuerySet):
            related = [
                name for name in self.base_columns
                # Not a generic foreign key (many-to-one too, but not a join): its table
                # prefetches it.
                if (field := _field(data.model, name)) is not None and field.many_to_one
                and field.concrete
            ]
            if related:
                data = data.select_related(*related)
        super().__init__(data, *args, **kwargs)

    @property
    def stacks(self) -> bool:
        """Whether each row stacks into a block on a phone: the table's class includes
        borough-stack (borough/table.html then labels the cells and names the roles)."""
        return "borough-stack" in str(self.attrs.get("class") or "").split()


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a column need not be a model field
        return None


class MoneyColumn(tables.Column):
    """An amount in pounds (core.money): £1,234.56 on the page, right-aligned; exports
    keep the number."""

    attrs = {"th": {"class": "govuk-table__header--numeric"},
             "td": {"class": "govuk-table__cell--numeric"}}

    def render(self, value):
        from borough.core.money import format_pounds

        return format_pounds(value)

    def value(self, value):
        return value
