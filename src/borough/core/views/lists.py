from __future__ import annotations

from functools import cache

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from borough.core import exports, restricted
from borough.core.filters import applied_filters
from borough.core.views.base import EntryViewMixin

PAGE_SIZES = (25, 50, 100)
CONTROL_PARAMS = {"page", "per_page", "sort", "view"}  # view: the saved view in use


class BadParameters(Exception):
    pass


class FilteredTableMixin(EntryViewMixin):
    """Builds the filterset and table from allowlisted query parameters."""

    extra_params: frozenset[str] = frozenset()  # parameters a subclass reads itself

    def check_parameters(self, filterset, table_class):
        allowed = set(filterset.form.fields) | CONTROL_PARAMS | set(self.extra_params)
        unknown = sorted(set(self.request.GET) - allowed)
        if unknown:
            raise BadParameters(
                f"Unknown parameter {', '.join(unknown)}. "
                f"Filters here are: {', '.join(sorted(filterset.form.fields))}."
            )
        hidden = restricted.hidden_columns(self.model, self.request.user)
        if asked := sorted(hidden & set(self.request.GET)):
            raise BadParameters(f"Unknown parameter {', '.join(asked)}.")
        sort = self.request.GET.get("sort", "")
        if sort:
            orderable = orderable_columns(table_class, self.model) - hidden
            if sort.lstrip("-") not in orderable:
                raise BadParameters(
                    f"Cannot sort by {sort}. Choose from: {', '.join(sorted(orderable))}."
                )
        per_page = self.request.GET.get("per_page", "")
        if per_page and per_page not in {str(n) for n in PAGE_SIZES}:
            raise BadParameters(f"Rows per page must be one of {', '.join(map(str, PAGE_SIZES))}.")

    def filtered(self):
        """The filterset and the rows it selects (none when a filter value is invalid)."""
        filterset = self.entry.filterset(
            self.request.GET or None, queryset=self.get_queryset(), request=self.request
        )
        self.check_parameters(filterset, self.entry.table)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else (
            filterset.queryset if not filterset.is_bound else filterset.queryset.none()
        )
        return filterset, qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "filterset" in kwargs:
            context["applied_filters"] = applied_filters(kwargs["filterset"], self.request.GET)
        return context

    def build(self, exclude=()):
        filterset, qs = self.filtered()
        # Columns of fields the reader's role may not see are left out (core.restricted).
        exclude = (*exclude, *restricted.hidden_columns(self.model, self.request.user))
        table = self.entry.table(qs, request=self.request, exclude=exclude)
        return filterset, table

    def bad_request(self, message):
        # base.html shows messages as a "There is a problem" banner, so the 400 page
        # says which parameter was wrong (400.html itself is generic).
        messages.error(self.request, message)
        return HttpResponseBadRequest(render_to_string("400.html", request=self.request))


@cache
def _columns(table_class, model):
    """The table's bound columns, fixed per table class: built once, not per request."""
    return table_class(model.objects.none()).columns


def bound_columns(table_class, model) -> list:
    """The table's columns as shown, in order (what column choice offers)."""
    return [c for c in _columns(table_class, model) if c.visible]


def orderable_columns(table_class, model) -> frozenset[str]:
    """Names of the table's sortable columns."""
    return frozenset(c.name for c in _columns(table_class, model) if c.orderable)


def sort_queryset(qs, table_class, model, sort: str):
    """Order `qs` by `?sort=` the way django-tables2 does for a plain column (the
    column's order_by accessors, reversed for a leading "-"), without building a table.
    `sort` must already be checked against orderable_columns()."""
    if not sort:
        return qs
    column = _columns(table_class, model)[sort.lstrip("-")]
    accessors = column.order_by.opposite if sort.startswith("-") else column.order_by
    return qs.order_by(*(a.for_queryset() for a in accessors))


class ObjectListView(FilteredTableMixin, TemplateView):
    template_name = "core/object_list.html"
    partial_template_name = "core/includes/object_table.html"

    def get(self, request, *args, **kwargs):
        from borough.core.saved_views import list_key
        from borough.core.views.saved_views import list_views_context

        views = list_views_context(request, list_key(self.model))
        hidden = [c["column"].key for c in views["column_choices"] if not c["shown"]]
        try:
            filterset, table = self.build(exclude=hidden)
        except BadParameters as exc:
            return self.bad_request(str(exc))
        per_page = int(request.GET.get("per_page") or PAGE_SIZES[0])
        RequestConfig(request, paginate={"per_page": per_page}).configure(table)
        context = self.get_context_data(filterset=filterset, table=table,
                                        page_sizes=PAGE_SIZES, per_page=per_page, **views)
        template = self.partial_template_name if request.htmx else self.template_name
        response = self.response_class(request, template, context)
        patch_vary_headers(response, ("HX-Request",))
        return response


class ObjectExportView(FilteredTableMixin, TemplateView):
    """`?format=csv|xlsx` plus the list's filters; exports every matching row."""

    def get(self, request, *args, **kwargs):
        if not self.entry.export:
            raise Http404("This list cannot be exported.")
        try:
            filterset, table = self.build()
        except BadParameters as exc:
            return self.bad_request(str(exc))
        RequestConfig(request, paginate=False).configure(table)
        export = exports.FORMATS[self.kwargs["format"]]
        return export(exports.table_rows(table), self.entry.model_name)
