"""Filter bases every app's FilterSets derive from: the list page's filter panel, its
exports and the API's query parameters are one definition (STYLE.md, example 1)."""

from __future__ import annotations

from decimal import Decimal

import django_filters as filters
from django import forms
from django.db.models import Model, Q, QuerySet
from django.forms.models import ModelChoiceIterator

from borough.core.ids import INT64_MAX, INT64_MIN, WHOLE_NUMBER, in_int64, parse_int64

OUT_OF_RANGE = f"Enter a whole number from {INT64_MIN} to {INT64_MAX}."


class BoundedNumbersMixin:
    """A form field that refuses numbers the database cannot hold, before any query: an
    id of 99999999999999999999 would otherwise be an OverflowError (SQLite) or a
    DataError (PostgreSQL) rather than a 400 naming the parameter."""

    def clean(self, value):
        for raw in value if isinstance(value, list | tuple) else [value]:
            if isinstance(raw, str) and WHOLE_NUMBER.fullmatch(raw) and parse_int64(raw) is None:
                raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
        cleaned = super().clean(value)
        if isinstance(cleaned, slice):  # a range
            numbers = [cleaned.start, cleaned.stop]
        else:
            numbers = cleaned if isinstance(cleaned, list | tuple) else [cleaned]
        if any(isinstance(n, int | Decimal | float) and not isinstance(n, bool)
               and not in_int64(n) for n in numbers):
            raise forms.ValidationError(OUT_OF_RANGE, code="out_of_range")
        return cleaned


class ListedChoices(ModelChoiceIterator):
    """A record choice's options read as one list. Django reads them through
    `queryset.iterator()`, which on PostgreSQL opens a server-side cursor (DECLARE, FETCH,
    CLOSE: three round trips, and a cursor kept WITH HOLD outside a transaction) for what
    is a few dozen rows: the five selects of the CIs' filter panel cost more than the
    page's other queries together."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        # A fresh copy: the field's queryset keeps no rows between uses.
        rows = queryset if queryset._prefetch_related_lookups else list(queryset.all())
        for obj in rows:
            yield self.choice(obj)


def listed(iterator: type) -> type:
    """`iterator` (a ModelChoiceIterator class) reading its options as ListedChoices
    does; django-filter's adds its "null" option around them."""
    if iterator is ModelChoiceIterator:
        return ListedChoices
    return type(f"Listed{iterator.__name__}", (iterator, ListedChoices), {})


_bounded: dict[type, type] = {}


def bounded(field_class: type) -> type:
    """`field_class` with BoundedNumbersMixin (and, for a record choice, ListedChoices),
    made once per class."""
    if field_class not in _bounded:
        extra = ({"iterator": listed(field_class.iterator)}
                 if issubclass(field_class, forms.ModelChoiceField) else {})
        _bounded[field_class] = type(f"Bounded{field_class.__name__}",
                                     (BoundedNumbersMixin, field_class), extra)
    return _bounded[field_class]


# Filters whose values are numbers or record ids (their subclasses too: ranges, lists).
NUMERIC_FILTERS = (filters.NumberFilter, filters.ModelChoiceFilter,
                   filters.ModelMultipleChoiceFilter)


class BoundedFilterSet(filters.FilterSet):
    """Every numeric or id filter takes only values a 64-bit integer column can hold
    (ScopedFilterSet derives from it, and every app's FilterSets from that)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():  # this instance's copies
            if isinstance(filter_, NUMERIC_FILTERS):
                filter_.field_class = bounded(filter_.field_class)
                filter_.__dict__.pop("_field", None)  # built before: build it again


def narrowed(query) -> bool:
    """Whether a choice queryset says more than "every record" (whose scoped version is
    then just visible_to, without a pk__in subquery to plan)."""
    return bool(query.has_filters() or query.order_by or query.select_related
                or query.distinct or query.annotations or query.extra)


class ScopedFilterSet(BoundedFilterSet):
    """Related-record choices (service unit, site, team...) come from what the user may
    see, like the rows: another organisation's names are never offered, and their ids get
    the same "not one of the available choices" as a nonexistent one (SECURITY.md 2, 3)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filter_ in self.filters.values():
            queryset = getattr(filter_, "queryset", None)
            if not isinstance(queryset, QuerySet):
                continue
            manager = queryset.model._default_manager
            if hasattr(manager, "visible_to"):
                scoped = manager.visible_to(user)
                if narrowed(queryset.query):  # limit_choices_to, an order…
                    scoped = scoped.filter(pk__in=queryset.values("pk"))
                filter_.queryset = scoped
        self._type_numerous_choices()

    def _type_numerous_choices(self) -> None:
        """A filter choosing one record of a model too numerous for a select (100,000 CIs,
        ModelEntry.suggest_url) becomes a typed box with suggestions: the same name, label
        and (scoped) records, taking an id, a reference or a name."""
        from borough.core.forms import suggest_url_for

        for name, filter_ in list(self.filters.items()):
            if type(filter_) is not filters.ModelChoiceFilter or not isinstance(
                    filter_.queryset, QuerySet):  # a callable: its own choices
                continue
            model = filter_.queryset.model
            if (url := suggest_url_for(model)) is None:
                continue
            records = filter_.queryset
            typed = SuggestedRecordFilter(
                field_name=filter_.field_name, label=filter_.label, noun=str(
                    model._meta.verbose_name), queryset=lambda request, qs=records: qs,
                suggest_url=url, distinct=filter_.distinct, exclude=filter_.exclude)
            typed.parent, typed.model = self, filter_.model
            self.filters[name] = typed


class WordSearchFilterSet(ScopedFilterSet):
    """`q`: the words typed, found in any of `search_fields`; its label `search_label`."""

    q = filters.CharFilter(method="search", label="Search")

    search_fields: tuple[str, ...] = ()
    search_label = "Search"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].label = self.search_label

    def search(self, queryset, name, value):
        value = value.strip()
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)


def applied_filters(filterset, params) -> list[dict]:
    """Each filter value in the query string, in words ("Status: New"), with the link
    that removes just that value (and goes back to the first page)."""
    if not filterset.is_bound or not filterset.is_valid():
        return []
    tags = []
    for name, field in filterset.form.fields.items():
        values = [v for v in params.getlist(name) if v != ""]
        cleaned = filterset.form.cleaned_data.get(name)
        for value in values:
            remaining = params.copy()
            remaining.setlist(name, [v for v in params.getlist(name) if v != value])
            remaining.pop("page", None)
            label = filterset.form[name].label  # the field's, or one made from its name
            tags.append({"label": f"{label}: {_in_words(field, value, cleaned)}",
                         "url": f"?{remaining.urlencode()}" if remaining else "?"})
    return tags


def _in_words(field, value: str, cleaned) -> str:
    """A filter value as the form shows it: a choice's label, a record's name."""
    if hasattr(field, "queryset"):  # a record: its name, from what validation read
        records = [cleaned] if isinstance(cleaned, Model) else list(cleaned or ())
        found = next((r for r in records if str(r.pk) == value), None)
        if found is None and isinstance(cleaned, Model) and hasattr(field, "noun"):
            found = cleaned  # typed (a reference, a name): the one record it named
        return str(found) if found is not None else value
    choices = getattr(field, "choices", None)
    if choices:
        labels = {str(k): str(v) for k, v in choices if not isinstance(v, list | tuple)}
        if value in labels:
            return labels[value]
    if cleaned is True or cleaned is False:
        return "Yes" if cleaned else "No"
    return value


class SuggestedRecordFilter(filters.Filter):
    """One record among many, typed (core.suggestions): `?ci=12` (its id, as the API
    sends), `?ci=CI-000123` or its name, as the page's box sends with or without
    JavaScript. `queryset(request)` gives the records the caller can see, so another
    organisation's id reads as "none matches" (a 400 naming the parameter). No select of
    every record is built, which 100,000 CIs would make too heavy for a filter panel."""

    def __init__(self, *args, queryset, noun: str, suggest_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.records, self.noun, self.suggest_url = queryset, noun, suggest_url

    @property
    def field(self):
        if not hasattr(self, "_field"):
            from borough.core.forms import SuggestedRecordField

            request = getattr(getattr(self, "parent", None), "request", None)
            self._field = SuggestedRecordField(
                noun=self.noun, queryset=self.records(request), label=self.label,
                suggest_url=self.suggest_url,
                help_text="Type part of its name or reference.")
        return self._field

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{self.field_name: value})
