"""Queries whose SQL never changes shape, compiled once per process.

Django compiles a queryset to SQL each time it is evaluated. For the queries every
page makes (the signed-in user with their permissions, their organisations) that
compiling costs about as much as PostgreSQL takes to plan and run them. A
`Precompiled` query is built once with stand-in values for its arguments (integers, or
text for those named so) and compiled; each call then runs that SQL with the real values
bound in the stand-ins' places, through `raw()`, which still makes model instances
(annotations become attributes) and applies each field's database converters.

Only for querysets whose SQL depends on nothing but those arguments: no `now()`, no
per-user visibility rules (those go through `visible_to(user)` as usual), no
`select_related` (raw() fills no relations).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import router
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import RawQuerySet

# Negative, so no real primary key is ever mistaken for one; distinct per argument.
_STAND_IN = -7_314_159_265


class Precompiled:
    """`Precompiled(lambda user_id: User.objects.filter(pk=user_id))`, then
    `.raw(user_id=3)`: the same rows as the queryset built with 3, compiled once per
    database alias. Arguments are integers, except those named in `text`."""

    def __init__(self, build: Callable[..., QuerySet], *, text: tuple[str, ...] = ()):
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        self.types = {name: str if name in text else int for name in self.names}
        self.model = None
        self._compiled: dict[str, tuple[str, tuple, dict[int, str]]] = {}

    def _compile(self, using: str) -> tuple[str, tuple, dict[int, str]]:
        stand_ins = {name: self.types[name](_STAND_IN - index)
                     for index, name in enumerate(self.names)}
        queryset = self.build(**stand_ins)
        sql, params = queryset.query.get_compiler(using).as_sql()
        slots = {index: name for index, value in enumerate(params)
                 for name, stand_in in stand_ins.items()
                 if type(value) is type(stand_in) and value == stand_in}
        unbound = set(self.names) - set(slots.values())
        if unbound or any(str(v) in sql for v in stand_ins.values()):
            raise ImproperlyConfigured(
                f"Precompiled query: {sorted(unbound) or 'a value'} is not a bound "
                f"parameter of {queryset.model.__name__}'s SQL")
        compiled = self._compiled[using] = (sql, tuple(params), slots)
        return compiled

    def raw(self, using: str | None = None, **values: int | str) -> RawQuerySet:
        if set(values) != set(self.names):
            raise TypeError(f"Precompiled query takes {self.names}, got {tuple(values)}")
        for name, value in values.items():
            if type(value) is not self.types[name]:
                raise TypeError(f"{name} must be {self.types[name].__name__}, "
                                f"not {type(value).__name__}")
        if self.model is None:
            self.model = self.build(**{name: kind() for name, kind in self.types.items()}).model
        using = using or router.db_for_read(self.model)
        sql, params, slots = self._compiled.get(using) or self._compile(using)
        bound = list(params)
        for index, name in slots.items():
            bound[index] = values[name]
        return RawQuerySet(sql, model=self.model, params=bound, using=using)


class PrecompiledAnnotations:
    """`PrecompiledAnnotations(Ticket, lambda: {"team_name": Subquery(...), ...})`, then
    `qs.annotate(**extras.on(qs))`: the expressions compiled by Django's own compiler once
    per database alias and handed back as `RawSQL`, so a page that annotates a few
    subqueries on every request does not compile them each time.

    For expressions over `model`'s rows that depend on no argument: they refer to the
    outer row by its table's name, which is its alias in any query starting from `model`
    (their own tables get aliases of their own, U0, U1...)."""

    def __init__(self, model, build: Callable[[], dict]):
        self.model = model
        self.build = build
        self._compiled: dict[str, dict[str, RawSQL]] = {}

    def on(self, queryset: QuerySet) -> dict[str, RawSQL]:
        using = queryset.db
        compiled = self._compiled.get(using)
        if compiled is None:
            expressions = self.build()
            query = self.model._default_manager.annotate(**expressions).query
            compiler = query.get_compiler(using)
            compiled = {}
            for name in expressions:
                annotation = query.annotations[name]
                sql, params = compiler.compile(annotation)
                # SQL from Django's own compiler, with its parameters bound as usual.
                compiled[name] = RawSQL(sql, params, output_field=annotation.output_field)  # noqa: S611
            self._compiled[using] = compiled
        return compiled
